"""Honest evaluation of the risk forecast: replay generated cycles' histories (pure, seeded).

The TripleO demo has no dated history (its audit rows are stamped when it is loaded), so the
figure comes from generated cycles on the Ocata schedule whose histories include behaviour the
forecast does **not** model: stalls, late surges, scope added mid-cycle, review lag between the
last work item and "Implemented", and dependencies that hold back the last work item. For each
blueprint the work-item history is turned into ``ItemChange`` rows (what the audit trail holds),
the forecast is computed from the rows dated up to two weeks before feature freeze only, and
compared with what then happened: implemented by the freeze, or not.

Reported: recall (share of the blueprints that missed the freeze which were flagged), precision
(share of flagged ones that missed), and the same for a naive baseline ("flag when less than half
the work items are done") so the forecast is judged against something simpler.

Reviews. Each blueprint's work goes through Gerrit: the change for a work item is uploaded just
after the previous item was done (so a stall, or a last item waiting for a dependency, leaves a
review open for weeks) and merges the day the item is done; some items take two changes, some
changes are abandoned. And Launchpad lags: for a share of the blueprints (``lagging_share``) the
work items are marked DONE only every two to four weeks (and all at once when the blueprint is
implemented), so their history understates the pace the reviews show. The review details and the
lag come from a second random stream, so with ``lagging_share=0`` the work-item histories are
exactly those the forecast was first measured on. ``replay_table`` measures the forecast with and
without the reviews on both generators.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from blueprints import forecast as fc

OCATA_START = date(2016, 10, 31)
OCATA_M2 = date(2016, 12, 15)
OCATA_FREEZE = date(2017, 1, 26)
LEAD_DAYS = 14
LAGGING_SHARE = 0.3  # blueprints whose work items are updated on Launchpad in batches


@dataclass
class SimBlueprint:
    name: str
    target: date
    target_label: str
    changes: list[fc.ItemChange] = field(default_factory=list)
    status_changes: list[tuple[date, str]] = field(default_factory=list)
    implemented_on: date | None = None
    depends_on: str | None = None
    reviews: list[fc.ReviewDates] = field(default_factory=list)
    lagging: bool = False  # work items marked done in batches, after the code merged


def _weekdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def simulate_cycle(
    *,
    seed: int,
    blueprints: int = 50,
    start: date = OCATA_START,
    freeze: date = OCATA_FREEZE,
    m2: date = OCATA_M2,
    lagging_share: float = 0.0,
) -> list[SimBlueprint]:
    """One generated cycle: each blueprint's work-item, status and review history, day by day."""
    sims = _simulate_work(seed=seed, blueprints=blueprints, start=start, freeze=freeze, m2=m2)
    rng = random.Random(seed * 1_000_003 + 17)  # its own stream: the work above is unchanged
    for sim in sims:
        _add_reviews(sim, rng)
        if rng.random() < lagging_share:
            _lag_work_items(sim, rng)
    return sims


def _add_reviews(sim: SimBlueprint, rng: random.Random) -> None:
    """One change per done item (uploaded after the previous item was done, merged when this
    one is), a second one for some items, abandoned ones now and then; the item still open
    at the end has its change open."""
    done_days = sorted(c.at for c in sim.changes if c.new == "DONE")
    begin = min(c.at for c in sim.changes)
    previous = begin
    for day in done_days:
        uploaded = min(previous + timedelta(days=rng.randint(0, 3)), day)
        sim.reviews.append(fc.ReviewDates(created=uploaded, merged=day))
        if rng.random() < 0.3:
            second = uploaded + timedelta(days=rng.randint(0, max((day - uploaded).days, 0)))
            sim.reviews.append(fc.ReviewDates(created=second, merged=day))
        if rng.random() < 0.08:
            sim.reviews.append(
                fc.ReviewDates(created=uploaded, abandoned=uploaded + timedelta(rng.randint(3, 10)))
            )
        previous = day
    planned = {c.item for c in sim.changes if c.old is None}
    if len(done_days) < len(planned):  # work on the next item goes on, in review
        sim.reviews.append(fc.ReviewDates(created=previous + timedelta(days=rng.randint(0, 3))))


