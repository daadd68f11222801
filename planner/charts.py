"""Geometry for the server-rendered SVG charts (pure: dates and counts in, shapes out).

The charts give the shape of the cycle (weeks, milestones, today, scope against done) and carry
their data in text too: every label is drawn at a fixed size (the page scrolls a wide chart
instead of shrinking it), labels are laid out so none overlaps another, and the templates list
what each chart shows (the milestones and their dates, the burn-up's last values).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from releases.kinds import EventKind

# Kinds drawn as tall markers with a bold label; the rest get a smaller label.
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
    EventKind.TRAILING_FEATURE_FREEZE: "Trailing FF",
    EventKind.TRAILING_RC: "Trailing RC",
    EventKind.FINAL_LIB: "Libs final",
    EventKind.FINAL_CLIENTLIB: "Client libs",
    EventKind.SOFT_STRING_FREEZE: "Soft SF",
    EventKind.HARD_STRING_FREEZE: "Hard SF",
    EventKind.REQUIREMENTS_FREEZE: "Req freeze",
    EventKind.MEMBERSHIP_FREEZE: "Membership",
    EventKind.PTG: "PTG",
    EventKind.SUMMIT: "Summit",
    EventKind.GOALS: "Goals",
    EventKind.ELECTION: "Election",
    EventKind.EXTRA_ATCS: "Extra-ATCs",
}

# Timeline geometry, in CSS pixels: the SVG is drawn at this size and never scaled.
WEEK_PX = 56
TODAY_ROW = 16  # "today" label above the weeks
WEEK_TOP, WEEK_HEIGHT = 18, 38  # week bars: name, then first day
LABEL_TOP, LABEL_ROW = 66, 18  # marker label rows below the weeks
CHAR_PX = {True: 8.0, False: 7.0}  # rough advance of a 12 px bold / regular character
LABEL_GAP = 6


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
    label_y: float = 0  # baseline of the label
    line_y2: float = 0  # where the marker line ends, just above its label
    week: str = ""  # the name of the week it falls in


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    weeks: tuple[WeekBar, ...]
    markers: tuple[Marker, ...]
    today_x: float | None
    today: date | None = None
    current_week: str = ""


def label_width(label: str, *, bold: bool) -> float:
    """Room a 12 px label takes (an overestimate, so estimated neighbours never touch)."""
    return len(label) * CHAR_PX[bold] + 4


def timeline(
    *,
    weeks: Sequence[tuple[date, date, str]],
    events: Iterable[tuple[date, str, str] | tuple[date, str, str, date]],
    today: date,
    width: int | None = None,
) -> Timeline:
    """Lay the cycle's weeks left to right and place each (date, kind, title[, end date])
    occurrence on them.

    One column of ``WEEK_PX`` per Monday–Friday week (``width`` stretches or narrows them);
    an event sits at its day's offset within the week; each label takes the first row where
    it clears the labels already placed, so two events of one week (milestone 3 and feature
    freeze) stack instead of overlapping; marker lines pass behind the labels, which have a halo.
    An occurrence's span of days also gets a bar across to its last day.
    """
    if not weeks:
        return Timeline(width=width or 0, height=0, weeks=(), markers=(), today_x=None)
    width = width or WEEK_PX * len(weeks)
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

    def week_of(day: date) -> str:
        return next((b.label for b in bars if b.start <= day < b.start + timedelta(days=7)), "")

    markers = []
    spans: list[list[tuple[float, float]]] = []  # the labels placed on each row

    def fits(row: int, left: float, right: float) -> bool:
        return row >= len(spans) or all(
            right + LABEL_GAP <= a or b + LABEL_GAP <= left for a, b in spans[row]
        )

    for day, kind, title, *rest in sorted(events, key=lambda e: (e[0], e[1])):
        if not first <= day < last_end:
            continue
        end_day = rest[0] if rest and rest[0] > day else None
        major = kind in MAJOR_KINDS
        label = SHORT_LABELS.get(kind) or _short(title)
        x = x_of(day)
        bar = 0.0
        if end_day is not None:
            bar = round(x_of(min(end_day + timedelta(days=1), last_end)) - x, 1)
        left, right = x - 2, x + label_width(label, bold=major)
        row = next(r for r in range(len(spans) + 1) if fits(r, left, right))
        if row == len(spans):
            spans.append([])
        spans[row].append((left, right))
        top = LABEL_TOP + row * LABEL_ROW
        markers.append(
            Marker(
                x=x,
                label=label,
                title=title,
                day=day,
                major=major,
                row=row,
                end_day=end_day,
                span_width=bar,
                label_y=top + 12,
                line_y2=top,
                week=week_of(day),
            )
        )
    in_cycle = first <= today < last_end
    rows = max(len(spans), 1)
    current = next((b.label for b in bars if b.state == "current"), "")
    return Timeline(
        width=int(width + 70),  # the last labels run past the last week
        height=LABEL_TOP + rows * LABEL_ROW + 6,
        weeks=tuple(bars),
        markers=tuple(markers),
        today_x=x_of(today) if in_cycle else None,
        today=today if in_cycle else None,
        current_week=current,
    )


def _short(title: str) -> str:
    words = title.split()
    return " ".join(words[:2])[:14] if words else "event"


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
    x_ticks: tuple[tuple[float, date], ...] = ()  # (x, first day of a month)
    last_day: date | None = None  # the day the lines end (today, or the cycle's end)
    scope_end: tuple[float, float] = (0, 0)  # where each line ends, for its label
    done_end: tuple[float, float] = (0, 0)
    freeze: date | None = None
    left: int = 0  # the plot's left edge (after the value ticks)
    bottom: float = 0  # the plot's baseline (above the date ticks)


# Burn-up geometry, in CSS pixels: drawn at this size and never scaled.
BURN_LEFT, BURN_RIGHT, BURN_TOP, BURN_BOTTOM = 32, 96, 22, 28


def burn_up(
    *,
    start: date,
    end: date,
    changes: Iterable[tuple[date, int, int]],
    freeze: date | None,
    today: date,
    width: int = 560,
    height: int = 220,
) -> BurnUp:
    """Cumulative scope and done per day from (day, scope delta, done delta) changes.

    Changes before ``start`` count from the first day (the plan brought into the cycle);
    scope added after ``freeze`` is reported, since it is what feature freeze is meant to stop.
    The x axis is dated (the first of each month); each line ends in a label with its value.
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
    plot_w = width - BURN_LEFT - BURN_RIGHT
    bottom = height - BURN_BOTTOM
    plot_h = bottom - BURN_TOP

    def xy(offset: int, value: int) -> tuple[float, float]:
        return (
            round(BURN_LEFT + offset / span * plot_w, 1),
            round(bottom - value / top * plot_h, 1),
        )

    def points(series: list[tuple[int, int]]) -> str:
        return " ".join("{:.1f},{:.1f}".format(*xy(o, v)) for o, v in series)

    def x_at(day: date | None) -> float | None:
        if day is None or not start <= day <= end:
            return None
        return xy((day - start).days, 0)[0]

    step = max(1, round(top / 4))
    ticks = tuple((xy(0, v)[1], v) for v in range(0, top + 1, step))
    months = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            months.append((x_at(month), month))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    last_offset = len(scope_series) - 1
    scope_end, done_end = xy(last_offset, scope), xy(last_offset, done)
    if abs(scope_end[1] - done_end[1]) < 14:  # keep the two end labels apart
        scope_end = (scope_end[0], done_end[1] - 14)
    return BurnUp(
        width=width,
        height=height,
        scope_points=points(scope_series),
        done_points=points(done_series),
        freeze_x=x_at(freeze),
        today_x=x_at(today),
        max_value=top,
        ticks=ticks,
        scope_after_freeze=scope_after_freeze,
        final_scope=scope,
        final_done=done,
        x_ticks=tuple(months),
        last_day=start + timedelta(days=last_offset),
        scope_end=scope_end,
        done_end=done_end,
        freeze=freeze,
        left=BURN_LEFT,
        bottom=bottom,
    )


_WEEKEND = timedelta(days=2)
