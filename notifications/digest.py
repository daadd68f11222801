"""Deadline digests (pure): which deadlines a run covers and what a digest says.

A squad lead gets a digest a few days (``days_ahead``) before each upcoming cross-project
deadline of the current series: the deadlines in the window, the squad's blueprints targeted at
them and not complete, the squad's blueprints the risk forecast flags (``blueprints.forecast``),
and the squad's granted FFEs whose merge-by date falls in the window. Each (lead, deadline) is
covered once: a run leaves out the deadlines a lead was already told about, and sends nothing to
a lead with no new deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from releases import kinds
from releases.kinds import EventKind

# Cross-project kinds that are deadlines (gatherings, elections and goals are not).
NOT_DEADLINES = kinds.NOT_DEADLINES
DEFAULT_DAYS_AHEAD = 3
# Which deadline of a day names the digest (its subject): the most consequential first.
HEADLINE_KINDS = (
    EventKind.RELEASE,
    EventKind.FINAL_RC,
    EventKind.RC1,
    EventKind.FEATURE_FREEZE,
    EventKind.MILESTONE_3,
    EventKind.MILESTONE_2,
    EventKind.MILESTONE_1,
    EventKind.TRAILING,
)


@dataclass(frozen=True)
class Deadline:
    id: int
    key: str
    kind: str
    title: str
    date: date


@dataclass(frozen=True)
class BlueprintLine:
    id: int
    name: str
    title: str
    squad: str
    status: str
    target: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FFELine:
    id: int
    blueprint: str
    squad: str
    merge_by: date


@dataclass(frozen=True)
class Digest:
    lead: str
    as_of: date
    series: str
    squads: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    due: tuple[BlueprintLine, ...] = ()
    at_risk: tuple[BlueprintLine, ...] = ()
    expiring_ffes: tuple[FFELine, ...] = ()
    window_days: int = DEFAULT_DAYS_AHEAD
    extra: dict = field(default_factory=dict)

    @property
    def subject(self) -> str:
        first = headline(self.deadlines)
        more = f" (+{len(self.deadlines) - 1} more)" if len(self.deadlines) > 1 else ""
        return f"[{self.series}] {first.title} on {first.date:%a %d %b}{more}: your squads' status"

    def as_payload(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        return data


def window(*, today: date, days_ahead: int) -> tuple[date, date]:
    """Deadlines after ``today`` and up to ``days_ahead`` days later are announced today."""
    return today + timedelta(days=1), today + timedelta(days=days_ahead)


def is_deadline(*, kind: str, team: str) -> bool:
    return not team and kind not in NOT_DEADLINES


def new_deadlines(deadlines: Iterable[Deadline], already_sent: set[int]) -> tuple[Deadline, ...]:
    """The deadlines the lead has not had a digest for yet, by date."""
    return tuple(sorted((d for d in deadlines if d.id not in already_sent), key=_order))


def headline(deadlines: tuple[Deadline, ...]) -> Deadline:
    """The earliest deadline, the most consequential kind first on a day."""
    rank = {kind: i for i, kind in enumerate(HEADLINE_KINDS)}
    return min(deadlines, key=lambda d: (d.date, rank.get(d.kind, len(rank)), d.key))


def _order(d: Deadline) -> tuple[date, str]:
    return (d.date, d.key)
