"""Risk forecast of a blueprint: will it make its deadline (target milestone, else feature freeze)?

Pure rules (dataclasses in, dataclasses out; no ORM). The selectors in
``blueprints.forecast_selectors`` build a :class:`ForecastInput` per blueprint from the audit
history; ``bench/forecast_replay.py`` replays generated cycles through the same functions to measure
how often the forecast flags, two weeks before feature freeze, the blueprints that then miss it.

The rule, in words (every forecast explains itself with ``reasons``):

* **Deadline.** The target milestone's date while it is still ahead; once it has passed, the
  feature freeze (after freeze only an FFE lets work merge). No target: the feature freeze.
* **Burn rate.** Work items that became DONE in the last four weeks, per week. With less than
  four weeks of history the window is what there is (at least one week). With no dated history
  at all on the day asked about (data loaded later than the day, e.g. the demo), the rate is the
  items done per week since the blueprint started.
* **Needed rate.** Work items still open (TODO, INPROGRESS, BLOCKED; POSTPONED ones are out of
  the cycle's scope) divided by the weeks left to the deadline.
* **Score** (0 = sure to make it, 100 = sure to miss) = 100 / (1 + (rate / needed)²): on pace
  scores 50, twice the pace 20, half the pace 80, capped at 85 (nothing done lately). A blueprint
  without work items is judged on its implementation status alone. Unfinished dependencies add
  15 each (at most 30), a Blocked status 20, blocked work items 10.
* **Reviews** (the Gerrit changes naming the blueprint, as of the day): said in words ("3
  reviews merged, 1 open for 12 days"). Work items on Launchpad often lag behind the code, so
  when none became DONE lately but reviews merged, the blueprint is not judged idle: its pace
  is the reviews merged per week (one review for one work item, at most), and the reason says
  so. An open review older than three weeks adds 10 (work stuck in review); a blueprint
  without work items whose reviews merged lately and none is stuck scores 15 less.
* **Levels.** ``likely-late`` from 60, ``at-risk`` from 40 (both count as *flagged*), else
  ``on-track``; ``done`` when Implemented (the one meaning of "done" everywhere),
  ``retired`` when complete in Launchpad's sense otherwise (obsolete, superseded,
  informational), ``late`` when the deadline passed unfinished, ``deferred`` when its status
  says it left the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from blueprints import rules

RATE_WINDOW_WEEKS = 4
IDLE_SCORE = 85  # the pace curve's ceiling: only a passed deadline is certain to be missed
FLAG_SCORE = 40
LIKELY_LATE_SCORE = 60
DEPENDENCY_PENALTY = 15
DEPENDENCY_PENALTY_MAX = 30
BLOCKED_STATUS_PENALTY = 20
BLOCKED_ITEMS_PENALTY = 10
STALE_REVIEW_DAYS = 21
STALE_REVIEW_PENALTY = 10
MERGING_BONUS = 15

ON_TRACK = "on-track"
AT_RISK = "at-risk"
LIKELY_LATE = "likely-late"
DONE = "done"
LATE = "late"
DEFERRED = "deferred"
RETIRED = "retired"
LEVEL_LABELS = {
    ON_TRACK: "on track",
    AT_RISK: "may slip",
    LIKELY_LATE: "likely to miss",
    DONE: "done",
    LATE: "deadline passed",
    DEFERRED: "deferred",
    RETIRED: "no longer planned",
}

# Status-only scores for blueprints without work items (Launchpad's implementation statuses).
STATUS_SCORES = {
    "Blocked": 80,
    "Slow progress": 60,
    "Needs Infrastructure": 60,
    "Started": 40,
    "Good progress": 20,
    "Beta Available": 15,
    "Needs Code Review": 15,
    "Deployment": 10,
}
NOT_STARTED_SCORE_LATE = 75  # not started with less than four weeks left
NOT_STARTED_SCORE_EARLY = 40


@dataclass(frozen=True)
class ForecastInput:
    """What the forecast knows about one blueprint on ``as_of``.

    ``done_recent`` counts DONE transitions in the ``window_weeks`` before ``as_of``;
    ``window_weeks`` 0 means there is no dated history on ``as_of`` (the rate then comes from
    ``done`` and ``started_on``).
    """

    name: str
    as_of: date
    implementation_status: str
    definition_status: str = "Approved"
    target_date: date | None = None
    target_label: str = ""
    freeze: date | None = None
    planned: int = 0
    done: int = 0
    blocked: int = 0
    done_recent: int = 0
    window_weeks: float = 0.0
    started_on: date | None = None
    unfinished_dependencies: int = 0
    dependency_names: tuple[str, ...] = ()
    # Gerrit reviews naming the blueprint, as of ``as_of`` (see ``reviews_as_of``).
    reviews_merged: int = 0
    reviews_open: int = 0
    reviews_merged_recent: int = 0  # in the same window as ``done_recent``
    oldest_open_days: int | None = None  # age of the oldest open review

    @property
    def has_reviews(self) -> bool:
        return bool(self.reviews_merged or self.reviews_open)


@dataclass(frozen=True)
class Forecast:
    score: int
    level: str
    deadline: date | None
    deadline_label: str
    weeks_left: float | None
    rate: float | None
    needed_rate: float | None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flagged(self) -> bool:
        """At risk or likely to miss (or past its deadline unfinished)."""
        return self.level in (AT_RISK, LIKELY_LATE, LATE)

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "level": self.level,
            "flagged": self.flagged,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_label": self.deadline_label,
            "weeks_left": None if self.weeks_left is None else round(self.weeks_left, 1),
            "rate_per_week": None if self.rate is None else round(self.rate, 2),
            "needed_per_week": None if self.needed_rate is None else round(self.needed_rate, 2),
            "reasons": list(self.reasons),
        }


def deadline_for(
    *, as_of: date, target_date: date | None, target_label: str, freeze: date | None
) -> tuple[date | None, str]:
    """The date the blueprint is judged against: its target milestone while ahead, else the
    feature freeze (only an FFE lets work merge after it), else the passed target."""
    if target_date is not None and target_date >= as_of:
        return target_date, target_label or "target milestone"
    if freeze is not None and freeze >= as_of:
        return freeze, "feature freeze"
    if target_date is not None:
        return target_date, target_label or "target milestone"
    return freeze, "feature freeze" if freeze else ""


def _level(score: int) -> str:
    if score >= LIKELY_LATE_SCORE:
        return LIKELY_LATE
    if score >= FLAG_SCORE:
        return AT_RISK
    return ON_TRACK


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def forecast(data: ForecastInput) -> Forecast:
    """Score one blueprint's risk of missing its deadline, with the reasons in words."""
    deadline, label = deadline_for(
        as_of=data.as_of,
        target_date=data.target_date,
        target_label=data.target_label,
        freeze=data.freeze,
    )
    if rules.is_done(implementation_status=data.implementation_status):
        return Forecast(0, DONE, deadline, label, None, None, None, ("implemented",))
    if rules.is_complete(
        implementation_status=data.implementation_status,
        definition_status=data.definition_status,
    ):
        # Complete in Launchpad's sense without being implemented (obsolete, superseded,
        # informational): out of the plan, not "done".
        reason = f"{data.definition_status.lower()}, not implemented"
        return Forecast(0, RETIRED, deadline, label, None, None, None, (reason,))
    if data.implementation_status == "Deferred":
        return Forecast(
            0, DEFERRED, deadline, label, None, None, None, ("deferred to a later cycle",)
        )
    if deadline is None:
        return Forecast(
            50, AT_RISK, None, "", None, None, None, ("no target milestone and no feature freeze",)
        )
    days_left = (deadline - data.as_of).days
    weeks_left = days_left / 7
    if days_left < 0:
        return Forecast(
            100,
            LATE,
            deadline,
            label,
            weeks_left,
            None,
            None,
            (f"{label} ({deadline:%d %b}) passed {-days_left} days ago, not complete",),
        )
    reasons: list[str] = []
    rate: float | None = None
    needed: float | None = None
    if (
        data.target_date is not None
        and data.target_date < data.as_of
        and deadline != data.target_date
    ):
        reasons.append(f"missed its target {data.target_label or 'milestone'}; now racing {label}")
    if data.planned > 0:
        remaining = max(data.planned - data.done, 0)
        rate, rate_words = _rate(data)
        review_rate = _review_rate(data)
        if rate == 0 and review_rate > 0 and remaining > 0:
            # Nothing marked done lately, yet code merged: the work items lag, not the work.
            rate = min(review_rate, remaining)
            rate_words = f"in reviews merged {rate_words} (no work item marked done)"
        weeks = max(weeks_left, 1 / 7)  # the deadline day itself still counts
        needed = remaining / weeks
        head = f"{data.done} of {data.planned} work items done"
        if remaining == 0:
            score = 15
            reasons.append(f"{head}; status still {data.implementation_status}")
        elif rate == 0:
            score = IDLE_SCORE
            reasons.append(
                f"{head}, none {rate_words}, {_fmt(round(weeks_left, 1))} weeks left: "
                f"needs {_fmt(round(needed, 1))} per week"
            )
        else:
            ratio = rate / needed
            score = min(IDLE_SCORE, round(100 / (1 + ratio**2)))
            reasons.append(
                f"{head}, {_fmt(round(rate, 1))} per week {rate_words}, "
                f"{_fmt(round(weeks_left, 1))} weeks left: needs {_fmt(round(needed, 1))} per week"
            )
        if data.blocked:
            score += BLOCKED_ITEMS_PENALTY
            reasons.append(f"{data.blocked} work item{'s' if data.blocked != 1 else ''} blocked")
    else:
        status = data.implementation_status
        if not rules.is_started(implementation_status=status):
            score = NOT_STARTED_SCORE_LATE if weeks_left < 4 else NOT_STARTED_SCORE_EARLY
        else:
            score = STATUS_SCORES.get(status, 40)
        judged = "its status and reviews" if data.has_reviews else "its status"
        reasons.append(
            f"no work items: judged on {judged} ({status}) with "
            f"{_fmt(round(weeks_left, 1))} weeks left"
        )
        if data.reviews_merged_recent and not _stale_review(data):
            score -= MERGING_BONUS
    if data.has_reviews:
        reasons.append(review_words(data))
        if _stale_review(data):
            score += STALE_REVIEW_PENALTY
    if data.implementation_status == "Blocked" and data.planned > 0:
        score += BLOCKED_STATUS_PENALTY
        reasons.append("status Blocked")
    if data.unfinished_dependencies:
        score += min(DEPENDENCY_PENALTY * data.unfinished_dependencies, DEPENDENCY_PENALTY_MAX)
        names = f" ({', '.join(data.dependency_names)})" if data.dependency_names else ""
        n = data.unfinished_dependencies
        reasons.append(f"waits for {n} unfinished blueprint{'s' if n != 1 else ''}{names}")
    score = max(0, min(100, score))
    return Forecast(score, _level(score), deadline, label, weeks_left, rate, needed, tuple(reasons))


