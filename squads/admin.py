from django.contrib import admin

from core.admin import AuditedAdmin
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["name", "title", "launchpad", "ptl_group"]
    search_fields = ["name", "title"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class AreaExpertInline(admin.TabularInline):
    model = AreaExpert
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Squad)
class SquadAdmin(AuditedAdmin):
    list_display = ["name", "slug", "project", "area"]
    list_filter = ["project"]
    search_fields = ["name", "slug", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, AreaExpertInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["squad", "user", "role", "joined"]
    list_filter = ["role", "squad"]
    search_fields = ["user__username", "squad__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["squad", "user"]


@admin.register(AreaExpert)
class AreaExpertAdmin(AuditedAdmin):
    list_display = ["squad", "user", "topic"]
    list_filter = ["squad"]
    search_fields = ["user__username", "topic"]
    autocomplete_fields = ["user"]
    list_select_related = ["squad", "user"]


@admin.register(SquadGoal)
class SquadGoalAdmin(AuditedAdmin):
    list_display = ["title", "squad", "series", "status", "order"]
    list_filter = ["series", "squad", "status"]
    search_fields = ["title", "description"]
    list_select_related = ["squad", "series"]
