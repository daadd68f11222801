"""Writes to blueprints, work items and FFEs.

Each service checks the actor's role (``squads.permissions``), validates (``full_clean``),
saves and writes its audit rows in one transaction. ``actor=None`` is a trusted system
process (the Launchpad import, the demo loader, the FFE expiry task).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blueprints import launchpad, rules, selectors
from blueprints.models import (
    OPEN_FFE_STATUSES,
    Blueprint,
    BlueprintDependency,
    FeatureFreezeException,
    FFEPolicy,
    FFERisk,
    FFEStatus,
    WorkItem,
    WorkItemStatus,
)
from core.audit import audit_record, save_audited
from core.concurrency import lock_and_check
from releases.models import Event, Series
from squads import permissions as perms
from squads.models import Project, Squad
from squads.services import apply_changes, value_differs

Actor = Any  # AbstractBaseUser | AnonymousUser | None (system)
User = get_user_model()

BLUEPRINT_FIELDS = {
    "name",
    "title",
    "summary",
    "spec_url",
    "web_link",
    "series",
    "target_milestone",
    "squad",
    "goal",
    "assignee",
    "drafter",
    "approver",
    "priority",
    "definition_status",
    "implementation_status",
    "whiteboard",
}
LIFECYCLE_DATES = {"date_created", "date_started", "date_completed"}


def _lifecycle_dates(blueprint: Blueprint, now: datetime) -> dict[str, Any]:
    """Dates started/completed after a status change, as Launchpad's
    ``Specification.updateLifecycleStatus`` sets them: stamped when the blueprint becomes
    started/complete, cleared when it stops being so."""
    changes: dict[str, Any] = {}
    if blueprint.is_started and blueprint.date_started is None:
        changes["date_started"] = now
    elif not blueprint.is_started and blueprint.date_started is not None:
        changes["date_started"] = None
    if blueprint.is_complete and blueprint.date_completed is None:
        changes["date_completed"] = now
    elif not blueprint.is_complete and blueprint.date_completed is not None:
        changes["date_completed"] = None
    # A blueprint completed without ever being started (e.g. made Obsolete) keeps no start.
    return changes


# --- blueprints -------------------------------------------------------------------------------
@transaction.atomic
def blueprint_create(
    *,
    actor: Actor,
    project: Project,
    series: Series,
    name: str,
    title: str,
    squad: Squad | None = None,
    lifecycle_dates: dict[str, datetime | None] | None = None,
    **fields: Any,
) -> Blueprint:
    """Create a blueprint; the PTL anywhere, a squad lead only in their own squad.

    ``lifecycle_dates`` lets an import keep the source's created/started/completed dates;
    otherwise they are stamped now, following Launchpad's lifecycle rules.
    """
    perms.check(
        actor,
        perms.can_create_blueprint(actor, project, squad),
        "Only the PTL, or the lead of the blueprint's squad, creates blueprints.",
    )
    unknown = set(fields) - BLUEPRINT_FIELDS
    if unknown:
        raise TypeError(f"blueprint_create() got unknown fields {sorted(unknown)}")
    blueprint = Blueprint(
        project=project, series=series, name=name, title=title, squad=squad, **fields
    )
    now = timezone.now()
    if lifecycle_dates is not None:
        unknown = set(lifecycle_dates) - LIFECYCLE_DATES
        if unknown:
            raise TypeError(f"unknown lifecycle dates {sorted(unknown)}")
        for field, value in lifecycle_dates.items():
            if value is not None or field != "date_created":
                setattr(blueprint, field, value)
    else:
        blueprint.date_created = now
        for field, value in _lifecycle_dates(blueprint, now).items():
            setattr(blueprint, field, value)
    values = {"name": name, "title": title, "series": series, "squad": squad, **fields}
    for field in ("priority", "definition_status", "implementation_status"):
        values[field] = getattr(blueprint, field)
    for field in ("date_started", "date_completed"):
        if getattr(blueprint, field) is not None:
            values[field] = getattr(blueprint, field)
    save_audited(
        blueprint,
        actor=actor,
        action="create",
        changes={k: (None, v) for k, v in values.items() if v not in (None, "")},
    )
    return blueprint


@transaction.atomic
def blueprint_update(
    *,
    blueprint: Blueprint,
    actor: Actor,
    lifecycle_dates: dict[str, datetime | None] | None = None,
    expected: Mapping[str, str] | None = None,
    **changes: Any,
) -> Blueprint:
    """Change a blueprint's fields; its squad's lead or the PTL.

    ``expected`` holds the values the editor saw ({field: value or related key}); if one has
    moved since, the edit is refused with ``StaleEdit`` (optimistic concurrency) and nothing
    is written.

    Moving a blueprint to another squad needs the right to create it there too, so a lead
    cannot hand work to (or take it from) a squad they do not lead. Status changes stamp or
    clear the started/completed dates (Launchpad's lifecycle rules) unless an import gives
    them; each changed field is one audit row (``implementation_status`` rows feed burn-up).
    """
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, edits this blueprint.",
    )
    unknown = set(changes) - BLUEPRINT_FIELDS
    if unknown:
        raise TypeError(f"blueprint_update() cannot change {sorted(unknown)}")
    blueprint = lock_and_check(blueprint, expected)
    if "squad" in changes and (changes["squad"] and changes["squad"].pk) != blueprint.squad_id:
        perms.check(
            actor,
            perms.can_create_blueprint(actor, blueprint.project, changes["squad"]),
            "Only the PTL moves a blueprint to a squad its editor does not lead.",
        )
    diff = apply_changes(blueprint, changes)
    if lifecycle_dates is not None:
        diff.update(apply_changes(blueprint, dict(lifecycle_dates)))
    elif {"implementation_status", "definition_status"} & set(diff):
        diff.update(apply_changes(blueprint, _lifecycle_dates(blueprint, timezone.now())))
    if diff:
        save_audited(blueprint, actor=actor, action="update", changes=diff)
    return blueprint


@transaction.atomic
def blueprint_set_dependencies(
    *, blueprint: Blueprint, actor: Actor, depends_on: list[Blueprint]
) -> Blueprint:
    """Replace what ``blueprint`` depends on. Dependencies stay inside one project and may
    not form a cycle (a cycle could never complete); both are refused."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, edits its dependencies.",
    )
    targets = {b.pk: b for b in depends_on}
    if blueprint.pk in targets:
        raise ValidationError({"depends_on": "A blueprint cannot depend on itself."})
    foreign = sorted(b.name for b in targets.values() if b.project_id != blueprint.project_id)
    if foreign:
        raise ValidationError(
            {"depends_on": f"Dependencies must be in project {blueprint.project}: {foreign}."}
        )
    # Lock the project's dependency rows (PostgreSQL) so two concurrent edits cannot each
    # add half of a cycle.
    list(
        BlueprintDependency.objects.select_for_update()
        .filter(blueprint__project=blueprint.project)
        .values_list("pk", flat=True)
    )
    edges = selectors.blueprint_edges(project=blueprint.project)
    cycle = rules.creates_cycle(edges=edges, node=blueprint.pk, new_targets=targets)
    if cycle:
        names = dict(Blueprint.objects.filter(pk__in=cycle).values_list("pk", "name"))
        path = " → ".join(names[pk] for pk in cycle)
        raise ValidationError({"depends_on": f"Dependency cycle refused: {path}."})
    old = set(edges.get(blueprint.pk, set()))
    new = set(targets)
    if old == new:
        return blueprint
    BlueprintDependency.objects.filter(blueprint=blueprint, depends_on_id__in=old - new).delete()
    for pk in sorted(new - old):
        link = BlueprintDependency(blueprint=blueprint, depends_on=targets[pk])
        link.full_clean()
        link.save()
    old_names = sorted(Blueprint.objects.filter(pk__in=old).values_list("name", flat=True))
    audit_record(
        actor=actor,
        obj=blueprint,
        action="update",
        changes={"depends_on": (old_names, sorted(b.name for b in targets.values()))},
    )
    return blueprint


