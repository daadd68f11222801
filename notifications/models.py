"""Webhooks, their delivery log, and the record of deadline digests sent (idempotence)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notifications import egress
from releases.models import Event


class WebhookEvent(models.TextChoices):
    DIGEST = "digest", "deadline digest"
    BLUEPRINT_STATUS = "blueprint.status", "blueprint implementation status changed"
    FFE_DECISION = "ffe.decision", "FFE granted or denied"


class Webhook(models.Model):
    """An HTTP endpoint that receives JSON POSTs for the events it subscribes to, signed with
    its secret (``X-Planner-Signature: t=<time>,v1=<HMAC-SHA256 of "<time>." + body>``).
    Its URL must resolve to public addresses only (``notifications.egress``)."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=500,
        verbose_name="URL",
        help_text="http(s) endpoint on a public address (never private, loopback or link-local).",
    )
    secret = models.CharField(
        max_length=200, help_text="Shared secret for the X-Planner-Signature HMAC."
    )
    events = models.JSONField(
        default=list,
        blank=True,
        help_text='Events it wants: any of "digest", "blueprint.status", "ffe.decision".',
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def clean(self) -> None:
        if not isinstance(self.events, list) or not set(self.events) <= set(WebhookEvent.values):
            raise ValidationError(
                {"events": f"A list of events among {', '.join(WebhookEvent.values)}."}
            )
        if not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": "Only http(s) endpoints."})
        try:
            egress.check_url(self.url)
        except egress.UnsafeDestination as exc:
            raise ValidationError({"url": f"Refused: {exc}."}) from None

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"


class Delivery(models.Model):
    """One event sent to one webhook, with every attempt (the delivery log).

    ``source`` names what caused it (``audit:<id>``, ``digest:<user>:<event ids>``) so that an
    event is delivered once per webhook however often its trigger runs.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    source = models.CharField(max_length=200, help_text="What caused the delivery.")
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    attempt_log = models.JSONField(
        default=list, blank=True, help_text="[{at, response_code, error}] per attempt."
    )
    last_error = models.TextField(blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event", "source"], name="delivery_unique_source"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} to {self.webhook.name} ({self.status})"


class DigestSent(models.Model):
    """A deadline digest sent to a squad lead: one row per (lead, deadline) so each is sent
    once, whatever the number of runs."""

    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    deadline = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="digests_sent")
    sent_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField(help_text="The day the digest was computed for.")
    emailed = models.BooleanField(default=False)
    content = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        constraints = [
            models.UniqueConstraint(fields=["lead", "deadline"], name="digest_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"digest to {self.lead} for {self.deadline.key}"
