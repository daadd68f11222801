"""Helpers shared by the apps' Django forms."""

from __future__ import annotations

from django import forms


def form_errors(form: forms.Form) -> str:
    """A form's errors as one sentence naming each field ("Merge by: Enter a valid date.")."""
    parts = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ')}"
        for error in errors:
            parts.append(f"{label.capitalize()}: {error}" if label else error)
    return " ".join(parts)
