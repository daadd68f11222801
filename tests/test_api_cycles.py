"""The public contract for cycles and milestones, the ICS feed, and the schedule pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from rest_framework.test import APIClient

from releases import selectors
from releases.models import Event, Series
from releases.services import series_touch

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_cycles_list_is_paginated_newest_first(real_releases, api):
    response = api.get("/api/v1/cycles/", {"limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Series.objects.count()
    assert [c["name"] for c in body["results"]][:2] == ["indri", "hibiscus"]
    assert body["next"]


def test_cycles_filter_on_scheduled_series(real_releases, api):
    body = api.get("/api/v1/cycles/", {"scheduled": "true", "limit": 100}).json()
    assert body["count"] == 21
    assert body["results"][-1]["name"] == "ocata"


def test_cycle_detail(real_releases, api):
    body = api.get("/api/v1/cycles/epoxy/").json()
    assert body["release_id"] == "2025.1"
    assert body["stable_branch"] == "stable/2025.1"
    assert body["milestones_url"].endswith("/api/v1/cycles/epoxy/milestones/")
    assert api.get("/api/v1/cycles/nosuch/").status_code == 404


def test_ocata_milestones_through_the_api(real_releases, api):
    rows = api.get("/api/v1/cycles/ocata/milestones/").json()
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["milestone-1"]["date"] == "2016-11-17"
    assert by_kind["milestone-2"]["date"] == "2016-12-15"
    assert by_kind["feature-freeze"] == {
        **by_kind["feature-freeze"],
        "key": "o-ff",
        "date": "2017-01-26",
        "week": "R-4",
        "rule": "thursday",
    }
    assert by_kind["rc1"]["date"] == "2017-02-02"
    assert by_kind["release"]["date"] == "2017-02-22"
    assert by_kind["trailing"]["date"] == "2017-03-09"
    assert all(r["team"] == "" for r in rows), "cross-project events only by default"
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_team_parameter_adds_that_teams_events(real_releases, api):
    rows = api.get("/api/v1/cycles/ocata/milestones/", {"team": "nova"}).json()
    teams = {r["team"] for r in rows}
    assert teams == {"", "nova"}
    spec_freeze = next(r for r in rows if r["key"] == "o-nova-spec-freeze")
    assert spec_freeze["date"] == "2016-11-17"  # "must be approved by 17th November, 2016"


def test_kind_parameter_filters(real_releases, api):
    rows = api.get("/api/v1/cycles/ocata/milestones/", {"kind": "rc1"}).json()
    assert [r["key"] for r in rows] == ["o-rc1"]


def test_polling_client_gets_304_until_the_series_changes(real_releases, api):
    first = api.get("/api/v1/cycles/ocata/milestones/")
    etag, modified = first["ETag"], first["Last-Modified"]
    # when: the same request with validators
    again = api.get("/api/v1/cycles/ocata/milestones/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not again.content
    since = api.get("/api/v1/cycles/ocata/milestones/", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    # a different query is a different representation
    assert (
        api.get(
            "/api/v1/cycles/ocata/milestones/", {"team": "nova"}, HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 200
    )
    # when: the series changes, the validator no longer matches
    series_touch(series_ids=[Series.objects.get(name="ocata").pk])
    assert api.get("/api/v1/cycles/ocata/milestones/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_304_is_answered_without_reading_the_events(real_releases, api):
    etag = api.get("/api/v1/cycles/ocata/milestones/")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert (
            api.get("/api/v1/cycles/ocata/milestones/", HTTP_IF_NONE_MATCH=etag).status_code == 304
        )
    assert not any("releases_event" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("series", ["ocata", "epoxy"])
def test_milestones_query_count_does_not_grow_with_rows(
    real_releases, api, series, django_assert_max_num_queries
):
    # ocata has ~50 events with every team's, epoxy more: the same small number of queries
    with django_assert_max_num_queries(3):
        api.get(f"/api/v1/cycles/{series}/milestones/", {"team": "all"})


def test_cycles_list_query_count_is_constant(real_releases, api, django_assert_num_queries):
    with django_assert_num_queries(3):
        api.get("/api/v1/cycles/", {"limit": 2})
    with django_assert_num_queries(3):
        api.get("/api/v1/cycles/", {"limit": 40})


def test_schema_is_served(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cycles/{name}/milestones/" in paths
    assert api.get("/api/docs/").status_code == 200


# --- ICS ----------------------------------------------------------------------------------------


def test_ics_has_one_all_day_event_per_schedule_event(real_releases, client):
    response = client.get("/cycles/ocata/schedule.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    ocata = Series.objects.get(name="ocata")
    expected = selectors.occurrence_list(series=ocata)
    assert len(vevents) == expected.count() > Event.objects.filter(series=ocata, team="").count()
    ff = next(v for v in vevents if str(v["uid"]) == "ocata.o-ff@cycle-planner")
    assert ff.decoded("dtstart") == date(2017, 1, 26)
    assert ff.decoded("dtend") == date(2017, 1, 27)
    assert str(ff["summary"]) == "Feature freeze"
    assert "No featureful patch" in str(ff["description"])


def test_ics_spans_days_and_names_the_series_of_other_series_events(real_releases, client):
    calendar = Calendar.from_ical(client.get("/cycles/ocata/schedule.ics").content)
    ptg = next(v for v in calendar.walk("VEVENT") if str(v["uid"]) == "pike.p-ptg0@cycle-planner")
    # "20-24 February 2017": all day from the Monday, DTEND the day after the Friday
    assert ptg.decoded("dtstart") == date(2017, 2, 20)
    assert ptg.decoded("dtend") == date(2017, 2, 25)
    assert str(ptg["description"]).startswith("A Pike event (p-ptg0).")
    uids = [str(v["uid"]) for v in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_ics_uids_are_stable_and_team_filter_adds_events(real_releases, client):
    plain = Calendar.from_ical(client.get("/cycles/ocata/schedule.ics").content)
    nova = Calendar.from_ical(client.get("/cycles/ocata/schedule.ics?team=nova").content)
    plain_uids = {str(v["uid"]) for v in plain.walk("VEVENT")}
    nova_uids = {str(v["uid"]) for v in nova.walk("VEVENT")}
    assert plain_uids < nova_uids
    assert "ocata.o-nova-spec-freeze@cycle-planner" in nova_uids


# --- pages ----------------------------------------------------------------------------------------


def test_cycle_list_page(real_releases, client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Ocata" in response.content and b"2025.1" in response.content


def test_schedule_page_shows_weeks_and_disagreements(real_releases, client):
    response = client.get("/cycles/ocata/schedule/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "R-4" in html and "Feature freeze" in html
    assert "sources disagree" in html
    assert client.get("/cycles/nosuch/schedule/").status_code == 404
