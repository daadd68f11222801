"""One series' schedule: its weeks and every event its files list, dated and attributed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from releases.kinds import EventKind
from releases.schedule.attribution import series_for_key
from releases.schedule.files import read_text
from releases.schedule.kinds import EVENT_ID_RE, event_kind
from releases.schedule.parsed import (
    DATE_RULE_STATED,
    DATE_RULE_STATED_RANGE,
    DATE_RULE_THURSDAY,
    ParsedEvent,
    ParsedOccurrence,
    ParsedSchedule,
    ParsedWeek,
)
from releases.schedule.prose import (
    WEEKDAYS,
    Mention,
    choose_mention,
    monday_of,
    pick_mention,
    thursday_of,
)
from releases.schedule.rst import Section, rst_sections
from releases.schedule.yaml_source import Listing, parse_yaml


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

    Each event id listed in the yaml gives one event with one occurrence per week it is listed
    in (``_listed_occurrences``); the event's date is its first occurrence's (the other weeks
    are also in ``other_weeks``). A date is the day its rst prose states, else the span it
    states, else the Thursday of its week. A stated date outside the listed week moves the event
    to the yaml week containing the date and records a conflict.
    rst labels listed in no week become events (``week_start`` None) when their prose states a
    date in the cycle, else go to ``unplaced``.
    """
    start_week, release_week, weeks, listings, notes = parse_yaml(yaml_text, source)
    sections = rst_sections(rst_text) if rst_text else {}
    week_by_monday = {w.start: w for w in weeks}

    first: dict[str, Listing] = {}
    by_key: dict[str, list[Listing]] = {}
    for listing in sorted(listings, key=lambda item: (item.week.start, item.line)):
        same = by_key.setdefault(listing.key, [])
        if not any(other.week.start == listing.week.start for other in same):
            same.append(listing)
        first.setdefault(listing.key, listing)

    events: list[ParsedEvent] = []
    for key, key_listings in by_key.items():
        section = sections.get(key)
        conflicts: list[str] = []
        occurrences = _listed_occurrences(
            key, key_listings, section, series, source, week_by_monday, conflicts
        )
        # The event's own date, rule and week are its first occurrence's (a stated date
        # outside the listed week moves it to the week containing the date).
        head = occurrences[0]
        week: ParsedWeek | None = week_by_monday[head.week_start] if head.week_start else None
        if week is not None and not (week.start <= head.date <= week.end + timedelta(days=2)):
            week = week_by_monday.get(monday_of(head.date))
        events.append(
            replace(
                _event(
                    key,
                    section,
                    series,
                    series_order,
                    source,
                    head.date,
                    head.rule,
                    week,
                    key_listings[0].line,
                    conflicts,
                    tuple(item.week.start for item in key_listings[1:]),
                ),
                occurrences=tuple(occurrences),
            )
        )

    unplaced: list[str] = []
    span_start = min([start_week, *(w.start for w in weeks)])
    span_end = max([release_week + timedelta(days=6), *(w.end for w in weeks)])
    # Prose-only labels: any date in the cycle or the four months after it (cycle-trailing).
    window = (span_end - span_start) / 2 + timedelta(days=120)
    middle = span_start + (span_end - span_start) / 2
    for label, section in sections.items():
        if label in first or not EVENT_ID_RE.match(label):
            continue
        mention, _ = pick_mention(section.prose, middle, window)
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
                occurrences=(
                    ParsedOccurrence(
                        date=mention.start,
                        end_date=mention.end,
                        rule=rule,
                        listing=series,
                        week_start=None,
                        week_name="",
                        source=source,
                        line=section.line,
                    ),
                ),
            )
        )

    release_conflict = _release_week_conflict(series, source, release_week, events)
    if release_conflict:
        notes.append(release_conflict)
        events = [
            replace(e, conflicts=(*e.conflicts, release_conflict))
            if e.series == series and e.kind == EventKind.RELEASE
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


def _in_week(start: date, end: date, week: ParsedWeek) -> bool:
    """Whether the days overlap the week (its weekend counts with it)."""
    return start <= week.end + timedelta(days=2) and end >= week.start


def _listed_occurrences(
    key: str,
    listings: list[Listing],
    section: Section | None,
    file_series: str,
    source: str,
    week_by_monday: dict[date, ParsedWeek],
    conflicts: list[str],
) -> list[ParsedOccurrence]:
    """One occurrence per week the yaml lists ``key`` in, dated by the prose where it can be.

    Each listing takes the date its prose states nearest to the listing's Thursday
    (``pick_mention``), a stated span giving the last day too. When that date is another
    listing's (epoxy's Nova spec review day: "On 12 Nov 2024 and 11 Dec 2024", listed in both
    weeks), the listing takes a date stated inside its own week, else its Thursday: an event
    listed in several weeks happens in each. A stated date outside every listed week wins over
    the week and is noted in ``conflicts``. Sorted by date; one per distinct span of days.
    """
    weeks = [listing.week for listing in listings]
    found: dict[tuple[date, date], ParsedOccurrence] = {}
    for listing in listings:
        week = listing.week
        listed = thursday_of(week.start)
        mention: Mention | None = None
        if section is not None:
            mention, plausible = pick_mention(section.prose, listed)
            if (
                mention is not None
                and not _in_week(mention.start, mention.end, week)
                and any(_in_week(mention.start, mention.end, w) for w in weeks if w is not week)
            ):
                mention = choose_mention(
                    [m for m in plausible if _in_week(m.start, m.end, week)], listed
                )
        if mention is None:
            day, end, rule = listed, listed, DATE_RULE_THURSDAY
        else:
            day, end = mention.start, mention.end
            rule = DATE_RULE_STATED if day == end else DATE_RULE_STATED_RANGE
            for text in _weekday_conflict(key, source, mention):
                if text not in conflicts:
                    conflicts.append(text)
            if not _in_week(day, end, week):
                moved = week_by_monday.get(monday_of(day))
                conflicts.append(
                    f"{key}: {source} lists it in {_week_label(week, week.start)} but its prose "
                    f"states {day} ({_week_label(moved, day)}); the prose date wins"
                )
        found.setdefault(
            (day, end),
            ParsedOccurrence(
                date=day,
                end_date=end,
                rule=rule,
                listing=file_series,
                week_start=week.start,
                week_name=week.name,
                source=source,
                line=listing.line,
            ),
        )
    return sorted(found.values(), key=lambda o: (o.date, o.end_date))


def _event(
    key: str,
    section: Section | None,
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
        title=title or f"{about.capitalize()} {EventKind(kind).label.lower()}",
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


def _weekday_conflict(key: str, source: str, mention: Mention) -> list[str]:
    if mention.note:
        return [f"{key}: {source} prose year looks wrong: {mention.note}"]
    if mention.weekday and WEEKDAYS[mention.start.weekday()] != mention.weekday:
        return [
            f"{key}: {source} prose says {mention.text!r} but {mention.start} is a "
            f"{mention.start:%A}; kept the day of the month"
        ]
    return []


def _release_week_conflict(
    series: str, source: str, release_week: date, events: list[ParsedEvent]
) -> str | None:
    for event in events:
        if event.series == series and event.kind == EventKind.RELEASE and event.key[0] == series[0]:
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
