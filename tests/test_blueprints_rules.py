"""Launchpad's lifecycle rules, progress roll-up and dependency checks (pure)."""

import datetime as dt

import pytest

from blueprints import rules
from blueprints.models import DefinitionStatus, ImplementationStatus

NOT_STARTED = {"Unknown", "Not started", "Deferred", "Informational"}


def test_vocabularies_are_launchpads_exactly():
    assert ImplementationStatus.values == [
        "Unknown",
        "Not started",
        "Deferred",
        "Needs Infrastructure",
        "Blocked",
        "Started",
        "Slow progress",
        "Good progress",
        "Beta Available",
        "Needs Code Review",
        "Deployment",
        "Implemented",
        "Informational",
    ]
    assert DefinitionStatus.values == [
        "New",
        "Discussion",
        "Drafting",
        "Pending Approval",
        "Review",
        "Approved",
        "Superseded",
        "Obsolete",
    ]


@pytest.mark.parametrize("status", ImplementationStatus.values)
def test_is_started(status):
    assert rules.is_started(implementation_status=status) is (status not in NOT_STARTED)


@pytest.mark.parametrize("definition", DefinitionStatus.values)
@pytest.mark.parametrize("implementation", ImplementationStatus.values)
def test_is_complete(implementation, definition):
    expected = (
        implementation == "Implemented"
        or definition in {"Obsolete", "Superseded"}
        or (implementation == "Informational" and definition == "Approved")
    )
    assert (
        rules.is_complete(implementation_status=implementation, definition_status=definition)
        is expected
    )


def test_informational_is_complete_only_once_approved():
    assert not rules.is_complete(implementation_status="Informational", definition_status="Review")
    assert rules.is_complete(implementation_status="Informational", definition_status="Approved")


@pytest.mark.parametrize(
    ("total", "done", "postponed", "complete", "expected"),
    [
        (0, 0, 0, False, 0),
        (0, 0, 0, True, 100),
        (4, 1, 0, False, 25),
        (4, 2, 2, False, 100),  # postponed items are out of the cycle's scope
        (3, 1, 0, False, 33),
        (2, 0, 2, True, 100),
    ],
)
def test_progress_percent(total, done, postponed, complete, expected):
    assert (
        rules.progress_percent(total=total, done=done, postponed=postponed, complete=complete)
        == expected
    )


def test_creates_cycle_finds_the_path_back():
    edges = {1: {2}, 2: {3}}
    assert rules.creates_cycle(edges=edges, node=3, new_targets=[1]) == [3, 1, 2, 3]
    assert rules.creates_cycle(edges=edges, node=3, new_targets=[4]) is None
    assert rules.creates_cycle(edges=edges, node=1, new_targets=[2, 3]) is None


def test_late_dependencies_flags_only_later_targets():
    target = dt.date(2016, 12, 15)
    deps = [
        ("earlier", dt.date(2016, 11, 17)),
        ("same", target),
        ("later", dt.date(2017, 1, 26)),
        ("untargeted", None),
    ]
    assert rules.late_dependencies(target=target, dependencies=deps) == ["later"]
    assert rules.late_dependencies(target=None, dependencies=deps) == []
