"""Dates in schedule prose: the day (or span of days) a ``schedule.rst`` paragraph states, and
the week rules ("deadlines are generally the Thursday of the week on which they are noted")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


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
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MON = r"(?:" + "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<{}>20[0-9]{{2}}))?"
_WD = r"(?:(?P<wd>" + "|".join(WEEKDAYS) + r"),?\s+)?"
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
PLAUSIBLE = timedelta(days=10)


@dataclass(frozen=True)
class Mention:
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


def mentions(prose: str, near: date, window: timedelta = PLAUSIBLE) -> list[Mention]:
    """Every day or span of days the prose names, except "the week of ..." references."""
    text = " ".join(prose.split())
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Mention]] = []

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
            found.append((m.start(), Mention(start, end, "", False, m.group(0), note)))
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
            found.append((m.start(), Mention(day, day, weekday, cue, m.group(0), note)))
    return [mention for _, mention in sorted(found, key=lambda item: item[0])]


def pick_mention(
    prose: str, near: date, window: timedelta = PLAUSIBLE
) -> tuple[Mention | None, list[Mention]]:
    """The mention that dates the event, and the plausible mentions it was chosen among.

    Single days beat spans; among single days, those after a deadline phrase ("by", "deadline
    of", "will happen on", "is", "<date> is the ... milestone") win, then the nearest to
    ``near``. Mentions more than ``window`` from ``near`` are ignored.
    """
    plausible = [m for m in mentions(prose, near, window) if abs(m.start - near) <= window]
    return choose_mention(plausible, near), plausible


def choose_mention(candidates: list[Mention], near: date) -> Mention | None:
    """The mention among ``candidates`` that dates the event (see :func:`pick_mention`)."""
    singles = [m for m in candidates if m.start == m.end]
    if singles:
        pool = [m for m in singles if m.cue] or singles
        return min(pool, key=lambda m: (abs(m.start - near), m.start))
    spans = [m for m in candidates if m.start != m.end]
    if spans:
        return min(spans, key=lambda m: (abs(m.start - near), m.start))
    return None


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
    mention, _ = pick_mention(prose, near)
    if mention is None or mention.start != mention.end:
        return None
    return mention.start


def stated_range(prose: str, near: date) -> tuple[date, date] | None:
    """The span of days the prose states ("20-24 February 2017", "From October 21 to 25") when
    it states no single day; None otherwise. "The week of ..." is not a stated span."""
    mention, _ = pick_mention(prose, near)
    if mention is None or mention.start == mention.end:
        return None
    return mention.start, mention.end
