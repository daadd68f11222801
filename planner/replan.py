"""Cascade re-planning (what-if): which schedule events move when one moves (pure, no ORM).

The imported schedules state no relations between events, so the planner uses this documented
table (``DEPENDENTS``), read from the release process and the usual R-N layout of the
openstack/releases schedules:

* **feature-freeze ↔ milestone-3**: the same day (o-3 and o-ff both fall on R-4's Thursday).
* **feature-freeze → final-clientlib, soft-string-freeze, requirements-freeze**: the freezes of
  feature-freeze week (R-4) move with it.
* **feature-freeze → rc1**: RC1 follows feature freeze by a week (R-3); rc1 → hard-string-freeze
  (same week).
* **release → final-rc** (a week before, R-1) and **release → trailing** (the cycle-trailing
  deadline, two weeks after).
* milestone-1, milestone-2, final-lib and team events are anchored to nothing: they stay.

A dependent moves by the same number of days as the event it depends on; each event moves once
(the first path reaching it wins), cross-project events only. A whole-cycle shift moves every
event of the series (team events too), its weeks and its start and release weeks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from releases.kinds import EventKind as K
from releases.kinds import first_of_kinds

DEPENDENTS: dict[str, tuple[tuple[str, str], ...]] = {
    K.FEATURE_FREEZE: (
        (K.MILESTONE_3, "milestone-3 is the day of feature freeze"),
        (K.FINAL_CLIENTLIB, "final client library release is in feature-freeze week"),
        (K.SOFT_STRING_FREEZE, "soft string freeze is in feature-freeze week"),
        (K.REQUIREMENTS_FREEZE, "requirements freeze is in feature-freeze week"),
        (K.RC1, "RC1 follows feature freeze by a week"),
    ),
    K.MILESTONE_3: ((K.FEATURE_FREEZE, "feature freeze is the day of milestone-3"),),
    K.RC1: ((K.HARD_STRING_FREEZE, "hard string freeze is in RC1 week"),),
    K.RELEASE: (
        (K.FINAL_RC, "final RCs are the week before the release"),
        (K.TRAILING, "the cycle-trailing deadline follows the release"),
    ),
}


@dataclass(frozen=True)
class EventRow:
    key: str
    kind: str
    date: date
    title: str = ""
    team: str = ""


@dataclass(frozen=True)
class EventChange:
    key: str
    kind: str
    title: str
    old: date
    new: date
    reason: str
    occurrence: int = 0  # which of the event's days moves (0: the first, the event's date)
    occurrences: int = 1  # how many days the event has

    @property
    def days(self) -> int:
        return (self.new - self.old).days

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "old": self.old.isoformat(),
            "new": self.new.isoformat(),
            "days": self.days,
            "reason": self.reason,
            "occurrence": self.occurrence,
            "occurrences": self.occurrences,
        }


def cascade(
    *, events: list[EventRow], key: str, new_date: date, occurrences: int = 1
) -> list[EventChange]:
    """Move event ``key`` to ``new_date`` and every event that depends on it (``DEPENDENTS``).

    Dates are first occurrences: an event happening on several days (``occurrences``) moves
    its first one, its other days stay, and the change says so. Raises ``KeyError`` for an
    unknown key. The moved event comes first, then its dependents in the order they are
    reached; events that would not change are left out.
    """
    by_key = {e.key: e for e in events}
    moved = by_key[key]
    delta = new_date - moved.date
    if not delta:
        return []
    reason = "moved by you"
    if occurrences > 1:
        reason += f": its first of {occurrences} days (the others stay)"
    changes = [
        EventChange(
            moved.key, moved.kind, moved.title, moved.date, new_date, reason, 0, occurrences
        )
    ]
    if moved.team:
        return changes  # team events anchor nothing
    seen = {moved.key}
    queue = deque([moved])
    cross = [e for e in events if not e.team]
    while queue:
        anchor = queue.popleft()
        for kind, why in DEPENDENTS.get(anchor.kind, ()):
            for event in cross:
                if event.kind != kind or event.key in seen:
                    continue
                seen.add(event.key)
                changes.append(
                    EventChange(
                        event.key,
                        event.kind,
                        event.title,
                        event.date,
                        event.date + delta,
                        f"{why} ({anchor.key})",
                    )
                )
                queue.append(event)
    return changes


def move_occurrence(
    *, event: EventRow, occurrence: int, occurrences: int, old: date, new_date: date
) -> list[EventChange]:
    """Move one later day of an event (``occurrence`` ≥ 1, e.g. the second of two review
    days): only that day moves; the event's first day, and so everything anchored to it,
    stays."""
    if old == new_date:
        return []
    reason = f"moved by you: its day {occurrence + 1} of {occurrences} (the others stay)"
    return [
        EventChange(
            event.key, event.kind, event.title, old, new_date, reason, occurrence, occurrences
        )
    ]


def shift(*, events: list[EventRow], days: int) -> list[EventChange]:
    """A whole-cycle shift: every event of the series moves by ``days``."""
    if not days:
        return []
    delta = timedelta(days=days)
    return [
        EventChange(e.key, e.kind, e.title, e.date, e.date + delta, f"whole cycle {days:+d} days")
        for e in events
    ]


def new_dates(events: list[EventRow], changes: list[EventChange]) -> dict[str, date]:
    """Every event's date once ``changes`` are applied."""
    moved = {c.key: c.new for c in changes if c.occurrence == 0}
    return {e.key: moved.get(e.key, e.date) for e in events}


def first_of_kind(
    events: list[EventRow], dates: dict[str, date], kinds: Sequence[str]
) -> date | None:
    """The date, under ``dates``, of the event that is the series' ``kinds[0]`` (else
    ``kinds[1]`` …): ``releases.kinds.first_of_kinds``, the rule every app uses."""
    moved = [replace(e, date=dates[e.key]) for e in events]
    found = first_of_kinds(moved, kinds)
    return found.date if found else None
