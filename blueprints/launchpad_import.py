"""Launchpad blueprints into the planner: the one code path of the file import and the sync.

Both read entries with ``blueprints.launchpad.parse_specifications`` (one page, several pages or
a single entry; problems per entry) and write them with :func:`launchpad_import`, through the
blueprint and work-item services, in one transaction. :func:`launchpad_sync` first reads every
page of a project from Launchpad's devel API (``blueprints.launchpad_client``): a request that
fails, or a page that is not JSON, raises ``FetchError`` before anything is written.

**Who owns what.** Launchpad is the source of what it holds (title, summary, spec URL,
statuses, priority, people, whiteboard, target milestone, started/completed dates, work items,
dependencies); the planner's own fields (squad, goal) are never touched.

**Local edits are not overwritten silently.** Each blueprint keeps a ``LaunchpadRecord``: what
Launchpad said at the last import that wrote it. A sync merges three ways, field by field
(the work items count as one field, the dependencies as another):

=====================  ==========================  ======================================
Launchpad since then   the planner since then      result
=====================  ==========================  ======================================
unchanged              unchanged or edited         nothing written (a local edit stays)
changed                unchanged                   Launchpad's value taken
changed                edited to the same value    nothing to write
changed                edited to another value     **conflict**: the planner's value kept,
                                                   reported (again at every sync until the
                                                   two agree, or ``overwrite_local``)
=====================  ==========================  ======================================

A blueprint the planner has but never imported (the demo's) has no record: Launchpad's values
are taken and the fields listed as updated. Running the same import twice writes nothing the
second time.

**Scope.** Entries of another Launchpad project are left out and counted, and so are those
whose milestone belongs to another series. A milestone the series' schedule does not know
(``ocata-rc2``) keeps the blueprint, without a target, with a warning. An entry without a
milestone (its series unknown) is imported by the file import, but only *updates* an existing
blueprint of the series in a sync: a project's listing holds every cycle's blueprints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blueprints import launchpad
from blueprints.http_json import CachedResponse, JsonClient, JsonGetter
from blueprints.launchpad_client import fetch_all_specifications
from blueprints.models import Blueprint, LaunchpadRecord, SyncSource, SyncState
from blueprints.services import (
    blueprint_create,
    blueprint_set_dependencies,
    blueprint_update,
    work_item_create,
    work_item_delete,
    work_item_update,
)
from core.actors import Actor
from core.changes import value_differs
from releases.kinds import first_of_kinds
from releases.models import Event, Series
from squads.models import Project
from squads.services import project_create

User = get_user_model()

# Blueprint fields Launchpad owns, in the order they are reported.
TEXT_FIELDS = (
    "title",
    "summary",
    "spec_url",
    "web_link",
    "priority",
    "definition_status",
    "implementation_status",
    "whiteboard",
)
PEOPLE_FIELDS = ("assignee", "drafter", "approver")
DATE_FIELDS = ("date_started", "date_completed")
WORK_ITEMS = "work_items"
DEPENDS_ON = "depends_on"
MERGED_FIELDS = (
    *TEXT_FIELDS,
    "series",
    "target_milestone",
    *PEOPLE_FIELDS,
    *DATE_FIELDS,
    WORK_ITEMS,
    DEPENDS_ON,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Conflict:
    """A field changed both on Launchpad and in the planner since the last sync."""

    blueprint: str
    field: str
    planner: Any
    launchpad: Any
    overwritten: bool = False

    def __str__(self) -> str:
        kept = (
            "Launchpad's value taken (overwrite)"
            if self.overwritten
            else "the planner's value kept"
        )
        return (
            f"{self.blueprint}, {self.field}: changed here ({_show(self.planner)}) and on "
            f"Launchpad ({_show(self.launchpad)}) since the last sync; {kept}"
        )


def _show(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], list):
        return f"{len(value)} work items"
    text = repr(value) if value not in (None, "") else "none"
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass
class LaunchpadImportReport:
    """What an import or a sync did, entry by entry where it matters."""

    source: str = ""  # the file or the URL read
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # name → fields taken
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    other_target: list[str] = field(default_factory=list)
    other_series: list[str] = field(default_factory=list)
    untargeted: list[str] = field(default_factory=list)  # left out: no milestone, not here
    problems: list[launchpad.Problem] = field(default_factory=list)
    work_items_created: int = 0
    work_items_updated: int = 0
    work_items_deleted: int = 0
    users_created: int = 0
    requests: int = 0
    not_modified: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. the fetch's own warnings

    @property
    def errors(self) -> list[launchpad.Problem]:
        return [p for p in self.problems if p.severity == launchpad.ERROR]

    @property
    def warnings(self) -> list[launchpad.Problem]:
        return [p for p in self.problems if p.severity == launchpad.WARNING]

    @property
    def left_out(self) -> int:
        return len(self.other_target) + len(self.other_series) + len(self.untargeted)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.work_items_created
            or self.work_items_updated
            or self.work_items_deleted
            or self.users_created
        )

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "conflicts": len(self.conflicts),
            "left_out": self.left_out,
            "other_project": len(self.other_target),
            "other_series": len(self.other_series),
            "without_milestone": len(self.untargeted),
            "warnings": len(self.warnings),
            "not_imported": len({p.index for p in self.errors}),
            "work_items_created": self.work_items_created,
            "work_items_updated": self.work_items_updated,
            "work_items_deleted": self.work_items_deleted,
            "users_created": self.users_created,
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "changed" if self.changed else "no change"
        left = [
            f"{c['other_project']} of another project",
            f"{c['other_series']} of another series",
            f"{c['without_milestone']} without a milestone",
        ]
        return (
            f"{verdict}: created {c['created']}, updated {c['updated']}, unchanged "
            f"{c['unchanged']}, conflicts {c['conflicts']}; left out {c['left_out']} "
            f"({', '.join(left)}); {c['warnings']} warnings, {c['not_imported']} entries not "
            f"imported; work items created {c['work_items_created']}, updated "
            f"{c['work_items_updated']}, deleted {c['work_items_deleted']}"
        )

    def details(self) -> list[str]:
        """One line per blueprint written or left out (conflicts and problems: their lists)."""
        lines = [f"created {name}" for name in self.created]
        lines += [f"updated {name}: {', '.join(fields)}" for name, fields in self.updated.items()]
        lines += [f"left out (another project): {name}" for name in self.other_target]
        lines += [f"left out (another series): {name}" for name in self.other_series]
        lines += [
            f"left out (no milestone, not in this series yet): {name}" for name in self.untargeted
        ]
        return lines


class LaunchpadImportError(ValidationError):
    """The document as a whole cannot be imported (pages missing, not blueprints)."""

    def __init__(self, problems: list[launchpad.Problem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems])


def project_for_launchpad(*, name: str, actor: Actor = None) -> tuple[Project, bool]:
    """The planner project of Launchpad project ``name`` (by its ``launchpad`` name, else its
    own name); created, with a ``<name>-ptl`` group, when there is none."""
    project = (
        Project.objects.filter(launchpad=name).order_by("pk").first()
        or Project.objects.filter(name=name).first()
    )
    if project is not None:
        return project, False
    group, _ = Group.objects.get_or_create(name=f"{name}-ptl")
    return project_create(actor=actor, name=name, launchpad=name, ptl_group=group), True


# --- the import ---------------------------------------------------------------------------------
@dataclass
class _Entry:
    """One parsed entry on its way in: Launchpad's values in the planner's terms."""

    parsed: launchpad.ParsedBlueprint
    values: dict[str, Any]
    target: Event | None


def _series_events(series: Series) -> dict[str, Event]:
    """The series' cross-project event of each kind: its first (``first_of_kinds``)."""
    cross_project = list(Event.objects.filter(series=series, team=""))
    return {
        kind: event
        for kind in {e.kind for e in cross_project}
        if (event := first_of_kinds(cross_project, (kind,)))
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _work_item_rows(items: Iterable[Any], username: Callable[[Any], str | None]) -> list[list]:
    return [[i.title, i.status, username(i), i.milestone] for i in items]


def _launchpad_values(
    entry: launchpad.ParsedBlueprint, *, series: Series, target: Event | None
) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(entry, name) for name in TEXT_FIELDS}
    values["series"] = series.name
    values["target_milestone"] = target.key if target else None
    values.update({name: getattr(entry, name) for name in PEOPLE_FIELDS})
    values.update({name: _iso(getattr(entry, name)) for name in DATE_FIELDS})
    if entry.work_items is not None:  # None: Launchpad did not say; the planner's stay
        values[WORK_ITEMS] = _work_item_rows(entry.work_items, lambda i: i.assignee)
    return values


