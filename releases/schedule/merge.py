"""One event per (series, id) across every schedule file, its occurrences in every file, and
where the files disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from releases.schedule.parsed import (
    DATE_RULE_STATED,
    DATE_RULE_STATED_RANGE,
    DATE_RULE_THURSDAY,
    ParsedEvent,
    ParsedOccurrence,
    ParsedSchedule,
)
from releases.schedule.prose import monday_of

_RULE_RANK = {DATE_RULE_STATED: 0, DATE_RULE_STATED_RANGE: 0, DATE_RULE_THURSDAY: 1}


def merge_events(schedules: Iterable[ParsedSchedule]) -> list[ParsedEvent]:
    """One event per (series, key) across every schedule file, with every file's occurrences.

    The winner (title, description, kind): a date stated in prose beats a Thursday fallback
    (the prose is the stronger source: "exceptions to this policy will be explicitly mentioned
    in the event description"); then the series' own file (``doc/source/<series>/``) wins; then
    the earlier file. The winner inherits a title and description when its own file has no rst
    label for it. Occurrences are joined by ``merge_occurrences``; the event's date, rule and
    week are its first occurrence's. Every disagreement is recorded as a conflict.
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
        occurrences = merge_occurrences(
            series,
            [(order, schedule.series, event) for order, schedule, event in entries],
            conflicts,
        )
        if not winner.documented and documented is not None:
            winner = replace(winner, title=documented.title, description=documented.description)
        head = occurrences[0]
        if head.date != winner.date:
            # The first day is another file's (or the winner's day is not its first).
            head_event = next(
                (e for _, _, e in entries if e.date == head.date and e.week_start is not None),
                None,
            )
            winner = replace(
                winner,
                date=head.date,
                rule=head.rule,
                week_start=head_event.week_start if head_event else winner.week_start,
                week_name=head_event.week_name if head_event else winner.week_name,
            )
        merged.append(replace(winner, conflicts=tuple(conflicts), occurrences=tuple(occurrences)))
    merged.sort(key=lambda e: (e.date, e.series, e.key))
    return merged


def _same_day(a: ParsedOccurrence, b: ParsedOccurrence) -> bool:
    """Two files' listings of one day: the days overlap, or they fall in (or are listed in)
    the same Monday–Friday week."""
    if a.overlaps(b.date, b.end_date):
        return True
    if a.week_start is not None and a.week_start == b.week_start:
        return True
    return monday_of(a.date) == monday_of(b.date)


def merge_occurrences(
    series: str, entries: list[tuple[int, str, ParsedEvent]], conflicts: list[str]
) -> list[ParsedOccurrence]:
    """Every file's occurrences of one event of ``series``, each dated by the strongest source.

    Listings of the same day in several files (``_same_day``) take the date of the strongest
    of them: a date stated in prose, then the series' own file, then the earlier file; each
    listing keeps its own file (``listing``) and week, so every cycle whose schedule lists the
    day shows it. Where the series' own prose states a date, a week another file lists it in
    never gives a date of its own: that listing is noted as a conflict and dropped.
    """
    listed = [
        (_RULE_RANK.get(o.rule, 1), file_series != series, order, o)
        for order, file_series, event in entries
        for o in event.occurrences
    ]
    listed.sort(key=lambda item: item[:3])
    own_states = any(rank == 0 and not other for rank, other, _, _ in listed)
    days: list[ParsedOccurrence] = []  # the strongest occurrence of each day
    result: list[ParsedOccurrence] = []
    for rank, other, _order, occurrence in listed:
        day = next((d for d in days if _same_day(d, occurrence)), None)
        if day is None:
            if other and own_states and rank > 0:
                conflicts.append(
                    f"{_key(entries)}: {occurrence.source} lists it in "
                    f"{_listed_week(occurrence)} ({occurrence.date}, {occurrence.rule}) but "
                    f"{series}'s own schedule states its dates; not listed there"
                )
                continue
            days.append(occurrence)
            result.append(occurrence)
            continue
        if (occurrence.date, occurrence.end_date) != (day.date, day.end_date):
            text = (
                f"{_key(entries)}: {day.source} gives {_span(day)} ({day.rule}) but "
                f"{occurrence.source} gives {_span(occurrence)} ({occurrence.rule}); "
                f"kept {_span(day)}"
            )
            if text not in conflicts:
                conflicts.append(text)
        if any(o.listing == occurrence.listing and o.date == day.date for o in result):
            continue
        result.append(replace(occurrence, date=day.date, end_date=day.end_date, rule=day.rule))
    result.sort(key=lambda o: (o.date, o.end_date, o.listing != series))
    return result


def _key(entries: list[tuple[int, str, ParsedEvent]]) -> str:
    return entries[0][2].key


def _span(occurrence: ParsedOccurrence) -> str:
    if occurrence.end_date == occurrence.date:
        return str(occurrence.date)
    return f"{occurrence.date} - {occurrence.end_date}"


def _listed_week(occurrence: ParsedOccurrence) -> str:
    if occurrence.week_start is None:
        return "no week"
    name = f" ({occurrence.week_name})" if occurrence.week_name else ""
    return f"week {occurrence.week_start}{name}"
