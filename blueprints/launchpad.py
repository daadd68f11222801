"""Pure mapping of Launchpad blueprints as the devel web service serves them.

Source: ``GET <root><project>/all_specifications`` with ``root`` Launchpad's devel API,
``https://api.launchpad.net/devel/``. Launchpad exports every specification field
(``name``, ``title``, ``specification_url``, statuses, people, ``milestone``, ``target``,
``workitems_text``, ``dependencies``…) ``as_of="devel"``
(``lib/lp/blueprints/interfaces/specification.py``): the ``1.0`` API serves none of them.

Accepted documents: one collection page (lazr.restful: ``{"start", "total_size" or
"total_size_link", "next_collection_link"?, "entries": [...], "resource_type_link"}``), the
pages of a collection in order (a JSON list of pages, as ``launchpad_client`` gathers them),
or a single entry (``…/+spec/<name>``: an object with ``self_link`` and ``name``). A page
that says more follow (``next_collection_link`` on the last page given) is reported, not
taken for the whole collection.

Each entry is mapped on its own, with no ORM: an entry with a problem is left out and the
problem reported with its index, name and field; the others are kept. When a project is
asked, entries of another target (``target_link``) are left out and counted; when a series
is asked, so are entries whose milestone belongs to another series (the milestone's
``series_target_link`` when the milestones were fetched, else the ``<series>-`` prefix
OpenStack gives milestone names). A milestone the series' schedule does not know
(``ocata-rc2``) keeps the entry, without a target, and a warning. An entry without
``workitems_text`` has *unknown* work items (``work_items is None``), which is not the same
as none (``[]``): Launchpad serves ``""`` when a blueprint has no work items.

``workitems_text`` format (Launchpad ``Specification.workitems_text``): blocks headed
``Work items:`` or ``Work items for <milestone>:``; each line ``[lp-user] Title: STATUS``
(assignee optional; split at the last colon; status case-insensitive); blank lines
separate blocks.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from blueprints.models import DefinitionStatus, ImplementationStatus, Priority, WorkItemStatus
from releases.kinds import EventKind

API_ROOT = "https://api.launchpad.net/devel/"
ERROR, WARNING = "error", "warning"

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
HEADER_RE = re.compile(r"^work items(?: for (?P<milestone>\S.*?))?:\s*$", re.IGNORECASE)
ASSIGNEE_RE = re.compile(r"^\[(?P<user>[^\]\s]+)\]\s*(?P<rest>.*)$")
PERSON_RE = re.compile(r"/~(?P<name>[^/]+)/?$")
MILESTONE_RE = re.compile(r"/\+milestone/(?P<name>[^/]+)/?$")
SPEC_LINK_RE = re.compile(r"/(?P<target>[^/]+)/\+spec/(?P<name>[^/]+)/?$")
# OpenStack names a series' Launchpad milestones <series>-1 … <series>-rc1.
SERIES_PREFIX_RE = re.compile(r"^(?P<series>[a-z]+)-")
# Launchpad milestone names of a series (ocata-1 … ocata-rc1) → schedule event kinds.
MILESTONE_KINDS = {
    "1": EventKind.MILESTONE_1,
    "2": EventKind.MILESTONE_2,
    "3": EventKind.MILESTONE_3,
    "rc1": EventKind.RC1,
}
REQUIRED = ("name", "title", "priority", "definition_status", "implementation_status")
# Launchpad's valid_webref accepts http, https and ftp; Django's URLField adds ftps.
SPEC_URL_SCHEMES = ("http", "https", "ftp", "ftps")
SPEC_URL_MAX = 500  # Blueprint.spec_url
PAGE_TYPE = "#specification-page-resource"
ENTRY_TYPE = "#specification"


@dataclass(frozen=True)
class ParsedWorkItem:
    title: str
    assignee: str | None
    status: str
    milestone: str
    order: int


@dataclass(frozen=True)
class ParsedBlueprint:
    index: int
    name: str
    title: str
    summary: str
    priority: str
    definition_status: str
    implementation_status: str
    milestone: str | None  # the Launchpad milestone's name, as linked
    assignee: str | None
    drafter: str | None
    approver: str | None
    whiteboard: str
    web_link: str
    date_created: datetime | None
    date_started: datetime | None
    date_completed: datetime | None
    # None: Launchpad did not say (no workitems_text), so local work items must be kept.
    work_items: list[ParsedWorkItem] | None = field(default_factory=list)
    spec_url: str = ""
    self_link: str = ""
    target: str | None = None  # the Launchpad project the blueprint belongs to
    # The sync GETs this link for the names of the blueprints this one depends on.
    dependencies_collection_link: str | None = None
    # Names of same-target blueprints this one depends on; None when they were not fetched.
    depends_on: tuple[str, ...] | None = None
    milestone_series: str | None = None  # the series the milestone belongs to, when known
    # The schedule event kind to target (``ocata-2`` → ``milestone-2``) when a series was
    # asked and the milestone is one of its schedule's; None: no target.
    milestone_kind: str | None = None

    @property
    def work_items_known(self) -> bool:
        return self.work_items is not None

    @property
    def people(self) -> set[str]:
        names = {self.assignee, self.drafter, self.approver}
        names |= {w.assignee for w in self.work_items or ()}
        return {n for n in names if n}


@dataclass(frozen=True)
class Problem:
    index: int  # the entry's position across all pages; -1 for the document itself
    name: str
    field: str
    message: str
    severity: str = ERROR  # an error leaves the entry out; a warning keeps it

    def __str__(self) -> str:
        where = "document" if self.index < 0 else f"entry {self.index} ({self.name or '?'})"
        warning = "warning: " if self.severity == WARNING else ""
        return f"{warning}{where}, {self.field}: {self.message}"


@dataclass(frozen=True)
class LaunchpadParse:
    """What a document gave: the blueprints kept, the problems, and what was left out."""

    blueprints: list[ParsedBlueprint]
    problems: list[Problem]
    other_target: list[str]  # "<target>/<name>" of entries of another project
    other_series: list[str]  # "<name> (<milestone>)" of entries of another series
    untargeted: list[str]  # names of entries with no milestone (series unknown)
    complete: bool  # False when pages are missing (the document is part of a collection)
    total_size: int | None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def summary(self) -> str:
        parts = [f"{len(self.blueprints)} blueprints"]
        if self.other_target:
            parts.append(f"{len(self.other_target)} of another project left out")
        if self.other_series:
            parts.append(f"{len(self.other_series)} of another series left out")
        if self.errors:
            parts.append(f"{len(self.errors)} problems")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warnings")
        if not self.complete:
            parts.append("incomplete: pages are missing")
        return ", ".join(parts)


class LaunchpadParseError(ValueError):
    """Raised with every problem found; nothing is imported from a bad file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def person_name(link: str | None) -> str | None:
    """``https://api.launchpad.net/devel/~jdoe`` → ``jdoe``; None stays None."""
    if not link:
        return None
    match = PERSON_RE.search(link)
    if not match:
        raise ValueError(f"not a Launchpad person link: {link!r}")
    return match["name"]


