"""Cascade re-planning: preview a move (what follows from it), apply it in one transaction,
undo it exactly.

The preview lists every derived change: events moving with the one you move
(``planner.replan.DEPENDENTS``), branch-cut plans whose anchor event moves (planned date =
anchor + offset, so a cut moves by its anchor's delta; backport windows follow the release),
open FFEs whose merge-by date would pass the new RC1 (clamped to it), and blueprints whose target
milestone would fall after the new feature freeze. Applying writes the events through
``Event.save`` (the branch-cut receivers recompute on commit), a ``Replan`` row with one typed
change row per event, week and FFE it moved (``replan_undo`` restores exactly those values), and
an audit row per changed date.

It lives in ``planner`` because it moves release events *and* reads blueprints and FFEs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blueprints.models import OPEN_FFE_STATUSES, Blueprint, FeatureFreezeException
from blueprints.rules import is_complete
from core.actors import Actor
from core.audit import audit_record
from planner import replan
from planner.models import Replan, ReplanEventChange, ReplanFFEChange, ReplanWeekChange
from releases.kinds import FEATURE_FREEZE_KINDS, EventKind, first_of_kinds
from releases.models import BranchCut, Event, Occurrence, Series, Week
from releases.services import series_touch
from squads import permissions as perms


@dataclass
class Preview:
    series: Series
    events: list[replan.EventChange] = field(default_factory=list)
    branch_cuts: list[dict] = field(default_factory=list)
    ffes: list[dict] = field(default_factory=list)
    blueprints: list[dict] = field(default_factory=list)
    shift_days: int = 0
    freeze: tuple[date | None, date | None] = (None, None)
    rc1: tuple[date | None, date | None] = (None, None)

    @property
    def fingerprint(self) -> str:
        """Identifies the dates the preview was computed from: apply refuses a stale one."""
        text = json.dumps([c.as_dict() for c in self.events], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {
            "series": self.series.name,
            "shift_days": self.shift_days,
            "fingerprint": self.fingerprint,
            "feature_freeze": [d.isoformat() if d else None for d in self.freeze],
            "rc1": [d.isoformat() if d else None for d in self.rc1],
            "events": [c.as_dict() for c in self.events],
            "branch_cuts": self.branch_cuts,
            "ffes": self.ffes,
            "blueprints": self.blueprints,
        }


def _rows(series: Series) -> tuple[list[replan.EventRow], dict[str, Event]]:
    events = {e.key: e for e in Event.objects.filter(series=series).order_by("date", "key")}
    rows = [replan.EventRow(e.key, e.kind, e.date, e.title, e.team) for e in events.values()]
    return rows, events


def replan_preview(
    *,
    series: Series,
    key: str | None = None,
    new_date: date | None = None,
    shift_days: int | None = None,
    occurrence: int | None = None,
) -> Preview:
    """Everything that follows from moving event ``key`` to ``new_date`` (or shifting the whole
    cycle by ``shift_days``), without writing anything.

    ``occurrence`` picks which of the event's days moves (0, the default, is the first: the
    event's date, which the cascade follows); a later day moves alone."""
    rows, events = _rows(series)
    if shift_days:
        changes = replan.shift(events=rows, days=shift_days)
    else:
        if key not in events:
            raise ValidationError({"event": f"Series {series.name} has no event {key!r}."})
        if new_date is None:
            raise ValidationError({"date": "Give the new date."})
        days = _days(events[key])
        picked = occurrence or 0
        if picked >= max(len(days), 1):
            raise ValidationError(
                {"occurrence": f"{key} has {len(days)} day(s): give 0 to {len(days) - 1}."}
            )
        row = next(r for r in rows if r.key == key)
        if picked:
            changes = replan.move_occurrence(
                event=row,
                occurrence=picked,
                occurrences=len(days),
                old=days[picked],
                new_date=new_date,
            )
        else:
            changes = replan.cascade(
                events=rows, key=key, new_date=new_date, occurrences=max(len(days), 1)
            )
    preview = Preview(series=series, events=changes, shift_days=shift_days or 0)
    after = replan.new_dates(rows, changes)
    before = {r.key: r.date for r in rows}
    preview.freeze = (
        replan.first_of_kind(rows, before, FEATURE_FREEZE_KINDS),
        replan.first_of_kind(rows, after, FEATURE_FREEZE_KINDS),
    )
    preview.rc1 = (
        replan.first_of_kind(rows, before, (EventKind.RC1,)),
        replan.first_of_kind(rows, after, (EventKind.RC1,)),
    )
    delta = {c.key: c.new - c.old for c in changes if c.occurrence == 0}
    release = first_of_kinds(rows, (EventKind.RELEASE,))
    release_key = release.key if release else None
    new_release = after.get(release_key) if release_key else None
    cuts = BranchCut.objects.filter(series=series, planned_date__isnull=False).select_related(
        "deliverable", "anchor_event"
    )
    for cut in cuts.order_by("deliverable__name"):
        anchor = cut.anchor_event.key if cut.anchor_event_id else None
        moved = delta.get(anchor, timedelta()) if anchor else timedelta()
        planned = cut.planned_date + moved
        window = (new_release - planned).days if new_release else cut.backport_window_days
        if moved or window != cut.backport_window_days:
            preview.branch_cuts.append(
                {
                    "deliverable": cut.deliverable.name,
                    "anchor": anchor,
                    "old": cut.planned_date.isoformat(),
                    "new": planned.isoformat(),
                    "backport_window_days": [cut.backport_window_days, window],
                }
            )
    old_rc1, new_rc1 = preview.rc1
    ffes = FeatureFreezeException.objects.filter(
        blueprint__series=series, status__in=OPEN_FFE_STATUSES
    ).select_related("blueprint")
    for ffe in ffes.order_by("merge_by", "pk"):
        if new_rc1 and ffe.merge_by > new_rc1:
            preview.ffes.append(
                {
                    "id": ffe.pk,
                    "blueprint": ffe.blueprint.name,
                    "status": ffe.status,
                    "old": ffe.merge_by.isoformat(),
                    "new": new_rc1.isoformat(),
                    "reason": f"merge-by may not pass RC1 (now {new_rc1:%d %b %Y}): clamped",
                }
            )
        elif old_rc1 != new_rc1:
            preview.ffes.append(
                {
                    "id": ffe.pk,
                    "blueprint": ffe.blueprint.name,
                    "status": ffe.status,
                    "old": ffe.merge_by.isoformat(),
                    "new": ffe.merge_by.isoformat(),
                    "reason": f"merge-by limit (RC1) moves from {old_rc1} to {new_rc1}",
                }
            )
    old_freeze, new_freeze = preview.freeze
    blueprints = Blueprint.objects.filter(
        series=series, target_milestone__isnull=False
    ).select_related("target_milestone")
    for bp in blueprints.order_by("name"):
        if is_complete(
            implementation_status=bp.implementation_status,
            definition_status=bp.definition_status,
        ):
            continue
        target_old = bp.target_milestone.date
        target_new = after.get(bp.target_milestone.key, target_old)
        was_after = old_freeze is not None and target_old > old_freeze
        now_after = new_freeze is not None and target_new > new_freeze
        if now_after and not was_after:
            preview.blueprints.append(
                {
                    "id": bp.pk,
                    "name": bp.name,
                    "target": bp.target_milestone.key,
                    "target_date": target_new.isoformat(),
                    "reason": f"target now after feature freeze ({new_freeze:%d %b %Y})",
                }
            )
    return preview