# --- work items -------------------------------------------------------------------------------
ASSIGNEE_EDITABLE = {"title", "status"}
WORK_ITEM_FIELDS = {"title", "status", "assignee", "milestone", "order"}


@transaction.atomic
def work_item_create(
    *,
    blueprint: Blueprint,
    actor: Actor,
    title: str,
    assignee: AbstractBaseUser | None = None,
    status: str = WorkItemStatus.TODO,
    milestone: str = "",
    order: int | None = None,
) -> WorkItem:
    """Add a work item to a blueprint (its squad's lead or the PTL)."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, adds work items.",
    )
    if order is None:
        last = blueprint.work_items.order_by("-order").values_list("order", flat=True).first()
        order = 0 if last is None else last + 1
    item = WorkItem(
        blueprint=blueprint,
        title=title,
        assignee=assignee,
        status=status,
        milestone=milestone,
        order=order,
    )
    save_audited(
        item,
        actor=actor,
        action="create",
        changes={
            k: (None, v)
            for k, v in {
                "title": title,
                "status": status,
                "assignee": assignee,
                "milestone": milestone,
            }.items()
            if v not in (None, "")
        },
    )
    return item


@transaction.atomic
def work_item_update(
    *,
    work_item: WorkItem,
    actor: Actor,
    expected: Mapping[str, str] | None = None,
    **changes: Any,
) -> WorkItem:
    """Edit a work item. Its squad's lead and the PTL change anything; the contributor it is
    assigned to may change its title and status, not hand it to someone else. ``expected``
    as in ``blueprint_update``."""
    perms.check(
        actor,
        perms.can_edit_work_item(actor, work_item),
        "Only the PTL, the squad's lead or the item's assignee edits this work item.",
    )
    unknown = set(changes) - WORK_ITEM_FIELDS
    if unknown:
        raise TypeError(f"work_item_update() cannot change {sorted(unknown)}")
    work_item = lock_and_check(work_item, expected)
    if actor is not None and not perms.can_edit_blueprint(actor, work_item.blueprint):
        beyond = sorted(
            field
            for field in set(changes) - ASSIGNEE_EDITABLE
            if value_differs(work_item, field, changes[field])
        )
        perms.require(
            not beyond, f"As the assignee you may change the title and status only, not {beyond}."
        )
    diff = apply_changes(work_item, changes)
    if diff:
        save_audited(work_item, actor=actor, action="update", changes=diff)
    return work_item


@transaction.atomic
def work_item_delete(*, work_item: WorkItem, actor: Actor) -> None:
    """Remove a work item (its squad's lead or the PTL); the blueprint's history keeps it."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, work_item.blueprint),
        "Only the PTL, or the lead of the blueprint's squad, removes work items.",
    )
    audit_record(
        actor=actor,
        obj=work_item.blueprint,
        action="update",
        changes={"work_items": ([work_item.title], [])},
    )
    audit_record(
        actor=actor, obj=work_item, action="delete", changes={"title": (work_item.title, None)}
    )
    work_item.delete()


