"""The HTML posts of the squad and blueprint pages, validated by Django forms.

A form only validates what was posted (an id that is not a number, a status Launchpad does not
have, a date that is not one); what may be done is the services' to decide. None of them takes a
day: writes happen on the server's date (``core.clock``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from blueprints.models import Blueprint, FFERisk, ImplementationStatus, WorkItemStatus
from releases.models import Event


class BlueprintEditForm(forms.Form):
    """Status, target milestone and assignee; a page posts the ones it shows, each with the
    value its editor saw (``seen_<field>``), so a change made meanwhile is refused."""

    FIELDS = ("implementation_status", "target_milestone", "assignee")

    implementation_status = forms.ChoiceField(choices=ImplementationStatus.choices)
    target_milestone = forms.ModelChoiceField(queryset=Event.objects.none(), required=False)
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.all(), required=False)

    def __init__(self, data: Any, *, blueprint: Blueprint) -> None:
        super().__init__(data)
        self.fields["target_milestone"].queryset = Event.objects.filter(series=blueprint.series)
        for name in self.FIELDS:
            # Absent from the post: not part of this edit.
            if name not in self.data:
                del self.fields[name]

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def expected(self) -> dict[str, str]:
        return {f: self.data[f"seen_{f}"] for f in self.cleaned_data if f"seen_{f}" in self.data}


class WorkItemEditForm(forms.Form):
    status = forms.ChoiceField(choices=WorkItemStatus.choices)

    def expected(self) -> dict[str, str]:
        return {"status": self.data["seen_status"]} if "seen_status" in self.data else {}


class FFERequestForm(forms.Form):
    rationale = forms.CharField(label="Why it must land after feature freeze", max_length=5000)
    merge_by = forms.DateField(label="Merge by", help_text="YYYY-MM-DD")
    risk = forms.ChoiceField(choices=FFERisk.choices, initial=FFERisk.MEDIUM, required=False)
    risk_notes = forms.CharField(label="Risk notes", required=False, max_length=2000)

    def clean_risk(self) -> str:
        return self.cleaned_data["risk"] or FFERisk.MEDIUM


class FFEDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("deny", "Deny")])
    note = forms.CharField(required=False, max_length=2000)

    @property
    def granted(self) -> bool:
        return self.cleaned_data["decision"] == "grant"
