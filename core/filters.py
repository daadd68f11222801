"""Query parameters that answer the same way everywhere: a value the API does not know is a 400
naming the parameter, never an empty list that looks like an answer.

- ``ExistingValueFilter`` / ``ExistingIdFilter``: a parameter naming an object (``?squad=ci``,
  ``?series=ocata``, ``?assignee=jdoe``, ``?blueprint=12``); an unknown one answers
  ``{"squad": ["No squad with slug 'x'."]}``. (An unknown object in the *path* is a 404, as
  DRF answers.)
- ``StrictBooleanFilter``: ``true``/``false`` (or ``1``/``0``); anything else is a 400, where
  django-filter's own boolean quietly ignores it.
- ``StrictOrderingFilter``: ``?ordering=`` with known fields only, described in the schema as
  the list of those fields; the primary key breaks ties, so pages never overlap.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request


class ExistingMixin:
    """A form field whose value must name an existing row of ``known`` in one of the fields
    ``known_field`` names (a field, or a tuple of fields any of which may match)."""

    def __init__(
        self, *args: Any, known: QuerySet, known_field: str | tuple[str, ...], **kwargs: Any
    ) -> None:
        self.known = known
        self.known_fields = (known_field,) if isinstance(known_field, str) else known_field
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)  # type: ignore[misc]
        if value in (None, ""):
            return
        match = Q()
        for field in self.known_fields:
            match |= Q(**{field: value})
        if self.known.filter(match).exists():
            return
        model = self.known.model._meta.verbose_name
        fields = " or ".join(f.split("__")[0] for f in self.known_fields)
        raise DjangoValidationError(f"No {model} with {fields} %(value)r.", params={"value": value})


class ExistingValueField(ExistingMixin, forms.CharField):
    pass


class ExistingIdField(ExistingMixin, forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Within a database key's range: a larger number names nothing (and overflows queries).
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class ExistingValueFilter(filters.CharFilter):
    """``?squad=ci`` filters on ``field_name`` (``squad__slug``); a value no row of
    ``queryset`` has in ``to_field_name`` is a 400 naming the parameter."""

    field_class = ExistingValueField

    def __init__(
        self,
        field_name: str | None = None,
        *,
        queryset: QuerySet,
        to_field_name: str | tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(field_name, known=queryset, known_field=to_field_name, **kwargs)


@extend_schema_field(OpenApiTypes.INT)  # an id, not any number
class ExistingIdFilter(filters.NumberFilter):
    """``?blueprint=12``: an id no row of ``queryset`` has is a 400 naming the parameter."""

    field_class = ExistingIdField

    def __init__(self, field_name: str | None = None, *, queryset: QuerySet, **kwargs: Any) -> None:
        super().__init__(field_name, known=queryset, known_field="pk", **kwargs)


TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


class StrictBooleanField(forms.Field):
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise DjangoValidationError("Give true or false, not %(value)r.", params={"value": value})


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=name,-priority``: known fields only (a 400 names the unknown ones), with the
    primary key as the last tie-breaker."""

    def remove_invalid_fields(
        self, queryset: QuerySet, fields: list[str], view: Any, request: Request
    ) -> list[str]:
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [f for f in fields if f and f not in valid]
        if unknown:
            allowed = self.allowed_terms(queryset, view, request)
            raise ValidationError(
                {self.ordering_param: [f"Unknown ordering {unknown}: use {', '.join(allowed)}."]}
            )
        return valid

    def allowed_terms(self, queryset: QuerySet, view: Any, request: Request) -> list[str]:
        names = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        return [term for name in names for term in (name, f"-{name}")]

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str] | None:
        # ``?ordering=a,-b`` or ``?ordering=a&ordering=-b`` (how clients send a list).
        values = request.query_params.getlist(self.ordering_param)
        fields = [f.strip() for value in values for f in value.split(",") if f.strip()]
        ordering = fields and self.remove_invalid_fields(queryset, fields, view, request)
        ordering = ordering or self.get_default_ordering(view)
        if ordering and not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        queryset = view.get_queryset() if hasattr(view, "get_queryset") else None
        terms = self.allowed_terms(queryset, view, getattr(view, "request", None))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Sort by these fields (repeated, or comma-separated); `-` for descending."
                ),
                "schema": {"type": "array", "items": {"type": "string", "enum": terms}},
            }
        ]
