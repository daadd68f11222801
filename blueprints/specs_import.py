"""The specs import: a specs repository's specs (``blueprints.specs``) become blueprints,
written through the blueprint, work-item and spec services in one transaction.

The blueprint's name within the project is the key, as for the Launchpad and Gerrit syncs:
a spec updates the blueprint of the name it links (or, without a link, of its file name) and
creates it when there is none. What the import writes, and when:

* **Blueprint fields** — title, series (the spec's directory), ``spec_url`` (the published
  page: ``<base URL>specs/<series>/<file>.html``; the repository path is kept on the spec
  document), ``web_link`` (the Launchpad URL, only when the spec gives one) and the assignee
  (the first primary assignee who has an account). A new blueprint is also ``Approved`` (an
  approved spec). On an existing blueprint a field is written when the spec's value differs
  from what the import wrote last time (``BlueprintSpec.imported``), or on the first import:
  an unchanged spec never undoes an edit made since on Launchpad or by the PTL, and two
  sources never undo each other's values on every run. A value the spec does not give (no
  matching account, no URL) leaves the field as it is.
* **Work items** — the "Work Items" bullets, matched to the blueprint's work items by title
  (case and spacing ignored). A missing one is added as TODO; an existing one keeps its
  status, assignee and order. An item the spec listed before and no longer does is removed
  when nobody touched it (TODO, unassigned), else kept and reported.
* **Dependencies** — entries naming a blueprint (URL) or a spec (its blueprint) of this
  project that the planner has become dependencies (a "needed by" entry the other way round);
  the others are kept as text on the spec document and shown with it. Dependencies the import
  added and the spec no longer names are removed; ones from elsewhere are never touched.
* **People** — matched to accounts by username or e-mail, ignoring case; nobody is created:
  people without an account are reported. The other contributors are the spec document's
  ``contributors``.

Which specs are left out, reported: a spec whose blueprint belongs to another Launchpad
project than the project's (the blueprint lives there, not here), and a spec whose blueprint
a spec of a later series also links (the blueprint was re-proposed; the latest spec wins).
What stops the import, writing nothing: an unreadable file (``SpecError``), a series the
planner does not know (import the release schedule first), two specs of one series linking
one blueprint, and a value the models refuse; each names the file and line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from blueprints import specs as spec_reader
from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    BlueprintSpec,
    DefinitionStatus,
    SpecLink,
    SpecRole,
    WorkItem,
    WorkItemStatus,
)
from blueprints.services import (
    blueprint_create,
    blueprint_set_dependencies,
    blueprint_spec_set,
    blueprint_update,
    work_item_create,
    work_item_delete,
)
from blueprints.specs import ParsedSpec, SpecPerson, SpecProblem, SpecsTree
from core.actors import Actor
from core.changes import value_differs
from releases.models import Series
from squads.models import Project

__all__ = [
    "SeriesCounts",
    "SpecsImportError",
    "SpecsImportReport",
    "blueprint_title",
    "default_base_url",
    "spec_digest",
    "specs_import",
    "specs_tree_import",
    "work_item_titles",
]

User = get_user_model()
Progress = Callable[[Iterable[Any], int], Iterable[Any]]

TITLE_MAX = Blueprint._meta.get_field("title").max_length
WORK_ITEM_TITLE_MAX = WorkItem._meta.get_field("title").max_length
_BLUEPRINT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # Launchpad's, within a SlugField
LAUNCHPAD_SPEC = "https://blueprints.launchpad.net/{project}/+spec/{name}"


def default_base_url(project: Project) -> str:
    """Where OpenStack publishes a project's specs repository (``<project>-specs``)."""
    return f"https://specs.openstack.org/openstack/{project.name}-specs/"


