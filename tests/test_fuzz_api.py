"""API fuzzing: schemathesis against the project's own OpenAPI schema, with all its checks.

Every operation of ``/api/schema/`` gets generated requests as each role (anonymous,
contributor, squad lead, PTL, the last three by API token), in-process through the WSGI app and
in the test's database transaction. Every check schemathesis has runs on every response: no 5xx,
the status code documented, the body and the headers matching the schema, the content type
declared, valid data accepted, authentication enforced where the schema says it is.

The schema cannot say which values name something that exists (a squad's slug, a blueprint's
id): the API answers 400 for an unknown one in a query or body and 404 in the path. So the
fuzzer is told the test's data: before generating, every parameter and request field that
names an object (recognised by its name, generically, so new operations are covered without
editing this file) is narrowed to the values that exist — plus, in paths, one that does not, so
the 404s are exercised too. Everything else is generated from the schema as it is.

Examples per operation are bounded (``FUZZ_EXAMPLES``, default 3) so the whole run stays
within a minute; raise it for a deeper run.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from knox.models import AuthToken
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from blueprints.models import Blueprint, FeatureFreezeException, FFEPolicy, WorkItem
from notifications.models import Delivery
from planner.models import Replan
from planner.replan_services import replan_apply
from planner.wsgi import application
from releases.models import BranchCut, Event, Series
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal
from tests.factories import (
    AreaExpertFactory,
    BlueprintFactory,
    FFEFactory,
    FFEPolicyFactory,
    SquadGoalFactory,
    WorkItemFactory,
    api_token,
    cast,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = ["anonymous", "contributor", "lead", "ptl"]
MISSING_ID = 987654321
MISSING_NAME = "0" * 15  # a slug, and a token key, that names nothing
# Totals over the session (printed by the last test).
RUN: Counter = Counter()
FAILED_CHECKS: Counter = Counter()
STATUSES: Counter = Counter()


# Rules a schema cannot state (they relate fields to each other or to the calendar). A
# schema-valid request may break one; the answer is then a 400 naming what was wrong, which
# ``positive_data_acceptance`` would count as valid data refused. Each is listed with its rule.
RULES_BEYOND_THE_SCHEMA = {
    "GET /api/v1/cycles/{name}/replan/": "give event and date, or shift_days",
    "POST /api/v1/cycles/{name}/replan/": "give event and date, or shift_days; a real move",
    "POST /api/v1/cycles/generate/": "the release date is a weekday",
    "POST /api/v1/ffes/": "merge-by on or before RC1, requested by the policy's cut-off",
    "POST /api/v1/blueprints/": "the goal is one of the squad's",
    "PUT /api/v1/blueprints/{id}/": "the goal is one of the squad's",
    "PATCH /api/v1/blueprints/{id}/": "the goal is one of the squad's",
}


def valid_data_accepted(ctx, response, case):
    """``positive_data_acceptance``, except for the two refusals a valid request can earn:
    a 412 to a generated ``If-Match`` (it matches no real ETag), and a 400 for a rule above."""
    if response.status_code == 412 and "If-Match" in (case.headers or {}):
        return None
    if response.status_code == 400 and case.operation.label in RULES_BEYOND_THE_SCHEMA:
        body = response.json()
        assert isinstance(body, dict) and all(body.values()), f"a 400 names nothing: {body}"
        return None
    return positive_data_acceptance(ctx, response, case)


def all_checks() -> list:
    """Every check schemathesis has (``valid_data_accepted`` in place of one of them)."""
    load_all_checks()
    checks = [c for c in CHECKS.get_all() if c is not positive_data_acceptance]
    assert len(checks) == len(CHECKS.get_all()) - 1
    return [*checks, valid_data_accepted]


@pytest.fixture(scope="module")
def raw_schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes "old" connections at each request's end; inside the test's
    transaction that would close the test's own connection (PostgreSQL). Django's test client
    disconnects the same handlers for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def planner_data():
    people = cast()
    Series.objects.filter(pk=people.series.pk).update(status="development")
    blueprint = BlueprintFactory(project=people.project, squad=people.squad, series=people.series)
    BlueprintFactory(project=people.project, squad=people.other_squad, series=people.series)
    WorkItemFactory(blueprint=blueprint, assignee=people.contributor)
    FFEFactory(blueprint=blueprint)
    FFEPolicyFactory(project=people.project, series=people.series)
    SquadGoalFactory(squad=people.squad, series=people.series)
    AreaExpertFactory(squad=people.squad, user=people.lead)
    # one applied re-plan, for POST …/replan/{id}/undo/ (by the system: no release manager here)
    replan_apply(series=people.series, actor=None, key="o-ff", new_date=date(2017, 2, 2))
    return people


def known_values(people: Any) -> tuple[dict[str, list], dict[str, list]]:
    """What exists, by the name a parameter or field gives it: (path resources, names)."""
    users = sorted(get_user_model().objects.values_list("username", flat=True))
    series = people.series
    events = list(Event.objects.filter(series=series).values_list("key", flat=True))

    def ids(model: Any) -> list[int]:
        return sorted(model.objects.values_list("pk", flat=True))

    def names(model: Any, field: str) -> list[str]:
        return sorted(set(model.objects.values_list(field, flat=True)) - {""})

    resources = {
        "cycles": [series.name],
        "projects": names(Project, "name"),
        "squads": names(Squad, "slug"),
        "blueprints": ids(Blueprint),
        "work-items": ids(WorkItem),
        "ffes": ids(FeatureFreezeException),
        "ffe-policies": ids(FFEPolicy),
        "memberships": ids(Membership),
        "area-experts": ids(AreaExpert),
        "squad-goals": ids(SquadGoal),
        "webhook-deliveries": ids(Delivery),
        "replan": ids(Replan),
        # Not the caller's own token (revoking it would sign the rest of the run out): a
        # spare one and other users' (a 404 each).
        "tokens": sorted(
            AuthToken.objects.exclude(digest=people.token_digest).values_list(
                "token_key", flat=True
            )
        ),
    }
    fields = {
        "series": [series.name],
        "from": [series.name],
        "to": [series.name],
        "project": names(Project, "name"),
        "squad": names(Squad, "slug"),
        "assignee": users,
        "drafter": users,
        "approver": users,
        "user": users,
        "member": users,
        "blueprint": ids(Blueprint),
        "blueprint_name": names(Blueprint, "name"),
        "depends_on": names(Blueprint, "name"),
        "goal": ids(SquadGoal),
        "milestone": events,
        "target_milestone": events,
        "event": events,
        "team": names(BranchCut, "team"),
        "status": names(Series, "status"),
    }
    return resources, fields


def _enum_like(schema: dict, values: list) -> dict:
    kind = {"type": schema["type"]} if isinstance(schema.get("type"), str) else {}
    return {**kind, "enum": list(values)} if values else schema


def _narrow_property(schema: dict, values: list) -> dict:
    """A field's schema limited to ``values`` (arrays: their items), keeping ``null`` if allowed."""
    if "$ref" in schema or "enum" in schema.get("items", schema):
        return schema  # a nested object, or a vocabulary the schema already spells out
    if schema.get("type") == "array" or "array" in schema.get("type", []):
        return {**schema, "items": _enum_like(schema.get("items", {}), values)}
    kind = schema.get("type", "string")
    nullable = isinstance(kind, list) and "null" in kind
    narrowed = {"type": kind, "enum": [*values, None] if nullable else list(values)}
    return {k: v for k, v in schema.items() if k in {"description", "readOnly"}} | narrowed


