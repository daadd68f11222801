from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Delivery, DigestSent, Webhook
from notifications.services import webhook_save


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "events", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]

    def save_model(self, request: HttpRequest, obj: Webhook, form: object, change: bool) -> None:
        webhook_save(
            webhook=obj,
            actor=request.user,
            changed=list(getattr(form, "changed_data", [])) if change else None,
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only (rows are written by the delivery task)."""

    list_display = ["id", "event", "webhook", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["source", "last_error"]
    list_select_related = ["webhook"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["lead", "deadline", "as_of", "emailed", "sent_at"]
    list_select_related = ["lead", "deadline"]
    readonly_fields = [f.name for f in DigestSent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
