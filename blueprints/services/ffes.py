"""Writes to feature-freeze exceptions and FFE policies: request, decide, merge, expire."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blueprints import ffe_rules, selectors, signals
from blueprints.models import (
    Blueprint,
    FeatureFreezeException,
    FFEPolicy,
    FFERisk,
    FFEStatus,
)
from core import clock
from core.actors import Actor
from core.audit import audit_record, save_audited
from core.changes import apply_changes
from releases.models import Series
from squads import permissions as perms
from squads.models import Project


@transaction.atomic
def ffe_request(
    *,
    blueprint: Blueprint,
    actor: AbstractBaseUser,
    rationale: str,
    merge_by: date,
    risk: str = FFERisk.MEDIUM,
    risk_notes: str = "",
    today: date | None = None,
) -> FeatureFreezeException:
    """Ask for a feature-freeze exception for a blueprint not yet complete.

    The rules are ``blueprints.ffe_rules`` (the page asks the same ones to offer the form): only
    from the series' feature freeze on; not after the policy's request cut-off; merge-by not in
    the past and not after RC1; one open request per blueprint.
    """
    perms.require(perms.can_request_ffe(actor, blueprint), "Log in to request an FFE.")
    today = today or clock.today()
    facts = selectors.ffe_request_facts(blueprint=blueprint, today=today)
    refusal = ffe_rules.request_refusal(facts)
    if refusal:
        raise ValidationError(refusal)
    if error := ffe_rules.merge_by_error(facts, merge_by):
        raise ValidationError({"merge_by": error})
    ffe = FeatureFreezeException(
        blueprint=blueprint,
        requested_by=actor,
        requested_on=today,
        rationale=rationale,
        merge_by=merge_by,
        risk=risk,
        risk_notes=risk_notes,
    )
    save_audited(
        ffe,
        actor=actor,
        action="create",
        changes={
            "status": (None, ffe.status),
            "merge_by": (None, merge_by),
            "risk": (None, risk),
        },
    )
    return ffe


@transaction.atomic
def ffe_decide(
    *,
    ffe: FeatureFreezeException,
    actor: Actor,
    granted: bool,
    note: str = "",
    today: date | None = None,
) -> FeatureFreezeException:
    """The PTL grants or denies a requested FFE.

    A grant is refused once the series' cap on granted FFEs is reached (the policy row is
    locked so two grants at once cannot both take the last place) or when the merge-by date
    has already passed.
    """
    perms.check(actor, perms.can_decide_ffe(actor, ffe), "Only the PTL decides FFEs.")
    today = today or clock.today()
    ffe = (
        FeatureFreezeException.objects.select_for_update()
        .select_related("blueprint", "blueprint__project", "blueprint__series")
        .get(pk=ffe.pk)
    )
    if ffe.status != FFEStatus.REQUESTED:
        raise ValidationError(f"This FFE was already decided ({ffe.status}).", code="conflict")
    if granted:
        project, series = ffe.blueprint.project, ffe.blueprint.series
        policy = (
            FFEPolicy.objects.select_for_update().filter(project=project, series=series).first()
        )
        if policy and policy.max_granted is not None:
            count = selectors.ffe_granted_count(project=project, series=series)
            if count >= policy.max_granted:
                raise ValidationError(
                    f"The cap of {policy.max_granted} granted FFEs for {series.name} is reached.",
                    code="conflict",
                )
        if ffe.merge_by < today:
            raise ValidationError(
                "The merge-by date has passed: the request can only be denied.", code="conflict"
            )
    status = FFEStatus.GRANTED if granted else FFEStatus.DENIED
    diff = apply_changes(
        ffe,
        {"status": status, "decided_by": actor, "decided_on": today, "decision_note": note},
    )
    save_audited(ffe, actor=actor, action="transition", changes=diff)
    signals.send_on_commit(
        signals.ffe_decided,
        sender=FeatureFreezeException,
        ffe_id=ffe.pk,
        old=FFEStatus.REQUESTED.value,
        status=status.value,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        at=timezone.now(),
    )
    return ffe


@transaction.atomic
def ffe_mark_merged(*, ffe: FeatureFreezeException, actor: Actor) -> FeatureFreezeException:
    """Granted → Merged, by the blueprint's squad lead or the PTL, on or before merge-by, on
    the server's day (a client does not choose when it merged)."""
    perms.check(
        actor, perms.can_close_ffe(actor, ffe), "Only the squad's lead or the PTL closes FFEs."
    )
    merged_on = clock.today()
    ffe = FeatureFreezeException.objects.select_for_update().get(pk=ffe.pk)
    if ffe.status != FFEStatus.GRANTED:
        raise ValidationError(
            f"Only a granted FFE can be marked merged (this one is {ffe.status}).",
            code="conflict",
        )
    if merged_on > ffe.merge_by:
        raise ValidationError(
            f"The merge-by date ({ffe.merge_by:%Y-%m-%d}) passed: this FFE has expired."
        )
    diff = apply_changes(ffe, {"status": FFEStatus.MERGED, "closed_on": merged_on})
    save_audited(ffe, actor=actor, action="transition", changes=diff)
    return ffe


@transaction.atomic
def ffe_expire_overdue(*, today: date | None = None) -> int:
    """Granted FFEs whose merge-by date has passed become Expired (idempotent: expired ones
    are not granted any more). Returns how many expired now."""
    today = today or clock.today()
    overdue = (
        FeatureFreezeException.objects.select_for_update()
        .filter(status=FFEStatus.GRANTED, merge_by__lt=today)
        .order_by("pk")
    )
    count = 0
    for ffe in overdue:
        diff = apply_changes(ffe, {"status": FFEStatus.EXPIRED, "closed_on": today})
        save_audited(ffe, actor=None, action="transition", changes=diff)
        count += 1
    return count


@transaction.atomic
def ffe_policy_set(
    *,
    project: Project,
    series: Series,
    actor: Actor,
    request_cutoff: date | None = None,
    max_granted: int | None = None,
    notes: str = "",
) -> FFEPolicy:
    """Create or change a series' FFE policy (the PTL's call)."""
    perms.check(actor, perms.can_set_ffe_policy(actor, project), "Only the PTL sets FFE policy.")
    policy = FFEPolicy.objects.filter(project=project, series=series).first()
    values = {"request_cutoff": request_cutoff, "max_granted": max_granted, "notes": notes}
    if policy is None:
        policy = FFEPolicy(project=project, series=series, **values)
        save_audited(
            policy, actor=actor, action="create", changes={k: (None, v) for k, v in values.items()}
        )
        return policy
    diff = apply_changes(policy, values)
    if diff:
        save_audited(policy, actor=actor, action="update", changes=diff)
    return policy


@transaction.atomic
def ffe_policy_delete(*, policy: FFEPolicy, actor: Actor) -> None:
    perms.check(
        actor, perms.can_set_ffe_policy(actor, policy.project), "Only the PTL sets FFE policy."
    )
    audit_record(actor=actor, obj=policy, action="delete")
    policy.delete()