def _lag_work_items(sim: SimBlueprint, rng: random.Random) -> None:
    """Record each DONE at the next of the lead's Launchpad updates (every 2 to 4 weeks, and
    when the blueprint is implemented) instead of the day the item was done."""
    begin = min(c.at for c in sim.changes)
    updates, day = [], begin
    while day <= OCATA_FREEZE + timedelta(weeks=12):
        day += timedelta(days=rng.randint(14, 28))
        updates.append(day)
    if sim.implemented_on:
        updates = sorted([u for u in updates if u < sim.implemented_on] + [sim.implemented_on])
    lagged = []
    for change in sim.changes:
        if change.new == "DONE":
            at = next((u for u in updates if u >= change.at), change.at)
            change = fc.ItemChange(change.item, at, change.old, change.new)
        lagged.append(change)
    sim.changes, sim.lagging = lagged, True


def _simulate_work(
    *, seed: int, blueprints: int, start: date, freeze: date, m2: date
) -> list[SimBlueprint]:
    """Each blueprint's work-item and status history, day by day (the first generator)."""
    rng = random.Random(seed)
    horizon = freeze + timedelta(weeks=6)
    sims: list[SimBlueprint] = []
    item_id = 0
    for i in range(blueprints):
        n = rng.randint(2, 10)
        on_m2 = rng.random() < 0.3
        sim = SimBlueprint(
            name=f"bp-{seed}-{i}",
            target=m2 if on_m2 else freeze,
            target_label="milestone-2" if on_m2 else "milestone-3",
        )
        if sims and rng.random() < 0.15:
            sim.depends_on = rng.choice(sims).name
        begin = start + timedelta(days=rng.randint(0, 42))
        weekly = math.exp(rng.gauss(math.log(n / 6), 0.7))  # items per week
        stall_from = begin + timedelta(days=rng.randint(7, 70)) if rng.random() < 0.2 else None
        stall_to = stall_from + timedelta(weeks=rng.randint(3, 6)) if stall_from else None
        surge = rng.random() < 0.15
        growth_day = begin + timedelta(days=rng.randint(14, 60)) if rng.random() < 0.2 else None
        growth = rng.randint(1, 3)
        lag = rng.randint(0, 6)
        open_items: list[int] = []
        for _ in range(n):
            item_id += 1
            open_items.append(item_id)
            sim.changes.append(fc.ItemChange(item_id, begin, None, "TODO"))
        sim.status_changes.append((begin, "Started"))
        sims_by_name = {s.name: s for s in sims}
        for day in _weekdays(begin, horizon):
            if growth_day and day >= growth_day:
                for _ in range(growth):
                    item_id += 1
                    open_items.append(item_id)
                    sim.changes.append(fc.ItemChange(item_id, day, None, "TODO"))
                growth_day = None
            rate = weekly / 5
            if stall_from and stall_from <= day < stall_to:
                rate *= 0.1
            if surge and freeze - timedelta(weeks=3) <= day <= freeze:
                rate *= 2.5
            dep = sims_by_name.get(sim.depends_on or "")
            waiting = dep is not None and not (dep.implemented_on and dep.implemented_on <= day)
            # At most one item a day; the last one waits for the dependency.
            if open_items and not (waiting and len(open_items) == 1):
                if rng.random() < min(rate, 0.9):
                    sim.changes.append(fc.ItemChange(open_items.pop(0), day, "TODO", "DONE"))
            if not open_items:
                done_day = day + timedelta(days=lag)
                sim.implemented_on = done_day
                sim.status_changes.append((done_day, "Implemented"))
                break
        sims.append(sim)
    return sims


