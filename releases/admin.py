from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyAdmin
from releases.models import (
    BranchActual,
    BranchCut,
    BranchPolicy,
    BranchRule,
    Deliverable,
    DeliverableSeries,
    Event,
    ImportRun,
    Occurrence,
    Series,
    Week,
)


class WeekInline(admin.TabularInline):
    model = Week
    extra = 0


@admin.register(Series)
class SeriesAdmin(AuditedAdmin):
    list_display = ["name", "release_id", "status", "start_week", "release_week", "length_weeks"]
    list_filter = ["status"]
    search_fields = ["name", "release_id"]
    inlines = [WeekInline]


@admin.register(Week)
class WeekAdmin(AuditedAdmin):
    list_display = ["series", "name", "start", "end"]
    list_filter = ["series"]
    list_select_related = ["series"]


class OccurrenceInline(admin.TabularInline):
    """Every day the event happens on, as each series' schedule lists it (the import's)."""

    model = Occurrence
    extra = 0
    fields = ["ordinal", "date", "end_date", "listing", "week", "rule", "primary", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["key", "series", "kind", "title", "date", "rule", "team"]
    list_filter = ["series", "kind", "rule"]
    search_fields = ["key", "title", "team"]
    list_select_related = ["series"]
    raw_id_fields = ["week"]
    inlines = [OccurrenceInline]


@admin.register(Deliverable)
class DeliverableAdmin(AuditedAdmin):
    search_fields = ["name"]


@admin.register(DeliverableSeries)
class DeliverableSeriesAdmin(AuditedAdmin):
    list_display = ["deliverable", "series", "team", "type", "release_model"]
    list_filter = ["release_model", "type", "series"]
    search_fields = ["deliverable__name", "team"]
    list_select_related = ["deliverable", "series"]
    raw_id_fields = ["deliverable"]


@admin.register(ImportRun)
class ImportRunAdmin(AuditedAdmin):
    list_display = ["path", "started_at", "finished_at", "actor"]
    readonly_fields = ["path", "started_at", "finished_at", "actor", "stats"]


# --- Branch cuts -------------------------------------------------------------------------------


@admin.register(BranchRule)
class BranchRuleAdmin(AuditedAdmin):
    """Saving a rule recomputes every series' cuts (releases.receivers)."""

    list_display = ["release_model", "deliverable_type", "anchor_kind", "offset_days"]
    list_editable = ["anchor_kind", "offset_days"]
    list_filter = ["release_model", "anchor_kind"]


@admin.register(BranchPolicy)
class BranchPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "team", "deliverable", "series", "anchor_kind", "offset_days"]
    list_filter = ["team", "anchor_kind"]
    raw_id_fields = ["deliverable"]
    list_select_related = ["deliverable", "series"]


@admin.register(BranchCut)
class BranchCutAdmin(ReadOnlyAdmin, AuditedAdmin):
    """Computed rows: read-only here; change rules, policies or events instead."""

    list_display = [
        "deliverable",
        "series",
        "team",
        "release_model",
        "type",
        "anchor_kind",
        "planned_date",
        "backport_window_days",
        "actual_date",
    ]
    list_filter = ["series", "release_model", "type", "anchor_kind"]
    search_fields = ["deliverable__name", "team"]
    list_select_related = ["deliverable", "series"]


@admin.register(BranchActual)
class BranchActualAdmin(AuditedAdmin):
    list_display = ["deliverable", "series_name", "branch", "merged_on"]
    list_filter = ["series_name"]
    search_fields = ["deliverable"]
