"""Bad values in queries, forms and bodies get a 400 naming the parameter (a message on pages),
never a 500 and never silently ignored: days at the ends of the calendar and garbage days,
huge limits, offsets and ids, huge re-plan shifts, NUL bytes (PostgreSQL refuses them in a
query), non-numeric ids in forms and deeply nested JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.pagination import BoundedLimitOffsetPagination
from tests.factories import (
    BlueprintFactory,
    SquadFactory,
    UserFactory,
    WorkItemFactory,
    ocata_schedule,
)

pytestmark = pytest.mark.django_db

BAD_DAYS = ["garbage", "0001-01-01", "9999-12-31", "2017-02-30", "2017-1-5", "1e9"]


@pytest.fixture
def demo(db):
    """A blueprint of ocata with work items (the demo's shape, at a fraction of its cost)."""
    series = ocata_schedule()
    blueprint = BlueprintFactory(series=series, squad=SquadFactory(slug="ci"))
    for _ in range(3):
        WorkItemFactory(blueprint=blueprint)
    return blueprint


def api() -> APIClient:
    return APIClient(raise_request_exception=False)


def page() -> Client:
    return Client(raise_request_exception=False)


def names_parameter(response, name: str) -> bool:
    return response.status_code == 400 and name in response.json()


# --- as_of ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", BAD_DAYS)
def test_a_bad_as_of_is_a_400_naming_it_on_the_api(value, demo):
    for url in (
        "/api/v1/problems/",
        "/api/v1/cycles/ocata/forecast/",
        f"/api/v1/blueprints/{demo.pk}/forecast/",
    ):
        response = api().get(url, {"as_of": value})
        assert names_parameter(response, "as_of"), (url, response.status_code, response.content)


@pytest.mark.parametrize("value", BAD_DAYS)
def test_a_bad_as_of_is_a_clear_message_on_pages(value, demo):
    for url in ("/cycles/ocata/", "/problems/", f"/blueprints/{demo.pk}/"):
        response = page().get(url, {"as_of": value})
        assert response.status_code == 400, (url, response.status_code)
        text = response.content.decode()
        assert "<code>as_of</code>" in text and ("not a day" in text or "outside" in text)


def test_a_good_or_empty_as_of_still_works(demo):
    assert api().get("/api/v1/problems/", {"as_of": "2017-01-10"}).status_code == 200
    assert page().get("/cycles/ocata/", {"as_of": ""}).status_code == 200
    assert page().get("/cycles/ocata/", {"as_of": "2017-01-10"}).status_code == 200


# --- limit, offset, ids ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=99999999999999999999", "limit"),
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=99999999999999999999", "offset"),
        ("offset=-5", "offset"),
        ("offset=1e3", "offset"),
    ],
)
def test_bad_limits_and_offsets_are_a_400_naming_them(query, name, demo):
    for url in ("/api/v1/blueprints/", "/api/v1/work-items/", "/api/v1/cycles/"):
        assert names_parameter(api().get(f"{url}?{query}"), name), url


