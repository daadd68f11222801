"""The architecture as tests: the app layers, one event-kind vocabulary, one rule for "the
series' feature freeze", and notifications that never read the audit trail back."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from releases import selectors
from releases.kinds import FEATURE_FREEZE_KINDS, EventKind, first_of_kinds
from tests.conftest import ROOT
from tests.factories import EventFactory, SeriesFactory

APPS = ("core", "releases", "squads", "blueprints", "planner", "notifications")
VOCABULARY = ROOT / "releases" / "kinds.py"
# String constants that spell a kind's word but are not an event kind, with why.
NOT_KINDS = {
    ("planner/replan_services.py", "rc1"): "the preview's JSON field (RC1 before, after)",
    ("blueprints/views.py", "rc1"): "the template's variable (RC1's date)",
    ("blueprints/launchpad.py", "rc1"): "Launchpad's milestone name suffix (ocata-rc1)",
    ("releases/models.py", "trailing"): "a DeliverableType (openstack/releases' type)",
    ("releases/models.py", "other"): "a DeliverableType (openstack/releases' type)",
}
# A word that is a kind and also a plain name elsewhere (SquadGoal's related name "goals").
NOT_KIND_WORDS = {"goals"}


def production_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path != VOCABULARY
    )


def test_the_import_contract_holds():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_no_production_module_spells_an_event_kind_as_a_string():
    kinds = set(EventKind.values) - NOT_KIND_WORDS
    found = []
    for path in production_modules():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=relative)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in kinds
                and id(node) not in docstrings
                and (relative, node.value) not in NOT_KINDS
            ):
                found.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert found == [], "spell kinds as releases.kinds.EventKind members:\n" + "\n".join(found)


def test_notifications_never_read_the_audit_trail():
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "notifications").rglob("*.py")
        if "AuditEntry" in path.read_text()
    ]
    assert readers == []


@pytest.mark.django_db
def test_the_feature_freeze_is_the_first_event_of_the_first_kind_present():
    # given a series listing feature freeze twice (moved, listed again) and milestone-3 earlier
    series = SeriesFactory(name="zz-two-freezes", position=9100)
    EventFactory(series=series, key="z-3", kind=EventKind.MILESTONE_3, date=date(2044, 1, 19))
    later = EventFactory(series=series, key="z-ff2", kind="feature-freeze", date=date(2044, 2, 2))
    first = EventFactory(series=series, key="z-ff", kind="feature-freeze", date=date(2044, 1, 26))
    EventFactory(series=series, key="z-nova-ff", kind="feature-freeze", date=date(2044, 1, 5),
                 team="nova")  # fmt: skip
    # then every path that asks "which event is the feature freeze" answers the first one
    assert selectors.feature_freeze(series=series) == first
    events = list(series.events.all())
    assert first_of_kinds(events, FEATURE_FREEZE_KINDS) == first
    assert first_of_kinds(events, (EventKind.FEATURE_FREEZE,)) != later
    from blueprints import selectors as blueprint_selectors
    from blueprints.forecast_selectors import with_risk_inputs
    from blueprints.models import Blueprint
    from tests.factories import BlueprintFactory

    assert blueprint_selectors.feature_freeze_date(series=series) == first.date
    bp = BlueprintFactory(series=series)
    annotated = with_risk_inputs(Blueprint.objects.filter(pk=bp.pk), as_of=date(2044, 1, 1)).get()
    assert annotated.risk_freeze == first.date


@pytest.mark.django_db
def test_without_a_feature_freeze_event_the_third_milestone_is_the_freeze():
    series = SeriesFactory(name="zz-no-ff", position=9101)
    m3 = EventFactory(series=series, key="z-3", kind=EventKind.MILESTONE_3, date=date(2044, 1, 26))
    assert selectors.feature_freeze(series=series) == m3
