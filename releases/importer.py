"""Read an openstack/releases checkout into plain dataclasses (no ORM).

The layout is the upstream one: ``data/series_status.yaml``, ``doc/source/<series>/schedule.yaml``
(+ ``schedule.rst``) and ``deliverables/<series>/<name>.yaml`` (``_independent`` has no series).
Everything is parsed and validated before anything is written, so bad input stops the import with
an error naming the file and line and leaves the database as it was.

A checkout may be hostile: every file is read through ``releases.schedule.read_source`` (a
regular file resolving inside the tree, file and directory links included, of bounded size) and
every YAML document refuses aliases (``safe_load``), so neither a link to ``/etc`` nor a
kilobyte alias bomb gets further than an error naming the file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from core.files import Resolver
from releases.models import DeliverableType, ReleaseModel
from releases.schedule import (
    ParsedEvent,
    ParsedSchedule,
    ScheduleError,
    decode_utf8,
    merge_events,
    parse_schedule,
    read_source,
    read_text,
    safe_load,
    series_order_from_status,
)

try:  # libyaml is ~10x faster; fall back to the pure-Python loader where it is missing.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

# Errors in any source file use the schedule parser's error: "path:line: message".
SourceError = ScheduleError

INDEPENDENT_DIR = "_independent"
RELEASE_MODELS = frozenset(ReleaseModel.values)
DELIVERABLE_TYPES = frozenset(DeliverableType.values)


@dataclass(frozen=True)
class ParsedSeries:
    name: str
    position: int
    release_id: str
    status: str
    initial_release: date | None


@dataclass(frozen=True)
class ParsedDeliverable:
    name: str
    series: str | None  # None for deliverables/_independent
    team: str
    type: str
    release_model: str
    launchpad: str
    repos: list[str]
    releases: list[dict[str, Any]]
    branches: list[dict[str, str]]
    source: str
    digest: str


@dataclass
class ParsedTree:
    root: Path
    series: list[ParsedSeries]
    schedules: list[ParsedSchedule]
    events: list[ParsedEvent]
    deliverables: list[ParsedDeliverable]
    # Deliverable files whose content hash matched the one already imported: not parsed again.
    unchanged_sources: set[str] = field(default_factory=set)
    # Every deliverable file seen in scope (parsed or unchanged), to find files that were removed.
    seen_sources: set[str] = field(default_factory=set)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_series_status(path: Path, *, root: Path | None = None) -> list[ParsedSeries]:
    """``data/series_status.yaml``: every series, newest first upstream; returned oldest first."""
    text = read_text(path, root=root)
    entries = safe_load(text, str(path))
    if not isinstance(entries, list):
        raise SourceError(str(path), 1, "expected a list of series")
    names = series_order_from_status(text, str(path))
    by_name = {e.get("name"): e for e in entries if isinstance(e, dict)}
    result = []
    previous = 0
    for name in names:
        entry = by_name[name]
        initial = entry.get("initial-release")
        if initial is not None and not isinstance(initial, date):
            raise SourceError(
                str(path),
                _line_of(text, [entries.index(entry), "initial-release"]),
                f"{name}: field 'initial-release' is not a date",
            )
        # The position is the release day, so a tree listing only some series (a fixture, a
        # trimmed checkout) numbers them as the full one does; one without a date follows
        # the series before it.
        position = initial.toordinal() if initial is not None else previous + 1
        if position <= previous:
            raise SourceError(
                str(path),
                _line_of(text, [entries.index(entry), "initial-release"]),
                f"{name}: initial-release {initial} is not after the series listed below it",
            )
        previous = position
        result.append(
            ParsedSeries(
                name=name,
                position=position,
                release_id=str(entry.get("release-id") or ""),
                status=str(entry.get("status") or ""),
                initial_release=initial,
            )
        )
    return result


def read_deliverable(
    data: bytes, *, source: str, name: str, series: str | None
) -> ParsedDeliverable:
    """One ``deliverables/<series>/<name>.yaml`` file, validated field by field."""
    text = decode_utf8(data, source=source)
    doc = safe_load(text, source)
    if not isinstance(doc, dict):
        raise SourceError(source, 1, "expected a mapping of deliverable fields")

    def fail(key_path: Sequence[str | int], message: str) -> SourceError:
        return SourceError(source, _line_of(text, key_path), message)

    team = doc.get("team")
    if not isinstance(team, str) or not team:
        raise fail(["team"], "field 'team' is missing or not a string")
    kind = doc.get("type")
    if kind not in DELIVERABLE_TYPES:
        raise fail(["type"], f"field 'type': unknown deliverable type {kind!r}")
    model = doc.get("release-model")
    if model is None:
        model = ReleaseModel.INDEPENDENT if series is None else ""
    elif model not in RELEASE_MODELS:
        raise fail(["release-model"], f"field 'release-model': unknown release model {model!r}")
    launchpad = doc.get("launchpad") or doc.get("storyboard") or ""
    if not isinstance(launchpad, str | int):
        raise fail(["launchpad"], "field 'launchpad' is not a string")

    releases_raw = doc.get("releases") or []
    if not isinstance(releases_raw, list):
        raise fail(["releases"], "field 'releases' is not a list")
    releases: list[dict[str, Any]] = []
    repos: list[str] = []
    for i, rel in enumerate(releases_raw):
        if not isinstance(rel, dict) or "version" not in rel:
            raise fail(["releases", i], f"releases[{i}]: expected a mapping with a 'version'")
        projects = rel.get("projects") or []
        if not isinstance(projects, list):
            raise fail(["releases", i, "projects"], f"releases[{i}].projects is not a list")
        rel_repos = []
        for j, project in enumerate(projects):
            if not isinstance(project, dict) or not isinstance(project.get("repo"), str):
                raise fail(
                    ["releases", i, "projects", j],
                    f"releases[{i}].projects[{j}]: expected a mapping with a 'repo'",
                )
            rel_repos.append(project["repo"])
            if project["repo"] not in repos:
                repos.append(project["repo"])
        releases.append({"version": str(rel["version"]), "repos": rel_repos})
    for repo in _settings_repos(doc):
        if repo not in repos:
            repos.append(repo)

    branches_raw = doc.get("branches") or []
    if not isinstance(branches_raw, list):
        raise fail(["branches"], "field 'branches' is not a list")
    branches = []
    for i, branch in enumerate(branches_raw):
        if not isinstance(branch, dict) or not isinstance(branch.get("name"), str):
            raise fail(["branches", i], f"branches[{i}]: expected a mapping with a 'name'")
        location = branch.get("location", "")
        if isinstance(location, dict):  # multi-repo deliverables: {repo: version}
            location = ", ".join(f"{k}={v}" for k, v in location.items())
        branches.append({"name": branch["name"], "location": str(location)})

    return ParsedDeliverable(
        name=name,
        series=series,
        team=team,
        type=kind,
        release_model=model,
        launchpad=str(launchpad),
        repos=repos,
        releases=releases,
        branches=branches,
        source=source,
        digest=digest_of(data),
    )


def read_tree(
    root: Path,
    *,
    series: Iterable[str] | None = None,
    known_digests: dict[str, str] | None = None,
    progress: Callable[[Iterable[Path], int], Iterable[Path]] | None = None,
) -> ParsedTree:
    """Parse a whole openstack/releases checkout (or the ``series`` named) into a ParsedTree.

    Every schedule is always parsed (21 small files) because an event listed in one series' file
    can be about its neighbour; only deliverables of the requested series are read. A deliverable
    whose SHA-256 equals ``known_digests[source]`` is not parsed again (re-imports are cheap).
    """
    root = Path(root)
    inside = root.resolve()  # every file read must resolve under here
    status_path = root / "data" / "series_status.yaml"
    if not status_path.is_file():
        raise SourceError(
            str(status_path), None, "not an openstack/releases checkout (file missing)"
        )
    all_series = read_series_status(status_path, root=inside)
    order = [s.name for s in all_series]
    wanted = set(order) if series is None else set(series)
    unknown = wanted - set(order) - {INDEPENDENT_DIR}
    if unknown:
        raise SourceError(str(status_path), None, f"unknown series: {', '.join(sorted(unknown))}")

    schedules = []
    docs = root / "doc" / "source"
    for name in order:
        if (docs / name / "schedule.yaml").is_file():
            schedules.append(_read_schedule(docs / name, order, root=inside, name=name))
    events = [e for e in merge_events(schedules) if e.series in wanted]

    known = known_digests or {}
    files: list[tuple[Path, str | None]] = []
    deliverables_dir = root / "deliverables"
    for name in order + [INDEPENDENT_DIR]:
        if name != INDEPENDENT_DIR and name not in wanted:
            continue
        if name == INDEPENDENT_DIR and series is not None and INDEPENDENT_DIR not in wanted:
            continue
        directory = deliverables_dir / name
        if directory.is_dir():
            label = None if name == INDEPENDENT_DIR else name
            files.extend((p, label) for p in sorted(directory.glob("*.yaml")))

    tree = ParsedTree(
        root=root, series=all_series, schedules=schedules, events=events, deliverables=[]
    )
    paths: Iterable[tuple[Path, str | None]] = files
    if progress is not None:
        paths = progress(files, len(files))  # type: ignore[arg-type]
    resolver = Resolver()  # the deliverables' directories resolved once, not per file
    prefix = len(os.fspath(root).rstrip(os.sep)) + 1
    for path, label in paths:
        source = os.fspath(path)[prefix:].replace(os.sep, "/")
        tree.seen_sources.add(source)
        data = read_source(path, source=source, root=inside, resolver=resolver)
        if known.get(source) == digest_of(data):
            tree.unchanged_sources.add(source)
            continue
        tree.deliverables.append(
            read_deliverable(data, source=source, name=path.stem, series=label)
        )
    return tree


# --- helpers ----------------------------------------------------------------------------------


def _read_schedule(
    directory: Path, order: Sequence[str], *, root: Path, name: str
) -> ParsedSchedule:
    """``doc/source/<name>/schedule.yaml`` (+ ``schedule.rst``), both read inside ``root``."""
    source = f"doc/source/{name}/schedule.yaml"
    rst_source = f"doc/source/{name}/schedule.rst"
    yaml_text = read_text(directory / "schedule.yaml", source=source, root=root)
    rst_path = directory / "schedule.rst"
    rst_text = (
        read_text(rst_path, source=rst_source, root=root)
        if rst_path.is_file() or rst_path.is_symlink()
        else None
    )
    return parse_schedule(name, yaml_text, rst_text, source=source, series_order=order)


def _settings_repos(doc: dict[str, Any]) -> list[str]:
    settings = doc.get("repository-settings")
    return [k for k in settings if isinstance(k, str)] if isinstance(settings, dict) else []


def _line_of(text: str, key_path: Sequence[str | int]) -> int | None:
    """1-based line of the node at ``key_path`` (or of its nearest existing parent).

    Only called on the error path, so the happy path keeps libyaml's fast loader.
    """
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in key_path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
            if found is None:
                return line
            line = next(k for k, v in node.value if k.value == key).start_mark.line + 1
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line