def test_a_huge_limit_is_cut_to_the_maximum(demo):
    response = api().get("/api/v1/work-items/?limit=1000000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == response.json()["count"] == 3
    assert response.json()["next"] is None


def test_the_limit_is_cut_to_the_maximum_in_the_links(demo, monkeypatch):
    for _ in range(3):
        WorkItemFactory(blueprint=demo)
    monkeypatch.setattr(BoundedLimitOffsetPagination, "max_limit", 4)
    response = api().get("/api/v1/work-items/?limit=1000000")
    assert len(response.json()["results"]) == 4
    assert "limit=4" in response.json()["next"]


@pytest.mark.parametrize("huge", ["99999999999999999999", "9223372036854775808", "-1"])
def test_huge_ids_are_a_404_in_paths_and_a_400_in_filters(huge, demo):
    for url in (
        f"/api/v1/blueprints/{huge}/",
        f"/api/v1/work-items/{huge}/",
        f"/blueprints/{huge}/",
    ):
        assert api().get(url).status_code == 404, url
    for url in ("/api/v1/work-items/", "/api/v1/ffes/"):
        assert names_parameter(api().get(url, {"blueprint": huge}), "blueprint"), url


# --- re-planning --------------------------------------------------------------------------------
@pytest.mark.parametrize("shift", [10**9, -(10**9), 731, 10**30])
def test_a_huge_whole_cycle_shift_is_a_400_naming_it(shift, demo):
    assert names_parameter(
        api().get("/api/v1/cycles/ocata/replan/", {"shift_days": shift}), "shift_days"
    )
    client = api()
    client.force_authenticate(UserFactory(is_superuser=True))
    response = client.post("/api/v1/cycles/ocata/replan/", {"shift_days": shift}, format="json")
    assert names_parameter(response, "shift_days")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_moving_an_event_to_the_ends_of_the_calendar_is_refused(day, demo):
    query = {"event": "o-ff", "date": day}
    assert names_parameter(api().get("/api/v1/cycles/ocata/replan/", query), "date")
    response = page().get("/cycles/ocata/replan/", query)
    assert (
        response.status_code == 200
        and "A day from 1900-01-01 to 2999-12-31" in response.content.decode()
    )


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-04"])
def test_generating_a_cycle_at_the_ends_of_the_calendar_is_refused(day, demo):
    client = api()
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        "/api/v1/cycles/generate/", {"name": "zz", "release_date": day, "weeks": 26}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "between 1900-01-01 and 2999-12-31" in response.content.decode()


# --- NUL bytes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/cycles/ocata/milestones/?team=%00", "team"),
        ("/api/v1/blueprints/?series=oc%00ata", "series"),
        ("/api/v1/blueprints/?assignee=%00", "assignee"),
        ("/api/v1/squads/?project=%00", "project"),
        ("/api/v1/cycles/ocata/branch-cuts/?team=%00", "team"),
        ("/api/v1/cycles/ocata/forecast/?squad=%00", "squad"),
        ("/api/v1/problems/?series=%00", "series"),
        ("/api/v1/cycles/?status=%00", "status"),
        ("/api/v1/cycles/ocata/replan/?event=o-ff%00&date=2017-02-02", "event"),
    ],
)
def test_a_nul_byte_in_an_api_filter_is_a_400_naming_it(url, name, demo):
    assert names_parameter(api().get(url), name)


@pytest.mark.parametrize(
    "url",
    [
        "/cycles/ocata/?squad=%00",
        "/cycles/ocata/?project=%00",
        "/cycles/ocata/?status=%00",
        "/cycles/ocata/schedule.ics?squad=%00",
        "/cycles/ocata/schedule.ics?team=%00",
        "/cycles/ocata/branch-cuts/?team=%00",
        "/cycles/ocata/replan/?event=%00",
        "/squads/?project=%00",
        "/cycles/?x%00=1",
    ],
)
def test_a_nul_byte_in_a_page_query_is_a_400_page(url, demo):
    response = page().get(url)
    assert response.status_code == 400, response.status_code
    assert "contains a NUL character" in response.content.decode()


def test_a_nul_byte_in_a_form_post_is_a_400(demo):
    client = page()
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        f"/blueprints/{demo.pk}/ffe/", {"rationale": "late\x00", "merge_by": "2017-02-01"}
    )
    assert response.status_code == 400 and "rationale" in response.content.decode()


# --- forms with non-numeric or huge ids -----------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        {"assignee": "abc", "implementation_status": "Started"},
        {"assignee": "99999999999999999999", "implementation_status": "Started"},
        {"target_milestone": "o-ff", "implementation_status": "Started"},
        {"target_milestone": "99999999999999999999", "implementation_status": "Started"},
    ],
)
def test_non_numeric_or_huge_ids_in_the_edit_form_are_named_errors(data, demo):
    client = page()
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(f"/blueprints/{demo.pk}/edit/", data, follow=True)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    demo.refresh_from_db()
    assert demo.implementation_status != "Started"  # nothing was written


@pytest.mark.parametrize("undo", ["abc", "99999999999999999999", "-1"])
def test_non_numeric_or_huge_replan_ids_are_named_errors(undo, demo):
    client = page()
    client.force_login(UserFactory(is_superuser=True))
    response = client.post("/cycles/ocata/replan/", {"undo": undo}, follow=True)
    assert response.status_code == 200
    assert "Undo:" in response.content.decode() or "undo" in response.content.decode().lower()


# --- deeply nested JSON ---------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_bodies_are_a_400(depth, demo):
    client = api()
    client.force_authenticate(UserFactory(is_superuser=True))
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    for url in (
        "/api/v1/squads/",
        f"/api/v1/blueprints/{demo.pk}/",
        "/api/v1/cycles/ocata/replan/",
    ):
        method = client.patch if "blueprints" in url else client.post
        response = method(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested deeper than 32 levels" in response.json()["detail"]


def test_json_bodies_of_normal_depth_are_parsed(demo):
    client = api()
    client.force_authenticate(UserFactory(is_superuser=True))
    response = client.patch(
        f"/api/v1/blueprints/{demo.pk}/",
        json.dumps({"title": "Renamed"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