def spec_digest(spec: ParsedSpec) -> str:
    """SHA-256 of what the blueprint page shows of a spec (its title and sections): the key
    its rendering is cached under, and a re-import's test for "the text changed"."""
    payload = json.dumps(
        [spec.title, [[s.title, s.line, s.body] for s in spec.sections]], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- the report -------------------------------------------------------------------------------


@dataclass
class SeriesCounts:
    """One series' specs: how they linked and what the import did with them."""

    specs: int = 0
    linked_by_url: int = 0
    linked_by_file_name: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: int = 0


@dataclass
class SpecsImportReport:
    """What an import did; ``problems`` are every file's notes, sorted by file and line."""

    root: str
    project: str
    series: dict[str, SeriesCounts] = field(default_factory=dict)
    problems: list[SpecProblem] = field(default_factory=list)
    work_items_created: int = 0
    work_items_deleted: int = 0
    dependencies_added: int = 0
    dependencies_removed: int = 0

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.series.values()) or bool(
            self.work_items_created
            or self.work_items_deleted
            or self.dependencies_added
            or self.dependencies_removed
        )

    def total(self) -> SeriesCounts:
        total = SeriesCounts()
        for counts in self.series.values():
            for name, value in asdict(counts).items():
                setattr(total, name, getattr(total, name) + value)
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "project": self.project,
            "changed": self.changed,
            "series": {name: asdict(c) for name, c in self.series.items()},
            "work_items_created": self.work_items_created,
            "work_items_deleted": self.work_items_deleted,
            "dependencies_added": self.dependencies_added,
            "dependencies_removed": self.dependencies_removed,
            "problems": [str(p) for p in self.problems],
        }