# --- feature-freeze exceptions ----------------------------------------------------------------
@transaction.atomic
def ffe_request(
    *,
    blueprint: Blueprint,
    actor: AbstractBaseUser,
    rationale: str,
    merge_by: date,
    risk: str = FFERisk.MEDIUM,
    risk_notes: str = "",
    today: date | None = None,
) -> FeatureFreezeException:
    """Ask for a feature-freeze exception for a blueprint not yet complete.

    Rules: only from the series' feature freeze on (before it no exception is needed); not
    after the policy's request cut-off; merge-by not in the past and not after RC1 (after
    RC1 only release-critical fixes merge); one open request per blueprint.
    """
    perms.require(perms.can_request_ffe(actor, blueprint), "Log in to request an FFE.")
    today = today or timezone.localdate()
    series = blueprint.series
    if blueprint.is_complete:
        raise ValidationError("The blueprint is already complete: no exception is needed.")
    freeze = selectors.feature_freeze_date(series=series)
    if freeze is None:
        raise ValidationError(f"Series {series.name} has no feature freeze in its schedule.")
    if today < freeze:
        raise ValidationError(
            f"Feature freeze of {series.name} is on {freeze:%Y-%m-%d}: no exception is needed "
            "before it."
        )
    policy = selectors.ffe_policy_get(project=blueprint.project, series=series)
    if policy and policy.request_cutoff and today > policy.request_cutoff:
        raise ValidationError(
            f"FFE requests for {series.name} closed on {policy.request_cutoff:%Y-%m-%d}."
        )
    errors = {}
    rc1 = selectors.rc1_date(series=series)
    if rc1 and merge_by > rc1:
        errors["merge_by"] = f"The merge-by date may not be after RC1 ({rc1:%Y-%m-%d})."
    elif merge_by < today:
        errors["merge_by"] = "The merge-by date is in the past."
    if errors:
        raise ValidationError(errors)
    if blueprint.ffes.filter(status__in=OPEN_FFE_STATUSES).exists():
        raise ValidationError("This blueprint already has an open FFE.")
    ffe = FeatureFreezeException(
        blueprint=blueprint,
        requested_by=actor,
        requested_on=today,
        rationale=rationale,
        merge_by=merge_by,
        risk=risk,
        risk_notes=risk_notes,
    )
    save_audited(
        ffe,
        actor=actor,
        action="create",
        changes={
            "status": (None, ffe.status),
            "merge_by": (None, merge_by),
            "risk": (None, risk),
        },
    )
    return ffe