def _planner_values(blueprint: Blueprint) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(blueprint, name) for name in TEXT_FIELDS}
    values["series"] = blueprint.series.name
    target = blueprint.target_milestone
    values["target_milestone"] = target.key if target else None
    for name in PEOPLE_FIELDS:
        person = getattr(blueprint, name)
        values[name] = person.get_username() if person else None
    values.update({name: _iso(getattr(blueprint, name)) for name in DATE_FIELDS})
    items = sorted(blueprint.work_items.all(), key=lambda i: (i.order, i.pk))
    values[WORK_ITEMS] = _work_item_rows(
        items, lambda i: i.assignee.get_username() if i.assignee else None
    )
    values[DEPENDS_ON] = sorted(b.name for b in blueprint.depends_on.all())
    return values


def _merge(
    *, remote: dict[str, Any], local: dict[str, Any], base: dict[str, Any] | None
) -> tuple[list[str], list[tuple[str, Any, Any]], dict[str, Any]]:
    """(fields to take from Launchpad, conflicts as (field, planner, Launchpad), new base).

    ``base`` None: never imported, every differing field is taken."""
    take: list[str] = []
    conflicts: list[tuple[str, Any, Any]] = []
    new_base = dict(base or {})
    for name in MERGED_FIELDS:
        if name not in remote:
            continue  # Launchpad did not say (work items, dependencies): the base stays
        theirs, ours = remote[name], local.get(name)
        if theirs == ours or base is None or name not in base:
            new_base[name] = theirs
            if theirs != ours:
                take.append(name)
        elif theirs == base[name]:
            pass  # changed here only (or not at all): the planner's value stays
        elif ours == base[name]:
            take.append(name)
            new_base[name] = theirs
        else:
            conflicts.append((name, ours, theirs))  # the base stays: reported until resolved
    return take, conflicts, new_base


