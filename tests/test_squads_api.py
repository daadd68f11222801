"""The public API contract for projects, squads, memberships, area experts and goals."""

import pytest
from rest_framework.test import APIClient

from squads import services
from tests.factories import (
    AreaExpertFactory,
    MembershipFactory,
    SquadFactory,
    SquadGoalFactory,
    UserFactory,
    cast,
)


@pytest.fixture
def c(db):
    return cast()


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_reads_squads_with_leads_members_and_experts(c, api):
    AreaExpertFactory(squad=c.squad, user=c.contributor, topic="Heat")
    response = api.get("/api/v1/squads/")
    assert response.status_code == 200
    squads = {s["slug"]: s for s in response.json()["results"]}
    assert list(squads) == ["ci", "upgrade"]  # stable ordering by name
    upgrade = squads["upgrade"]
    assert upgrade["project"] == "tripleo"
    assert upgrade["leads"] == ["upgrade-lead"]
    assert {m["username"]: m["role"] for m in upgrade["members"]} == {
        "upgrade-lead": "lead",
        "contributor": "member",
    }
    assert upgrade["area_experts"] == [{"username": "contributor", "topic": "Heat"}]
    assert api.get("/api/v1/squads/upgrade/").json()["name"] == "upgrade"


def test_squad_filter_by_member(c, api):
    results = api.get("/api/v1/squads/?member=contributor").json()["results"]
    assert [s["slug"] for s in results] == ["upgrade"]


def test_project_exposes_its_ptl_group(c, api):
    [project] = api.get("/api/v1/projects/").json()["results"]
    assert project == {
        "name": "tripleo",
        "title": "",
        "launchpad": "tripleo",
        "ptl_group": "tripleo-ptl",
    }


def test_goals_per_series_filtered_by_squad(c, api):
    SquadGoalFactory(squad=c.other_squad, series=c.series, title="Run what CI tests")
    SquadGoalFactory(squad=c.squad, series=c.series, title="Composable upgrades")
    results = api.get("/api/v1/squad-goals/?squad=ci&series=ocata").json()["results"]
    assert [g["title"] for g in results] == ["Run what CI tests"]


def test_lead_creates_goal_with_links(c, api):
    api.force_authenticate(c.lead)
    response = api.post(
        "/api/v1/squad-goals/",
        {
            "squad": "upgrade",
            "series": "ocata",
            "title": "Baby steps",
            "links": ["https://etherpad.openstack.org/p/ocata-upgrades"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["links"] == ["https://etherpad.openstack.org/p/ocata-upgrades"]
    assert response.json()["order"] == 0


def test_duplicate_slug_is_a_409_conflict(c, api):
    api.force_authenticate(c.ptl)
    response = api.post(
        "/api/v1/squads/",
        {"project": "tripleo", "name": "ci2", "slug": "ci", "area": "x"},
        format="json",
    )
    assert response.status_code == 409
    assert "slug" in response.json()


def test_a_person_may_be_in_several_squads_and_join_through_the_api(c, api):
    api.force_authenticate(c.contributor)
    response = api.post(
        "/api/v1/memberships/",
        {"squad": "ci", "user": "contributor", "role": "member"},
        format="json",
    )
    assert response.status_code == 201
    squads = api.get("/api/v1/memberships/?user=contributor").json()["results"]
    assert sorted(m["squad"] for m in squads) == ["ci", "upgrade"]


def test_squad_changes_are_audited(c):
    from core.models import AuditEntry

    services.squad_update(squad=c.squad, actor=c.ptl, mission="Upgrades, one service at a time")
    row = AuditEntry.objects.get(field="mission")
    assert (row.old, row.new, row.actor, row.object_repr) == (
        "",
        "Upgrades, one service at a time",
        c.ptl,
        "upgrade",
    )


def _squads(c, n):
    for i in range(n):
        squad = SquadFactory(project=c.project, name=f"squad-{i:02}")
        MembershipFactory(squad=squad, user=UserFactory(), role="lead")
        AreaExpertFactory(squad=squad, user=UserFactory())


def _memberships(c, n):
    for _ in range(n):
        MembershipFactory(squad=c.squad, user=UserFactory())


def _experts(c, n):
    for _ in range(n):
        AreaExpertFactory(squad=c.squad, user=UserFactory())


def _goals(c, n):
    for _ in range(n):
        SquadGoalFactory(squad=c.squad, series=c.series)


LISTS = {
    "projects": ("/api/v1/projects/", lambda c, n: None, 2),
    "squads": ("/api/v1/squads/", _squads, 4),
    "memberships": ("/api/v1/memberships/", _memberships, 2),
    "area-experts": ("/api/v1/area-experts/", _experts, 2),
    "squad-goals": ("/api/v1/squad-goals/", _goals, 2),
}


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("endpoint", sorted(LISTS))
def test_list_query_count_does_not_grow(c, api, django_assert_num_queries, endpoint, rows):
    url, build, queries = LISTS[endpoint]
    build(c, rows)
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.status_code == 200
