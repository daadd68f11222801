"""Keep the forecast rows of days (``blueprints.forecast_days``) current: every write that can
change what the forecast or the attention rules say of a blueprint marks its rows dirty, inside
the writing transaction (a rolled-back write leaves them as they were). Fixture loads (``raw``
saves, e.g. ``loaddata``) are left alone, as Django's convention is."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blueprints import forecast_days
from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    BlueprintHistory,
    FeatureFreezeException,
    Review,
    ReviewLink,
)
from releases import signals as release_signals
from releases.models import Event, Occurrence


@receiver(post_save, sender=BlueprintHistory, dispatch_uid="forecast_days_on_history")
def history_written(sender: Any, instance: BlueprintHistory, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    forecast_days.invalidate_history(
        blueprint=instance.blueprint, series_id=instance.series_id, day=instance.day
    )


@receiver(post_save, sender=Blueprint, dispatch_uid="forecast_days_on_blueprint")
def blueprint_saved(sender: Any, instance: Blueprint, created: bool, **kwargs: Any) -> None:
    # A new blueprint has no rows until its first history row.
    if not created and not kwargs.get("raw"):
        forecast_days.invalidate_blueprints([instance.pk])


@receiver(post_save, sender=BlueprintDependency, dispatch_uid="forecast_days_on_dependency_save")
@receiver(post_delete, sender=BlueprintDependency, dispatch_uid="forecast_days_on_dependency_del")
@receiver(post_save, sender=FeatureFreezeException, dispatch_uid="forecast_days_on_ffe_save")
@receiver(post_delete, sender=FeatureFreezeException, dispatch_uid="forecast_days_on_ffe_delete")
@receiver(post_save, sender=ReviewLink, dispatch_uid="forecast_days_on_link_save")
@receiver(post_delete, sender=ReviewLink, dispatch_uid="forecast_days_on_link_delete")
def blueprint_input_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    forecast_days.invalidate_blueprints([instance.blueprint_id])


@receiver(post_save, sender=Review, dispatch_uid="forecast_days_on_review")
def review_saved(sender: Any, instance: Review, created: bool, **kwargs: Any) -> None:
    if not created and not kwargs.get("raw"):  # a new review reaches blueprints through its links
        forecast_days.invalidate_blueprints(
            ReviewLink.objects.filter(review=instance).values_list("blueprint_id", flat=True)
        )


@receiver(post_save, sender=Event, dispatch_uid="forecast_days_on_event_save")
@receiver(post_delete, sender=Event, dispatch_uid="forecast_days_on_event_delete")
@receiver(post_save, sender=Occurrence, dispatch_uid="forecast_days_on_occurrence_save")
@receiver(post_delete, sender=Occurrence, dispatch_uid="forecast_days_on_occurrence_delete")
def schedule_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if isinstance(instance, Event):
        forecast_days.invalidate_series([instance.series_id])
    else:  # its event may be gone already (a cascade): the series by a subquery
        forecast_days.invalidate_series(
            Event.objects.filter(pk=instance.event_id).values("series_id")
        )


@receiver(release_signals.series_touched, dispatch_uid="forecast_days_on_series_touched")
def series_touched(sender: Any, series_ids: list[int], **kwargs: Any) -> None:
    forecast_days.invalidate_series(series_ids)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="forecast_days_on_user")
def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Their assignments were cleared (SET_NULL, no signal): "no assignee" may now hold anywhere.
    forecast_days.invalidate_all()