@transaction.atomic
def launchpad_import(
    *,
    project: Project,
    series: Series,
    parsed: launchpad.LaunchpadParse,
    actor: Actor = None,
    source: str = "",
    keep_untargeted: bool = True,
    overwrite_local: bool = False,
) -> LaunchpadImportReport:
    """Write the blueprints ``parsed`` holds into ``series`` of ``project``, in one transaction.

    Entries ``parse_specifications`` reported errors for are not imported (the problems are in
    the report); a problem of the document as a whole (pages missing, not a page of blueprints)
    raises ``LaunchpadImportError`` and writes nothing. ``keep_untargeted=False`` (the sync)
    leaves out entries without a milestone unless the blueprint is already in ``series``.
    ``overwrite_local`` takes Launchpad's value where a field was also edited here (a conflict).
    People are matched by Launchpad name to usernames and created, without a usable password,
    when new. Work items are matched by position, so status changes are audited as changes.
    """
    document_errors = [p for p in parsed.errors if p.index < 0]
    if document_errors:
        raise LaunchpadImportError(document_errors)
    report = LaunchpadImportReport(
        source=source,
        other_target=list(parsed.other_target),
        other_series=list(parsed.other_series),
        problems=list(parsed.problems),
    )
    existing = {
        b.name: b
        for b in Blueprint.objects.select_for_update(of=("self",))
        .filter(project=project)
        .select_related(
            "series", "target_milestone", "assignee", "drafter", "approver", "launchpad_record"
        )
        .prefetch_related("work_items__assignee", "depends_on")
    }
    events = _series_events(series)
    untargeted = set(parsed.untargeted)
    entries: list[_Entry] = []
    for entry in parsed.blueprints:
        if not keep_untargeted and entry.name in untargeted:
            here = existing.get(entry.name)
            if here is None or here.series_id != series.pk:
                report.untargeted.append(entry.name)
                continue
        target = None
        if entry.milestone_kind is not None:
            target = events.get(entry.milestone_kind)
            if target is None:
                report.problems.append(
                    launchpad.Problem(
                        entry.index,
                        entry.name,
                        "milestone_link",
                        f"series {series.name} has no {entry.milestone_kind} event in its "
                        "schedule: kept without a target",
                        launchpad.WARNING,
                    )
                )
        values = _launchpad_values(entry, series=series, target=target)
        entries.append(_Entry(entry, values, target))
    names = set(existing) | {e.parsed.name for e in entries}
    for item in entries:
        _resolve_dependencies(item, names=names, report=report)
    users = _people(entries, report)
    written: dict[str, Blueprint] = {}
    bases: dict[str, dict[str, Any]] = {}
    pending_dependencies: list[tuple[Blueprint, _Entry]] = []
    for item in entries:
        blueprint = existing.get(item.parsed.name)
        try:
            # A savepoint per blueprint: one the database refuses is reported, not fatal.
            with transaction.atomic():
                if blueprint is None:
                    blueprint = _create(item, project, series, users, actor, report)
                    take = [DEPENDS_ON] if item.values.get(DEPENDS_ON) else []
                    bases[item.parsed.name] = item.values
                else:
                    take, base = _update(
                        item, blueprint, series, users, actor, report, overwrite_local
                    )
                    bases[item.parsed.name] = base
        except ValidationError as error:
            report.problems.append(
                launchpad.Problem(
                    item.parsed.index,
                    item.parsed.name,
                    "entry",
                    f"not written: {'; '.join(error.messages)}",
                )
            )
            bases.pop(item.parsed.name, None)
            continue
        written[item.parsed.name] = blueprint
        if DEPENDS_ON in take:
            pending_dependencies.append((blueprint, item))
    for blueprint, item in pending_dependencies:
        targets = list(Blueprint.objects.filter(project=project, name__in=item.values[DEPENDS_ON]))
        try:
            blueprint_set_dependencies(blueprint=blueprint, actor=actor, depends_on=targets)
        except ValidationError as error:
            report.problems.append(
                launchpad.Problem(
                    item.parsed.index,
                    item.parsed.name,
                    "dependencies_collection_link",
                    f"dependencies not set: {'; '.join(error.messages)}",
                )
            )
            base = bases[item.parsed.name]
            previous = getattr(blueprint, "launchpad_record", None)
            if previous is not None and DEPENDS_ON in previous.values:
                base[DEPENDS_ON] = previous.values[DEPENDS_ON]
            else:
                base.pop(DEPENDS_ON, None)
    _save_records(written, bases, {e.parsed.name: e for e in entries})
    return report


