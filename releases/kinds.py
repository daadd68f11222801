"""The event kinds of a release schedule: the one vocabulary every app imports.

An openstack/releases event id is ``<series letter>-<kind words>`` (``o-ff``, ``p-rc1``,
``a-cycle-trail``; ``doc/source/<series>/schedule.yaml``); each kind below is spelled once, with
its title, the upstream words that name it and the canonical words a generated schedule uses.
Which event *is* a series' feature freeze or its milestone N is answered by one rule,
:func:`first_of_kinds`, used by the dashboard, the forecast, the freeze checks, re-planning,
branching, generation and the demo.

No ORM here (``TextChoices`` is a plain enum), so the pure parsers import it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from django.db.models import TextChoices


class EventKind(TextChoices):
    """What a schedule event is, whatever series or file lists it."""

    MILESTONE_1 = "milestone-1", "Milestone 1"
    MILESTONE_2 = "milestone-2", "Milestone 2"
    MILESTONE_3 = "milestone-3", "Milestone 3"
    FEATURE_FREEZE = "feature-freeze", "Feature freeze"
    RC1 = "rc1", "RC1 target"
    FINAL_RC = "final-rc", "Final RCs"
    RELEASE = "release", "Coordinated release"
    TRAILING = "trailing", "Cycle-trailing release deadline"
    TRAILING_FEATURE_FREEZE = "trailing-feature-freeze", "Cycle-trailing feature freeze"
    TRAILING_RC = "trailing-rc", "Cycle-trailing RC deadline"
    FINAL_LIB = "final-lib", "Final release for non-client libraries"
    FINAL_CLIENTLIB = "final-clientlib", "Final release for client libraries"
    SOFT_STRING_FREEZE = "soft-string-freeze", "Soft string freeze"
    HARD_STRING_FREEZE = "hard-string-freeze", "Hard string freeze"
    REQUIREMENTS_FREEZE = "requirements-freeze", "Requirements freeze"
    MEMBERSHIP_FREEZE = "membership-freeze", "Membership freeze"
    PTG = "ptg", "Project Team Gathering"
    SUMMIT = "summit", "Summit"
    GOALS = "goals", "Community goals"
    ELECTION = "election", "Election"
    CYCLE_HIGHLIGHTS = "cycle-highlights", "Cycle highlights"
    EXTRA_ATCS = "extra-atcs", "Extra-ATCs / extra-ACs deadline"
    END_OF_LIFE = "end-of-life", "End of life"
    PROJECT_DEADLINE = "project-deadline", "Project deadline"
    PROJECT_EVENT = "project-event", "Project event"
    OTHER = "other", "Other"


K = EventKind

#: Exact kind words (the id without its series letter) → kind, every spelling seen upstream.
KIND_BY_WORDS: dict[str, EventKind] = {
    "1": K.MILESTONE_1,
    "2": K.MILESTONE_2,
    "3": K.MILESTONE_3,
    "ff": K.FEATURE_FREEZE,
    "rc1": K.RC1,
    "finalrc": K.FINAL_RC,
    "release": K.RELEASE,
    "final": K.RELEASE,
    "trailing": K.TRAILING,
    "cycle-trail": K.TRAILING,
    "trailing-release": K.TRAILING,
    "trailing-ff": K.TRAILING_FEATURE_FREEZE,
    "trailing-rc": K.TRAILING_RC,
    "final-lib": K.FINAL_LIB,
    "final-library-releases": K.FINAL_LIB,
    "final-clientlib": K.FINAL_CLIENTLIB,
    "soft-sf": K.SOFT_STRING_FREEZE,
    "hard-sf": K.HARD_STRING_FREEZE,
    "rf": K.REQUIREMENTS_FREEZE,
    "mf": K.MEMBERSHIP_FREEZE,
    "ptg": K.PTG,
    "ptg0": K.PTG,
    "vptg": K.PTG,
    "summit": K.SUMMIT,
    "design-summit": K.SUMMIT,
    "cycle-highlights": K.CYCLE_HIGHLIGHTS,
    "extra-atcs": K.EXTRA_ATCS,
    "extra-acs": K.EXTRA_ATCS,
    "extra-atc-freeze": K.EXTRA_ATCS,
    "eol": K.END_OF_LIFE,
    "email-deadline": K.ELECTION,
}

#: First word of the kind words → kind (goals-research, election-voting, ptl-nomination, …).
KIND_BY_PREFIX: dict[str, EventKind] = {
    "goals": K.GOALS,
    "election": K.ELECTION,
    "ptl": K.ELECTION,
    "tc": K.ELECTION,
}

#: The words a generated schedule spells each standard kind with (``<letter>-<words>``): the
#: current upstream spelling.
WORDS_BY_KIND: dict[EventKind, str] = {
    K.MILESTONE_1: "1",
    K.MILESTONE_2: "2",
    K.MILESTONE_3: "3",
    K.FEATURE_FREEZE: "ff",
    K.FINAL_LIB: "final-lib",
    K.FINAL_CLIENTLIB: "final-clientlib",
    K.SOFT_STRING_FREEZE: "soft-sf",
    K.HARD_STRING_FREEZE: "hard-sf",
    K.REQUIREMENTS_FREEZE: "rf",
    K.MEMBERSHIP_FREEZE: "mf",
    K.EXTRA_ATCS: "extra-atcs",
    K.CYCLE_HIGHLIGHTS: "cycle-highlights",
    K.RC1: "rc1",
    K.FINAL_RC: "finalrc",
    K.RELEASE: "release",
    K.TRAILING: "trailing",
}

#: The kinds that name a series' feature freeze, in order of preference: Ocata lists o-ff and
#: o-3 in the same week; older schedules sometimes only the third milestone.
FEATURE_FREEZE_KINDS: tuple[EventKind, ...] = (K.FEATURE_FREEZE, K.MILESTONE_3)
#: Milestones numbered 1–3 (``ocata-2`` on Launchpad is the series' milestone-2).
MILESTONES: dict[int, EventKind] = {1: K.MILESTONE_1, 2: K.MILESTONE_2, 3: K.MILESTONE_3}
#: What a blueprint may target: the milestones, and the freeze and RC1 when a team does.
TARGET_KINDS: tuple[EventKind, ...] = (
    K.MILESTONE_1,
    K.MILESTONE_2,
    K.MILESTONE_3,
    K.FEATURE_FREEZE,
    K.RC1,
)
#: What a branch-cut rule may anchor to, in cycle order (``releases.branching``).
ANCHOR_KINDS: tuple[EventKind, ...] = (
    K.MILESTONE_3,
    K.FEATURE_FREEZE,
    K.FINAL_LIB,
    K.FINAL_CLIENTLIB,
    K.RC1,
    K.FINAL_RC,
    K.RELEASE,
    K.TRAILING,
)
#: The end of a cycle's work: its trailing deadline, else its release.
CYCLE_END_KINDS: tuple[EventKind, ...] = (K.TRAILING, K.RELEASE)
#: Cross-project kinds that are not deadlines (gatherings, elections, goals …).
NOT_DEADLINES: frozenset[EventKind] = frozenset(
    {K.PTG, K.SUMMIT, K.GOALS, K.ELECTION, K.OTHER, K.END_OF_LIFE}
)
#: Team-specific kinds (a team's own deadline or gathering).
TEAM_KINDS: frozenset[EventKind] = frozenset({K.PROJECT_DEADLINE, K.PROJECT_EVENT})


class Dated(Protocol):
    kind: str
    date: date
    key: str
    team: str


D = TypeVar("D", bound=Dated)


def first_of_kinds(events: Iterable[D], kinds: Sequence[str]) -> D | None:
    """The event that *is* the series' ``kinds[0]`` (else ``kinds[1]`` …): of the first kind in
    ``kinds`` that the series has, its **first** cross-project event (earliest date, then key).
    An event's date is its first occurrence's, so this is the first occurrence of the kind.

    One rule for every caller (the dashboard, the forecast, freeze checks, re-planning,
    branching, generation): a schedule listing a kind twice (a milestone moved and listed again)
    is planned from its first listing. Team events never count.
    """
    candidates = [e for e in events if not e.team]
    for kind in kinds:
        found = [e for e in candidates if e.kind == kind]
        if found:
            return min(found, key=lambda e: (e.date, e.key))
    return None


def kind_title(kind: str) -> str:
    """The title of a kind, or the kind itself when it is not one of ours."""
    try:
        return EventKind(kind).label
    except ValueError:
        return kind