class SpecsImportError(ValidationError):
    """What stops an import (nothing is written), each located by file and line."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.source, p.line, p.message))
        super().__init__([str(p) for p in self.problems])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (a Celery task's error)
        return (type(self), (self.problems,))


# --- entry points -----------------------------------------------------------------------------


def specs_import(
    *,
    path: Path | str,
    project: Project,
    series: str | None = None,
    actor: Actor = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> SpecsImportReport:
    """Read the specs repository at ``path`` (``specs/<series>/*.rst``; one series when
    ``series`` is given) and import it into ``project``. Raises ``SpecError`` for an
    unreadable file and ``SpecsImportError`` for what else stops the import; either way
    nothing is written."""
    tree = spec_reader.read_specs_tree(Path(path), series=series)
    return specs_tree_import(
        tree=tree, project=project, actor=actor, base_url=base_url, progress=progress
    )


@dataclass
class _Plan:
    spec: ParsedSpec
    name: str
    series: Series
    notes: list[SpecProblem] = field(default_factory=list)
    blueprint: Blueprint | None = None
    imported: dict[str, Any] = field(default_factory=dict)
    created: bool = False
    changed: bool = False
    contributors: list[AbstractBaseUser] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    edges: list[tuple[str, str, int]] = field(default_factory=list)  # (from, to, line)


@transaction.atomic
def specs_tree_import(
    *,
    tree: SpecsTree,
    project: Project,
    actor: Actor = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> SpecsImportReport:
    """Import the specs of an already-read tree into ``project``, in one transaction (the
    module's rules). ``base_url`` is where the repository is published (default:
    ``default_base_url``; ``""``: nowhere, ``spec_url`` is left alone)."""
    report = SpecsImportReport(root=str(tree.root), project=project.name)
    launchpad_project = (project.launchpad or project.name).lower()
    base = default_base_url(project) if base_url is None else base_url
    if base and not base.endswith("/"):
        base += "/"
    plans = _plan(tree=tree, project_name=launchpad_project, report=report)
    people = _People(spec.spec for spec in plans)
    existing = {
        b.name: b
        for b in Blueprint.objects.filter(project=project, name__in=[p.name for p in plans])
        .select_related("project", "series", "squad", "target_milestone", "goal", "assignee")
        .prefetch_related("work_items")
    }
    documents = {
        d.blueprint_id: d
        for d in BlueprintSpec.objects.filter(blueprint__in=list(existing.values()))
    }
    items: Iterable[_Plan] = plans if progress is None else progress(plans, len(plans))
    for plan in items:
        try:
            _write_blueprint(
                plan=plan,
                project=project,
                launchpad_project=launchpad_project,
                base=base,
                blueprint=existing.get(plan.name),
                documents=documents,
                people=people,
                actor=actor,
                report=report,
            )
        except ValidationError as error:
            raise SpecsImportError(_refusals(plan, error)) from error
    _write_dependencies(
        plans=plans,
        project=project,
        launchpad_project=launchpad_project,
        actor=actor,
        report=report,
    )
    for plan in plans:
        try:
            _write_document(plan=plan, actor=actor)
        except ValidationError as error:
            raise SpecsImportError(_refusals(plan, error)) from error
        counts = report.series[plan.spec.series]
        if plan.created:
            counts.created += 1
        elif plan.changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        report.problems.extend(plan.notes)
    report.problems.sort(key=lambda p: (p.source, p.line, p.message))
    for problem in report.problems:
        series = problem.source.split("/")[1] if problem.source.count("/") >= 2 else ""
        if series in report.series:
            report.series[series].problems += 1
    return report


def _refusals(plan: _Plan, error: ValidationError) -> list[SpecProblem]:
    messages = (
        [f"{k}: {'; '.join(v)}" for k, v in error.message_dict.items()]
        if hasattr(error, "error_dict")
        else error.messages
    )
    return [
        SpecProblem(plan.spec.source, plan.spec.title_line, f"blueprint {plan.name}: {message}")
        for message in messages
    ]


# --- which specs, as which blueprints ---------------------------------------------------------


def _plan(*, tree: SpecsTree, project_name: str, report: SpecsImportReport) -> list[_Plan]:
    """Every spec of the tree with its blueprint name and series, or the reasons it cannot be
    imported (raised together) or is left out (reported)."""
    refusals: list[SpecProblem] = []
    known = {s.name: s for s in Series.objects.filter(name__in=tree.series_names)}
    for name in tree.series_names:
        report.series[name] = SeriesCounts()
        if name not in known:
            refusals.append(
                SpecProblem(
                    f"specs/{name}",
                    0,
                    f"series {name!r} is not in the planner: import the release schedule first",
                )
            )
    candidates: list[_Plan] = []
    for spec in tree.specs:
        counts = report.series[spec.series]
        counts.specs += 1
        if spec.linked_by == "url":
            counts.linked_by_url += 1
        else:
            counts.linked_by_file_name += 1
        report.problems.extend(spec.problems)
        link_project = (spec.project or project_name).lower()
        if link_project != project_name:
            line = spec.blueprint.line if spec.blueprint else spec.title_line
            report.problems.append(
                SpecProblem(
                    spec.source,
                    line,
                    f"links blueprint {spec.blueprint_name!r} of Launchpad project "
                    f"{link_project!r}, not {project_name!r}: skipped",
                )
            )
            counts.skipped += 1
            continue
        name = spec.blueprint_name.lower()
        if not _BLUEPRINT_NAME.match(name) or len(name) > 200:
            refusals.append(
                SpecProblem(
                    spec.source,
                    spec.blueprint.line if spec.blueprint else spec.title_line,
                    f"blueprint name {spec.blueprint_name!r} is not a Launchpad name "
                    "(lower-case letters, digits and '-', at most 200 characters)",
                )
            )
            continue
        if spec.series in known:
            candidates.append(_Plan(spec=spec, name=name, series=known[spec.series]))
    by_name: dict[str, list[_Plan]] = defaultdict(list)
    for plan in candidates:
        by_name[plan.name].append(plan)
    plans: list[_Plan] = []
    for name, group in by_name.items():
        group.sort(key=lambda p: (p.series.position, p.spec.source))
        latest = group[-1]
        same_series = [p for p in group if p.series.pk == latest.series.pk]
        if len(same_series) > 1:
            first = same_series[0].spec
            refusals.extend(
                SpecProblem(
                    p.spec.source,
                    p.spec.blueprint.line if p.spec.blueprint else p.spec.title_line,
                    f"links blueprint {name!r}, as {first.source} of the same series does",
                )
                for p in same_series[1:]
            )
            continue
        for earlier in group[:-1]:
            report.problems.append(
                SpecProblem(
                    earlier.spec.source,
                    earlier.spec.title_line,
                    f"blueprint {name!r} is linked by {latest.spec.source} of a later series: "
                    "skipped",
                )
            )
            report.series[earlier.spec.series].skipped += 1
        plans.append(latest)
    if refusals:
        raise SpecsImportError(refusals)
    plans.sort(key=lambda p: (p.series.position, p.spec.source))
    return plans


# --- people -----------------------------------------------------------------------------------


class _People:
    """Accounts for the people the specs name: username or e-mail, ignoring case."""

    def __init__(self, specs: Iterable[ParsedSpec]) -> None:
        names: set[str] = set()
        emails: set[str] = set()
        for spec in specs:
            for person in (*spec.assignees.primary, *spec.assignees.others):
                names.update(h.lower() for h in (*person.handles, person.token) if h)
                if person.email:
                    emails.add(person.email.lower())
        self.by_name: dict[str, list[AbstractBaseUser]] = defaultdict(list)
        self.by_email: dict[str, list[AbstractBaseUser]] = defaultdict(list)
        users = User.objects.annotate(lname=Lower("username"), lemail=Lower("email"))
        for user in users.filter(lname__in=names).order_by("pk"):
            self.by_name[user.lname].append(user)
        for user in users.filter(lemail__in=emails).exclude(email="").order_by("pk"):
            self.by_email[user.lemail].append(user)

    def match(self, person: SpecPerson) -> tuple[AbstractBaseUser | None, str]:
        """The person's account, or None and why when several accounts fit ("" for none)."""
        for handle in dict.fromkeys(h.lower() for h in (*person.handles, person.token) if h):
            found = self.by_name.get(handle, [])
            if len(found) == 1:
                return found[0], ""
            if len(found) > 1:
                return None, f"{len(found)} accounts are named {handle!r}"
        if person.email:
            found = self.by_email.get(person.email.lower(), [])
            if len(found) == 1:
                return found[0], ""
            if len(found) > 1:
                return None, f"{len(found)} accounts have the e-mail {person.email!r}"
        return None, ""


def _match_people(plan: _Plan, people: _People) -> AbstractBaseUser | None:
    """Fill the plan's people and contributors; return the blueprint's assignee (or None)."""
    assignees = plan.spec.assignees
    assignee = None
    missing: dict[str, list[str]] = {SpecRole.PRIMARY: [], SpecRole.CONTRIBUTOR: []}
    contributors: dict[int, AbstractBaseUser] = {}
    for role, group in (
        (SpecRole.PRIMARY, assignees.primary),
        (SpecRole.CONTRIBUTOR, assignees.others),
    ):
        for person in group:
            user, why = people.match(person)
            plan.people.append(
                {
                    "role": role.value,
                    "raw": person.raw,
                    "token": person.token,
                    "username": user.get_username() if user else None,
                }
            )
            if user is None:
                missing[role].append(person.token + (f" ({why})" if why else ""))
            elif role == SpecRole.PRIMARY and assignee is None:
                assignee = user
            elif user.pk != getattr(assignee, "pk", None):
                contributors.setdefault(user.pk, user)
    plan.contributors = list(contributors.values())
    if any(missing.values()):
        plan.notes.append(
            SpecProblem(
                plan.spec.source,
                assignees.line,
                "no account, so not assigned: "
                + "; ".join(
                    f"{role.label}{'s' if len(names) > 1 else ''} {', '.join(names)}"
                    for role, names in ((r, missing[r]) for r in SpecRole)
                    if names
                ),
            )
        )
    return assignee


# --- blueprints and work items ----------------------------------------------------------------


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def blueprint_title(spec: ParsedSpec) -> str:
    """The title a spec gives its blueprint (its own, fitted to the field)."""
    return _fit(spec.title or spec.blueprint_name, TITLE_MAX)


def work_item_titles(spec: ParsedSpec) -> list[str]:
    """The work items a spec lists, as the blueprint's work-item titles (fitted to the field;
    a repeated one once)."""
    titles: list[str] = []
    seen: set[str] = set()
    for item in spec.work_items:
        title = _fit(item.title, WORK_ITEM_TITLE_MAX)
        if _key(title) not in seen:
            seen.add(_key(title))
            titles.append(title)
    return titles


def _write_blueprint(
    *,
    plan: _Plan,
    project: Project,
    launchpad_project: str,
    base: str,
    blueprint: Blueprint | None,
    documents: dict[int, BlueprintSpec],
    people: _People,
    actor: Actor,
    report: SpecsImportReport,
) -> None:
    spec = plan.spec
    assignee = _match_people(plan, people)
    title = blueprint_title(spec)
    wanted: dict[str, Any] = {"title": title, "series": plan.series}
    if base:
        wanted["spec_url"] = f"{base}specs/{spec.series}/{spec.slug}.html"
    if spec.blueprint is not None:
        wanted["web_link"] = LAUNCHPAD_SPEC.format(project=launchpad_project, name=plan.name)
    if assignee is not None:
        wanted["assignee"] = assignee
    remembered = {k: _remember(v) for k, v in wanted.items()}
    if blueprint is None:
        fields = {k: v for k, v in wanted.items() if k not in ("title", "series")}
        blueprint = blueprint_create(
            actor=actor,
            project=project,
            series=plan.series,
            name=plan.name,
            title=title,
            definition_status=DefinitionStatus.APPROVED,
            **fields,
        )
        plan.created = True
        current_items: list[WorkItem] = []
        previous: dict[str, Any] = {}
    else:
        document = documents.get(blueprint.pk)
        previous = dict(document.imported) if document else {}
        current_items = sorted(blueprint.work_items.all(), key=lambda w: (w.order, w.pk))
        changes = {
            k: v
            for k, v in wanted.items()
            if previous.get(k) != remembered[k] and value_differs(blueprint, k, v)
        }
        if "series" in changes:
            # A spec moved to another cycle: the old series' milestone and goal do not apply.
            if blueprint.target_milestone_id:
                changes["target_milestone"] = None
            if blueprint.goal_id:
                changes["goal"] = None
        if changes:
            blueprint = blueprint_update(blueprint=blueprint, actor=actor, **changes)
            plan.changed = True
    plan.blueprint = blueprint
    remembered["work_items"] = _sync_work_items(
        plan=plan,
        current=current_items,
        previous=previous.get("work_items", []),
        actor=actor,
        report=report,
    )
    remembered["depends_on"] = previous.get("depends_on", [])
    plan.imported = remembered


def _remember(value: Any) -> Any:
    """How ``BlueprintSpec.imported`` keeps a value written (JSON: a key for a row)."""
    if isinstance(value, Series):
        return value.name
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    return value


def _sync_work_items(
    *,
    plan: _Plan,
    current: list[WorkItem],
    previous: list[str],
    actor: Actor,
    report: SpecsImportReport,
) -> list[str]:
    """Add the spec's work items the blueprint lacks; remove the ones the spec dropped that
    nobody touched. Returns the titles the spec lists (what the next import compares with)."""
    blueprint = plan.blueprint
    titles = work_item_titles(plan.spec)
    for item in plan.spec.work_items:
        if len(" ".join(item.title.split())) > WORK_ITEM_TITLE_MAX:
            plan.notes.append(
                SpecProblem(
                    plan.spec.source,
                    item.line,
                    f"work item longer than {WORK_ITEM_TITLE_MAX} characters: shortened",
                )
            )
    by_key = {_key(w.title): w for w in current}
    order = max((w.order for w in current), default=-1)
    for title in titles:
        if _key(title) in by_key:
            continue
        order += 1
        by_key[_key(title)] = work_item_create(
            blueprint=blueprint, actor=actor, title=title, status=WorkItemStatus.TODO, order=order
        )
        report.work_items_created += 1
        plan.changed = True
    listed = {_key(t) for t in titles}
    for old in previous:
        item = by_key.get(_key(old))
        if item is None or _key(old) in listed:
            continue
        if item.status == WorkItemStatus.TODO and item.assignee_id is None:
            work_item_delete(work_item=item, actor=actor)
            report.work_items_deleted += 1
            plan.changed = True
        else:
            plan.notes.append(
                SpecProblem(
                    plan.spec.source,
                    0,
                    f"work item {item.title!r} is no longer in the spec; kept "
                    f"({item.status}{', assigned' if item.assignee_id else ''})",
                )
            )
    return titles


# --- dependencies -----------------------------------------------------------------------------


def _write_dependencies(
    *,
    plans: list[_Plan],
    project: Project,
    launchpad_project: str,
    actor: Actor,
    report: SpecsImportReport,
) -> None:
    """Link what the specs' Dependencies name, as the module says."""
    named = {d.name.lower() for p in plans for d in p.spec.dependencies if d.name}
    blueprints = {
        b.name: b
        for b in Blueprint.objects.filter(project=project, name__in=named | {p.name for p in plans})
    }
    wanted: set[tuple[str, str]] = set()
    for plan in plans:
        for dependency in plan.spec.dependencies:
            entry = {
                "kind": dependency.kind,
                "text": dependency.text,
                "line": dependency.line,
                "name": dependency.name,
                "url": dependency.url,
                "reverse": dependency.reverse,
                "linked": False,
            }
            plan.dependencies.append(entry)
            if dependency.kind == "text" or not dependency.name:
                continue
            target_project = (dependency.project or launchpad_project).lower()
            target = dependency.name.lower()
            if target_project != launchpad_project:
                continue  # another project's blueprint: kept as text, shown with its URL
            if target not in blueprints:
                plan.notes.append(
                    SpecProblem(
                        plan.spec.source,
                        dependency.line,
                        f"names blueprint {target!r}, which the planner does not have: "
                        "kept as text",
                    )
                )
                continue
            if target == plan.name:
                continue
            edge = (target, plan.name) if dependency.reverse else (plan.name, target)
            plan.edges.append((*edge, dependency.line))
            wanted.add(edge)
            entry["linked"] = True
    # What the import linked before: an edge the spec still names is left as it is (removed
    # by someone since: not re-added); a new one is added; one the spec dropped is removed.
    previous = {(a, b): plan for plan in plans for a, b in plan.imported.get("depends_on", [])}
    new_edges = wanted - set(previous)
    stale = set(previous) - wanted
    touched = {a for a, _ in new_edges} | {a for a, _ in stale}
    current: dict[str, set[str]] = defaultdict(set)
    for a, b in BlueprintDependency.objects.filter(
        blueprint__project=project, blueprint__name__in=touched
    ).values_list("blueprint__name", "depends_on__name"):
        current[a].add(b)
    lines = {(a, b): (plan, line) for plan in plans for a, b, line in plan.edges}
    added: set[tuple[str, str]] = set()
    refused: set[tuple[str, str]] = set()
    for name in sorted(touched):
        if name not in blueprints:
            continue
        adding = {b for a, b in new_edges if a == name} - current[name]
        removing = {b for a, b in stale if a == name} & current[name]
        if not adding and not removing:
            continue
        new = (current[name] - removing) | adding
        try:
            with transaction.atomic():
                blueprint_set_dependencies(
                    blueprint=blueprints[name],
                    actor=actor,
                    depends_on=[blueprints[b] for b in sorted(new)],
                )
        except ValidationError as error:
            # A cycle through dependencies set elsewhere: this name's new links are refused.
            for b in sorted(adding):
                plan, line = lines[(name, b)]
                plan.notes.append(
                    SpecProblem(
                        plan.spec.source,
                        line,
                        f"{name} → {b} not linked: {' '.join(error.messages)}",
                    )
                )
                refused.add((name, b))
            continue
        report.dependencies_added += len(adding)
        report.dependencies_removed += len(removing)
        for b in adding:
            added.add((name, b))
            lines[(name, b)][0].changed = True
        for b in removing:
            previous[(name, b)].changed = True
    for plan in plans:
        # Remembered: what this import linked, not an edge someone else had made already.
        plan.imported["depends_on"] = sorted(
            [a, b] for a, b, _line in plan.edges if (a, b) in previous or (a, b) in added
        )
        refused_lines = {line for a, b, line in plan.edges if (a, b) in refused}
        for entry in plan.dependencies:
            if entry["line"] in refused_lines:
                entry["linked"] = False


def _write_document(*, plan: _Plan, actor: Actor) -> None:
    spec = plan.spec
    _document, changed = blueprint_spec_set(
        blueprint=plan.blueprint,
        actor=actor,
        contributors=plan.contributors,
        source=spec.source,
        linked_by=SpecLink.URL if spec.linked_by == "url" else SpecLink.FILE_NAME,
        digest=spec_digest(spec),
        sections=[{"title": s.title, "line": s.line, "body": s.body} for s in spec.sections],
        people=plan.people,
        dependencies=plan.dependencies,
        gerrit=[
            {"line": g.line, "change_id": g.change_id, "url": g.url, "number": g.number}
            for g in spec.gerrit
        ],
        imported=plan.imported,
    )
    plan.changed = plan.changed or changed
