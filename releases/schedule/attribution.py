"""Which series an event is about (its title, else its id's letter near the file's series)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence


def series_for_key(key: str, title: str, file_series: str, series_order: Sequence[str]) -> str:
    """The series an event is about.

    A series named in the title wins ("Pike PTLs self-nomination" in ocata's file, "2024.2
    Dalmatian Cycle-Trailing Release Deadline" = ``e-cycle-trail`` in epoxy's). Otherwise the
    id's letter, resolved to the series with that initial nearest in order to the file's series
    (letters repeat after zed: ``a`` is antelope next to bobcat, austin in 2010). Ties go to the
    newer series; with no candidate at all, the file's series.
    """
    named = series_in_title(title, series_order)
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


def series_in_title(title: str, series_order: Sequence[str]) -> list[str]:
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
