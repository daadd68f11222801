"""The API cannot choose the day of a write either: an FFE request or decision sent with a day
of the client's choosing (in the body, the query, whatever its name) happens on the server's
day (``core.clock``), so a request after the PTL's cut-off is refused and a decision cannot skip
the merge-by check."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from blueprints.models import FeatureFreezeException, FFEStatus
from tests.factories import BlueprintFactory, FFEFactory, FFEPolicyFactory, cast

pytestmark = pytest.mark.django_db

BACK_DATED = {"today": "2017-01-27", "as_of": "2017-01-27", "requested_on": "2017-01-27"}


@pytest.fixture
def world(db, settings):
    settings.PLANNER_TODAY = date(2017, 2, 1)  # the server's day: after the cut-off
    world = cast()
    FFEPolicyFactory(project=world.project, series=world.series, request_cutoff=date(2017, 1, 30))
    world.blueprint = BlueprintFactory(
        series=world.series, squad=world.squad, project=world.project
    )
    return world


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_ffe_request_after_the_cut_off_cannot_be_back_dated(world):
    body = {"blueprint": world.blueprint.pk, "rationale": "late", "merge_by": "2017-02-02"}
    response = client_for(world.contributor).post(
        "/api/v1/ffes/?as_of=2017-01-27", {**body, **BACK_DATED}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"non_field_errors": ["FFE requests for ocata closed on 2017-01-30."]}
    assert not FeatureFreezeException.objects.exists()


def test_an_ffe_decision_happens_on_the_servers_day_and_checks_merge_by_then(world, settings):
    # given: a request whose merge-by (31 Jan) has passed on the server's day (1 Feb)
    ffe = FFEFactory(blueprint=world.blueprint, merge_by=date(2017, 1, 31))
    # when: the PTL grants it "on 27 January"
    response = client_for(world.ptl).post(
        f"/api/v1/ffes/{ffe.pk}/decide/?as_of=2017-01-27",
        {"granted": True, "decided_on": "2017-01-27", **BACK_DATED},
        format="json",
    )
    # then: refused, as it would be on the server's day (the request is fine, the data refuses it)
    assert response.status_code == 409, response.content
    ffe.refresh_from_db()
    assert ffe.status == FFEStatus.REQUESTED
    # and a decision that is allowed is dated by the server
    ok = FFEFactory(blueprint=BlueprintFactory(series=world.series, squad=world.squad))
    response = client_for(world.ptl).post(
        f"/api/v1/ffes/{ok.pk}/decide/", {"granted": True, **BACK_DATED}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["decided_on"] == "2017-02-01"