def _days(event: Event) -> list[date]:
    """The first day of each of the event's occurrences, by ordinal."""
    first: dict[int, date] = {}
    for ordinal, day in Occurrence.objects.filter(event=event).values_list("ordinal", "date"):
        first.setdefault(ordinal, day)
    return [first[n] for n in sorted(first)]


def _move_days(*, event: Event, ordinal: int | None, delta: timedelta) -> None:
    """Move the event's occurrences of ``ordinal`` (every one but the first days when None:
    those follow ``Event.date`` on save) by ``delta``, each keeping its length, in every
    series' listing."""
    rows = Occurrence.objects.filter(event=event)
    rows = rows.filter(ordinal=ordinal) if ordinal is not None else rows.exclude(ordinal=0)
    moved = list(rows)
    for row in moved:
        row.date += delta
        row.end_date += delta
    Occurrence.objects.bulk_update(moved, ["date", "end_date"])


def _week_for(series: Series, day: date) -> int | None:
    return (
        Week.objects.filter(series=series, start__lte=day, end__gte=day - timedelta(days=2))
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def replan_apply(
    *,
    series: Series,
    actor: Actor,
    key: str | None = None,
    new_date: date | None = None,
    shift_days: int | None = None,
    occurrence: int | None = None,
    fingerprint: str | None = None,
) -> Replan:
    """Apply a preview in one transaction; returns the ``Replan`` (its id undoes it).
    ``fingerprint`` from the preview the user saw: refused if the dates moved since.
    """
    perms.check(actor, perms.may_replan(actor), perms.REPLAN_REFUSED)
    series = Series.objects.select_for_update().get(pk=series.pk)
    preview = replan_preview(
        series=series, key=key, new_date=new_date, shift_days=shift_days, occurrence=occurrence
    )
    if fingerprint and fingerprint != preview.fingerprint:
        raise ValidationError("The schedule changed since the preview: preview again.")
    if not preview.events:
        raise ValidationError("Nothing to change.")
    record = Replan(
        series=series,
        event_key="" if shift_days else key or "",
        new_date=None if shift_days else new_date,
        shift_days=shift_days or 0,
        fingerprint=preview.fingerprint,
        preview=preview.as_dict(),
        old_start_week=series.start_week,
        old_release_week=series.release_week,
        applied_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    events = {e.key: e for e in Event.objects.filter(series=series)}
    if shift_days:
        delta = timedelta(days=shift_days)
        for name in ("start_week", "release_week"):
            value = getattr(series, name)
            if value is not None:
                setattr(series, name, value + delta)
        series.full_clean()
        series.save(update_fields=["start_week", "release_week"])
    record.new_start_week, record.new_release_week = series.start_week, series.release_week
    record.full_clean()
    record.save()
    if shift_days:
        weeks = list(Week.objects.filter(series=series).order_by("start"))
        # Move the weeks in the order that never puts two on one start (unique per series).
        for week in sorted(weeks, key=lambda w: w.start, reverse=shift_days > 0):
            ReplanWeekChange.objects.create(
                replan=record,
                week=week,
                old_start=week.start,
                old_end=week.end,
                new_start=week.start + delta,
                new_end=week.end + delta,
            )
            Week.objects.filter(pk=week.pk).update(start=week.start + delta, end=week.end + delta)
    for change in preview.events:
        event = events[change.key]
        old_week = event.week_id
        if change.occurrence:
            # A later day of the event: only its occurrences move; the event keeps its date.
            _move_days(event=event, ordinal=change.occurrence, delta=change.new - change.old)
        else:
            event.date = change.new
            if not shift_days:
                event.week_id = _week_for(series, change.new)
            event.full_clean()
            event.save()  # its first days follow (releases.receivers)
            if shift_days:
                _move_days(event=event, ordinal=None, delta=change.new - change.old)
        ReplanEventChange.objects.create(
            replan=record,
            event=event,
            ordinal=change.occurrence,
            old_date=change.old,
            new_date=change.new,
            old_week_id=old_week,
            new_week_id=event.week_id,
            reason=change.reason[:200],
        )
        audit_record(
            actor=actor, obj=event, action="update", changes={"date": (change.old, change.new)}
        )
    for item in preview.ffes:
        if item["old"] == item["new"]:
            continue
        ffe = FeatureFreezeException.objects.select_for_update().get(pk=item["id"])
        old_merge_by = ffe.merge_by
        ffe.merge_by = date.fromisoformat(item["new"])
        if ffe.merge_by < ffe.requested_on:
            raise ValidationError(
                f"FFE of {ffe.blueprint.name}: the new RC1 is before its request date."
            )
        ffe.full_clean()
        ffe.save(update_fields=["merge_by"])
        ReplanFFEChange.objects.create(
            replan=record, ffe=ffe, old_merge_by=old_merge_by, new_merge_by=ffe.merge_by
        )
        audit_record(
            actor=actor,
            obj=ffe,
            action="update",
            changes={"merge_by": (old_merge_by, ffe.merge_by)},
        )
    audit_record(actor=actor, obj=record, action="create", changes={"series": (None, series)})
    series_touch(series_ids=[series.pk])
    return record


@transaction.atomic
def replan_undo(*, replan: Replan, actor: Actor) -> Replan:
    """Restore every date a ``replan_apply`` changed, exactly, from its change rows. Refused
    when something it changed was edited since (nothing is overwritten) or when it was already
    undone."""
    perms.check(actor, perms.may_replan(actor), perms.REPLAN_REFUSED)
    replan = Replan.objects.select_for_update().get(pk=replan.pk)
    if replan.undone:
        raise ValidationError("This re-plan was already undone.", code="conflict")
    series = Series.objects.select_for_update().get(pk=replan.series_id)
    changes = list(replan.event_changes.select_related("event"))
    stale = sorted(c.event.key for c in changes if _current(c) != c.new_date)
    if stale:
        raise ValidationError(
            f"Changed since the re-plan, not undone: {', '.join(stale)}.", code="conflict"
        )
    for change in changes:
        event = change.event
        back = change.old_date - change.new_date
        if change.ordinal:
            _move_days(event=event, ordinal=change.ordinal, delta=back)
            audit_record(
                actor=actor,
                obj=event,
                action="update",
                changes={f"day {change.ordinal + 1}": (change.new_date, change.old_date)},
            )
            continue
        event.date = change.old_date
        event.week_id = change.old_week_id
        event.save()
        if replan.shift_days:
            _move_days(event=event, ordinal=None, delta=back)
        audit_record(
            actor=actor, obj=event, action="update", changes={"date": (change.new_date, event.date)}
        )
    week_changes = list(replan.week_changes.all())
    # The reverse of the apply's order, so no two weeks share a start on the way back.
    for change in sorted(week_changes, key=lambda w: w.old_start, reverse=replan.shift_days < 0):
        Week.objects.filter(pk=change.week_id).update(start=change.old_start, end=change.old_end)
    if replan.shift_days:
        series.start_week, series.release_week = replan.old_start_week, replan.old_release_week
        series.save(update_fields=["start_week", "release_week"])
    for change in replan.ffe_changes.select_related("ffe"):
        ffe = change.ffe
        ffe.merge_by = change.old_merge_by
        ffe.save(update_fields=["merge_by"])
        audit_record(
            actor=actor,
            obj=ffe,
            action="update",
            changes={"merge_by": (change.new_merge_by, change.old_merge_by)},
        )
    replan.undone_at = timezone.now()
    replan.undone_by = actor if getattr(actor, "is_authenticated", False) else None
    replan.save(update_fields=["undone_at", "undone_by"])
    audit_record(actor=actor, obj=replan, action="update", changes={"undone_at": (None, "now")})
    series_touch(series_ids=[series.pk])
    return replan


def _current(change: ReplanEventChange) -> date | None:
    """The date the change's day has now (the event's, or its later occurrence's)."""
    if not change.ordinal:
        return change.event.date
    days = _days(change.event)
    return days[change.ordinal] if change.ordinal < len(days) else None


def replan_history(*, series: Series, limit: int = 10) -> list[Replan]:
    """The series' latest re-plans, newest first, with who applied and undid them."""
    return list(
        Replan.objects.filter(series=series)
        .select_related("applied_by", "undone_by")
        .order_by("-applied_at", "-pk")[:limit]
    )
