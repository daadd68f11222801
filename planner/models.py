"""Cross-app models: the audit trail every service writes to."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    TRANSITION = "transition", "status transition"


class AuditEntry(models.Model):
    """One changed field of one object: who changed it, when, from what to what.

    Written by the service that makes the change, in the same transaction (Zulip's
    ``do_*`` actions log with their ``acting_user``). A row per field keeps the history
    queryable: a burn-up chart reads ``field="implementation_status"`` rows of blueprints.
    ``old``/``new`` hold JSON values (model instances as their string, dates as ISO strings).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    # Rows outlive deleted objects on purpose: the history of a removed work item stays.
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    field = models.CharField(max_length=60, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Empty when a system process (import, scheduled task) made the change.",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["field", "at"]),
        ]

    def __str__(self) -> str:
        what = f" {self.field}" if self.field else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}{what}"
