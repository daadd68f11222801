from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    BlueprintHistory,
    BlueprintSpec,
    FeatureFreezeException,
    FFEPolicy,
    Review,
    ReviewLink,
    SyncState,
    WorkItem,
)
from blueprints.services.history import history_record
from core.admin import AppendOnlyAdmin, AuditedAdmin, ReadOnlyAdmin


class WorkItemInline(admin.TabularInline):
    model = WorkItem
    extra = 0
    autocomplete_fields = ["assignee"]


class DependencyInline(admin.TabularInline):
    model = BlueprintDependency
    fk_name = "blueprint"
    extra = 0
    autocomplete_fields = ["depends_on"]
    verbose_name = "depends on"


class SpecInline(admin.StackedInline):
    """The spec a blueprint was imported from: written by ``import_specs`` only (read-only
    here, so what the page renders is what the import read)."""

    model = BlueprintSpec
    extra = 0
    can_delete = False
    fields = ["source", "linked_by", "digest", "updated_at", "contributors"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Blueprint | None = None) -> bool:
        return False


@admin.register(Blueprint)
class BlueprintAdmin(AuditedAdmin):
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The admin bypasses the services; the typed history still gets its row (the
        # blueprint and its work items as saved).
        super().save_related(request, form, formsets, change)
        history_record(blueprint=form.instance)

    list_display = [
        "name",
        "series",
        "squad",
        "priority",
        "definition_status",
        "implementation_status",
        "target_milestone",
        "assignee",
    ]
    list_filter = ["series", "squad", "priority", "implementation_status", "definition_status"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["assignee", "drafter", "approver"]
    readonly_fields = ["date_created", "date_started", "date_completed"]
    list_select_related = ["series", "squad", "target_milestone", "assignee"]
    inlines = [SpecInline, WorkItemInline, DependencyInline]


@admin.register(WorkItem)
class WorkItemAdmin(AuditedAdmin):
    list_display = ["title", "blueprint", "assignee", "status", "milestone", "order"]
    list_filter = ["status"]
    search_fields = ["title", "blueprint__name"]
    autocomplete_fields = ["blueprint", "assignee"]
    list_select_related = ["blueprint", "assignee"]


@admin.register(BlueprintDependency)
class BlueprintDependencyAdmin(AuditedAdmin):
    list_display = ["blueprint", "depends_on"]
    autocomplete_fields = ["blueprint", "depends_on"]
    list_select_related = ["blueprint", "depends_on"]


@admin.register(FeatureFreezeException)
class FeatureFreezeExceptionAdmin(AuditedAdmin):
    list_display = [
        "blueprint",
        "status",
        "requested_by",
        "requested_on",
        "merge_by",
        "decided_by",
    ]
    list_filter = ["status", "risk"]
    search_fields = ["blueprint__name", "rationale"]
    autocomplete_fields = ["blueprint", "requested_by", "decided_by"]
    list_select_related = ["blueprint", "requested_by", "decided_by"]


@admin.register(FFEPolicy)
class FFEPolicyAdmin(AuditedAdmin):
    list_display = ["project", "series", "request_cutoff", "max_granted"]
    list_filter = ["series"]


class ReviewLinkInline(admin.TabularInline):
    model = ReviewLink
    extra = 0
    autocomplete_fields = ["blueprint"]


@admin.register(Review)
class ReviewAdmin(AuditedAdmin):
    """Reviews come from Gerrit (``sync_gerrit``); edits here are overwritten by the next sync."""

    list_display = ["number", "subject", "repository", "branch", "status", "owner", "updated"]
    list_filter = ["status", "repository"]
    search_fields = ["=number", "subject", "change_id", "blueprints__name"]
    inlines = [ReviewLinkInline]


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    """The last sync of each project (and series): read-only, written by the syncs."""

    list_display = ["source", "project", "series", "synced_at", "summary"]
    list_filter = ["source", "project"]
    readonly_fields = ["source", "project", "series", "url", "synced_at", "summary", "counts"]
    exclude = ["etags"]


@admin.register(BlueprintHistory)
class BlueprintHistoryAdmin(AppendOnlyAdmin):
    """Append-only: written by the services, read here."""

    list_display = ["blueprint", "day", "implementation_status", "squad", "target_milestone"]
    list_filter = ["series", "implementation_status"]
    search_fields = ["blueprint__name"]
    list_select_related = ["blueprint", "squad", "target_milestone"]