def narrow(raw: dict, people: Any) -> dict:
    """The schema with every object-naming parameter and request field narrowed to what exists."""
    resources, fields = known_values(people)
    schema = copy.deepcopy(raw)
    for path, item in schema["paths"].items():
        segments = [s for s in path.split("/") if s]
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                where, name = parameter["in"], parameter["name"]
                if "enum" in parameter.get("schema", {}).get("items", parameter.get("schema", {})):
                    continue
                if where == "path":
                    position = segments.index("{" + name + "}")
                    values = resources.get(segments[position - 1])
                    if values is None and name == "name":  # a sub-resource of a cycle
                        values = resources["cycles"]
                    if values is not None:
                        kind = parameter["schema"].get("type", "string")
                        missing = MISSING_ID if kind == "integer" else MISSING_NAME
                        parameter["schema"] = {"type": kind, "enum": [*values, missing]}
                elif where == "query" and name in fields:
                    parameter["schema"] = _narrow_property(parameter["schema"], fields[name])
            # A parameter naming what does not exist in this data set cannot be sent valid.
            operation["parameters"] = [
                p
                for p in operation.get("parameters", [])
                if not (p["in"] == "query" and p["name"] in fields and not fields[p["name"]])
            ]
    for component_name, component in schema["components"]["schemas"].items():
        if not component_name.endswith("Request"):  # answers are checked as the API sends them
            continue
        for name, prop in component.get("properties", {}).items():
            if name in fields and not prop.get("readOnly"):
                component["properties"][name] = _narrow_property(prop, fields[name])
    return schema


