"""Plumbing every app uses: the audit trail and the outbox of tasks waiting for the broker.

Both tables were created by the ``planner`` app before ``core`` existed; they keep their table
names (``db_table``) so moving the models here needed no data migration.
"""

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
        db_table = "planner_auditentry"
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "at"], name="planner_aud_content_5dab40_idx"
            ),
            models.Index(fields=["field", "at"], name="planner_aud_field_644749_idx"),
        ]

    def __str__(self) -> str:
        what = f" {self.field}" if self.field else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}{what}"


class PendingTask(models.Model):
    """A Celery task that could not be sent because the broker was down (an outbox row).

    Written by ``core.outbox.enqueue_on_commit`` in the same transaction as the write
    that asked for the work, and sent again (then deleted) when the broker is back: by the
    periodic ``core.tasks.send_pending_tasks``, at a worker's start, and after the next
    successful enqueue. Tasks are idempotent, so a row sent twice does no harm.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # The Celery task id it will be sent with, so a caller can follow the result.
    task_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        db_table = "planner_pendingtask"
        verbose_name = "pending task"
        verbose_name_plural = "pending tasks"

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)} pending since {self.created_at:%Y-%m-%d %H:%M}"
