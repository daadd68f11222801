"""The dependency graph around one blueprint: what it waits for and what waits for it."""

from __future__ import annotations

from dataclasses import dataclass

from blueprints.models import Blueprint, BlueprintDependency


@dataclass(frozen=True)
class Node:
    blueprint: Blueprint
    x: int
    y: int
    complete: bool


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    centre: Node
    upstream: tuple[Node, ...]  # what this blueprint depends on
    downstream: tuple[Node, ...]  # what depends on it
    edges: tuple[tuple[int, int, int, int], ...]  # x1, y1, x2, y2


COLUMN_X = (10, 250, 490)
NODE_W, NODE_H, GAP = 220, 44, 12


def dependency_graph(*, blueprint: Blueprint) -> Graph:
    """Three columns: upstream dependencies, the blueprint, downstream dependents (2 queries)."""
    upstream = [
        link.depends_on
        for link in BlueprintDependency.objects.filter(blueprint=blueprint)
        .select_related("depends_on", "depends_on__target_milestone")
        .order_by("depends_on__name")
    ]
    downstream = [
        link.blueprint
        for link in BlueprintDependency.objects.filter(depends_on=blueprint)
        .select_related("blueprint", "blueprint__target_milestone")
        .order_by("blueprint__name")
    ]
    rows = max(len(upstream), len(downstream), 1)
    height = rows * (NODE_H + GAP) + GAP

    def column(items: list[Blueprint], x: int) -> tuple[Node, ...]:
        top = (height - len(items) * (NODE_H + GAP) + GAP) // 2
        return tuple(
            Node(blueprint=b, x=x, y=top + i * (NODE_H + GAP), complete=b.is_complete)
            for i, b in enumerate(items)
        )

    centre = Node(
        blueprint=blueprint, x=COLUMN_X[1], y=(height - NODE_H) // 2, complete=blueprint.is_complete
    )
    ups, downs = column(upstream, COLUMN_X[0]), column(downstream, COLUMN_X[2])
    mid = NODE_H // 2
    edges = tuple((n.x + NODE_W, n.y + mid, centre.x, centre.y + mid) for n in ups) + tuple(
        (centre.x + NODE_W, centre.y + mid, n.x, n.y + mid) for n in downs
    )
    return Graph(
        width=COLUMN_X[2] + NODE_W + 10,
        height=height,
        centre=centre,
        upstream=ups,
        downstream=downs,
        edges=edges,
    )
