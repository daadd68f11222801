"""Parse openstack/releases schedules (``doc/source/<series>/schedule.yaml`` + ``schedule.rst``).

Pure Python (PyYAML only, no Django). The yaml lists Monday–Friday weeks and the event ids noted
in each; the rst gives each event id a label, a title and prose. This module turns the pair into
dated events, keeping which rule produced each date and where the sources disagree.

The rules (see docs/date-rules.md):

* Date: the day the event's prose states (``stated``); a range of days gives its first day
  (``stated-range``); otherwise the Thursday of the week the yaml lists the event in
  (``thursday``) -- "deadlines are generally the Thursday of the week on which they are noted"
  (every schedule.rst since ocata).
* Series: an event is about the series its title names; else the series whose initial letter
  starts its id, the one nearest (in series order) to the file's series.
* Conflicts: a stated date outside the listed week moves the event to the week containing the
  date; when two files date one event, a stated date beats a Thursday fallback and then the
  series' own file wins. Every disagreement is kept as a human-readable conflict string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is much faster; the pure-Python loader gives identical nodes.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "DATE_RULE_STATED",
    "DATE_RULE_STATED_RANGE",
    "DATE_RULE_THURSDAY",
    "KINDS",
    "RULE_LABELS",
    "ParsedEvent",
    "ParsedSchedule",
    "ParsedWeek",
    "ScheduleError",
    "event_kind",
    "load_schedule",
    "merge_events",
    "parse_schedule",
    "series_for_key",
    "series_order_from_status",
    "stated_date",
    "stated_range",
    "thursday_of",
]


# --- errors -----------------------------------------------------------------------------------


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


# --- rules and kinds --------------------------------------------------------------------------

DATE_RULE_STATED = "stated"  # the prose states the day
DATE_RULE_STATED_RANGE = "stated-range"  # the prose states a span of days: its first day
DATE_RULE_THURSDAY = "thursday"  # Thursday of the listed week

RULE_LABELS: dict[str, str] = {
    DATE_RULE_STATED: "Date stated in the schedule prose",
    DATE_RULE_STATED_RANGE: "First day of a span of days stated in the schedule prose",
    DATE_RULE_THURSDAY: "Thursday of the week the schedule lists it in",
}

KINDS: dict[str, str] = {
    "milestone-1": "Milestone 1",
    "milestone-2": "Milestone 2",
    "milestone-3": "Milestone 3",
    "feature-freeze": "Feature freeze",
    "rc1": "RC1 target",
    "final-rc": "Final RCs",
    "release": "Coordinated release",
    "trailing": "Cycle-trailing release deadline",
    "trailing-feature-freeze": "Cycle-trailing feature freeze",
    "trailing-rc": "Cycle-trailing RC deadline",
    "final-lib": "Final release for non-client libraries",
    "final-clientlib": "Final release for client libraries",
    "soft-string-freeze": "Soft string freeze",
    "hard-string-freeze": "Hard string freeze",
    "requirements-freeze": "Requirements freeze",
    "membership-freeze": "Membership freeze",
    "ptg": "Project Team Gathering",
    "summit": "Summit",
    "goals": "Community goals",
    "election": "Election",
    "cycle-highlights": "Cycle highlights",
    "extra-atcs": "Extra-ATCs / extra-ACs deadline",
    "end-of-life": "End of life",
    "project-deadline": "Project deadline",
    "project-event": "Project event",
    "other": "Other",
}

# Exact ``<kind words>`` (the id without its series letter) -> kind, as spelled upstream.
_KIND_BY_WORDS: dict[str, str] = {
    "1": "milestone-1",
    "2": "milestone-2",
    "3": "milestone-3",
    "ff": "feature-freeze",
    "rc1": "rc1",
    "finalrc": "final-rc",
    "release": "release",
    "final": "release",
    "trailing": "trailing",
    "cycle-trail": "trailing",
    "trailing-release": "trailing",
    "trailing-ff": "trailing-feature-freeze",
    "trailing-rc": "trailing-rc",
    "final-lib": "final-lib",
    "final-library-releases": "final-lib",
    "final-clientlib": "final-clientlib",
    "soft-sf": "soft-string-freeze",
    "hard-sf": "hard-string-freeze",
    "rf": "requirements-freeze",
    "mf": "membership-freeze",
    "ptg": "ptg",
    "ptg0": "ptg",
    "vptg": "ptg",
    "summit": "summit",
    "design-summit": "summit",
    "cycle-highlights": "cycle-highlights",
    "extra-atcs": "extra-atcs",
    "extra-acs": "extra-atcs",
    "extra-atc-freeze": "extra-atcs",
    "eol": "end-of-life",
    "email-deadline": "election",
}
# First word of the kind words -> kind (goals-research, election-voting, ptl-nomination, ...).
_KIND_BY_PREFIX: dict[str, str] = {
    "goals": "goals",
    "election": "election",
    "ptl": "election",
    "tc": "election",
}
# Team words seen in project-specific ids -> team name ("key" is ocata's keystone).
_TEAMS: dict[str, str] = {
    name: name
    for name in (
        "cinder",
        "glance",
        "horizon",
        "ironic",
        "keystone",
        "manila",
        "neutron",
        "nova",
        "openstackclient",
        "oslo",
        "sahara",
        "swift",
        "trove",
    )
} | {"key": "keystone"}
# Team events that are gatherings rather than deadlines.
_PROJECT_EVENT_WORDS = ("review-day", "bugsquash", "hackathon", "mid-cycle")

_KEY_RE = re.compile(r"^[a-z][-_][a-z0-9]+(?:[-_][a-z0-9]+)*$")


def event_kind(key: str) -> tuple[str, str]:
    """Canonical kind and team ('' = cross-project) of an upstream event id.

    Ids are ``<series letter>-<kind words>`` (openstack/releases ``doc/source/*/schedule.yaml``);
    project-specific ids put the team first (``o-nova-spec-freeze``). Team events are
    ``project-deadline`` (or ``project-event`` for review days, bug squashes, hackathons and
    mid-cycles); unknown words give ``other``.

    >>> event_kind("o-ff"), event_kind("o-nova-spec-freeze")
    (('feature-freeze', ''), ('project-deadline', 'nova'))
    """
    words = key.lower()[2:].replace("_", "-")
    first = words.split("-", 1)[0]
    if first in _TEAMS and words not in _KIND_BY_WORDS:
        team = _TEAMS[first]
        if any(w in words for w in _PROJECT_EVENT_WORDS):
            return "project-event", team
        return "project-deadline", team
    if words in _KIND_BY_WORDS:
        return _KIND_BY_WORDS[words], ""
    if first in _KIND_BY_PREFIX:
        return _KIND_BY_PREFIX[first], ""
    return "other", ""


# --- dates ------------------------------------------------------------------------------------


def thursday_of(day: date) -> date:
    """Thursday of the Monday–Friday week containing ``day`` (a weekend day counts with the
    Monday–Friday before it).

    Source: schedule.rst, every series: "deadlines are generally the Thursday of the week on
    which they are noted".
    """
    return day - timedelta(days=day.weekday()) + timedelta(days=3)


def monday_of(day: date) -> date:
    """Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())


_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_ALIASES = {m[:3]: n for m, n in _MONTHS.items()} | {"sept": 9} | _MONTHS
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MON = r"(?:" + "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<{}>20[0-9]{{2}}))?"
_WD = r"(?:(?P<wd>" + "|".join(_WEEKDAYS) + r"),?\s+)?"
_DASH = r"\s*(?:-|–|—|to|until|through)\s*"

# "20-24 February 2017", "13-17 February", "30 January - 3 February", "October 21 to 25".
_RANGE_RES = [
    re.compile(
        rf"\b(?P<d1>{_DAY}){_DASH}(?P<d2>{_DAY})\s+(?P<m1>{_MON}){_YEAR.format('y')}\b", re.I
    ),
    re.compile(
        rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MON}){_YEAR.format('y1')}{_DASH}(?P<d2>{_DAY})\s+"
        rf"(?P<m2>{_MON}){_YEAR.format('y')}\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<m1>{_MON})\s+(?P<d1>{_DAY}){_YEAR.format('y1')}{_DASH}(?P<m2>{_MON})\s+"
        rf"(?P<d2>{_DAY}){_YEAR.format('y')}\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<m1>{_MON})\s+(?P<d1>{_DAY}){_DASH}(?P<d2>{_DAY})\b(?!:){_YEAR.format('y')}",
        re.I,
    ),
]
# "17 November", "14th December, 2016", "Thursday 10 November 2016", "January 9, 2025".
_ISO_RE = re.compile(r"\b(?P<y>20[0-9]{2})-(?P<m>[01][0-9])-(?P<d>[0-3][0-9])\b")
_SINGLE_RES = [
    re.compile(
        rf"\b{_WD}(?:the\s+)?(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MON}){_YEAR.format('y')}\b", re.I
    ),
    re.compile(rf"\b{_WD}(?P<m1>{_MON})\s+(?P<d1>{_DAY})\b(?!:){_YEAR.format('y')}", re.I),
]
# Text just before a date that makes it the event's own date ("by", "deadline of", "is", ...).
_CUE_BEFORE = re.compile(
    r"(?:\bby|\bon|\bof|\bis|\bafter|\bbefore|\buntil|\bset to|\bdate \(|\bdeadline:?|"
    r"\d\d:\d\d\s+utc\s+on)\s*$",
    re.I,
)
_CUE_AFTER = re.compile(r"^\s*(?:\(\d\d:\d\d|at \d\d:\d\d|is the\b|,? nova)", re.I)
_WEEK_OF = re.compile(r"\bweek\s+of\s*(?:the\s+)?$", re.I)
# A stated date must fall in the listed week or a week next to it (Thursday +- 10 days = Monday
# before .. Sunday after): farther dates in the prose are about something else ("merged before
# 11 March 2021", the client-library freeze, in wallaby's Cinder checkpoint four weeks earlier).
_PLAUSIBLE = timedelta(days=10)


@dataclass(frozen=True)
class _Mention:
    start: date
    end: date  # == start for a single day
    weekday: str  # weekday named in the prose, lowercase, '' when none
    cue: bool  # preceded/followed by a deadline phrase
    text: str
    note: str = ""  # how the text was read when not literally (a year typo)


def _to_int_month(text: str) -> int:
    return _MONTH_ALIASES[text.lower().rstrip(".")]


def _to_int_day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _infer(day: int, month: int, year: str | None, near: date) -> date | None:
    """The date for day/month (and year when stated) nearest to ``near``."""
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    best: date | None = None
    for y in (near.year - 1, near.year, near.year + 1):
        try:
            candidate = date(y, month, day)
        except ValueError:
            continue
        if best is None or abs(candidate - near) < abs(best - near):
            best = candidate
    return best


def _infer_checked(
    day: int, month: int, year: str | None, near: date, window: timedelta
) -> tuple[date | None, bool]:
    """Like :func:`_infer`; a stated year that lands far from ``near`` while the same day and
    month lands near it is read as a year typo (queens' PTG "11-15 September 2018" listed in
    September 2017). Returns the date and whether the year was corrected."""
    found = _infer(day, month, year, near)
    if year and found is not None and abs(found - near) > window:
        fixed = _infer(day, month, None, near)
        if fixed is not None and abs(fixed - near) <= window:
            return fixed, True
    return found, False


def _mentions(prose: str, near: date, window: timedelta = _PLAUSIBLE) -> list[_Mention]:
    """Every day or span of days the prose names, except "the week of ..." references."""
    text = " ".join(prose.split())
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, _Mention]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for rx in _RANGE_RES:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            if _WEEK_OF.search(text[: m.start()]):
                continue
            g = m.groupdict()
            m1 = _to_int_month(g["m1"])
            m2 = _to_int_month(g["m2"]) if g.get("m2") else m1
            end, fixed = _infer_checked(_to_int_day(g["d2"]), m2, g.get("y"), near, window)
            if end is None:
                continue
            start = _infer(_to_int_day(g["d1"]), m1, None, end)
            if start is None or not (start < end <= start + timedelta(days=14)):
                continue
            note = f"read {m.group(0)!r} as {start} - {end}" if fixed else ""
            found.append((m.start(), _Mention(start, end, "", False, m.group(0), note)))
    for rx in [_ISO_RE, *_SINGLE_RES]:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            if _WEEK_OF.search(text[: m.start()]):
                continue
            g = m.groupdict()
            if rx is _ISO_RE:
                day_no, month_no, year = int(g["d"]), int(g["m"]), g["y"]
            else:
                day_no, month_no, year = _to_int_day(g["d1"]), _to_int_month(g["m1"]), g.get("y")
            day, fixed = _infer_checked(day_no, month_no, year, near, window)
            if day is None:
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            cue = bool(_CUE_BEFORE.search(before) or _CUE_AFTER.match(text[m.end() :]))
            weekday = (g.get("wd") or "").lower()
            note = f"read {m.group(0)!r} as {day} ({day:%A})" if fixed else ""
            found.append((m.start(), _Mention(day, day, weekday, cue, m.group(0), note)))
    return [mention for _, mention in sorted(found, key=lambda item: item[0])]


def _pick(
    prose: str, near: date, window: timedelta = _PLAUSIBLE
) -> tuple[_Mention | None, list[_Mention]]:
    """The mention that dates the event, and the plausible mentions it was chosen among.

    Single days beat spans; among single days, those after a deadline phrase ("by", "deadline
    of", "will happen on", "is", "<date> is the ... milestone") win, then the nearest to
    ``near``. Mentions more than ``window`` from ``near`` are ignored.
    """
    plausible = [m for m in _mentions(prose, near, window) if abs(m.start - near) <= window]
    singles = [m for m in plausible if m.start == m.end]
    if singles:
        pool = [m for m in singles if m.cue] or singles
        return min(pool, key=lambda m: (abs(m.start - near), m.start)), plausible
    spans = [m for m in plausible if m.start != m.end]
    if spans:
        return min(spans, key=lambda m: (abs(m.start - near), m.start)), plausible
    return None, plausible


def stated_date(prose: str, near: date) -> date | None:
    """The single day the prose states for the event, the year inferred nearest to ``near``.

    Recognises "17 November", "14th December, 2016", "Thursday 10 November 2016",
    "January 9, 2025", "Wednesday, April 2, 2025" (openstack/releases schedule.rst prose).
    "The week of 30 January - 3 February" / "The week of March 10, 2025" name a week, not a
    day, and spans ("20-24 February 2017") are not a single day: both give None (see
    :func:`stated_range`). Several days: the one after a deadline phrase ("by", "deadline of",
    "will happen on", "is") wins, then the one nearest ``near``; days more than 10 days from
    ``near`` (outside its week and the weeks either side) are ignored, and a stated year that
    only makes sense as a typo is corrected ("11-15 September 2018" listed in September 2017).
    ``near`` is normally the Thursday of the week the yaml lists the event in ("deadlines are
    generally the Thursday of the week on which they are noted").
    """
    mention, _ = _pick(prose, near)
    if mention is None or mention.start != mention.end:
        return None
    return mention.start


def stated_range(prose: str, near: date) -> tuple[date, date] | None:
    """The span of days the prose states ("20-24 February 2017", "From October 21 to 25") when
    it states no single day; None otherwise. "The week of ..." is not a stated span."""
    mention, _ = _pick(prose, near)
    if mention is None or mention.start == mention.end:
        return None
    return mention.start, mention.end


# --- series -----------------------------------------------------------------------------------


def series_order_from_status(text: str) -> list[str]:
    """Series names oldest -> newest from ``data/series_status.yaml`` (listed newest first)."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise yaml_error("series_status.yaml", exc) from exc
    if not isinstance(data, list):
        raise ScheduleError("series_status.yaml", 1, "expected a list of series")
    names = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ScheduleError("series_status.yaml", None, f"entry {i}: expected a 'name'")
        names.append(entry["name"])
    return list(reversed(names))


def series_for_key(key: str, title: str, file_series: str, series_order: Sequence[str]) -> str:
    """The series an event is about.

    A series named in the title wins ("Pike PTLs self-nomination" in ocata's file, "2024.2
    Dalmatian Cycle-Trailing Release Deadline" = ``e-cycle-trail`` in epoxy's). Otherwise the
    id's letter, resolved to the series with that initial nearest in order to the file's series
    (letters repeat after zed: ``a`` is antelope next to bobcat, austin in 2010). Ties go to the
    newer series; with no candidate at all, the file's series.
    """
    named = _series_in_title(title, series_order)
    if named:
        letter_match = [s for s in named if s[0] == key[0]]
        return (letter_match or named)[0]
    candidates = [i for i, name in enumerate(series_order) if name[:1] == key[:1]]
    if not candidates:
        return file_series
    if file_series not in series_order:
        return series_order[candidates[-1]]
    here = list(series_order).index(file_series)
    best = min(candidates, key=lambda i: (abs(i - here), -i))
    return series_order[best]


def _series_in_title(title: str, series_order: Sequence[str]) -> list[str]:
    """Series names in a title, in the order they appear (one compiled pattern per order)."""
    pattern = _series_pattern(tuple(series_order))
    seen: dict[str, int] = {}
    for match in pattern.finditer(title):
        seen.setdefault(match.group(0).lower(), match.start())
    by_name = {name.lower(): name for name in series_order}
    return [by_name[key] for key, _ in sorted(seen.items(), key=lambda item: item[1])]


@functools.lru_cache(maxsize=8)
def _series_pattern(series_order: tuple[str, ...]) -> re.Pattern[str]:
    names = sorted(series_order, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


# --- parsed objects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedWeek:
    start: date
    end: date
    name: str  # R-N / R+N, '' when unnamed
    line: int


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


# --- rst --------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r"^\.\.\s+_([A-Za-z0-9][A-Za-z0-9_.:-]*):\s*$")
_ADORNMENT_RE = re.compile(r"^([=\-^~\"'`#*+_.:])\1{2,}\s*$")


@dataclass(frozen=True)
class _Section:
    title: str
    prose: str
    line: int  # 1-based line of the label


def _rst_sections(rst: str) -> dict[str, _Section]:
    """Label -> (title, prose) of every ``.. _label:`` followed by a section title."""
    lines = rst.splitlines()
    n = len(lines)

    def is_title(i: int) -> bool:
        return (
            i + 1 < n
            and bool(lines[i].strip())
            and not _ADORNMENT_RE.match(lines[i])
            and bool(_ADORNMENT_RE.match(lines[i + 1]))
        )

    def stops(i: int) -> bool:
        if _LABEL_RE.match(lines[i]):
            return True
        if _ADORNMENT_RE.match(lines[i]) and i + 2 < n and _ADORNMENT_RE.match(lines[i + 2]):
            return True
        return is_title(i)

    sections: dict[str, _Section] = {}
    i = 0
    while i < n:
        match = _LABEL_RE.match(lines[i])
        if not match:
            i += 1
            continue
        label, label_line = match.group(1), i + 1
        j = i + 1
        while j < n and not lines[j].strip():
            j += 1
        if j >= n or not is_title(j):
            i = j
            continue
        title = lines[j].strip()
        k = j + 2
        body: list[str] = []
        while k < n and not stops(k):
            body.append(lines[k])
            k += 1
        sections[label] = _Section(title, _clean_prose(body), label_line)
        i = k
    return sections


def _clean_prose(lines: list[str]) -> str:
    """Paragraphs joined by blank lines, each on one line; rst targets/comments dropped."""
    paragraphs: list[str] = []
    current: list[str] = []
    skipping = False
    for raw in lines:
        stripped = raw.strip()
        if not stripped:
            skipping = False
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if stripped.startswith(".. ") or (skipping and raw[:1].isspace()):
            skipping = True
            continue
        skipping = False
        current.append(stripped)
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


# --- yaml -------------------------------------------------------------------------------------


def yaml_error(source: str, exc: yaml.YAMLError) -> ScheduleError:
    """A YAML syntax error as ``source:line: invalid YAML: problem (context)``."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line + 1 != line:
        problem = f"{problem} ({context} started at line {context_mark.line + 1})"
    return ScheduleError(source, line, f"invalid YAML: {problem}")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Scalar key -> (key node, value node) of a mapping node."""
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _date_node(node: yaml.Node, source: str, what: str) -> date:
    if not isinstance(node, yaml.ScalarNode):
        raise ScheduleError(source, _line(node), f"{what}: expected a date, got a {_kind(node)}")
    text = str(node.value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(
            source, _line(node), f"{what}: {text!r} is not a YYYY-MM-DD date"
        ) from None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "scalar"


@dataclass
class _Listing:
    key: str
    week: ParsedWeek
    line: int
    project_specific: bool


def _parse_yaml(
    yaml_text: str, source: str
) -> tuple[date, date, list[ParsedWeek], list[_Listing], list[str]]:
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise yaml_error(source, exc) from exc
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        raise ScheduleError(source, line, "expected a mapping with start-week, release-week, cycle")
    top = _mapping(root)
    for required in ("start-week", "release-week", "cycle"):
        if required not in top:
            raise ScheduleError(source, _line(root), f"missing '{required}'")
    start_week = _date_node(top["start-week"][1], source, "start-week")
    release_week = _date_node(top["release-week"][1], source, "release-week")
    cycle = top["cycle"][1]
    if not isinstance(cycle, yaml.SequenceNode):
        raise ScheduleError(source, _line(cycle), f"cycle: expected a list, got a {_kind(cycle)}")

    by_span: dict[tuple[date, date], ParsedWeek] = {}
    listings: list[_Listing] = []
    notes: list[str] = []
    for week_node in cycle.value:
        if not isinstance(week_node, yaml.MappingNode):
            raise ScheduleError(
                source, _line(week_node), f"week: expected a mapping, got a {_kind(week_node)}"
            )
        fields = _mapping(week_node)
        for required in ("start", "end"):
            if required not in fields:
                raise ScheduleError(source, _line(week_node), f"week has no '{required}'")
        start = _date_node(fields["start"][1], source, "week start")
        end = _date_node(fields["end"][1], source, "week end")
        line = _line(week_node)
        if end < start:
            raise ScheduleError(source, line, f"week ends ({end}) before it starts ({start})")
        if start.weekday() != 0:
            raise ScheduleError(source, line, f"week starts on {start:%A} {start}, not on a Monday")
        if end > start + timedelta(days=4):
            # A week runs Monday-Friday; ussuri's first week reads 2019-10-14 - 2019-10-28
            # (a typo for 10-18 that would overlap R-29): keep the Monday, end on its Friday.
            friday = start + timedelta(days=4)
            notes.append(
                f"{source}:{line}: week {start} - {end} runs past its Friday; read as"
                f" {start} - {friday}"
            )
            end = friday
        name = ""
        if "name" in fields:
            name_node = fields["name"][1]
            if not isinstance(name_node, yaml.ScalarNode):
                raise ScheduleError(source, _line(name_node), "week name: expected a string")
            name = str(name_node.value)
        week = by_span.get((start, end))
        if week is None:
            week = ParsedWeek(start=start, end=end, name=name, line=line)
            by_span[(start, end)] = week
        elif name and not week.name:
            week = replace(week, name=name)
            by_span[(start, end)] = week
        for group in ("x-project", "project-specific"):
            if group not in fields:
                continue
            ids = fields[group][1]
            if isinstance(ids, yaml.ScalarNode) and ids.value in ("", "~", "null"):
                continue
            if not isinstance(ids, yaml.SequenceNode):
                raise ScheduleError(
                    source, _line(ids), f"{group}: expected a list of event ids, got a {_kind(ids)}"
                )
            for id_node in ids.value:
                if not isinstance(id_node, yaml.ScalarNode) or not _KEY_RE.match(
                    str(id_node.value)
                ):
                    shown = id_node.value if isinstance(id_node, yaml.ScalarNode) else "a list"
                    raise ScheduleError(
                        source,
                        _line(id_node),
                        f"{group}: {shown!r} is not an event id (<letter>-<words>)",
                    )
                listings.append(
                    _Listing(str(id_node.value), week, _line(id_node), group == "project-specific")
                )

    weeks = sorted(by_span.values(), key=lambda w: w.start)
    for before, after in zip(weeks, weeks[1:], strict=False):
        if after.start <= before.end:
            raise ScheduleError(
                source,
                max(before.line, after.line),
                f"week {after.start} - {after.end} overlaps week {before.start} - {before.end}"
                f" (line {min(before.line, after.line)})",
            )
    # Listings keep the (possibly renamed) merged week object.
    final = {(w.start, w.end): w for w in weeks}
    for listing in listings:
        listing.week = final[(listing.week.start, listing.week.end)]
    return start_week, release_week, weeks, listings, notes


# --- schedule ---------------------------------------------------------------------------------


def _week_label(week: ParsedWeek | None, day: date) -> str:
    if week is None:
        return f"week of {monday_of(day)}"
    return f"week {week.start}" + (f" ({week.name})" if week.name else "")


def parse_schedule(
    series: str,
    yaml_text: str,
    rst_text: str | None,
    *,
    source: str,
    series_order: Sequence[str],
) -> ParsedSchedule:
    """One series' schedule: its weeks and every event its files list, dated and attributed.

    Each event id listed in the yaml gives one event (an id listed in several weeks keeps its
    first week; the others are in ``other_weeks``). Its date is the day its rst prose states,
    else the first day of a span it states, else the Thursday of its week. A stated date outside
    the listed week moves the event to the yaml week containing the date and records a conflict.
    rst labels listed in no week become events (``week_start`` None) when their prose states a
    date in the cycle, else go to ``unplaced``.
    """
    start_week, release_week, weeks, listings, notes = _parse_yaml(yaml_text, source)
    sections = _rst_sections(rst_text) if rst_text else {}
    week_by_monday = {w.start: w for w in weeks}

    first: dict[str, _Listing] = {}
    more: dict[str, list[date]] = {}
    for listing in sorted(listings, key=lambda item: (item.week.start, item.line)):
        if listing.key in first:
            if listing.week.start != first[listing.key].week.start:
                more.setdefault(listing.key, []).append(listing.week.start)
            continue
        first[listing.key] = listing

    events: list[ParsedEvent] = []
    for key, listing in first.items():
        week = listing.week
        section = sections.get(key)
        listed = thursday_of(week.start)
        conflicts: list[str] = []
        day, rule = listed, DATE_RULE_THURSDAY
        if section is not None:
            mention, _ = _pick(section.prose, listed)
            if mention is not None:
                day = mention.start
                rule = DATE_RULE_STATED if mention.start == mention.end else DATE_RULE_STATED_RANGE
                conflicts.extend(_weekday_conflict(key, source, mention))
        if not (week.start <= day <= week.end + timedelta(days=2)):
            moved = week_by_monday.get(monday_of(day))
            conflicts.append(
                f"{key}: {source} lists it in {_week_label(week, week.start)} but its prose "
                f"states {day} ({_week_label(moved, day)}); the prose date wins"
            )
            week = moved
        events.append(
            _event(
                key,
                section,
                series,
                series_order,
                source,
                day,
                rule,
                week,
                listing.line,
                conflicts,
                tuple(more.get(key, ())),
            )
        )

    unplaced: list[str] = []
    span_start = min([start_week, *(w.start for w in weeks)])
    span_end = max([release_week + timedelta(days=6), *(w.end for w in weeks)])
    # Prose-only labels: any date in the cycle or the four months after it (cycle-trailing).
    window = (span_end - span_start) / 2 + timedelta(days=120)
    middle = span_start + (span_end - span_start) / 2
    for label, section in sections.items():
        if label in first or not _KEY_RE.match(label):
            continue
        mention, _ = _pick(section.prose, middle, window)
        if mention is None:
            unplaced.append(label)
            continue
        rule = DATE_RULE_STATED if mention.start == mention.end else DATE_RULE_STATED_RANGE
        conflicts = [
            f"{label}: {source} lists it in no week; dated from its prose only",
            *_weekday_conflict(label, source, mention),
        ]
        week = week_by_monday.get(monday_of(mention.start))
        events.append(
            replace(
                _event(
                    label,
                    section,
                    series,
                    series_order,
                    source,
                    mention.start,
                    rule,
                    week,
                    section.line,
                    conflicts,
                    (),
                ),
                week_start=None,
            )
        )

    release_conflict = _release_week_conflict(series, source, release_week, events)
    if release_conflict:
        notes.append(release_conflict)
        events = [
            replace(e, conflicts=(*e.conflicts, release_conflict))
            if e.series == series and e.kind == "release"
            else e
            for e in events
        ]
    events.sort(key=lambda e: (e.date, e.key))
    return ParsedSchedule(
        series=series,
        source=source,
        start_week=start_week,
        release_week=release_week,
        weeks=tuple(weeks),
        events=tuple(events),
        unplaced=tuple(unplaced),
        conflicts=tuple(notes),
    )


def _event(
    key: str,
    section: _Section | None,
    file_series: str,
    series_order: Sequence[str],
    source: str,
    day: date,
    rule: str,
    week: ParsedWeek | None,
    line: int,
    conflicts: list[str],
    other_weeks: tuple[date, ...],
) -> ParsedEvent:
    kind, team = event_kind(key)
    title = section.title if section else ""
    about = series_for_key(key, title, file_series, series_order)
    return ParsedEvent(
        key=key,
        series=about,
        kind=kind,
        team=team,
        title=title or f"{about.capitalize()} {KINDS[kind].lower()}",
        description=section.prose if section else "",
        date=day,
        rule=rule,
        week_start=week.start if week else None,
        week_name=week.name if week else "",
        source=source,
        line=line,
        conflicts=tuple(conflicts),
        other_weeks=other_weeks,
        documented=section is not None,
    )


def _weekday_conflict(key: str, source: str, mention: _Mention) -> list[str]:
    if mention.note:
        return [f"{key}: {source} prose year looks wrong: {mention.note}"]
    if mention.weekday and _WEEKDAYS[mention.start.weekday()] != mention.weekday:
        return [
            f"{key}: {source} prose says {mention.text!r} but {mention.start} is a "
            f"{mention.start:%A}; kept the day of the month"
        ]
    return []


def _release_week_conflict(
    series: str, source: str, release_week: date, events: list[ParsedEvent]
) -> str | None:
    for event in events:
        if event.series == series and event.kind == "release" and event.key[0] == series[0]:
            if monday_of(event.date) != monday_of(release_week):
                return (
                    f"{event.key}: {source} release-week is {release_week} but the release "
                    f"is dated {event.date}"
                )
    return None


def load_schedule(
    path: Path, series_order: Sequence[str], *, source: str | None = None
) -> ParsedSchedule:
    """Parse ``<path>/schedule.yaml`` (+ ``schedule.rst`` when present); path = doc/source/<s>.

    ``source`` names the yaml file in errors and events (default: the path as given).
    """
    path = Path(path)
    yaml_path = path / "schedule.yaml"
    rst_path = path / "schedule.rst"
    source = source or str(yaml_path)
    yaml_text = read_text(yaml_path, source=source)
    rst_source = source.removesuffix("schedule.yaml") + "schedule.rst"
    rst_text = read_text(rst_path, source=rst_source) if rst_path.is_file() else None
    return parse_schedule(path.name, yaml_text, rst_text, source=source, series_order=series_order)


def read_text(path: Path, *, source: str | None = None) -> str:
    """A source file's text; unreadable or non-UTF-8 files raise ScheduleError with the line."""
    source = source or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(source, None, f"cannot read: {exc.strerror}") from exc
    return decode_utf8(data, source=source)


def decode_utf8(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScheduleError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from exc


# --- merging ----------------------------------------------------------------------------------

_RULE_RANK = {DATE_RULE_STATED: 0, DATE_RULE_STATED_RANGE: 0, DATE_RULE_THURSDAY: 1}


def merge_events(schedules: Iterable[ParsedSchedule]) -> list[ParsedEvent]:
    """One event per (series, key) across every schedule file.

    The winner: a date stated in prose beats a Thursday fallback (the prose is the stronger
    source: "exceptions to this policy will be explicitly mentioned in the event description");
    then the series' own file (``doc/source/<series>/``) wins; then the earlier file. Every other
    file's different date is recorded as a conflict on the winner, which also inherits a title
    and description when its own file has no rst label for it.
    """
    groups: dict[tuple[str, str], list[tuple[int, ParsedSchedule, ParsedEvent]]] = {}
    for order, schedule in enumerate(schedules):
        for event in schedule.events:
            groups.setdefault((event.series, event.key), []).append((order, schedule, event))

    merged: list[ParsedEvent] = []
    for (series, _key), entries in groups.items():
        ranked = sorted(
            entries,
            key=lambda item: (
                _RULE_RANK.get(item[2].rule, 1),
                item[1].series != series,
                item[0],
            ),
        )
        winner = ranked[0][2]
        conflicts = list(winner.conflicts)
        documented = next((e for _, _, e in ranked if e.documented), None)
        for _, _schedule, other in ranked[1:]:
            for text in other.conflicts:
                if text not in conflicts:
                    conflicts.append(text)
            if other.date != winner.date:
                conflicts.append(
                    f"{winner.key}: {winner.source} gives {winner.date} ({winner.rule}) but "
                    f"{other.source} gives {other.date} ({other.rule}); kept {winner.date}"
                )
        if not winner.documented and documented is not None:
            winner = replace(winner, title=documented.title, description=documented.description)
        merged.append(replace(winner, conflicts=tuple(conflicts)))
    merged.sort(key=lambda e: (e.date, e.series, e.key))
    return merged
