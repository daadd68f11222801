"""Admin for the audit trail (read-only) and the mixin that audits admin edits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from core.audit import audit_record
from core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows other code writes (syncs, computations, deliveries): listed here, never added or
    changed by hand; deleting stays possible."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AppendOnlyAdmin(ReadOnlyAdmin):
    """A record that is evidence (the audit trail, the typed history): not deleted either."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits bypass the services (the admin is the superuser's escape hatch), but they
    still leave an audit row per changed field, written in the admin's transaction."""

    # Links are https today; also silences Django 6.0's change of the default scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        changes = {
            name: (form.initial.get(name) if change else None, form.cleaned_data.get(name))
            for name in form.changed_data
        }
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            obj=obj,
            action="update" if change else "create",
            changes=changes,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (a series' weeks) are saved by the formset, not save_model: audit them too.
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            audit_record(actor=request.user, obj=obj, action="delete")
        for obj in formset.new_objects:
            audit_record(actor=request.user, obj=obj, action="create")
        for obj, fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                obj=obj,
                action="update",
                changes={name: (None, getattr(obj, name, None)) for name in fields},
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit_record(actor=request.user, obj=obj, action="delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            audit_record(actor=request.user, obj=obj, action="delete")
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(AppendOnlyAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr", "field", "old", "new"]
    list_filter = ["action", "content_type", "field"]
    search_fields = ["object_repr", "field", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]

    # The trail is evidence: nobody edits or deletes it, not even in the admin (AppendOnlyAdmin).
