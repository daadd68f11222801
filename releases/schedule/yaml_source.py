"""``schedule.yaml`` (weeks and the event ids listed in each) and ``series_status.yaml`` (the
order of the series), read node by node so every error names its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import yaml

from releases.schedule.kinds import EVENT_ID_RE
from releases.schedule.parsed import ParsedWeek, ScheduleError

try:  # libyaml is much faster; the pure-Python loader gives identical nodes.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def refuse_aliases(text: str, source: str) -> None:
    """Raise ScheduleError at the first YAML alias (``*name``) of ``text``.

    An alias repeats the node its anchor names; nested, a kilobyte of them stands for
    gigabytes once a reader walks or copies the data ("billion laughs"). openstack/releases
    uses none, so none is accepted. A text without ``*`` cannot hold one (the quick path).
    """
    if "*" not in text:
        return
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise ScheduleError(
                    source,
                    event.start_mark.line + 1,
                    f"YAML alias *{event.anchor} refused (aliases can expand without bound)",
                )
    except yaml.YAMLError:
        return  # the loader reports the syntax error itself, with its line


def safe_load(text: str, source: str) -> object:
    """``yaml.load`` with the safe loader, refusing aliases; errors name ``source``."""
    refuse_aliases(text, source)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise yaml_error(source, exc) from exc


def safe_compose(text: str, source: str) -> yaml.Node | None:
    """``yaml.compose`` (nodes with their lines), refusing aliases; errors name ``source``."""
    refuse_aliases(text, source)
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise yaml_error(source, exc) from exc


def series_order_from_status(text: str, source: str = "series_status.yaml") -> list[str]:
    """Series names oldest -> newest from ``data/series_status.yaml`` (listed newest first)."""
    data = safe_load(text, source)
    if not isinstance(data, list):
        raise ScheduleError(source, 1, "expected a list of series")
    names = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ScheduleError(source, None, f"entry {i}: expected a 'name'")
        names.append(entry["name"])
    return list(reversed(names))


def yaml_error(source: str, exc: yaml.YAMLError) -> ScheduleError:
    """A YAML syntax error as ``source:line: invalid YAML: problem (context)``."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line + 1 != line:
        problem = f"{problem} ({context} started at line {context_mark.line + 1})"
    return ScheduleError(source, line, f"invalid YAML: {problem}")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Scalar key -> (key node, value node) of a mapping node."""
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _date_node(node: yaml.Node, source: str, what: str) -> date:
    if not isinstance(node, yaml.ScalarNode):
        raise ScheduleError(source, _line(node), f"{what}: expected a date, got a {_kind(node)}")
    text = str(node.value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(
            source, _line(node), f"{what}: {text!r} is not a YYYY-MM-DD date"
        ) from None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "scalar"


@dataclass
class Listing:
    key: str
    week: ParsedWeek
    line: int
    project_specific: bool


def parse_yaml(
    yaml_text: str, source: str
) -> tuple[date, date, list[ParsedWeek], list[Listing], list[str]]:
    root = safe_compose(yaml_text, source)
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        raise ScheduleError(source, line, "expected a mapping with start-week, release-week, cycle")
    top = _mapping(root)
    for required in ("start-week", "release-week", "cycle"):
        if required not in top:
            raise ScheduleError(source, _line(root), f"missing '{required}'")
    start_week = _date_node(top["start-week"][1], source, "start-week")
    release_week = _date_node(top["release-week"][1], source, "release-week")
    cycle = top["cycle"][1]
    if not isinstance(cycle, yaml.SequenceNode):
        raise ScheduleError(source, _line(cycle), f"cycle: expected a list, got a {_kind(cycle)}")

    by_span: dict[tuple[date, date], ParsedWeek] = {}
    listings: list[Listing] = []
    notes: list[str] = []
    for week_node in cycle.value:
        if not isinstance(week_node, yaml.MappingNode):
            raise ScheduleError(
                source, _line(week_node), f"week: expected a mapping, got a {_kind(week_node)}"
            )
        fields = _mapping(week_node)
        for required in ("start", "end"):
            if required not in fields:
                raise ScheduleError(source, _line(week_node), f"week has no '{required}'")
        start = _date_node(fields["start"][1], source, "week start")
        end = _date_node(fields["end"][1], source, "week end")
        line = _line(week_node)
        if end < start:
            raise ScheduleError(source, line, f"week ends ({end}) before it starts ({start})")
        if start.weekday() != 0:
            raise ScheduleError(source, line, f"week starts on {start:%A} {start}, not on a Monday")
        if end > start + timedelta(days=4):
            # A week runs Monday-Friday; ussuri's first week reads 2019-10-14 - 2019-10-28
            # (a typo for 10-18 that would overlap R-29): keep the Monday, end on its Friday.
            friday = start + timedelta(days=4)
            notes.append(
                f"{source}:{line}: week {start} - {end} runs past its Friday; read as"
                f" {start} - {friday}"
            )
            end = friday
        name = ""
        if "name" in fields:
            name_node = fields["name"][1]
            if not isinstance(name_node, yaml.ScalarNode):
                raise ScheduleError(source, _line(name_node), "week name: expected a string")
            name = str(name_node.value)
        week = by_span.get((start, end))
        if week is None:
            week = ParsedWeek(start=start, end=end, name=name, line=line)
            by_span[(start, end)] = week
        elif name and not week.name:
            week = replace(week, name=name)
            by_span[(start, end)] = week
        for group in ("x-project", "project-specific"):
            if group not in fields:
                continue
            ids = fields[group][1]
            if isinstance(ids, yaml.ScalarNode) and ids.value in ("", "~", "null"):
                continue
            if not isinstance(ids, yaml.SequenceNode):
                raise ScheduleError(
                    source, _line(ids), f"{group}: expected a list of event ids, got a {_kind(ids)}"
                )
            for id_node in ids.value:
                if not isinstance(id_node, yaml.ScalarNode) or not EVENT_ID_RE.match(
                    str(id_node.value)
                ):
                    shown = id_node.value if isinstance(id_node, yaml.ScalarNode) else "a list"
                    raise ScheduleError(
                        source,
                        _line(id_node),
                        f"{group}: {shown!r} is not an event id (<letter>-<words>)",
                    )
                listings.append(
                    Listing(str(id_node.value), week, _line(id_node), group == "project-specific")
                )

    weeks = sorted(by_span.values(), key=lambda w: w.start)
    for before, after in zip(weeks, weeks[1:], strict=False):
        if after.start <= before.end:
            raise ScheduleError(
                source,
                max(before.line, after.line),
                f"week {after.start} - {after.end} overlaps week {before.start} - {before.end}"
                f" (line {min(before.line, after.line)})",
            )
    # Listings keep the (possibly renamed) merged week object.
    final = {(w.start, w.end): w for w in weeks}
    for listing in listings:
        listing.week = final[(listing.week.start, listing.week.end)]
    return start_week, release_week, weeks, listings, notes
