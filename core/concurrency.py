"""Optimistic concurrency for edits: refuse a change made on top of a value that moved.

A form (or API client) sends back the values its user saw; the service locks the row,
compares, and refuses with ``StaleEdit`` when someone else changed one of those fields in the
meantime, instead of silently overwriting their work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models


class StaleEdit(Exception):
    """The object changed since the editor loaded it; nothing was saved."""

    def __init__(self, obj: models.Model, field: str, seen: str, current: str) -> None:
        self.field, self.seen, self.current = field, seen, current
        label = obj._meta.get_field(field).verbose_name
        super().__init__(
            f"{obj} was changed by someone else while you edited it: its {label} is now "
            f"“{current or 'none'}” (you saw “{seen or 'none'}”). Your change was not saved; "
            f"reload and try again."
        )


def field_token(obj: models.Model, field: str) -> str:
    """The form-friendly value of ``field``: a related object's key, '' for empty."""
    model_field = obj._meta.get_field(field)
    value = getattr(obj, model_field.attname)
    return "" if value is None else str(value)


def field_display(obj: models.Model, field: str) -> str:
    value = getattr(obj, field)
    return "" if value is None else str(value)


def check_unchanged(obj: models.Model, expected: Mapping[str, str]) -> None:
    """Raise StaleEdit if any ``field`` of ``obj`` no longer holds the value its editor saw."""
    for field, seen in expected.items():
        if field_token(obj, field) != str(seen):
            raise StaleEdit(
                obj, field, _display_seen(obj, field, str(seen)), field_display(obj, field)
            )


def lock_and_check(obj: models.Model, expected: Mapping[str, str] | None) -> models.Model:
    """Re-read ``obj`` under a row lock and check it; call inside the service's transaction.

    Returns the locked, fresh instance (the caller continues with it).
    """
    if not expected:
        return obj
    fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_unchanged(fresh, expected)
    return fresh


def _display_seen(obj: models.Model, field: str, seen: str) -> str:
    model_field = obj._meta.get_field(field)
    if model_field.is_relation and seen:
        related: Any = model_field.related_model._default_manager.filter(pk=seen).first()
        return str(related) if related is not None else seen
    return seen