def _resolve_dependencies(item: _Entry, *, names: set[str], report: LaunchpadImportReport) -> None:
    """Dependencies as planner blueprints: names the planner does not hold are warned about
    and left out of the comparison, so they do not count as a change at every sync."""
    depends_on = item.parsed.depends_on
    if depends_on is None:
        return  # not fetched (a file): the planner's dependencies stay
    missing = sorted(set(depends_on) - names)
    if missing:
        report.problems.append(
            launchpad.Problem(
                item.parsed.index,
                item.parsed.name,
                "dependencies_collection_link",
                f"depends on {', '.join(missing)}, not in the planner: not linked",
                launchpad.WARNING,
            )
        )
    item.values[DEPENDS_ON] = sorted(set(depends_on) & names - {item.parsed.name})


def _people(entries: list[_Entry], report: LaunchpadImportReport) -> dict[str, Any]:
    people = {n for e in entries for n in e.parsed.people}
    users = {u.username: u for u in User.objects.filter(username__in=people)}
    for username in sorted(people - set(users)):
        user = User(username=username)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        users[username] = user
        report.users_created += 1
    return users


def _field_objects(item: _Entry, series: Series, users: dict[str, Any]) -> dict[str, Any]:
    """Blueprint field values (model objects) for Launchpad's values of ``item``."""
    values = item.values
    objects: dict[str, Any] = {name: values[name] for name in TEXT_FIELDS}
    objects["series"] = series
    objects["target_milestone"] = item.target
    for name in PEOPLE_FIELDS:
        objects[name] = users.get(values[name]) if values[name] else None
    for name in DATE_FIELDS:
        objects[name] = getattr(item.parsed, name)
    return objects


