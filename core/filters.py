"""Filters shared by the apps' FilterSets."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

#: The largest id a row can have (a signed 64-bit key); larger ones are a 400, not a 500.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """``?blueprint=42``: a whole number from 1 to ``MAX_ID`` (400 naming the parameter
    otherwise; a decimal of 20 digits would reach the database and overflow there)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