def review_words(data: ForecastInput) -> str:
    """ "3 reviews merged, 1 open for 12 days" (the oldest open one's age when several)."""
    merged = f"{data.reviews_merged} review{'s' if data.reviews_merged != 1 else ''} merged"
    if not data.reviews_open:
        return f"{merged}, none open"
    days = data.oldest_open_days or 0
    age = f"{days} day{'s' if days != 1 else ''}"
    if data.reviews_open == 1:
        return f"{merged}, 1 open for {age}"
    return f"{merged}, {data.reviews_open} open (the oldest for {age})"


def _stale_review(data: ForecastInput) -> bool:
    return bool(data.reviews_open) and (data.oldest_open_days or 0) > STALE_REVIEW_DAYS


def _review_rate(data: ForecastInput) -> float:
    """Reviews merged per week, measured as the work-item rate is (same window)."""
    if data.window_weeks > 0:
        return data.reviews_merged_recent / max(data.window_weeks, 1.0)
    if data.started_on is not None and data.started_on < data.as_of:
        return data.reviews_merged / max((data.as_of - data.started_on).days / 7, 1.0)
    return 0.0


def _rate(data: ForecastInput) -> tuple[float, str]:
    """Work items done per week, and how it was measured (for the reason text)."""
    if data.window_weeks > 0:
        window = max(data.window_weeks, 1.0)
        words = (
            "over the last 4 weeks"
            if window >= RATE_WINDOW_WEEKS
            else (f"over the last {_fmt(round(window, 1))} weeks")
        )
        return data.done_recent / window, words
    if data.started_on is not None and data.started_on < data.as_of:
        weeks = max((data.as_of - data.started_on).days / 7, 1.0)
        return data.done / weeks, f"since work started ({data.started_on:%d %b})"
    return 0.0, "(no history)"