def milestone_name(link: str | None) -> str | None:
    """``…/tripleo/+milestone/ocata-2`` → ``ocata-2``; None stays None."""
    if not link:
        return None
    match = MILESTONE_RE.search(link)
    if not match:
        raise ValueError(f"not a Launchpad milestone link: {link!r}")
    return match["name"]


def link_name(link: str | None) -> str | None:
    """The last path segment of a Launchpad link: ``…/devel/tripleo`` → ``tripleo``, a
    milestone's ``series_target_link`` ``…/devel/tripleo/ocata`` → ``ocata``."""
    if not link:
        return None
    path = urllib.parse.urlsplit(link).path.rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if not name or name.startswith(("~", "+")):
        raise ValueError(f"not a Launchpad project or series link: {link!r}")
    return name


def milestone_kind(name: str, *, series: str) -> str | None:
    """The schedule event kind of a Launchpad milestone of ``series`` (``ocata-2`` →
    ``milestone-2``), or None when the name is not one of the series' known milestones."""
    prefix = f"{series}-"
    if not name.startswith(prefix):
        return None
    return MILESTONE_KINDS.get(name[len(prefix) :].lower())


def milestone_series(
    name: str,
    link: str | None = None,
    *,
    milestones: Mapping[str, Mapping[str, Any]] | None = None,
    known_series: Collection[str] | None = None,
) -> str | None:
    """The series a milestone belongs to: its ``series_target_link`` when the milestone entry
    was fetched (``milestones`` maps a ``milestone_link`` to the entry), else the
    ``<series>-`` prefix of its name (a known series when ``known_series`` is given), else
    None."""
    entry = (milestones or {}).get(link or "")
    if entry and entry.get("series_target_link"):
        return link_name(entry["series_target_link"])
    match = SERIES_PREFIX_RE.match(name)
    if match and (known_series is None or match["series"] in known_series):
        return match["series"]
    return None


