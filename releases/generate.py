"""Generate a new cycle's schedule from a release date and a length, learned from past series.

Pure Python (no ORM): observations in, dataclasses out. The rule (see docs/schedule-generation
in README and ``generate_schedule``):

* **Observations.** For every imported series with a schedule, each cross-project event of a
  standard kind gives one observation: its R-week offset (weeks from the series' release week,
  R-5 = -5, R+2 = 2), its weekday and the series' length. One observation per (series, kind):
  the earliest event of that kind.
* **Median R-week.** Each kind is placed at the *median-low* of its offsets (an R-week some
  series really used, never a half week). Kinds observed in fewer than half of the series are
  not generated.
* **Release tail kept, development part scaled.** The release process runs on fixed R-weeks
  (final library releases, milestone-3 / feature freeze, string and requirements freezes, RC1,
  final RCs, release, trailing), so ``TAIL_KINDS`` keep their median R-week whatever the length.
  ``SCALED_KINDS`` (milestone-1, milestone-2, membership freeze, extra-ATCs) divide the
  development part (cycle start → start of the tail); their position in it is kept as a
  fraction, from the median length of the observed series to the requested one, rounded to the
  nearest week (halves to the earlier week) and clamped inside it.
* **Dates.** Weeks run Monday–Friday; deadlines fall on the Thursday of their week ("deadlines
  are generally the Thursday of the week on which they are noted", schedule.rst); the release
  is on the given release date (a weekday; a note says when it is not the weekday the observed
  series release on).
* **Length.** ``weeks`` counts weeks from the first week to release week inclusive (as
  ``Series.length_weeks``); generated weeks run on to the last trailing event.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median_low

from core.as_of import EARLIEST, LATEST
from releases.kinds import WORDS_BY_KIND, EventKind
from releases.kinds import EventKind as K

# The standard kinds are those a generated schedule places: each spelled by
# ``releases.kinds.WORDS_BY_KIND`` in its id and titled by ``EventKind``.
KIND_WORDS = WORDS_BY_KIND
STANDARD_KINDS: tuple[str, ...] = tuple(KIND_WORDS)
SCALED_KINDS: frozenset[str] = frozenset(
    {K.MILESTONE_1, K.MILESTONE_2, K.MEMBERSHIP_FREEZE, K.EXTRA_ATCS}
)
TAIL_KINDS: frozenset[str] = frozenset(STANDARD_KINDS) - SCALED_KINDS
# At least this many weeks of development part before the release tail.
MIN_DEVELOPMENT_WEEKS = 4
MAX_WEEKS = 60
THURSDAY = 3
RULE_GENERATED = "generated"
RULE_GIVEN = "given"


class GenerateError(ValueError):
    """A request the rule cannot satisfy (no observations, a length too short …)."""


@dataclass(frozen=True)
class Observation:
    """One past series' event of a standard kind, relative to that series' release week."""

    series: str
    kind: str
    offset: int  # R-week: weeks from the series' release week (R-5 = -5)
    weekday: int  # 0 = Monday
    length_weeks: int  # the series' weeks from start week to release week inclusive

    @property
    def label(self) -> str:
        return f"{self.series} {r_name(self.offset)}"


@dataclass(frozen=True)
class GeneratedWeek:
    start: date
    end: date
    name: str  # R-N / R+N


@dataclass(frozen=True)
class GeneratedEvent:
    key: str
    kind: str
    title: str
    offset: int  # R-week it is placed in
    median_offset: int  # the median R-week over the observations (before scaling)
    date: date
    rule: str  # "generated" (Thursday of its week) or "given" (the release date)
    placement: str  # how the offset was obtained, in words
    observations: tuple[Observation, ...]

    @property
    def week_name(self) -> str:
        return r_name(self.offset)

    @property
    def description(self) -> str:
        used = ", ".join(o.label for o in self.observations)
        return f"{self.placement}. Observations ({len(self.observations)}): {used}."


@dataclass(frozen=True)
class GeneratedSchedule:
    release_date: date
    weeks_count: int
    start_week: date
    release_week: date
    reference_length: int
    weeks: tuple[GeneratedWeek, ...]
    events: tuple[GeneratedEvent, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    series_observed: tuple[str, ...] = field(default_factory=tuple)

    def event(self, kind: str) -> GeneratedEvent | None:
        return next((e for e in self.events if e.kind == kind), None)


def r_name(offset: int) -> str:
    """Upstream week names: R-5 before release week, R+0 release week, R+2 after."""
    return f"R-{-offset}" if offset < 0 else f"R+{offset}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def round_half_down(value: float) -> int:
    """Nearest integer, halves to the lower (earlier week): -12.5 → -13, 2.5 → 2."""
    return math.ceil(value - 0.5)


def scale_offset(*, offset: int, reference_length: int, tail_start: int, weeks: int) -> int:
    """Move a development-part R-week from a ``reference_length`` cycle to a ``weeks`` one.

    The development part runs from the first week (R-(length-1)) to the first tail week
    (``tail_start``); the event keeps its fraction of it. The result stays inside it.
    """
    ref_start = -(reference_length - 1)
    new_start = -(weeks - 1)
    span = tail_start - ref_start
    fraction = 0.0 if span <= 0 else (offset - ref_start) / span
    scaled = round_half_down(new_start + fraction * (tail_start - new_start))
    return max(new_start, min(tail_start - 1, scaled))


def generate(
    *,
    observations: Iterable[Observation],
    release_date: date,
    weeks: int,
    series_letter: str,
) -> GeneratedSchedule:
    """The weeks and standard events of a ``weeks``-long cycle releasing on ``release_date``.

    See the module docstring for the rule. Raises ``GenerateError`` when the date is not a
    weekday, there is nothing to learn from, or the cycle is too short for the release tail.
    """
    if not EARLIEST <= release_date <= LATEST:
        # The weeks before it are computed back from it: the calendar's ends overflow.
        raise GenerateError(f"The release date must lie between {EARLIEST} and {LATEST}.")
    if release_date.weekday() > 4:
        raise GenerateError(f"The release date {release_date} is not a weekday.")
    if weeks > MAX_WEEKS:
        raise GenerateError(f"A cycle of {weeks} weeks is longer than {MAX_WEEKS}.")
    by_kind: dict[str, list[Observation]] = defaultdict(list)
    lengths: dict[str, int] = {}
    for obs in observations:
        if obs.kind in KIND_WORDS:
            by_kind[obs.kind].append(obs)
            lengths[obs.series] = obs.length_weeks
    if not lengths or K.RELEASE not in by_kind:
        raise GenerateError("No imported series with a schedule to learn from.")
    needed = len(lengths) / 2
    notes: list[str] = []
    medians: dict[str, int] = {}
    for kind in STANDARD_KINDS:
        found = by_kind.get(kind, [])
        if len(found) < needed:
            notes.append(f"{kind}: seen in {len(found)} of {len(lengths)} series, not generated")
            continue
        medians[kind] = median_low(o.offset for o in found)
    reference_length = median_low(lengths.values())
    tail_start = min(off for kind, off in medians.items() if kind in TAIL_KINDS)
    minimum = -tail_start + 1 + MIN_DEVELOPMENT_WEEKS
    if weeks < minimum:
        raise GenerateError(
            f"A cycle of {weeks} weeks is too short: the release tail alone starts at "
            f"{r_name(tail_start)}; give at least {minimum} weeks."
        )

    release_week = monday_of(release_date)
    start_week = release_week - timedelta(weeks=weeks - 1)
    release_weekday = median_low(o.weekday for o in by_kind[K.RELEASE])
    if release_date.weekday() != release_weekday:
        notes.append(
            f"release on {release_date:%A}: the observed series release on a "
            f"{(date(2024, 1, 1) + timedelta(days=release_weekday)):%A}"
        )

    events: list[GeneratedEvent] = []
    for kind, median in medians.items():
        found = tuple(sorted(by_kind[kind], key=lambda o: o.series))
        if kind in SCALED_KINDS and weeks != reference_length:
            offset = scale_offset(
                offset=median,
                reference_length=reference_length,
                tail_start=tail_start,
                weeks=weeks,
            )
            placement = (
                f"median {r_name(median)} of {len(found)} series of median length "
                f"{reference_length} weeks, scaled to {weeks} weeks: {r_name(offset)}"
            )
        else:
            offset = max(median, -(weeks - 1))
            placement = f"median {r_name(median)} of {len(found)} series"
            if offset != median:
                placement += f", clamped to the first week {r_name(offset)}"
        week = release_week + timedelta(weeks=offset)
        if kind == K.RELEASE and offset == 0:
            day, rule = release_date, RULE_GIVEN
        else:
            day, rule = week + timedelta(days=THURSDAY), RULE_GENERATED
        events.append(
            GeneratedEvent(
                key=f"{series_letter}-{KIND_WORDS[kind]}",
                kind=kind,
                title=EventKind(kind).label,
                offset=offset,
                median_offset=median,
                date=day,
                rule=rule,
                placement=placement,
                observations=found,
            )
        )
    events.sort(key=lambda e: (e.date, STANDARD_KINDS.index(e.kind)))
    last = max([0, *(e.offset for e in events)])
    generated_weeks = tuple(
        GeneratedWeek(
            start=release_week + timedelta(weeks=off),
            end=release_week + timedelta(weeks=off, days=4),
            name=r_name(off),
        )
        for off in range(-(weeks - 1), last + 1)
    )
    return GeneratedSchedule(
        release_date=release_date,
        weeks_count=weeks,
        start_week=start_week,
        release_week=release_week,
        reference_length=reference_length,
        weeks=generated_weeks,
        events=tuple(events),
        notes=tuple(notes),
        series_observed=tuple(sorted(lengths)),
    )