# --- history → inputs (the selectors' replay path and bench/forecast_replay.py) ------------


@dataclass(frozen=True)
class ItemChange:
    """One audited change of a work item's status (``old`` None on create, ``new`` None on
    delete)."""

    item: int
    at: date
    old: str | None
    new: str | None


def items_as_of(changes: list[ItemChange], as_of: date) -> dict[int, str]:
    """Each work item's status at the end of ``as_of`` (deleted items dropped)."""
    state: dict[int, str] = {}
    for change in sorted(changes, key=lambda c: c.at):
        if change.at > as_of:
            break
        if change.new is None:
            state.pop(change.item, None)
        else:
            state[change.item] = change.new
    return state


def history_counts(changes: list[ItemChange], as_of: date) -> dict[str, float]:
    """planned, done, blocked, done_recent and window_weeks on ``as_of`` from the item history."""
    state = items_as_of(changes, as_of)
    dated = [c.at for c in changes if c.at <= as_of]
    if not dated:
        return {"planned": 0, "done": 0, "blocked": 0, "done_recent": 0, "window_weeks": 0.0}
    since = as_of - timedelta(weeks=RATE_WINDOW_WEEKS)
    recent = sum(
        1 for c in changes if since < c.at <= as_of and c.new == "DONE" and c.old != "DONE"
    )
    window = min((as_of - min(dated)).days / 7, RATE_WINDOW_WEEKS)
    return {
        "planned": sum(1 for s in state.values() if s != "POSTPONED"),
        "done": sum(1 for s in state.values() if s == "DONE"),
        "blocked": sum(1 for s in state.values() if s == "BLOCKED"),
        "done_recent": recent,
        "window_weeks": max(window, 1.0),
    }


