"""API fuzzing: schemathesis against the project's own OpenAPI schema.

Every operation of ``/api/schema/`` gets a few generated requests as each role (anonymous,
contributor, squad lead, PTL, authenticated by token), in-process through the WSGI app and in
the test's database transaction. No response may be a 5xx, and every response must match the
schema (body and content type). Examples per operation are bounded (``FUZZ_EXAMPLES``, default
3) so the whole run stays within seconds; raise it for a deeper run.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from planner.wsgi import application
from tests.factories import BlueprintFactory, FFEFactory, WorkItemFactory, cast

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ROLES = ["anonymous", "contributor", "lead", "ptl"]
# Totals over the session (printed by the last test).
RUN: Counter = Counter()


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    # Fetched once per module through the app itself (the request may touch the database).
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


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
    blueprint = BlueprintFactory(project=people.project, squad=people.squad, series=people.series)
    WorkItemFactory(blueprint=blueprint)
    FFEFactory(blueprint=blueprint)
    return people


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 20, "the schema lists fewer operations than the API has"
    return found


def fuzzer(operation, headers: dict, role: str, failures: list[str]):
    """A hypothesis test sending ``EXAMPLES`` generated requests to one operation."""
    label = operation.label

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
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis check failures
            RUN["failures"] += 1
            failures.append(f"{role} {label}: {str(exc)[:600]}")
            raise

    return fuzz


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_5xx_or_off_schema(api_schema, planner_data, role):
    user = planner_data.user(role)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"} if user else {}
    failures: list[str] = []
    before = RUN["examples"]
    found = operations(api_schema)
    for operation in found:
        try:
            fuzzer(operation, headers, role, failures)()
        except (AssertionError, BaseExceptionGroup):
            if not failures:  # not a check failure: a broken test, report it as is
                raise
    assert not failures, "\n\n".join(failures[:10])
    assert RUN["examples"] - before >= len(found), "some operation got no example"


def test_fuzzing_covered_every_role_and_operation(api_schema):
    # Runs after the role tests (file order): the closing note's numbers.
    count = len(operations(api_schema))
    print(f"schemathesis: {count} operations x {len(ROLES)} roles, {RUN['examples']} examples,")
    print(f"              {RUN['failures']} failures")
    if RUN["examples"]:  # the role tests ran in this session
        assert RUN["examples"] >= count * len(ROLES)
        assert RUN["failures"] == 0