@transaction.atomic
def ffe_decide(
    *,
    ffe: FeatureFreezeException,
    actor: Actor,
    granted: bool,
    note: str = "",
    today: date | None = None,
) -> FeatureFreezeException:
    """The PTL grants or denies a requested FFE.

    A grant is refused once the series' cap on granted FFEs is reached (the policy row is
    locked so two grants at once cannot both take the last place) or when the merge-by date
    has already passed.
    """
    perms.check(actor, perms.can_decide_ffe(actor, ffe), "Only the PTL decides FFEs.")
    today = today or timezone.localdate()
    ffe = (
        FeatureFreezeException.objects.select_for_update()
        .select_related("blueprint", "blueprint__project", "blueprint__series")
        .get(pk=ffe.pk)
    )
    if ffe.status != FFEStatus.REQUESTED:
        raise ValidationError(f"This FFE was already decided ({ffe.status}).")
    if granted:
        project, series = ffe.blueprint.project, ffe.blueprint.series
        policy = (
            FFEPolicy.objects.select_for_update().filter(project=project, series=series).first()
        )
        if policy and policy.max_granted is not None:
            count = selectors.ffe_granted_count(project=project, series=series)
            if count >= policy.max_granted:
                raise ValidationError(
                    f"The cap of {policy.max_granted} granted FFEs for {series.name} is reached."
                )
        if ffe.merge_by < today:
            raise ValidationError("The merge-by date has passed: the request can only be denied.")
    status = FFEStatus.GRANTED if granted else FFEStatus.DENIED
    diff = apply_changes(
        ffe,
        {"status": status, "decided_by": actor, "decided_on": today, "decision_note": note},
    )
    save_audited(ffe, actor=actor, action="transition", changes=diff)
    return ffe


