"""Re-plans: what a cascade re-planning changed, as typed rows that undo reads back.

The audit trail records each changed date too (who, when, from what to what); these rows are
the mechanism: ``planner.replan_services.replan_undo`` restores exactly the values listed here.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from blueprints.models import FeatureFreezeException
from releases.models import Event, Series, Week


class Replan(models.Model):
    """One applied re-plan of a series: an event moved (with what follows) or the whole cycle
    shifted. ``undone_at`` is set when it is undone; a re-plan is undone at most once."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="replans")
    event_key = models.CharField(
        max_length=80, blank=True, help_text="The event moved; empty for a whole-cycle shift."
    )
    new_date = models.DateField(null=True, blank=True, help_text="Where the event was moved.")
    shift_days = models.IntegerField(default=0, help_text="Whole-cycle shift; 0 for a move.")
    fingerprint = models.CharField(max_length=32, help_text="Of the dates the preview saw.")
    preview = models.JSONField(default=dict, help_text="What the preview showed (for reading).")
    old_start_week = models.DateField(null=True, blank=True)
    old_release_week = models.DateField(null=True, blank=True)
    new_start_week = models.DateField(null=True, blank=True)
    new_release_week = models.DateField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replans_applied",
    )
    applied_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replans_undone",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = "re-plan"
        constraints = [
            models.CheckConstraint(
                condition=~Q(event_key="") | ~Q(shift_days=0), name="replan_moves_something"
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_at__gte=F("applied_at")),
                name="replan_undone_after_applied",
            ),
        ]

    def __str__(self) -> str:
        if self.event_key:
            what = f"{self.event_key} → {self.new_date}"
        else:
            what = f"{self.shift_days:+d} d"
        return f"re-plan #{self.pk} of {self.series.name}: {what}"

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


class ReplanEventChange(models.Model):
    """An event's date (and week) before and after the re-plan."""

    replan = models.ForeignKey(Replan, on_delete=models.CASCADE, related_name="event_changes")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="replan_changes")
    ordinal = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the event's days moved (0: the first, the event's date)."
    )
    old_date = models.DateField()
    new_date = models.DateField()
    old_week = models.ForeignKey(
        Week, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_week = models.ForeignKey(
        Week, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["replan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["replan", "event"], name="replan_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event.key}: {self.old_date} → {self.new_date}"


class ReplanWeekChange(models.Model):
    """A week moved by a whole-cycle shift."""

    replan = models.ForeignKey(Replan, on_delete=models.CASCADE, related_name="week_changes")
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="replan_changes")
    old_start = models.DateField()
    old_end = models.DateField()
    new_start = models.DateField()
    new_end = models.DateField()

    class Meta:
        ordering = ["replan_id", "old_start"]
        constraints = [
            models.UniqueConstraint(fields=["replan", "week"], name="replan_week_once"),
        ]

    def __str__(self) -> str:
        return f"week {self.old_start} → {self.new_start}"


class ReplanFFEChange(models.Model):
    """An open FFE's merge-by date clamped to the new RC1."""

    replan = models.ForeignKey(Replan, on_delete=models.CASCADE, related_name="ffe_changes")
    ffe = models.ForeignKey(FeatureFreezeException, on_delete=models.CASCADE, related_name="+")
    old_merge_by = models.DateField()
    new_merge_by = models.DateField()

    class Meta:
        ordering = ["replan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["replan", "ffe"], name="replan_ffe_once"),
        ]

    def __str__(self) -> str:
        return f"FFE {self.ffe_id}: merge-by {self.old_merge_by} → {self.new_merge_by}"
