"""One event per (series, id) across every schedule file, and where the files disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from releases.schedule.parsed import (
    DATE_RULE_STATED,
    DATE_RULE_STATED_RANGE,
    DATE_RULE_THURSDAY,
    ParsedEvent,
    ParsedSchedule,
)

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