@dataclass
class ReplayResult:
    cycles: int = 0
    evaluated: int = 0  # blueprints not yet complete two weeks before freeze
    missed: int = 0
    flagged: int = 0
    flagged_missed: int = 0
    baseline_flagged: int = 0
    baseline_flagged_missed: int = 0

    @staticmethod
    def _share(a: int, b: int) -> float:
        return round(100 * a / b, 1) if b else 0.0

    @property
    def recall(self) -> float:
        return self._share(self.flagged_missed, self.missed)

    @property
    def precision(self) -> float:
        return self._share(self.flagged_missed, self.flagged)

    @property
    def baseline_recall(self) -> float:
        return self._share(self.baseline_flagged_missed, self.missed)

    @property
    def baseline_precision(self) -> float:
        return self._share(self.baseline_flagged_missed, self.baseline_flagged)

    def summary(self) -> str:
        return (
            f"{self.cycles} generated cycles, {self.evaluated} blueprints open two weeks before "
            f"feature freeze, {self.missed} then missed it. Forecast flagged "
            f"{self.flagged_missed} of the {self.missed} ({self.recall} % recall); "
            f"{self.flagged_missed} of its {self.flagged} flags were right "
            f"({self.precision} % precision). Baseline (<50 % of work items done): "
            f"{self.baseline_recall} % recall, {self.baseline_precision} % precision."
        )


def replay(
    sims: list[SimBlueprint],
    *,
    freeze: date = OCATA_FREEZE,
    lead_days: int = LEAD_DAYS,
    result: ReplayResult | None = None,
    with_reviews: bool = True,
) -> ReplayResult:
    """Forecast each blueprint from its history up to ``freeze - lead_days`` (its reviews too,
    unless ``with_reviews`` is off); score the flags against whether it was implemented by the
    freeze."""
    result = result or ReplayResult()
    result.cycles += 1
    as_of = freeze - timedelta(days=lead_days)
    by_name = {s.name: s for s in sims}
    for sim in sims:
        status = fc.status_as_of(sim.status_changes, as_of, "Not started")
        if status == "Implemented":
            continue
        counts = fc.history_counts(sim.changes, as_of)
        dep = by_name.get(sim.depends_on or "")
        unfinished = int(bool(dep and not (dep.implemented_on and dep.implemented_on <= as_of)))
        data = fc.ForecastInput(
            name=sim.name,
            as_of=as_of,
            implementation_status=status,
            target_date=sim.target,
            target_label=sim.target_label,
            freeze=freeze,
            planned=int(counts["planned"]),
            done=int(counts["done"]),
            blocked=int(counts["blocked"]),
            done_recent=int(counts["done_recent"]),
            window_weeks=counts["window_weeks"],
            unfinished_dependencies=unfinished,
            **(fc.reviews_as_of(sim.reviews, as_of) if with_reviews else {}),
        )
        flagged = fc.forecast(data).flagged
        baseline = counts["planned"] > 0 and counts["done"] < counts["planned"] / 2
        missed = sim.implemented_on is None or sim.implemented_on > freeze
        result.evaluated += 1
        result.missed += missed
        result.flagged += flagged
        result.flagged_missed += flagged and missed
        result.baseline_flagged += baseline
        result.baseline_flagged_missed += baseline and missed
    return result


def replay_generated(
    *,
    cycles: int = 20,
    blueprints: int = 50,
    seed: int = 2017,
    lagging_share: float = 0.0,
    with_reviews: bool = True,
) -> ReplayResult:
    """The figure reported in the README: ``cycles`` generated Ocata-like cycles (work items
    kept up to date unless ``lagging_share`` says otherwise; reviews used unless not)."""
    result = ReplayResult()
    for k in range(cycles):
        sims = simulate_cycle(seed=seed + k, blueprints=blueprints, lagging_share=lagging_share)
        replay(sims, result=result, with_reviews=with_reviews)
    return result


def replay_table(**kw: int) -> dict[tuple[str, str], ReplayResult]:
    """The forecast with and without reviews, on work items kept up to date (the first
    generator's histories) and on lagging ones."""
    return {
        (histories, inputs): replay_generated(
            lagging_share=share, with_reviews=inputs == "with reviews", **kw
        )
        for histories, share in (("work items up to date", 0.0), ("lagging", LAGGING_SHARE))
        for inputs in ("work items only", "with reviews")
    }


if __name__ == "__main__":
    for (histories, inputs), found in replay_table().items():
        print(f"{histories:>22} | {inputs:<15} | {found.summary()}")