@transaction.atomic
def ffe_mark_merged(
    *, ffe: FeatureFreezeException, actor: Actor, merged_on: date | None = None
) -> FeatureFreezeException:
    """Granted → Merged, by the blueprint's squad lead or the PTL, on or before merge-by."""
    perms.check(
        actor, perms.can_close_ffe(actor, ffe), "Only the squad's lead or the PTL closes FFEs."
    )
    merged_on = merged_on or timezone.localdate()
    ffe = FeatureFreezeException.objects.select_for_update().get(pk=ffe.pk)
    if ffe.status != FFEStatus.GRANTED:
        raise ValidationError(
            f"Only a granted FFE can be marked merged (this one is {ffe.status})."
        )
    if merged_on > ffe.merge_by:
        raise ValidationError(
            f"The merge-by date ({ffe.merge_by:%Y-%m-%d}) passed: this FFE has expired."
        )
    diff = apply_changes(ffe, {"status": FFEStatus.MERGED, "closed_on": merged_on})
    save_audited(ffe, actor=actor, action="transition", changes=diff)
    return ffe


@transaction.atomic
def ffe_expire_overdue(*, today: date | None = None) -> int:
    """Granted FFEs whose merge-by date has passed become Expired (idempotent: expired ones
    are not granted any more). Returns how many expired now."""
    today = today or timezone.localdate()
    overdue = (
        FeatureFreezeException.objects.select_for_update()
        .filter(status=FFEStatus.GRANTED, merge_by__lt=today)
        .order_by("pk")
    )
    count = 0
    for ffe in overdue:
        diff = apply_changes(ffe, {"status": FFEStatus.EXPIRED, "closed_on": today})
        save_audited(ffe, actor=None, action="transition", changes=diff)
        count += 1
    return count


@transaction.atomic
def ffe_policy_set(
    *,
    project: Project,
    series: Series,
    actor: Actor,
    request_cutoff: date | None = None,
    max_granted: int | None = None,
    notes: str = "",
) -> FFEPolicy:
    """Create or change a series' FFE policy (the PTL's call)."""
    perms.check(actor, perms.can_set_ffe_policy(actor, project), "Only the PTL sets FFE policy.")
    policy = FFEPolicy.objects.filter(project=project, series=series).first()
    values = {"request_cutoff": request_cutoff, "max_granted": max_granted, "notes": notes}
    if policy is None:
        policy = FFEPolicy(project=project, series=series, **values)
        save_audited(
            policy, actor=actor, action="create", changes={k: (None, v) for k, v in values.items()}
        )
        return policy
    diff = apply_changes(policy, values)
    if diff:
        save_audited(policy, actor=actor, action="update", changes=diff)
    return policy


@transaction.atomic
def ffe_policy_delete(*, policy: FFEPolicy, actor: Actor) -> None:
    perms.check(
        actor, perms.can_set_ffe_policy(actor, policy.project), "Only the PTL sets FFE policy."
    )
    audit_record(actor=actor, obj=policy, action="delete")
    policy.delete()


# --- Launchpad import -------------------------------------------------------------------------
@dataclass
class LaunchpadImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    work_items_created: int = 0
    work_items_updated: int = 0
    work_items_deleted: int = 0
    users_created: int = 0

    def summary(self) -> str:
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in asdict(self).items())


class LaunchpadImportError(ValidationError):
    """Entries whose values cannot be mapped onto the planner (reported, not guessed)."""

    def __init__(self, problems: list[launchpad.Problem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems])


def _resolve_milestones(
    *, series: Series, entries: list[launchpad.ParsedBlueprint]
) -> tuple[dict[str, Event], list[launchpad.Problem]]:
    events: dict[str, Event] = {}
    for e in Event.objects.filter(series=series, team="").order_by("date", "key"):
        events.setdefault(e.kind, e)  # the first of a kind, as the selectors resolve it
    resolved: dict[str, Event] = {}
    problems = []
    for entry in entries:
        if entry.milestone is None or entry.milestone in resolved:
            continue
        kind = launchpad.milestone_kind(entry.milestone, series=series.name)
        if kind is None:
            problems.append(
                launchpad.Problem(
                    entry.index,
                    entry.name,
                    "milestone_link",
                    f"milestone {entry.milestone!r} is not a known milestone of {series.name}",
                )
            )
        elif kind not in events:
            problems.append(
                launchpad.Problem(
                    entry.index,
                    entry.name,
                    "milestone_link",
                    f"series {series.name} has no {kind} event in its schedule",
                )
            )
        else:
            resolved[entry.milestone] = events[kind]
    return resolved, problems


