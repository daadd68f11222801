"""Pure parsing of Launchpad's blueprint JSON (``GET /1.0/<project>/all_specifications``).

No ORM: entries in, dataclasses out, every problem reported with the entry's index, name and
field. Values outside Launchpad's vocabularies are reported, never guessed.

``workitems_text`` format (Launchpad ``Specification.workitems_text``): blocks headed
``Work items:`` or ``Work items for <milestone>:``; each line ``[lp-user] Title: STATUS``
(assignee optional; split at the last colon; status case-insensitive); blank lines
separate blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blueprints.models import DefinitionStatus, ImplementationStatus, Priority, WorkItemStatus
from releases.kinds import EventKind

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
HEADER_RE = re.compile(r"^work items(?: for (?P<milestone>\S.*?))?:\s*$", re.IGNORECASE)
ASSIGNEE_RE = re.compile(r"^\[(?P<user>[^\]\s]+)\]\s*(?P<rest>.*)$")
PERSON_RE = re.compile(r"/~(?P<name>[^/]+)/?$")
MILESTONE_RE = re.compile(r"/\+milestone/(?P<name>[^/]+)/?$")
# Launchpad milestone names of a series (ocata-1 … ocata-rc1) → schedule event kinds.
MILESTONE_KINDS = {
    "1": EventKind.MILESTONE_1,
    "2": EventKind.MILESTONE_2,
    "3": EventKind.MILESTONE_3,
    "rc1": EventKind.RC1,
}
REQUIRED = ("name", "title", "priority", "definition_status", "implementation_status")


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
    milestone: str | None
    assignee: str | None
    drafter: str | None
    approver: str | None
    whiteboard: str
    web_link: str
    date_created: datetime | None
    date_started: datetime | None
    date_completed: datetime | None
    work_items: list[ParsedWorkItem] = field(default_factory=list)

    @property
    def people(self) -> set[str]:
        names = {self.assignee, self.drafter, self.approver}
        names |= {w.assignee for w in self.work_items}
        return {n for n in names if n}


@dataclass(frozen=True)
class Problem:
    index: int
    name: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"entry {self.index} ({self.name or '?'}), {self.field}: {self.message}"


class LaunchpadParseError(ValueError):
    """Raised with every problem found; nothing is imported from a bad file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def person_name(link: str | None) -> str | None:
    """``https://api.launchpad.net/1.0/~jdoe`` → ``jdoe``; None stays None."""
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


def milestone_kind(name: str, *, series: str) -> str | None:
    """The schedule event kind of a Launchpad milestone of ``series`` (``ocata-2`` →
    ``milestone-2``), or None when the name is not one of the series' known milestones."""
    prefix = f"{series}-"
    if not name.startswith(prefix):
        return None
    return MILESTONE_KINDS.get(name[len(prefix) :].lower())


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


def parse_blueprints(document: Any) -> list[ParsedBlueprint]:
    """Parse a Launchpad collection (``{"entries": [...]}``) of blueprints.

    Raises ``LaunchpadParseError`` listing every problem (entry index and name, field).
    """
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise LaunchpadParseError([Problem(-1, "", "entries", "no 'entries' list")])
    vocabularies = {
        "priority": set(Priority.values),
        "definition_status": set(DefinitionStatus.values),
        "implementation_status": set(ImplementationStatus.values),
    }
    problems: list[Problem] = []
    parsed: list[ParsedBlueprint] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(document["entries"]):
        if not isinstance(entry, dict):
            problems.append(Problem(index, "", "entry", "not an object"))
            continue
        name = entry.get("name") if isinstance(entry.get("name"), str) else ""
        before = len(problems)

        def problem(field_name: str, message: str, index: int = index, name: str = name) -> None:
            problems.append(Problem(index, name, field_name, message))

        for key in REQUIRED:
            if not entry.get(key):
                problem(key, "missing")
            elif not isinstance(entry[key], str):
                problem(key, f"expected a string, got {type(entry[key]).__name__}")
        if name and not NAME_RE.match(name):
            problem("name", f"{name!r} is not a Launchpad blueprint name")
        if name in seen:
            problem("name", f"duplicate of entry {seen[name]}")
        seen.setdefault(name, index)
        for key, allowed in vocabularies.items():
            value = entry.get(key)
            if value and value not in allowed:
                problem(key, f"unknown value {value!r}")
        values: dict[str, Any] = {}
        converters = {
            "assignee": ("assignee_link", person_name),
            "drafter": ("drafter_link", person_name),
            "approver": ("approver_link", person_name),
            "milestone": ("milestone_link", milestone_name),
            "date_created": ("date_created", _date),
            "date_started": ("date_started", _date),
            "date_completed": ("date_completed", _date),
            "summary": ("summary", _text),
            "whiteboard": ("whiteboard", _text),
            "web_link": ("web_link", _text),
            "work_items": ("workitems_text", parse_workitems_text),
        }
        for target, (source, convert) in converters.items():
            try:
                values[target] = convert(entry.get(source))
            except ValueError as error:
                problem(source, str(error))
        if len(problems) > before:
            continue
        parsed.append(
            ParsedBlueprint(
                index=index,
                name=name,
                title=entry["title"],
                priority=entry["priority"],
                definition_status=entry["definition_status"],
                implementation_status=entry["implementation_status"],
                **values,
            )
        )
    if problems:
        raise LaunchpadParseError(problems)
    return parsed
