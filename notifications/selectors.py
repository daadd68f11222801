"""Reads for deadline digests and the delivery log."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from blueprints import rules
from blueprints.forecast_selectors import risk_of, with_risk_inputs
from blueprints.models import Blueprint, FeatureFreezeException, FFEStatus
from notifications import digest as dg
from notifications.models import Delivery, DigestSent
from releases.models import Event, Series
from releases.selectors import current_series
from squads.models import Membership, Squad, SquadRole


def upcoming_deadlines(*, today: date, days_ahead: int) -> tuple[Series | None, list[dg.Deadline]]:
    """The current series and its cross-project deadlines in the digest window."""
    series = current_series(today=today)
    if series is None:
        return None, []
    start, end = dg.window(today=today, days_ahead=days_ahead)
    events = Event.objects.filter(series=series, team="", date__range=(start, end)).order_by(
        "date", "key"
    )
    return series, [
        dg.Deadline(e.pk, e.key, e.kind, e.title, e.date)
        for e in events
        if dg.is_deadline(kind=e.kind, team=e.team)
    ]


def squads_by_lead() -> dict[AbstractBaseUser, list[Squad]]:
    """Every squad lead with the squads they lead."""
    result: dict[AbstractBaseUser, list[Squad]] = defaultdict(list)
    rows = Membership.objects.filter(role=SquadRole.LEAD).select_related("user", "squad")
    for m in rows.order_by("user__username", "squad__name"):
        result[m.user].append(m.squad)
    return dict(result)


def sent_deadline_ids(*, lead: AbstractBaseUser, deadline_ids: list[int]) -> set[int]:
    return set(
        DigestSent.objects.filter(lead=lead, deadline_id__in=deadline_ids).values_list(
            "deadline_id", flat=True
        )
    )


def digest_build(
    *,
    lead: AbstractBaseUser,
    squads: list[Squad],
    series: Series,
    deadlines: tuple[dg.Deadline, ...],
    today: date,
    days_ahead: int,
) -> dg.Digest:
    """What the lead's squads have due at ``deadlines``, at risk, and which FFEs expire."""
    deadline_ids = {d.id for d in deadlines}
    blueprints = Blueprint.objects.filter(series=series, squad__in=squads).select_related(
        "squad", "series", "target_milestone"
    )
    due, at_risk = [], []
    for bp in with_risk_inputs(blueprints, as_of=today).order_by("squad__name", "name"):
        risk = risk_of(bp, as_of=today)
        status = bp.risk_status if isinstance(bp.risk_status, str) else bp.implementation_status
        if rules.is_complete(implementation_status=status, definition_status=bp.definition_status):
            continue
        line = dg.BlueprintLine(
            id=bp.pk,
            name=bp.name,
            title=bp.title,
            squad=bp.squad.name,
            status=status,
            target=bp.target_milestone.key if bp.target_milestone_id else "",
            reasons=tuple(risk.forecast.reasons),
        )
        if bp.target_milestone_id in deadline_ids:
            due.append(line)
        if risk.forecast.flagged:
            at_risk.append(line)
    start, end = dg.window(today=today, days_ahead=days_ahead)
    ffes = (
        FeatureFreezeException.objects.filter(
            blueprint__series=series,
            blueprint__squad__in=squads,
            status=FFEStatus.GRANTED,
            decided_on__lte=today,
            merge_by__range=(today, end),
        )
        .select_related("blueprint", "blueprint__squad")
        .order_by("merge_by", "blueprint__name")
    )
    return dg.Digest(
        lead=lead.get_username(),
        as_of=today,
        series=series.name,
        squads=tuple(s.name for s in squads),
        deadlines=deadlines,
        due=tuple(due),
        at_risk=tuple(at_risk),
        expiring_ffes=tuple(
            dg.FFELine(f.pk, f.blueprint.name, f.blueprint.squad.name, f.merge_by) for f in ffes
        ),
        window_days=days_ahead,
    )


def delivery_list() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("webhook").order_by("-created_at", "-id")
