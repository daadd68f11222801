"""Applying a service's changes to a model instance and knowing what really changed."""

from __future__ import annotations

from typing import Any

from django.db import models


def value_differs(obj: models.Model, field: str, new: Any) -> bool:
    """Would setting ``field`` to ``new`` change ``obj``? (Relations compare by key.)"""
    model_field = obj._meta.get_field(field)
    if model_field.is_relation and model_field.many_to_one:
        old_pk = getattr(obj, model_field.attname)
        return old_pk != (new.pk if new is not None else None)
    return getattr(obj, field) != new


def apply_changes(obj: models.Model, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set ``changes`` on ``obj``; return {field: (old, new)} for the values that differ."""
    diff: dict[str, tuple[Any, Any]] = {}
    for field, new in changes.items():
        if value_differs(obj, field, new):
            diff[field] = (getattr(obj, field), new)
            setattr(obj, field, new)
    return diff
