"""Writes to a blueprint's spec document (``BlueprintSpec``): what the specs import keeps of the
spec file a blueprint comes from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from blueprints.models import Blueprint, BlueprintSpec
from core.actors import Actor
from core.audit import save_audited
from core.changes import apply_changes
from squads import permissions as perms

SPEC_FIELDS = {
    "source",
    "linked_by",
    "digest",
    "sections",
    "people",
    "dependencies",
    "gerrit",
    "imported",
}


def _audit_form(field: str, value: Any) -> Any:
    """The audit trail keeps a spec's shape, not its text (a spec is tens of kilobytes)."""
    if field == "sections":
        return [section["title"] for section in value or []]
    if field == "people":
        return [f"{person['role']}: {person['token']}" for person in value or []]
    if field == "dependencies":
        return [dependency["text"][:120] for dependency in value or []]
    if field == "gerrit":
        return [ref["change_id"] or ref["url"] for ref in value or []]
    return value


@transaction.atomic
def blueprint_spec_set(
    *,
    blueprint: Blueprint,
    actor: Actor,
    contributors: Iterable[AbstractBaseUser],
    **fields: Any,
) -> tuple[BlueprintSpec, bool]:
    """Create or update ``blueprint``'s spec document (its squad's lead or the PTL); return it
    and whether anything changed. Unchanged values write nothing, so a re-import of the same
    spec leaves no audit row."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, links its spec.",
    )
    unknown = set(fields) - SPEC_FIELDS
    if unknown:
        raise TypeError(f"blueprint_spec_set() got unknown fields {sorted(unknown)}")
    wanted = {user.pk: user for user in contributors}
    spec = BlueprintSpec.objects.filter(blueprint=blueprint).first()
    if spec is None:
        spec = BlueprintSpec(blueprint=blueprint, **fields)
        changes = {k: (None, _audit_form(k, v)) for k, v in fields.items() if v not in ("", [])}
        if wanted:
            changes["contributors"] = (None, sorted(u.get_username() for u in wanted.values()))
        save_audited(spec, actor=actor, action="create", changes=changes)
        spec.contributors.set(wanted.values())
        return spec, True
    diff = apply_changes(spec, fields)
    current = {user.pk: user for user in spec.contributors.all()}
    changes = {k: (_audit_form(k, old), _audit_form(k, new)) for k, (old, new) in diff.items()}
    if set(current) != set(wanted):
        changes["contributors"] = (
            sorted(u.get_username() for u in current.values()),
            sorted(u.get_username() for u in wanted.values()),
        )
    if not changes:
        return spec, False
    spec.updated_at = timezone.now()
    save_audited(spec, actor=actor, action="update", changes=changes)
    if "contributors" in changes:
        spec.contributors.set(wanted.values())
    return spec, True