def _create(
    item: _Entry,
    project: Project,
    series: Series,
    users: dict[str, Any],
    actor: Actor,
    report: LaunchpadImportReport,
) -> Blueprint:
    objects = _field_objects(item, series, users)
    dates = {name: objects.pop(name) for name in DATE_FIELDS}
    objects.pop("series")
    blueprint = blueprint_create(
        actor=actor,
        project=project,
        series=series,
        name=item.parsed.name,
        lifecycle_dates={**dates, "date_created": item.parsed.date_created},
        **objects,
    )
    _sync_work_items(
        blueprint=blueprint,
        current=[],
        items=item.parsed.work_items or [],
        users=users,
        actor=actor,
        report=report,
    )
    report.created.append(item.parsed.name)
    return blueprint


def _update(
    item: _Entry,
    blueprint: Blueprint,
    series: Series,
    users: dict[str, Any],
    actor: Actor,
    report: LaunchpadImportReport,
    overwrite_local: bool,
) -> tuple[list[str], dict[str, Any]]:
    record = getattr(blueprint, "launchpad_record", None)
    local = _planner_values(blueprint)
    take, conflicts, base = _merge(
        remote=item.values, local=local, base=record.values if record else None
    )
    for name, ours, theirs in conflicts:
        report.conflicts.append(
            Conflict(item.parsed.name, name, ours, theirs, overwritten=overwrite_local)
        )
        if overwrite_local:
            take.append(name)
            base[name] = theirs
    objects = _field_objects(item, series, users)
    changes = {n: objects[n] for n in take if n not in (*DATE_FIELDS, WORK_ITEMS, DEPENDS_ON)}
    changes = {n: v for n, v in changes.items() if value_differs(blueprint, n, v)}
    dates = {n: objects[n] for n in take if n in DATE_FIELDS}
    if changes or dates:
        # Launchpad's dates, never the lifecycle stamps of "now": pass them, even none.
        blueprint_update(blueprint=blueprint, actor=actor, lifecycle_dates=dates, **changes)
    if WORK_ITEMS in take:
        _sync_work_items(
            blueprint=blueprint,
            current=sorted(blueprint.work_items.all(), key=lambda i: (i.order, i.pk)),
            items=item.parsed.work_items or [],
            users=users,
            actor=actor,
            report=report,
        )
    if take:
        report.updated[item.parsed.name] = sorted(take, key=MERGED_FIELDS.index)
    else:
        report.unchanged.append(item.parsed.name)
    return take, base


def _sync_work_items(
    *,
    blueprint: Blueprint,
    current: list[Any],
    items: list[launchpad.ParsedWorkItem],
    users: dict[str, Any],
    actor: Actor,
    report: LaunchpadImportReport,
) -> None:
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
                report.work_items_updated += 1
        else:
            work_item_create(blueprint=blueprint, actor=actor, **values)
            report.work_items_created += 1
    for work_item in current[len(items) :]:
        work_item_delete(work_item=work_item, actor=actor)
        report.work_items_deleted += 1


