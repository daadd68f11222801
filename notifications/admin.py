from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from notifications.models import Delivery, DigestSent, Webhook
from notifications.services import webhook_save


class WebhookForm(forms.ModelForm):
    """The secret is written, never shown: the field is always empty on the page, and left
    empty when changing a webhook it keeps the secret it had."""

    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        label="URL",
        help_text=Webhook._meta.get_field("url").help_text,
    )
    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=200,
        help_text="Shared secret for the X-Planner-Signature HMAC. Never shown again; leave "
        "empty to keep the current one.",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "secret", "events", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""
        if self.instance.pk is None:
            self.fields["secret"].required = True

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or ""
        return secret or (self.instance.secret if self.instance.pk else "")

    @property
    def changed_data(self) -> list[str]:
        # An empty secret field means "unchanged", whatever the stored value is.
        changed = [f for f in super().changed_data if f != "secret"]
        if self.data.get(self.add_prefix("secret")):
            changed.append("secret")
        return changed


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
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
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: read-only (rows are written by the delivery task)."""

    list_display = ["id", "event", "webhook", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["source", "last_error"]
    list_select_related = ["webhook"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["lead", "deadline", "as_of", "emailed", "sent_at"]
    list_select_related = ["lead", "deadline"]
    readonly_fields = [f.name for f in DigestSent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
