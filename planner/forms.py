"""The re-planning page's form: move one event to a date, or shift the whole cycle."""

from __future__ import annotations

from typing import Any

from django import forms

from core.as_of import EARLIEST, LATEST

#: A whole-cycle shift of more than two years is a typing mistake, not a re-plan.
MAX_SHIFT_DAYS = 730


class ReplanForm(forms.Form):
    event = forms.CharField(required=False, max_length=80)
    date = forms.DateField(required=False, label="New date")
    occurrence = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1000,
        label="Which of its days (0: the first)",
    )

    shift_days = forms.IntegerField(
        required=False,
        min_value=-MAX_SHIFT_DAYS,
        max_value=MAX_SHIFT_DAYS,
        label="Shift the whole cycle by (days)",
    )
    fingerprint = forms.CharField(required=False, max_length=32)
    undo = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean_date(self) -> Any:
        day = self.cleaned_data.get("date")
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(f"A day from {EARLIEST} to {LATEST}.")
        return day

    def params(self) -> dict[str, Any]:
        """The preview's arguments: an event and its new date, or a whole-cycle shift."""
        data = self.cleaned_data
        return {
            "key": (data.get("event") or "").strip() or None,
            "new_date": data.get("date"),
            "shift_days": data.get("shift_days") or None,
            "occurrence": data.get("occurrence") or None,
        }

    @property
    def asks_for_preview(self) -> bool:
        params = self.params()
        return bool(params["key"] or params["shift_days"])