@transaction.atomic
def launchpad_import(
    *,
    project: Project,
    series: Series,
    entries: list[launchpad.ParsedBlueprint],
    actor: Actor = None,
) -> LaunchpadImportCounts:
    """Upsert parsed Launchpad blueprints of ``project`` into ``series``, in one transaction.

    Launchpad is the source of truth for what it holds (statuses, people, dates, work
    items); the planner's own fields (squad, goal, dependencies) are kept. Milestones map by
    kind (``ocata-2`` → the series' milestone-2 event); an unknown one fails the whole import.
    People are matched by Launchpad name to usernames and created (without a usable
    password) when new. Work items are matched by position, so status changes are audited
    as changes. Running the same file twice changes nothing.
    """
    milestones, problems = _resolve_milestones(series=series, entries=entries)
    if problems:
        raise LaunchpadImportError(problems)
    counts = LaunchpadImportCounts()
    people = {n for e in entries for n in e.people}
    users = {u.username: u for u in User.objects.filter(username__in=people)}
    for username in sorted(people - set(users)):
        user = User(username=username)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        users[username] = user
        counts.users_created += 1
    existing = {b.name: b for b in Blueprint.objects.filter(project=project)}
    for entry in entries:
        fields = {
            "title": entry.title,
            "summary": entry.summary,
            "web_link": entry.web_link,
            "priority": entry.priority,
            "definition_status": entry.definition_status,
            "implementation_status": entry.implementation_status,
            "whiteboard": entry.whiteboard,
            "target_milestone": milestones.get(entry.milestone) if entry.milestone else None,
            "assignee": users.get(entry.assignee) if entry.assignee else None,
            "drafter": users.get(entry.drafter) if entry.drafter else None,
            "approver": users.get(entry.approver) if entry.approver else None,
        }
        dates = {
            "date_started": entry.date_started,
            "date_completed": entry.date_completed,
        }
        blueprint = existing.get(entry.name)
        if blueprint is None:
            blueprint = blueprint_create(
                actor=actor,
                project=project,
                series=series,
                name=entry.name,
                lifecycle_dates={**dates, "date_created": entry.date_created},
                **fields,
            )
            counts.created += 1
        else:
            if blueprint.series_id != series.pk:
                fields["series"] = series
            if any(value_differs(blueprint, k, v) for k, v in {**fields, **dates}.items()):
                blueprint_update(blueprint=blueprint, actor=actor, lifecycle_dates=dates, **fields)
                counts.updated += 1
            else:
                counts.unchanged += 1
        _sync_work_items(
            blueprint=blueprint, items=entry.work_items, users=users, actor=actor, counts=counts
        )
    return counts


def _sync_work_items(
    *,
    blueprint: Blueprint,
    items: list[launchpad.ParsedWorkItem],
    users: dict[str, Any],
    actor: Actor,
    counts: LaunchpadImportCounts,
) -> None:
    current = list(blueprint.work_items.order_by("order", "id"))
    for position, item in enumerate(items):
        values = {
            "title": item.title,
            "status": item.status,
            "assignee": users.get(item.assignee) if item.assignee else None,
            "milestone": item.milestone,
            "order": position,
        }
        if position < len(current):
            work_item = current[position]
            if any(value_differs(work_item, k, v) for k, v in values.items()):
                work_item_update(work_item=work_item, actor=actor, **values)
                counts.work_items_updated += 1
        else:
            work_item_create(blueprint=blueprint, actor=actor, **values)
            counts.work_items_created += 1
    for work_item in current[len(items) :]:
        work_item_delete(work_item=work_item, actor=actor)
        counts.work_items_deleted += 1