def _save_records(
    written: dict[str, Blueprint], bases: dict[str, dict[str, Any]], entries: dict[str, _Entry]
) -> None:
    """Remember what Launchpad said, for the next sync; rows that would not change are not
    written (a second sync writes nothing)."""
    now = timezone.now()
    for name, blueprint in written.items():
        base, link = bases[name], entries[name].parsed.self_link
        record = getattr(blueprint, "launchpad_record", None)
        if record is None:
            LaunchpadRecord.objects.create(
                blueprint=blueprint, values=base, self_link=link, synced_at=now
            )
        elif record.values != base or record.self_link != link:
            record.values, record.self_link, record.synced_at = base, link, now
            record.save(update_fields=["values", "self_link", "synced_at"])


# --- the sync -----------------------------------------------------------------------------------
def _cached_etags(state: SyncState | None) -> dict[str, CachedResponse]:
    stored = state.etags if state else {}
    return {
        url: CachedResponse(etag=value[0], data=value[1])
        for url, value in stored.items()
        if isinstance(value, list) and len(value) == 2
    }


def launchpad_client() -> JsonClient:
    """The HTTP client of a sync, with the timeouts and retries of the settings."""
    return JsonClient(
        timeout=settings.PLANNER_SYNC_TIMEOUT,
        retries=settings.PLANNER_SYNC_RETRIES,
    )


def launchpad_sync(
    *,
    project: Project,
    series: Series,
    root: str | None = None,
    client: JsonGetter | None = None,
    progress: Progress | None = None,
    actor: Actor = None,
    overwrite_local: bool = False,
    page_size: int | None = None,
) -> LaunchpadImportReport:
    """Bring ``series``' blueprints of ``project`` in step with Launchpad (``root``, default
    ``settings.LAUNCHPAD_API_ROOT``): every page of ``<root><project>/all_specifications``,
    each wanted blueprint's dependencies and each milestone's series, then one transaction.

    Raises ``FetchError`` (naming the URL) when any request fails after the client's retries,
    and ``LaunchpadImportError`` when the pages do not add up: nothing is written either way.
    ETags of the entries read are kept in the ``SyncState`` row and sent back next time.
    """
    root = root or settings.LAUNCHPAD_API_ROOT
    name = project.launchpad or project.name
    state = SyncState.objects.filter(
        source=SyncSource.LAUNCHPAD, project=project, series=series
    ).first()
    if client is None:
        client = launchpad_client()
    etags = getattr(client, "etags", None)
    if etags is not None:
        etags.update(_cached_etags(state))
    known = set(Series.objects.values_list("name", flat=True))
    wanted = functools.partial(
        launchpad.in_scope, project=name, series=series.name, known_series=known
    )
    fetched = fetch_all_specifications(
        root, name, client=client, progress=progress, wanted=wanted, page_size=page_size
    )
    parsed = launchpad.parse_specifications(
        fetched.pages,
        project=name,
        series=series.name,
        known_series=known,
        milestones=fetched.milestones,
        dependencies=fetched.dependencies,
    )
    with transaction.atomic():
        report = launchpad_import(
            project=project,
            series=series,
            parsed=parsed,
            actor=actor,
            source=fetched.url,
            keep_untargeted=False,
            overwrite_local=overwrite_local,
        )
        report.requests, report.not_modified = fetched.requests, fetched.not_modified
        report.notes += fetched.warnings
        SyncState.objects.update_or_create(
            source=SyncSource.LAUNCHPAD,
            project=project,
            series=series,
            defaults={
                "url": fetched.url,
                "synced_at": timezone.now(),
                "summary": report.summary(),
                "counts": report.counts(),
                "etags": {url: [cached.etag, cached.data] for url, cached in (etags or {}).items()},
            },
        )
    return report
