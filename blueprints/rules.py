"""Pure blueprint rules: Launchpad's lifecycle predicates, progress, dependency checks.

Plain Python, no ORM, so the rules are quick to test and easy to find.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

# Launchpad, lib/lp/blueprints/enums.py (SpecificationImplementationStatus/DefinitionStatus)
# and lib/lp/blueprints/model/specification.py (is_started / is_complete).
NOT_STARTED_STATUSES = frozenset({"Unknown", "Not started", "Deferred", "Informational"})
DONE_DEFINITIONS = frozenset({"Obsolete", "Superseded"})


DONE_STATUS = "Implemented"


def is_done(*, implementation_status: str) -> bool:
    """ "Done", as every count of the planner means it (dashboard totals, squads, forecast,
    burn-up): the implementation status is Implemented."""
    return implementation_status == DONE_STATUS


def is_complete(*, implementation_status: str, definition_status: str) -> bool:
    """Launchpad's ``is_complete``: Implemented, or definition Obsolete/Superseded, or
    Informational with an Approved definition."""
    return (
        implementation_status == "Implemented"
        or definition_status in DONE_DEFINITIONS
        or (implementation_status == "Informational" and definition_status == "Approved")
    )


def is_started(*, implementation_status: str) -> bool:
    """Launchpad's ``is_started``: implementation not Unknown, Not started, Deferred or
    Informational."""
    return implementation_status not in NOT_STARTED_STATUSES


def progress_percent(*, total: int, done: int, postponed: int, complete: bool) -> int:
    """Work-item roll-up: DONE items over the items still planned (POSTPONED ones are out
    of this cycle's scope). With no planned item the blueprint is 100 % when complete
    (Launchpad's is_complete) and 0 % otherwise."""
    planned = total - postponed
    if planned <= 0:
        return 100 if complete else 0
    return round(100 * done / planned)


def creates_cycle(
    *, edges: Mapping[int, Iterable[int]], node: int, new_targets: Iterable[int]
) -> list[int] | None:
    """Would ``node`` depending on ``new_targets`` close a cycle in ``edges`` (id → the ids
    it depends on)? Returns the cycle as a path ``[node, …, node]`` or None.

    A blueprint cannot be finished before the ones it waits for, so a cycle means none of
    them can ever be: refused, like Launchpad refuses circular dependencies.
    """
    graph = {k: set(v) for k, v in edges.items()}
    graph[node] = set(new_targets)
    # Depth-first search from node, looking for a path back to node.
    stack: list[tuple[int, list[int]]] = [(node, [node])]
    seen: set[int] = set()
    while stack:
        current, path = stack.pop()
        for nxt in sorted(graph.get(current, ())):
            if nxt == node:
                return [*path, node]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def late_dependencies(
    *, target: date | None, dependencies: Iterable[tuple[str, date | None]]
) -> list[str]:
    """Names of dependencies targeted at a milestone later than ``target``.

    A blueprint cannot land before what it depends on, so such a plan is flagged; an
    untargeted blueprint or dependency has no date to compare and is not flagged.
    """
    if target is None:
        return []
    return sorted(name for name, when in dependencies if when is not None and when > target)