def fuzzer(operation, headers: dict, role: str, failures: list[str]):
    """A hypothesis test sending ``EXAMPLES`` generated requests to one operation."""
    label = operation.label
    checks = all_checks()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: a failure reproduces
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case) -> None:
        RUN["examples"] += 1
        try:
            # Every example meets the same data (the values the schema was narrowed to).
            with transaction.atomic():
                response = case.call_and_validate(headers=headers, checks=checks)
                STATUSES[response.status_code] += 1
                transaction.set_rollback(True)
        except BaseExceptionGroup as group:  # several checks failed
            for failure in group.exceptions:
                FAILED_CHECKS[type(failure).__name__] += 1
            RUN["failures"] += 1
            failures.append(f"{role} {label}: {str(group)[:800]}")
            raise
        except AssertionError as exc:  # one check failed
            FAILED_CHECKS[type(exc).__name__] += 1
            RUN["failures"] += 1
            failures.append(f"{role} {label}: {str(exc)[:800]}")
            raise

    return fuzz


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 60, "the schema lists fewer operations than the API has"
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_the_schema_says(raw_schema, planner_data, role):
    user = planner_data.user(role)
    headers, planner_data.token_digest = {}, None
    if user is not None:
        token = api_token(user)
        api_token(user)  # a spare one, for DELETE /tokens/{token_key}/
        headers = {"Authorization": f"Token {token}"}
        planner_data.token_digest = AuthToken.objects.get(token_key=token[:15]).digest
    schema = schemathesis.openapi.from_dict(narrow(raw_schema, planner_data))
    schema.app = application
    failures: list[str] = []
    before = RUN["examples"]
    found = operations(schema)
    for operation in found:
        try:
            fuzzer(operation, headers, role, failures)()
        except (AssertionError, BaseExceptionGroup):
            if not failures:  # not a check failure: a broken test, report it as is
                raise
    RUN["operations"] = len(found)
    assert not failures, "\n\n".join(failures[:10])
    assert RUN["examples"] - before >= len(found), "some operation got no example"


def test_narrowing_keeps_the_schema_valid_and_covers_every_object_parameter(
    raw_schema, planner_data
):
    planner_data.token_digest = None
    api_token(planner_data.lead)
    narrowed = narrow(raw_schema, planner_data)
    schemathesis.openapi.from_dict(narrowed)  # loads (validated) as any schema would
    untouched = [
        f"{method.upper()} {path} {p['name']}"
        for path, item in narrowed["paths"].items()
        for method, op in item.items()
        for p in op.get("parameters", [])
        if p["in"] == "path" and "enum" not in p["schema"]
    ]
    assert not untouched, f"path parameters the fuzzer does not know how to fill: {untouched}"


def test_fuzzing_covered_every_role_and_operation():
    # Runs after the role tests (file order): the closing note's numbers.
    count = RUN["operations"]
    names = sorted(getattr(c, "__name__", str(c)) for c in all_checks())
    print(
        f"schemathesis, all {len(names)} checks: {count} operations x {len(ROLES)} "
        f"roles, {RUN['examples']} examples, {RUN['failures']} failures"
        + (f" ({dict(FAILED_CHECKS)})" if FAILED_CHECKS else "")
    )
    print(f"              checks: {', '.join(names)}")
    print(f"              answers: {dict(sorted(STATUSES.items()))}")
    if RUN["examples"]:  # the role tests ran in this session
        assert RUN["examples"] >= count * len(ROLES)
        assert RUN["failures"] == 0