def entry_target(entry: Mapping[str, Any]) -> str | None:
    """The project an entry belongs to, from ``target_link`` or else its ``self_link``."""
    if entry.get("target_link"):
        return link_name(entry["target_link"])
    match = SPEC_LINK_RE.search(entry.get("self_link") or "")
    return match["target"] if match else None


def in_scope(
    entry: Mapping[str, Any],
    *,
    project: str | None = None,
    series: str | None = None,
    known_series: Collection[str] | None = None,
) -> bool:
    """Whether a raw entry may belong to ``project`` and ``series`` (by its target and its
    milestone's name alone): a cheap test to skip fetching what would be left out."""
    try:
        target = entry_target(entry)
        milestone = milestone_name(entry.get("milestone_link"))
    except ValueError:
        return True  # let the parse report it
    if project and target and target != project:
        return False
    if series and milestone:
        found = milestone_series(milestone, known_series=known_series)
        return found is None or found == series
    return True


def parse_workitems_text(text: str | None) -> list[ParsedWorkItem]:
    """Parse Launchpad's ``workitems_text``; raises ValueError naming the bad line."""
    items: list[ParsedWorkItem] = []
    in_block = False
    milestone = ""
    statuses = {s.upper(): s for s in WorkItemStatus.values}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            in_block = False
            continue
        header = HEADER_RE.match(line)
        if header and not in_block:
            in_block, milestone = True, (header["milestone"] or "").strip()
            continue
        if not in_block:
            raise ValueError(f"line {number}: {line!r} is outside a 'Work items:' block")
        assignee = None
        match = ASSIGNEE_RE.match(line)
        if match:
            assignee, line = match["user"], match["rest"]
        title, colon, status = line.rpartition(":")
        title, status = title.strip(), status.strip()
        if not colon or not title:
            raise ValueError(f"line {number}: {raw.strip()!r} is not 'Title: STATUS'")
        if status.upper() not in statuses:
            raise ValueError(f"line {number}: unknown work item status {status!r}")
        items.append(
            ParsedWorkItem(
                title=title,
                assignee=assignee,
                status=statuses[status.upper()],
                milestone=milestone,
                order=len(items),
            )
        )
    return items


def _work_items(value: Any) -> list[ParsedWorkItem] | None:
    if value is None:
        return None  # not said: unknown, not empty
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return parse_workitems_text(value)


