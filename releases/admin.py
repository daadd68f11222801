from django.contrib import admin

from releases.models import Deliverable, DeliverableSeries, Event, ImportRun, Series, Week


class WeekInline(admin.TabularInline):
    model = Week
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "release_id", "status", "start_week", "release_week", "length_weeks"]
    list_filter = ["status"]
    search_fields = ["name", "release_id"]
    inlines = [WeekInline]


@admin.register(Week)
class WeekAdmin(admin.ModelAdmin):
    list_display = ["series", "name", "start", "end"]
    list_filter = ["series"]
    list_select_related = ["series"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["key", "series", "kind", "title", "date", "rule", "team"]
    list_filter = ["series", "kind", "rule"]
    search_fields = ["key", "title", "team"]
    list_select_related = ["series"]
    raw_id_fields = ["week"]


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(DeliverableSeries)
class DeliverableSeriesAdmin(admin.ModelAdmin):
    list_display = ["deliverable", "series", "team", "type", "release_model"]
    list_filter = ["release_model", "type", "series"]
    search_fields = ["deliverable__name", "team"]
    list_select_related = ["deliverable", "series"]
    raw_id_fields = ["deliverable"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["path", "started_at", "finished_at", "actor"]
    readonly_fields = ["path", "started_at", "finished_at", "actor", "stats"]
