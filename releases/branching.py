"""Branch-cut rules: when a deliverable's stable/<series> branch is planned (pure, no ORM).

The release process (openstack/releases ``doc/source/reference/release_models.rst`` and the
schedule prose of every series) ties each release model to a point of the cycle:

* cycle-with-rc / cycle-with-milestones: the stable branch is created from the first release
  candidate, at the **RC1 deadline** ("RC1 target week ... stable branches are cut from RC1").
* cycle-with-intermediary libraries: at the **final non-client library release** ("final release
  for non-client libraries ... stable branches are cut from it"), client libraries at the
  **final client library release**; intermediary services **before the final RC**.
* cycle-trailing: **around the final RC of the coordinated release**, before the cycle-trailing
  deadline ("cycle-trailing deliverables ... release within three months of the coordinated
  release").
* independent / untagged / abandoned: **no stable branch** is planned for the series.

Rules are data (``BranchRule`` rows): an anchor event kind plus an offset in days, keyed by
release model and deliverable type, with a per-model default (type ``""``). A team or a single
deliverable may override the rule with a policy (TripleO: "wait more than we did for Newton").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from releases.kinds import ANCHOR_KINDS, EventKind, first_of_kinds

__all__ = [
    "ANCHOR_KINDS",
    "NO_BRANCH",
    "Anchor",
    "CutPlan",
    "Deliverable",
    "Policy",
    "Rule",
    "backport_window",
    "pick_anchor",
    "pick_policy",
    "pick_rule",
    "plan_cut",
]

#: The anchor value of a rule that plans no branch (independent, untagged, abandoned).
NO_BRANCH = "none"

#: The event that ends the backport window: the series' coordinated release.
FINAL_RELEASE_KIND = EventKind.RELEASE


@dataclass(frozen=True)
class Rule:
    """A branch-cut rule: ``anchor_kind`` + ``offset_days``, for a release model and type.

    ``deliverable_type`` empty means the default for the release model.
    """

    release_model: str
    deliverable_type: str
    anchor_kind: str
    offset_days: int = 0
    id: int | None = None

    @property
    def label(self) -> str:
        key = f"{self.release_model}/{self.deliverable_type or '*'}"
        return f"{key}: {describe(self.anchor_kind, self.offset_days)}"


@dataclass(frozen=True)
class Policy:
    """A team's or one deliverable's override of the rule, optionally for one series only."""

    anchor_kind: str
    offset_days: int = 0
    team: str = ""
    deliverable: str = ""
    series: str = ""
    reason: str = ""
    id: int | None = None

    @property
    def label(self) -> str:
        who = self.deliverable or f"team {self.team}"
        return f"{who}: {describe(self.anchor_kind, self.offset_days)}"


@dataclass(frozen=True)
class Anchor:
    """A dated cross-project schedule event a cut can anchor to."""

    kind: str
    key: str
    date: date
    id: int | None = None
    team: str = ""  # always cross-project; the field lets the shared kind rule read it


@dataclass(frozen=True)
class Deliverable:
    name: str
    team: str
    release_model: str
    type: str


@dataclass(frozen=True)
class CutPlan:
    """The planned cut of one deliverable; ``rule_*`` fields are the plan before any policy."""

    deliverable: str
    rule: Rule | None
    policy: Policy | None
    anchor: Anchor | None
    planned_date: date | None
    backport_window_days: int | None
    rule_anchor: Anchor | None
    rule_planned_date: date | None
    rule_backport_window_days: int | None

    @property
    def anchor_kind(self) -> str:
        if self.policy is not None:
            return self.policy.anchor_kind
        return self.rule.anchor_kind if self.rule is not None else NO_BRANCH


def describe(anchor_kind: str, offset_days: int) -> str:
    """'rc1', 'rc1 +7 d', 'no branch'."""
    if anchor_kind == NO_BRANCH or not anchor_kind:
        return "no branch"
    if offset_days == 0:
        return anchor_kind
    return f"{anchor_kind} {offset_days:+d} d"


def pick_rule(rules: Iterable[Rule], *, release_model: str, deliverable_type: str) -> Rule | None:
    """The rule for a (release model, type): the exact pair, else the model's default.

    A deliverable file without a release model (early series) matches no rule: nothing is planned.
    """
    default = None
    for rule in rules:
        if rule.release_model != release_model:
            continue
        if rule.deliverable_type == deliverable_type:
            return rule
        if not rule.deliverable_type:
            default = rule
    return default


def pick_policy(
    policies: Iterable[Policy], *, deliverable: str, team: str, series: str
) -> Policy | None:
    """The override for a deliverable: its own policy beats its team's; series-specific beats all.

    The most specific policy wins, so "TripleO cuts at the final RC" can coexist with "but
    tripleo-ui follows the rule".
    """
    best, best_score = None, -1
    for policy in policies:
        if policy.series and policy.series != series:
            continue
        if policy.deliverable:
            if policy.deliverable != deliverable:
                continue
            score = 2
        elif policy.team:
            if policy.team.casefold() != team.casefold():
                continue
            score = 0
        else:
            continue
        score += 1 if policy.series else 0
        if score > best_score:
            best, best_score = policy, score
    return best


def pick_anchor(anchors: Iterable[Anchor], kind: str) -> Anchor | None:
    """The cross-project event of ``kind``; the first when a series has two
    (``releases.kinds.first_of_kinds``, the rule every app uses).

    Two events of one kind happen when neighbouring schedules both date a deadline (train has
    t-trailing-release and u-cycle-trail); the earlier one is the deadline that binds.
    """
    return first_of_kinds(anchors, (kind,))


def backport_window(*, cut: date | None, final_release: date | None) -> int | None:
    """Days from the cut to the series' final (coordinated) release.

    Fixes landing on master during the window must be backported to the new branch; a negative
    window means the branch is cut after the release (cycle-trailing deliverables).
    """
    if cut is None or final_release is None:
        return None
    return (final_release - cut).days


def _apply(
    anchor_kind: str, offset_days: int, anchors: Iterable[Anchor]
) -> tuple[Anchor | None, date | None]:
    if anchor_kind == NO_BRANCH or not anchor_kind:
        return None, None
    anchor = pick_anchor(anchors, anchor_kind)
    if anchor is None:
        return None, None
    return anchor, anchor.date + timedelta(days=offset_days)


def plan_cut(
    deliverable: Deliverable,
    *,
    series: str,
    rules: Iterable[Rule],
    policies: Iterable[Policy],
    anchors: Iterable[Anchor],
) -> CutPlan:
    """Plan one deliverable's stable branch cut in ``series``.

    planned date = anchor event date + offset (rule, or the policy overriding it); no date when
    the rule says ``none`` or the series' schedule lacks the anchor event. The plan before the
    override is kept so every override shows what it changes.
    """
    anchors = list(anchors)
    rule = pick_rule(
        rules, release_model=deliverable.release_model, deliverable_type=deliverable.type
    )
    policy = pick_policy(
        policies, deliverable=deliverable.name, team=deliverable.team, series=series
    )
    final = pick_anchor(anchors, FINAL_RELEASE_KIND)
    final_date = final.date if final else None
    rule_anchor, rule_date = (
        _apply(rule.anchor_kind, rule.offset_days, anchors) if rule else (None, None)
    )
    if policy is not None:
        anchor, planned = _apply(policy.anchor_kind, policy.offset_days, anchors)
    else:
        anchor, planned = rule_anchor, rule_date
    return CutPlan(
        deliverable=deliverable.name,
        rule=rule,
        policy=policy,
        anchor=anchor,
        planned_date=planned,
        backport_window_days=backport_window(cut=planned, final_release=final_date),
        rule_anchor=rule_anchor,
        rule_planned_date=rule_date,
        rule_backport_window_days=backport_window(cut=rule_date, final_release=final_date),
    )


def anchors_by_kind(anchors: Iterable[Anchor]) -> Mapping[str, Anchor]:
    """kind -> the anchor :func:`pick_anchor` would choose."""
    anchors = list(anchors)
    return {kind: a for kind in {a.kind for a in anchors} if (a := pick_anchor(anchors, kind))}