def _date(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"date without a time zone: {value!r}")
    return parsed


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _link(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a link: {value!r}")
    return value


def _spec_url(value: Any) -> tuple[str, str | None]:
    """(the URL to keep, a warning): a bad spec URL is reported and dropped, not fatal."""
    if value in (None, ""):
        return "", None
    if not isinstance(value, str):
        return "", f"not a string: {value!r}"
    if urllib.parse.urlsplit(value).scheme not in SPEC_URL_SCHEMES:
        return "", f"{value!r} is not an http(s) or ftp URL: not kept"
    if len(value) > SPEC_URL_MAX:
        return "", f"longer than {SPEC_URL_MAX} characters: not kept"
    return value, None


def _pages(document: Any) -> tuple[list[Mapping[str, Any]], list[Problem]]:
    """The collection pages of a document: one page, a list of pages, or one entry."""
    if isinstance(document, dict) and isinstance(document.get("entries"), list):
        return [document], []
    if isinstance(document, dict) and "self_link" in document and "name" in document:
        return [{"start": 0, "total_size": 1, "entries": [document]}], []
    if isinstance(document, list) and document:
        bad = [i for i, page in enumerate(document) if not _is_page(page)]
        if not bad:
            return document, []
        return [], [
            Problem(-1, "", "entries", f"item {i} of the list is not a page (no 'entries' list)")
            for i in bad
        ]
    return [], [
        Problem(
            -1,
            "",
            "entries",
            "no 'entries' list: not a Launchpad collection page, list of pages or entry",
        )
    ]


def _is_page(page: Any) -> bool:
    return isinstance(page, dict) and isinstance(page.get("entries"), list)


def _check_pages(pages: list[Mapping[str, Any]]) -> tuple[list[Problem], bool, int | None]:
    """Problems of the pages as a whole: a page of something else, missing pages."""
    problems: list[Problem] = []
    complete = True
    expected = 0
    total_size: int | None = None
    for number, page in enumerate(pages, start=1):
        kind = page.get("resource_type_link")
        if isinstance(kind, str) and not kind.endswith(PAGE_TYPE):
            problems.append(
                Problem(-1, "", "resource_type_link", f"page {number} is not of blueprints: {kind}")
            )
        start = page.get("start")
        if isinstance(start, int) and start != expected:
            problems.append(
                Problem(
                    -1,
                    "",
                    "start",
                    f"page {number} starts at entry {start} but {expected} entries came "
                    "before it: pages are missing or out of order",
                )
            )
            complete = False
        expected += len(page["entries"])
        if isinstance(page.get("total_size"), int):
            total_size = page["total_size"]
        follows = page.get("next_collection_link")
        if follows and number == len(pages):
            problems.append(
                Problem(
                    -1,
                    "",
                    "next_collection_link",
                    f"page {number} says more entries follow ({follows}): this is part of the "
                    "collection, not all of it; fetch every page (or give them all, as a list)",
                )
            )
            complete = False
        elif not follows and number < len(pages):
            problems.append(
                Problem(
                    -1,
                    "",
                    "next_collection_link",
                    f"page {number} is the last of its collection, yet more pages follow",
                )
            )
            complete = False
    if total_size is not None and complete and total_size != expected:
        problems.append(
            Problem(
                -1,
                "",
                "total_size",
                f"total_size says {total_size} entries, the pages hold {expected}",
                severity=ERROR if expected < total_size else WARNING,
            )
        )
        complete = complete and expected >= total_size
    return problems, complete, total_size


class _Report(list[Problem]):
    """The problems of one entry."""

    def __init__(self, index: int, name: str) -> None:
        super().__init__()
        self.index, self.name = index, name

    def add(self, field_name: str, message: str, severity: str = ERROR) -> None:
        self.append(Problem(self.index, self.name, field_name, message, severity))

    @property
    def failed(self) -> bool:
        return any(p.severity == ERROR for p in self)


@dataclass(frozen=True)
class _Scope:
    target: str | None
    milestone: str | None
    milestone_series: str | None
    left_out: str | None = None  # "target" | "series"


def _scope(
    entry: Mapping[str, Any],
    report: _Report,
    *,
    project: str | None,
    series: str | None,
    known_series: Collection[str] | None,
    milestones: Mapping[str, Mapping[str, Any]] | None,
) -> _Scope:
    """Whose and which series' blueprint an entry is, from its target and milestone links."""
    try:
        target = entry_target(entry)
    except ValueError as error:
        report.add("target_link", str(error))
        target = None
    if project and target and target != project:
        return _Scope(target, None, None, left_out="target")
    try:
        milestone = milestone_name(_link(entry.get("milestone_link")))
    except ValueError as error:
        report.add("milestone_link", str(error))
        milestone = None
    found = None
    if milestone:
        try:
            found = milestone_series(
                milestone,
                entry.get("milestone_link"),
                milestones=milestones,
                known_series=known_series,
            )
        except ValueError as error:
            report.add("milestone_link", f"its milestone's series: {error}")
    if series and milestone and found and found != series:
        return _Scope(target, milestone, found, left_out="series")
    return _Scope(target, milestone, found)


def _target_kind(scope: _Scope, report: _Report, *, series: str) -> str | None:
    """The schedule event kind the blueprint targets in ``series``; warns when none."""
    if not scope.milestone:
        return None
    if scope.milestone_series != series:
        message = f"milestone {scope.milestone!r} belongs to no known series"
        report.add("milestone_link", f"{message}: kept without a target", WARNING)
        return None
    kind = milestone_kind(scope.milestone, series=series)
    if kind is None:
        known = ", ".join(f"{series}-{k}" for k in MILESTONE_KINDS)
        report.add(
            "milestone_link",
            f"milestone {scope.milestone!r} is not one of the {series} schedule's milestones "
            f"({known}): kept without a target",
            WARNING,
        )
    return kind


VOCABULARIES = {
    "priority": frozenset(Priority.values),
    "definition_status": frozenset(DefinitionStatus.values),
    "implementation_status": frozenset(ImplementationStatus.values),
}
CONVERTERS = {
    "assignee": ("assignee_link", person_name),
    "drafter": ("drafter_link", person_name),
    "approver": ("approver_link", person_name),
    "date_created": ("date_created", _date),
    "date_started": ("date_started", _date),
    "date_completed": ("date_completed", _date),
    "summary": ("summary", _text),
    "whiteboard": ("whiteboard", _text),
    "web_link": ("web_link", _text),
    "self_link": ("self_link", _text),
    "dependencies_collection_link": ("dependencies_collection_link", _link),
    "work_items": ("workitems_text", _work_items),
}


def _fields(entry: Mapping[str, Any], report: _Report) -> dict[str, Any]:
    """The entry's values in ParsedBlueprint's terms; what does not fit is reported."""
    for key in REQUIRED:
        if not entry.get(key):
            report.add(key, "missing")
        elif not isinstance(entry[key], str):
            report.add(key, f"expected a string, got {type(entry[key]).__name__}")
    name = report.name
    if name and not NAME_RE.match(name):
        report.add("name", f"{name!r} is not a Launchpad blueprint name")
    for key, allowed in VOCABULARIES.items():
        value = entry.get(key)
        if isinstance(value, str) and value and value not in allowed:
            report.add(key, f"unknown value {value!r}")
    kind_link = entry.get("resource_type_link")
    if isinstance(kind_link, str) and not kind_link.endswith(ENTRY_TYPE):
        report.add("resource_type_link", f"not a blueprint: {kind_link}")
    values: dict[str, Any] = {}
    for target_field, (source, convert) in CONVERTERS.items():
        try:
            values[target_field] = convert(entry.get(source))
        except ValueError as error:
            report.add(source, str(error))
    started, completed = values.get("date_started"), values.get("date_completed")
    if started and completed and completed < started:
        report.add("date_completed", f"{completed.isoformat()} is before date_started")
    values["spec_url"], spec_warning = _spec_url(entry.get("specification_url"))
    if spec_warning:
        report.add("specification_url", spec_warning, WARNING)
    return values


def parse_specifications(
    document: Any,
    *,
    project: str | None = None,
    series: str | None = None,
    known_series: Collection[str] | None = None,
    milestones: Mapping[str, Mapping[str, Any]] | None = None,
    dependencies: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    keep_untargeted: bool = True,
) -> LaunchpadParse:
    """Map Launchpad specifications onto blueprints, entry by entry.

    ``project`` leaves out (and counts) entries of another target; ``series`` leaves out
    those of another series and resolves milestones to schedule kinds (``known_series``
    limits which ``<series>-`` prefixes name a series; ``milestones`` maps a
    ``milestone_link`` to the fetched milestone entry, whose ``series_target_link`` wins).
    ``dependencies`` maps a ``dependencies_collection_link`` to the entries it lists.
    ``keep_untargeted=False`` leaves out entries with no milestone when a series is asked (a
    project-wide listing holds every series' blueprints). Never raises on bad input.
    """
    pages, problems = _pages(document)
    page_problems, complete, total_size = _check_pages(pages) if pages else ([], False, None)
    problems += page_problems
    kept: list[ParsedBlueprint] = []
    other_target: list[str] = []
    other_series: list[str] = []
    untargeted: list[str] = []
    seen: dict[str, int] = {}
    entries = [entry for page in pages for entry in page["entries"]]
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(Problem(index, "", "entry", "not an object"))
            continue
        name = entry.get("name") if isinstance(entry.get("name"), str) else ""
        report = _Report(index, name)
        # Scope first: what is left out is counted, not checked any further.
        scope = _scope(
            entry,
            report,
            project=project,
            series=series,
            known_series=known_series,
            milestones=milestones,
        )
        if scope.left_out == "target":
            other_target.append(f"{scope.target}/{name or '?'}")
            continue
        if scope.left_out == "series":
            other_series.append(f"{name or '?'} ({scope.milestone})")
            continue
        if series and not scope.milestone and not report.failed:
            untargeted.append(name)
            if not keep_untargeted:
                continue
        kind = _target_kind(scope, report, series=series) if series else None
        values = _fields(entry, report)
        if name in seen:
            report.add("name", f"duplicate of entry {seen[name]}")
        seen.setdefault(name, index)
        depends_on = _depends_on(
            values.get("dependencies_collection_link"), scope.target, dependencies, report
        )
        problems += report
        if report.failed:
            continue
        kept.append(
            ParsedBlueprint(
                index=index,
                name=name,
                title=entry["title"],
                priority=entry["priority"],
                definition_status=entry["definition_status"],
                implementation_status=entry["implementation_status"],
                milestone=scope.milestone,
                target=scope.target,
                depends_on=depends_on,
                milestone_series=scope.milestone_series,
                milestone_kind=kind,
                **values,
            )
        )
    return LaunchpadParse(
        blueprints=kept,
        problems=problems,
        other_target=other_target,
        other_series=other_series,
        untargeted=untargeted,
        complete=complete,
        total_size=total_size,
    )


def _depends_on(
    link: str | None,
    target: str | None,
    dependencies: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    report: _Report,
) -> tuple[str, ...] | None:
    """Names of the blueprints ``link`` lists, of the entry's own target; None if not fetched.

    A dependency on another project's blueprint cannot be a planner dependency: warned."""
    if dependencies is None or link is None or link not in dependencies:
        return None
    names: list[str] = []
    for dependency in dependencies[link]:
        try:
            dep_target = entry_target(dependency)
        except ValueError:
            dep_target = None
        match = SPEC_LINK_RE.search(dependency.get("self_link") or "")
        dep_name = dependency.get("name") or (match["name"] if match else "")
        if not isinstance(dep_name, str) or not dep_name:
            message = f"a dependency without a name: {dependency}"
            report.add("dependencies_collection_link", message, WARNING)
        elif target and dep_target and dep_target != target:
            report.add(
                "dependencies_collection_link",
                f"depends on {dep_target}/{dep_name}, another project's blueprint: not linked",
                WARNING,
            )
        else:
            names.append(dep_name)
    return tuple(names)


def parse_blueprints(document: Any) -> list[ParsedBlueprint]:
    """Parse a Launchpad document strictly: every entry or nothing.

    Raises ``LaunchpadParseError`` listing every error (entry index and name, field). Kept
    for the one-shot file import, which replaces work items wholesale: unknown work items
    come back as none (``[]``) here; ``parse_specifications`` keeps the difference.
    """
    parsed = parse_specifications(document)
    if parsed.errors:
        raise LaunchpadParseError(parsed.errors)
    return [replace(b, work_items=b.work_items or []) for b in parsed.blueprints]
