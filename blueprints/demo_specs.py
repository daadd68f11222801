"""The demo's Ocata blueprints as the real Ocata specs write them.

The specs say each blueprint's title and work items; the hand-written facts
(``blueprints.demo_data``) keep what the specs do not say: squads, priorities, milestones,
statuses and their history, and which work items are done (the invented states, given to the
spec's items in order; an item beyond the hand-written ones is TODO). The specs themselves are
read from a checkout at run time (they are CC-BY 3.0 and not part of the project), then
imported through the specs import, which links each blueprint to its spec.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from blueprints.specs import SpecsTree
from blueprints.specs_import import blueprint_title, specs_tree_import, work_item_titles
from core.actors import Actor
from releases.models import Series
from squads.models import Project

Facts = dict[str, tuple[Any, ...]]


def blueprint_facts(
    *, facts: Facts, tree: SpecsTree | None, series: Series, project: Project
) -> Facts:
    """``facts`` (``demo_data.BLUEPRINTS``' shape) with the title and work-item titles of the
    ``series`` spec linking each blueprint; as written without a tree, or for a blueprint no
    spec links."""
    if tree is None:
        return facts
    launchpad = project.launchpad or project.name
    by_name = {
        spec.blueprint_name: spec
        for spec in tree.in_series(series.name)
        if (spec.project or launchpad) == launchpad
    }
    result: Facts = {}
    for name, fact in facts.items():
        spec = by_name.get(name)
        if spec is None:
            result[name] = fact
            continue
        _title, *middle, items = fact
        states = [(state, assignee) for _item, state, assignee in items]
        work_items = [
            (title, *(states[index] if index < len(states) else ("T", None)))
            for index, title in enumerate(work_item_titles(spec))
        ]
        result[name] = (blueprint_title(spec), *middle, work_items)
    return result


def link_specs(*, tree: SpecsTree, series: Series, project: Project, actor: Actor) -> int:
    """Import ``series``' specs of the tree (the specs import); return how many blueprints it
    created or changed (0 on a second run)."""
    one_series = replace(tree, specs=tree.in_series(series.name), ignored=())
    report = specs_tree_import(tree=one_series, project=project, actor=actor)
    return sum(c.created + c.updated for c in report.series.values())
