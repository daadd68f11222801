"""Writes of the branch-cut engine: compute the cuts of a series, import the actual history.

``branch_cuts_compute`` is the only writer of ``BranchCut`` rows; the Celery tasks, the history
import and the receivers all go through it. The rules themselves live in ``releases.branching``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from releases import branching
from releases.branch_history import HistoryError, HistoryRow, parse_history
from releases.models import (
    BranchActual,
    BranchCut,
    BranchPolicy,
    BranchRule,
    DeliverableSeries,
    Event,
    Series,
)
from releases.schedule import ScheduleError, decode_utf8, read_source
from releases.services import bulk_insert, series_touch

HISTORY_MAX_BYTES = 64 * 1024 * 1024


logger = logging.getLogger(__name__)

# The BranchCut columns a computation sets (besides series, record and computed_at).
CUT_FIELDS = (
    "deliverable_id",
    "team",
    "release_model",
    "type",
    "branch",
    "rule_id",
    "rule_label",
    "policy_id",
    "policy_label",
    "anchor_kind",
    "anchor_event_id",
    "planned_date",
    "backport_window_days",
    "rule_planned_date",
    "rule_backport_window_days",
    "actual_date",
)


@dataclass
class ComputeResult:
    series: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def as_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
        }


def rules_as_data() -> list[branching.Rule]:
    return [
        branching.Rule(
            release_model=r.release_model,
            deliverable_type=r.deliverable_type,
            anchor_kind=r.anchor_kind,
            offset_days=r.offset_days,
            id=r.pk,
        )
        for r in BranchRule.objects.all()
    ]


def anchors_of(*, series: Series) -> list[branching.Anchor]:
    """Cross-project schedule events a cut may anchor to (project-specific ones never are)."""
    events = Event.objects.filter(series=series, team="", kind__in=branching.ANCHOR_KINDS)
    return [branching.Anchor(kind=e.kind, key=e.key, date=e.date, id=e.pk) for e in events]


@transaction.atomic
def branch_cuts_compute(*, series: Series) -> ComputeResult:
    """Plan every deliverable's stable branch cut in ``series`` and store it as ``BranchCut`` rows.

    Idempotent: rows are compared with what is stored and only differences are written, so
    running it twice (Celery delivers at least once) leaves the same rows and the same
    ``computed_at``. Cuts of deliverable files gone from the series are deleted. The series row
    is locked so two workers computing one series serialise instead of racing on inserts.
    """
    if connection.vendor == "postgresql":
        # Cuts are derived data, recomputed from the schedule at will: their commit need not
        # wait for the WAL flush (an import commits ~35 of these back to back). A crash can
        # lose only the last few hundred milliseconds of cuts, never corrupt them, and the
        # import's own rows keep the default durability.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    series = Series.objects.select_for_update().get(pk=series.pk)
    result = ComputeResult(series=series.name)
    rules = rules_as_data()
    policies = [
        branching.Policy(
            anchor_kind=p.anchor_kind,
            offset_days=p.offset_days,
            team=p.team,
            deliverable=p.deliverable.name if p.deliverable_id else "",
            series=p.series.name if p.series_id else "",
            reason=p.reason,
            id=p.pk,
        )
        for p in BranchPolicy.objects.filter(
            Q(series=series) | Q(series__isnull=True)
        ).select_related("deliverable", "series")
    ]
    anchors = anchors_of(series=series)
    branch = series.stable_branch
    actual = dict(
        BranchActual.objects.filter(series=series, branch=branch).values_list(
            "deliverable", "merged_on"
        )
    )
    # Plain values, not instances: a series has hundreds of files and the JSON columns
    # (releases, branches) are not needed here.
    records = DeliverableSeries.objects.filter(series=series).values_list(
        "pk", "deliverable_id", "deliverable__name", "team", "release_model", "type"
    )
    existing = {
        row["record_id"]: row
        for row in BranchCut.objects.filter(series=series).values("id", "record_id", *CUT_FIELDS)
    }
    # A plan depends on the deliverable only through its team, model and type, unless a policy
    # names the deliverable itself: plan each combination once.
    named = {p.deliverable for p in policies if p.deliverable}
    plans: dict[tuple[str, str, str], branching.CutPlan] = {}
    now = timezone.now()
    to_create: list[dict[str, Any]] = []
    to_update, changed_fields = [], {"computed_at"}
    for record_id, deliverable_id, name, team, release_model, kind in records:
        key = (team.casefold(), release_model, kind)
        plan = None if name in named else plans.get(key)
        if plan is None:
            plan = branching.plan_cut(
                branching.Deliverable(name=name, team=team, release_model=release_model, type=kind),
                series=series.name,
                rules=rules,
                policies=policies,
                anchors=anchors,
            )
            if name not in named:
                plans[key] = plan
        values = {
            "deliverable_id": deliverable_id,
            "team": team,
            "release_model": release_model,
            "type": kind,
            "branch": branch,
            "rule_id": plan.rule.id if plan.rule else None,
            "rule_label": plan.rule.label if plan.rule else "no rule",
            "policy_id": plan.policy.id if plan.policy else None,
            "policy_label": plan.policy.label[:160] if plan.policy else "",
            "anchor_kind": plan.anchor_kind,
            "anchor_event_id": plan.anchor.id if plan.anchor else None,
            "planned_date": plan.planned_date,
            "backport_window_days": plan.backport_window_days,
            "rule_planned_date": plan.rule_planned_date,
            "rule_backport_window_days": plan.rule_backport_window_days,
            "actual_date": actual.get(name),
        }
        cut = existing.pop(record_id, None)
        if cut is None:
            to_create.append(
                {"series_id": series.pk, "record_id": record_id, "computed_at": now, **values}
            )
            continue
        changed = [f for f, v in values.items() if cut[f] != v]
        if changed:
            changed_fields.update(changed)
            to_update.append(
                BranchCut(
                    id=cut["id"], series=series, record_id=record_id, computed_at=now, **values
                )
            )
        else:
            result.unchanged += 1
    if existing:
        result.deleted = len(existing)
        BranchCut.objects.filter(pk__in=[c["id"] for c in existing.values()]).delete()
    if to_update:
        BranchCut.objects.bulk_update(to_update, sorted(changed_fields), batch_size=250)
        result.updated = len(to_update)
    if to_create:
        bulk_insert(BranchCut, to_create)
        result.created = len(to_create)
    if result.changed:
        # ETag/Last-Modified of the series' API rows and ICS feed move with its cuts.
        series_touch(series_ids=[series.pk])
    logger.info("branch cuts of %s: %s", series.name, result.as_dict())
    return result


def branch_cuts_recompute_all() -> list[ComputeResult]:
    """Recompute every series that has deliverables (one transaction per series)."""
    ids = (
        DeliverableSeries.objects.filter(series__isnull=False)
        .values_list("series_id", flat=True)
        .distinct()
    )
    return [branch_cuts_compute(series=s) for s in Series.objects.filter(pk__in=list(ids))]


@dataclass
class HistoryImportResult:
    rows: int
    created: int
    updated: int
    deleted: int
    unknown_series: list[str]
    series_recomputed: list[str]


def branch_history_import(*, path: Path | str, replace: bool = True) -> HistoryImportResult:
    """Import branch-cuts-actual.csv: parse all of it first, then write in one transaction.

    A bad row raises ``HistoryError`` naming the line and the field, with nothing written.
    With ``replace`` (the default) rows no longer in the file are removed. Afterwards the cuts
    of every series whose history changed are recomputed so their ``actual_date`` is current.
    """
    path = Path(path)
    try:
        # A regular file of bounded size (the real one is 224 KB), never a FIFO or a device.
        data = read_source(path, source=path.name, max_bytes=HISTORY_MAX_BYTES)
        text = decode_utf8(data, source=path.name)
    except ScheduleError as exc:
        raise HistoryError(path.name, exc.line or 0, "file", exc.message) from exc
    rows = parse_history(text, source=path.name)
    return _write_history(rows=rows, replace=replace)


@transaction.atomic
def _write_history(*, rows: list[HistoryRow], replace: bool) -> HistoryImportResult:
    series_by_name = {s.name: s for s in Series.objects.all()}
    unknown = sorted({r.series for r in rows if r.series and r.series not in series_by_name})
    existing = {(a.series_name, a.deliverable, a.branch): a for a in BranchActual.objects.all()}
    to_create, to_update, touched = [], [], set()
    for row in rows:
        key = (row.series, row.deliverable, row.branch)
        series = series_by_name.get(row.series)
        old = existing.pop(key, None)
        if old is None:
            to_create.append(
                BranchActual(
                    series=series,
                    series_name=row.series,
                    deliverable=row.deliverable,
                    branch=row.branch,
                    merged_on=row.merged_on,
                )
            )
            touched.add(row.series)
        elif old.merged_on != row.merged_on or old.series_id != (series.pk if series else None):
            old.merged_on, old.series = row.merged_on, series
            to_update.append(old)
            touched.add(row.series)
    deleted = 0
    if replace and existing:
        touched.update(a.series_name for a in existing.values())
        deleted = BranchActual.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()[0]
    BranchActual.objects.bulk_create(to_create, batch_size=1000)
    BranchActual.objects.bulk_update(to_update, ["merged_on", "series"], batch_size=1000)
    recomputed = []
    for name in sorted(touched):
        series = series_by_name.get(name)
        if series is not None and series.deliverables.exists():
            branch_cuts_compute(series=series)
            recomputed.append(name)
    return HistoryImportResult(
        rows=len(rows),
        created=len(to_create),
        updated=len(to_update),
        deleted=deleted,
        unknown_series=unknown,
        series_recomputed=recomputed,
    )


@transaction.atomic
def branch_policy_set(
    *,
    actor: Any,
    team: str = "",
    deliverable: Any = None,
    series: Series | None = None,
    anchor_kind: str,
    offset_days: int = 0,
    reason: str = "",
) -> BranchPolicy:
    """Create or change a team's (or one deliverable's) branch-cut override, with an audit row.

    The receivers recompute the affected cuts after commit. Idempotent: the same arguments
    change nothing the second time.
    """
    from core.audit import audit_record

    policy = BranchPolicy.objects.filter(
        team=team, deliverable=deliverable, series=series
    ).first() or BranchPolicy(team=team, deliverable=deliverable, series=series)
    changes = {
        field: (getattr(policy, field) if policy.pk else None, value)
        for field, value in {
            "anchor_kind": anchor_kind,
            "offset_days": offset_days,
            "reason": reason,
        }.items()
        if not policy.pk or getattr(policy, field) != value
    }
    if not changes:
        return policy
    action = "update" if policy.pk else "create"
    for field, (_, value) in changes.items():
        setattr(policy, field, value)
    policy.full_clean()
    policy.save()
    audit_record(actor=actor, obj=policy, action=action, changes=changes)
    return policy
