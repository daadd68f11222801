"""What the schedule parser produces: dated weeks and events, the date rules, its error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

DATE_RULE_STATED = "stated"  # the prose states the day
DATE_RULE_STATED_RANGE = "stated-range"  # the prose states a span of days: first to last day
DATE_RULE_THURSDAY = "thursday"  # Thursday of the listed week

RULE_LABELS: dict[str, str] = {
    DATE_RULE_STATED: "Date stated in the schedule prose",
    DATE_RULE_STATED_RANGE: "Span of days stated in the schedule prose",
    DATE_RULE_THURSDAY: "Thursday of the week the schedule lists it in",
}


class ScheduleError(ValueError):
    """A schedule source that cannot be used, located as ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:  # keep it picklable (Celery) despite the signature
        return (type(self), (self.path, self.line, self.message))


@dataclass(frozen=True)
class ParsedWeek:
    start: date
    end: date
    name: str  # R-N / R+N, '' when unnamed
    line: int


@dataclass(frozen=True)
class ParsedOccurrence:
    """One day (or span of days) an event happens on, as one schedule file lists it."""

    date: date
    end_date: date  # == date for a one-day occurrence
    rule: str
    listing: str  # the series whose schedule file lists it
    week_start: date | None  # Monday of the yaml week listing it (None: an rst label only)
    week_name: str
    source: str
    line: int

    def overlaps(self, start: date, end: date) -> bool:
        return self.date <= end and self.end_date >= start


@dataclass(frozen=True)
class ParsedEvent:
    key: str
    series: str  # the series the event is about
    kind: str
    team: str  # '' = cross-project
    title: str
    description: str
    date: date
    rule: str
    week_start: date | None  # week containing ``date`` (None: no yaml week has it)
    week_name: str
    source: str  # the schedule's source path as given
    line: int  # yaml line listing it (for prose-only events: the rst label's line)
    conflicts: tuple[str, ...]
    other_weeks: tuple[date, ...] = ()  # further weeks the same file lists the id in
    documented: bool = True  # the file's schedule.rst has a label for it
    # Every day the file lists it on, first first; ``date`` is the first one's.
    occurrences: tuple[ParsedOccurrence, ...] = ()

    @property
    def cross_project(self) -> bool:
        return self.team == ""


@dataclass(frozen=True)
class ParsedSchedule:
    series: str
    source: str
    start_week: date
    release_week: date
    weeks: tuple[ParsedWeek, ...]
    events: tuple[ParsedEvent, ...]
    unplaced: tuple[str, ...]  # rst labels in no yaml week and with no stated date
    conflicts: tuple[str, ...] = ()  # schedule-level disagreements (weeks, release-week)
