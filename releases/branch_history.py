"""Actual branch cuts vs the plan: the history CSV, match statistics, calibration (pure).

The history (``branch-cuts-actual.csv``, columns ``series,deliverable,branch,merged_on``) gives
the date each ``branches:`` entry of a deliverable file was merged into openstack/releases: the
day the stable branch was really requested. A plan "matches" when the actual cut falls within
:data:`MATCH_DAYS` days of it ("a plan nobody followed is a bad plan", DESIGN.md).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "COLUMNS",
    "INDEPENDENT",
    "MATCH_DAYS",
    "HistoryError",
    "HistoryRow",
    "MatchStats",
    "Sample",
    "fit_offset",
    "forecast",
    "match_stats",
    "parse_history",
]

COLUMNS = ("series", "deliverable", "branch", "merged_on")
#: The ``series`` value of rows for deliverables/_independent/ files (no series).
INDEPENDENT = "_independent"
#: A cut within this many days of the planned date counts as following the plan.
MATCH_DAYS = 7

_SERIES = re.compile(r"^(_independent|[a-z][a-z0-9-]*)$")
_BRANCH = re.compile(r"^stable/[A-Za-z0-9._-]+$")
_DELIVERABLE = re.compile(r"^[A-Za-z0-9._-]+$")


class HistoryError(ValueError):
    """A bad row of the history file, naming the line and the field."""

    def __init__(self, source: str, line: int, field_name: str, message: str) -> None:
        self.source, self.line, self.field = source, line, field_name
        super().__init__(f"{source}:{line}: {field_name}: {message}")


@dataclass(frozen=True)
class HistoryRow:
    series: str  # "" for _independent rows
    deliverable: str
    branch: str
    merged_on: date
    line: int = 0


def parse_history(text: str, *, source: str = "branch-cuts-actual.csv") -> list[HistoryRow]:
    """Parse the whole file or raise :class:`HistoryError` on its first bad row.

    All-or-nothing: callers write only after the parse succeeded, so a bad row writes nothing.
    A repeated (series, deliverable, branch) is an error too: one branch is merged once.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != list(COLUMNS):
        raise HistoryError(source, 1, "header", f"expected {','.join(COLUMNS)}, got {header}")
    rows: list[HistoryRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for values in reader:
        line = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(COLUMNS):
            raise HistoryError(
                source, line, "row", f"expected {len(COLUMNS)} fields, got {len(values)}"
            )
        series, deliverable, branch, merged_on = (v.strip() for v in values)
        if not _SERIES.match(series):
            raise HistoryError(source, line, "series", f"not a series name: {series!r}")
        if not _DELIVERABLE.match(deliverable):
            raise HistoryError(source, line, "deliverable", f"not a deliverable: {deliverable!r}")
        if not _BRANCH.match(branch):
            raise HistoryError(source, line, "branch", f"expected stable/<name>: {branch!r}")
        try:
            merged = date.fromisoformat(merged_on)
        except ValueError:
            raise HistoryError(
                source, line, "merged_on", f"expected YYYY-MM-DD: {merged_on!r}"
            ) from None
        series = "" if series == INDEPENDENT else series
        key = (series, deliverable, branch)
        if key in seen:
            raise HistoryError(
                source, line, "branch", f"{branch} of {deliverable} repeats line {seen[key]}"
            )
        seen[key] = line
        rows.append(HistoryRow(series, deliverable, branch, merged, line))
    return rows


@dataclass(frozen=True)
class Sample:
    """One actual cut set against its plan; ``planned`` is None when no branch was planned."""

    series: str
    deliverable: str
    release_model: str
    type: str
    actual: date
    planned: date | None

    @property
    def lag(self) -> int | None:
        """Days the actual cut fell after (+) or before (-) the plan."""
        return None if self.planned is None else (self.actual - self.planned).days


@dataclass
class MatchStats:
    """How far actual cuts fell from the plan. Unplanned cuts count as misses in ``share``."""

    total: int = 0
    planned: int = 0
    within: int = 0
    lags: list[int] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.within / self.total if self.total else 0.0

    @property
    def median_lag(self) -> float | None:
        return statistics.median(self.lags) if self.lags else None

    def as_dict(self) -> dict[str, object]:
        return {
            "cuts": self.total,
            "planned": self.planned,
            "within_7_days": self.within,
            "share_within_7_days": round(self.share, 4),
            "median_lag_days": self.median_lag,
        }


def match_stats(samples: Iterable[Sample], *, days: int = MATCH_DAYS) -> MatchStats:
    """Share of actual cuts within ``days`` of the plan, and the median lag of the planned ones."""
    stats = MatchStats()
    for s in samples:
        stats.total += 1
        lag = s.lag
        if lag is None:
            continue
        stats.planned += 1
        stats.lags.append(lag)
        stats.within += abs(lag) <= days
    return stats


def fit_offset(lags: Sequence[int], *, days: int = MATCH_DAYS) -> int:
    """The offset (days after the anchor) that puts most cuts within ``days`` of the plan.

    ``lags`` are actual cut minus anchor date. Ties go to the offset nearest the median lag,
    then to the smaller offset, so the fit is deterministic and not pulled by outliers.
    """
    if not lags:
        return 0
    ordered = sorted(lags)
    median = statistics.median(ordered)
    best: tuple[int, float, int] | None = None
    for offset in range(ordered[0] - days, ordered[-1] + days + 1):
        hits = bisect_right(ordered, offset + days) - bisect_left(ordered, offset - days)
        key = (-hits, abs(offset - median), offset)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2]


@dataclass(frozen=True)
class ForecastResult:
    """Leave-future-out accuracy: each series predicted by an offset fitted on earlier series."""

    offset_all: int
    samples: int
    forecast: int
    within: int

    @property
    def share(self) -> float:
        return self.within / self.forecast if self.forecast else 0.0


def forecast(
    lags_by_series: Sequence[tuple[str, Sequence[int]]], *, days: int = MATCH_DAYS
) -> ForecastResult:
    """Fit on series before each series, predict it: an honest estimate of future accuracy.

    ``lags_by_series`` is in series order (oldest first). The first series has no past to learn
    from and is not forecast. ``offset_all`` is the fit on every series: the proposal.
    """
    past: list[int] = []
    forecast_n = within = 0
    for _series, lags in lags_by_series:
        if past:
            offset = fit_offset(past, days=days)
            forecast_n += len(lags)
            within += sum(abs(lag - offset) <= days for lag in lags)
        past.extend(lags)
    return ForecastResult(
        offset_all=fit_offset(past, days=days),
        samples=len(past),
        forecast=forecast_n,
        within=within,
    )
