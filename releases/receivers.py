"""Keep branch cuts current: enqueue their recomputation after every change that moves them.

Every enqueue happens after commit (``core.outbox.enqueue_on_commit``): a worker must see
the committed rows, a rolled-back edit must not trigger anything, and a broker outage keeps the
work as a ``PendingTask`` instead of failing the edit. Imports announce themselves through
``signals.schedule_changed`` (sent after commit, bulk writes send no ``post_save``); admin and
service edits of rules, policies and events come through ``post_save``/``post_delete``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.outbox import enqueue_on_commit
from releases import signals
from releases.models import BranchPolicy, BranchRule, Event, Occurrence
from releases.tasks import compute_branch_cuts, recompute_all_branch_cuts


@receiver(signals.schedule_changed, dispatch_uid="branch_cuts_on_schedule_changed")
def schedule_changed(sender: Any, series_ids: list[int], **kwargs: Any) -> None:
    for series_id in series_ids:
        enqueue_on_commit(compute_branch_cuts, series_id)


@receiver(post_save, sender=BranchRule, dispatch_uid="branch_cuts_on_rule_save")
@receiver(post_delete, sender=BranchRule, dispatch_uid="branch_cuts_on_rule_delete")
def rule_changed(sender: Any, instance: BranchRule, **kwargs: Any) -> None:
    # A rule applies to every series its release model appears in: recompute them all.
    enqueue_on_commit(recompute_all_branch_cuts)


@receiver(post_save, sender=BranchPolicy, dispatch_uid="branch_cuts_on_policy_save")
@receiver(post_delete, sender=BranchPolicy, dispatch_uid="branch_cuts_on_policy_delete")
def policy_changed(sender: Any, instance: BranchPolicy, **kwargs: Any) -> None:
    if instance.series_id is not None:
        enqueue_on_commit(compute_branch_cuts, instance.series_id)
    else:
        enqueue_on_commit(recompute_all_branch_cuts)


@receiver(post_save, sender=Event, dispatch_uid="branch_cuts_on_event_save")
@receiver(post_delete, sender=Event, dispatch_uid="branch_cuts_on_event_delete")
def event_changed(sender: Any, instance: Event, **kwargs: Any) -> None:
    # Only cross-project events anchor cuts; any kind may have been an anchor before the edit.
    if instance.team or kwargs.get("raw"):
        return
    enqueue_on_commit(compute_branch_cuts, instance.series_id)


@receiver(post_save, sender=Event, dispatch_uid="first_occurrence_on_event_save")
def event_first_occurrence(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    """An event saved one at a time (admin, services, generated schedules) keeps its first
    occurrence on its date: a new event gets one, listed in its own series; a moved one takes
    its first occurrences along, each keeping its length. The importer writes occurrences in
    bulk itself (bulk writes send no ``post_save``)."""
    if kwargs.get("raw"):
        return
    if created:
        Occurrence.objects.create(
            event=instance,
            listing_id=instance.series_id,
            date=instance.date,
            end_date=instance.date,
            week_id=instance.week_id,
            rule=instance.rule,
            source=instance.source,
        )
        return
    moved = [
        o for o in Occurrence.objects.filter(event=instance, ordinal=0) if o.date != instance.date
    ]
    for occurrence in moved:
        occurrence.end_date = instance.date + (occurrence.end_date - occurrence.date)
        occurrence.date = instance.date
    if moved:
        Occurrence.objects.bulk_update(moved, ["date", "end_date"])
