"""Geometry for the server-rendered SVG charts (pure: dates and counts in, shapes out).

People look at a timeline, they don't read it: the charts give the shape of the cycle (weeks,
milestones, today, scope against done) and the tables beside them give the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from releases.kinds import EventKind

# Kinds drawn as tall markers with a label; the rest are small ticks.
MAJOR_KINDS = (
    EventKind.MILESTONE_1,
    EventKind.MILESTONE_2,
    EventKind.MILESTONE_3,
    EventKind.FEATURE_FREEZE,
    EventKind.RC1,
    EventKind.RELEASE,
    EventKind.TRAILING,
)
SHORT_LABELS = {
    EventKind.MILESTONE_1: "M1",
    EventKind.MILESTONE_2: "M2",
    EventKind.MILESTONE_3: "M3",
    EventKind.FEATURE_FREEZE: "FF",
    EventKind.RC1: "RC1",
    EventKind.FINAL_RC: "Final RC",
    EventKind.RELEASE: "Release",
    EventKind.TRAILING: "Trailing",
}


@dataclass(frozen=True)
class WeekBar:
    x: float
    width: float
    label: str
    start: date
    end: date
    state: str  # "past" | "current" | "future"


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    title: str
    day: date
    major: bool
    row: int  # label row, so neighbouring labels don't overlap
    end_day: date | None = None  # last day of a span of days, None for one day
    span_width: float = 0.0  # width of the span's bar (0 for one day)


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    weeks: tuple[WeekBar, ...]
    markers: tuple[Marker, ...]
    today_x: float | None


def timeline(
    *,
    weeks: Sequence[tuple[date, date, str]],
    events: Iterable[tuple[date, str, str] | tuple[date, str, str, date]],
    today: date,
    width: int = 960,
) -> Timeline:
    """Lay the cycle's weeks left to right and place each (date, kind, title[, end date])
    occurrence on them.

    One column per Monday–Friday week; an occurrence sits at its first day's offset within the
    week, and a span of days also gets a bar across to its last day.
    """
    if not weeks:
        return Timeline(width=width, height=0, weeks=(), markers=(), today_x=None)
    first = weeks[0][0]
    last_end = weeks[-1][0] + timedelta(days=7)
    span = max((last_end - first).days, 1)

    def x_of(day: date) -> float:
        return round((day - first).days / span * width, 1)

    bars = []
    for start, end, label in weeks:
        state = (
            "past" if end < today else "current" if start <= today <= end + _WEEKEND else ("future")
        )
        bars.append(
            WeekBar(
                x=x_of(start),
                width=round(7 / span * width, 1),
                label=label,
                start=start,
                end=end,
                state=state,
            )
        )
    markers = []
    last_x_by_row: dict[int, float] = {}
    for day, kind, title, *rest in sorted(events, key=lambda e: (e[0], e[1])):
        if not first <= day < last_end:
            continue
        end_day = rest[0] if rest and rest[0] > day else None
        major = kind in MAJOR_KINDS
        x = x_of(day)
        row = 0
        if major:
            # Put the label on the first row whose previous label is far enough to the left.
            while last_x_by_row.get(row, -1e9) > x - 46:
                row += 1
            last_x_by_row[row] = x
        bar = 0.0
        if end_day is not None:
            bar = round(x_of(min(end_day + timedelta(days=1), last_end)) - x, 1)
        markers.append(
            Marker(
                x=x,
                label=SHORT_LABELS.get(kind, ""),
                title=title,
                day=day,
                major=major,
                row=row,
                end_day=end_day,
                span_width=bar,
            )
        )
    today_x = x_of(today) if first <= today < last_end else None
    rows = max((m.row for m in markers), default=0) + 1
    return Timeline(
        width=width,
        height=56 + 14 * rows,
        weeks=tuple(bars),
        markers=tuple(markers),
        today_x=today_x,
    )


@dataclass(frozen=True)
class BurnUp:
    width: int
    height: int
    scope_points: str  # SVG polyline points
    done_points: str
    freeze_x: float | None
    today_x: float | None
    max_value: int
    ticks: tuple[tuple[float, int], ...]  # (y, value)
    scope_after_freeze: int
    final_scope: int
    final_done: int


def burn_up(
    *,
    start: date,
    end: date,
    changes: Iterable[tuple[date, int, int]],
    freeze: date | None,
    today: date,
    width: int = 640,
    height: int = 200,
) -> BurnUp:
    """Cumulative scope and done per day from (day, scope delta, done delta) changes.

    Changes before ``start`` count from the first day (the plan brought into the cycle);
    scope added after ``freeze`` is reported, since it is what feature freeze is meant to stop.
    """
    if end <= start:
        end = start + timedelta(days=1)
    span = (end - start).days
    per_day: dict[date, list[int]] = {}
    scope_after_freeze = 0
    for day, scope_delta, done_delta in changes:
        key = min(max(day, start), end)
        bucket = per_day.setdefault(key, [0, 0])
        bucket[0] += scope_delta
        bucket[1] += done_delta
        if freeze is not None and day > freeze and scope_delta > 0:
            scope_after_freeze += scope_delta
    scope = done = 0
    scope_series, done_series = [], []
    last = min(end, max(today, start))
    for offset in range(span + 1):
        day = start + timedelta(days=offset)
        if day > last:
            break
        delta = per_day.get(day)
        if delta:
            scope += delta[0]
            done += delta[1]
        scope_series.append((offset, scope))
        done_series.append((offset, done))
    top = max([scope, *(v for _, v in scope_series)], default=0) or 1
    pad = 24

    def point(offset: int, value: int) -> str:
        x = pad + offset / span * (width - pad - 8)
        y = height - pad - value / top * (height - pad - 10)
        return f"{x:.1f},{y:.1f}"

    def x_at(day: date | None) -> float | None:
        if day is None or not start <= day <= end:
            return None
        return round(pad + (day - start).days / span * (width - pad - 8), 1)

    step = max(1, round(top / 4))
    ticks = tuple(
        (round(height - pad - v / top * (height - pad - 10), 1), v) for v in range(0, top + 1, step)
    )
    return BurnUp(
        width=width,
        height=height,
        scope_points=" ".join(point(o, v) for o, v in scope_series),
        done_points=" ".join(point(o, v) for o, v in done_series),
        freeze_x=x_at(freeze),
        today_x=x_at(today),
        max_value=top,
        ticks=ticks,
        scope_after_freeze=scope_after_freeze,
        final_scope=scope,
        final_done=done,
    )


_WEEKEND = timedelta(days=2)
