"""The one way services record what they changed (see ``core.models.AuditEntry``)."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.models import AuditEntry


def jsonable(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value for the audit trail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return items if isinstance(value, list | tuple) else sorted(items, key=str)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    at: dt.datetime | None = None,
) -> list[AuditEntry]:
    """Write one audit row per changed field of ``obj`` (one row with no field if none).

    Call it inside the service's ``transaction.atomic`` block so the change and its trail
    commit or roll back together. ``actor`` None (or anonymous) means a system process.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    at = at or timezone.now()
    base = {
        "content_type": content_type,
        "object_id": obj.pk,
        "object_repr": str(obj)[:200],
        "action": action,
        "actor": user,
        "at": at,
    }
    items = changes or {}
    rows = [
        AuditEntry(**base, field=field, old=jsonable(old), new=jsonable(new))
        for field, (old, new) in items.items()
    ] or [AuditEntry(**base)]
    return AuditEntry.objects.bulk_create(rows)


def save_audited(
    obj: models.Model,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    changes: dict[str, tuple[Any, Any]],
) -> None:
    """The services' write: validate, save, and record the change in the same transaction."""
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, obj=obj, action=action, changes=changes)