@dataclass(frozen=True)
class ReviewDates:
    """A Gerrit change's life: uploaded, and merged or abandoned (None while open)."""

    created: date
    merged: date | None = None
    abandoned: date | None = None


def reviews_as_of(reviews: list[ReviewDates], as_of: date) -> dict[str, int | None]:
    """The ``ForecastInput`` review fields on ``as_of``: merged by then, open then (uploaded,
    neither merged nor abandoned yet), merged in the rate window, the oldest open one's age."""
    since = as_of - timedelta(weeks=RATE_WINDOW_WEEKS)
    merged = [r for r in reviews if r.merged is not None and r.merged <= as_of]
    open_ = [
        r
        for r in reviews
        if r.created <= as_of
        and (r.merged is None or r.merged > as_of)
        and (r.abandoned is None or r.abandoned > as_of)
    ]
    return {
        "reviews_merged": len(merged),
        "reviews_open": len(open_),
        "reviews_merged_recent": sum(1 for r in merged if r.merged > since),
        "oldest_open_days": max((as_of - r.created).days for r in open_) if open_ else None,
    }


def status_as_of(changes: list[tuple[date, str]], as_of: date, default: str) -> str:
    """A blueprint's implementation status on ``as_of`` from its (date, new status) history."""
    current = None
    for at, new in sorted(changes, key=lambda c: c[0]):
        if at > as_of:
            break
        current = new
    return current if current is not None else default
