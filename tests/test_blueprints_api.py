"""The public API contract for blueprints, work items, FFEs and policies."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from blueprints import services
from tests.factories import (
    BlueprintFactory,
    FFEFactory,
    FFEPolicyFactory,
    SquadGoalFactory,
    WorkItemFactory,
    cast,
    event,
)


@pytest.fixture
def c(db):
    return cast()


@pytest.fixture
def api():
    return APIClient()


def test_blueprint_fields_and_launchpad_spelling(c, api):
    # given composable service upgrades (ocata-3) depending on composable HA (ocata-2)
    ha = BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="composable-ha",
        target_milestone=event(c.series, "milestone-2"),
        implementation_status="Implemented",
    )
    upgrades = BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="overcloud-upgrades-per-service",
        title="Composable Service Upgrades",
        priority="High",
        definition_status="Approved",
        implementation_status="Good progress",
        target_milestone=event(c.series, "milestone-3"),
        assignee=c.lead,
    )
    services.blueprint_set_dependencies(blueprint=upgrades, actor=None, depends_on=[ha])
    WorkItemFactory(blueprint=upgrades, status="DONE")
    WorkItemFactory(blueprint=upgrades, status="INPROGRESS")
    # when
    data = api.get(f"/api/v1/blueprints/{upgrades.pk}/").json()
    # then
    assert {
        k: data[k]
        for k in [
            "name",
            "title",
            "squad",
            "series",
            "priority",
            "definition_status",
            "implementation_status",
            "target_milestone",
            "assignee",
            "depends_on",
            "progress",
            "late_dependencies",
            "is_started",
            "is_complete",
        ]
    } == {
        "name": "overcloud-upgrades-per-service",
        "title": "Composable Service Upgrades",
        "squad": "upgrade",
        "series": "ocata",
        "priority": "High",
        "definition_status": "Approved",
        "implementation_status": "Good progress",
        "target_milestone": "o-3",
        "assignee": "upgrade-lead",
        "depends_on": ["composable-ha"],
        "progress": 50,
        "late_dependencies": [],
        "is_started": True,
        "is_complete": False,
    }
    detail = data["target_milestone_detail"]
    assert (detail["key"], detail["kind"], detail["date"]) == ("o-3", "milestone-3", "2017-01-26")


def test_dependency_on_a_later_milestone_is_flagged(c, api):
    ha = BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="composable-ha",
        target_milestone=event(c.series, "milestone-3"),
    )
    upgrades = BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="overcloud-upgrades-per-service",
        target_milestone=event(c.series, "milestone-2"),
    )
    services.blueprint_set_dependencies(blueprint=upgrades, actor=None, depends_on=[ha])
    data = api.get(f"/api/v1/blueprints/{upgrades.pk}/").json()
    assert data["late_dependencies"] == ["composable-ha"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("series=ocata", ["a-bp", "b-bp", "c-bp"]),
        ("squad=ci", ["c-bp"]),
        ("priority=High", ["a-bp"]),
        ("implementation_status=Good progress", ["b-bp"]),
        ("implementation_status=Not started", ["c-bp"]),
        ("milestone=o-2", ["a-bp"]),
        ("milestone=milestone-3", ["b-bp"]),
        ("assignee=contributor", ["b-bp"]),
        ("ordering=-name", ["c-bp", "b-bp", "a-bp"]),
    ],
)
def test_blueprint_filters(c, api, query, expected):
    BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="a-bp",
        priority="High",
        target_milestone=event(c.series, "milestone-2"),
    )
    BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="b-bp",
        implementation_status="Good progress",
        assignee=c.contributor,
        target_milestone=event(c.series, "milestone-3"),
    )
    BlueprintFactory(
        squad=c.other_squad, series=c.series, name="c-bp", implementation_status="Not started"
    )
    response = api.get(f"/api/v1/blueprints/?{query}")
    assert response.status_code == 200
    assert [b["name"] for b in response.json()["results"]] == expected


def test_unknown_status_filter_is_a_400(c, api):
    assert api.get("/api/v1/blueprints/?implementation_status=done").status_code == 400


def test_create_blueprint_resolves_milestone_by_kind_and_dependencies_by_name(c, api):
    BlueprintFactory(squad=c.squad, series=c.series, name="composable-ha")
    api.force_authenticate(c.lead)
    response = api.post(
        "/api/v1/blueprints/",
        {
            "project": "tripleo",
            "series": "ocata",
            "name": "overcloud-upgrades-per-service",
            "title": "Composable Service Upgrades",
            "squad": "upgrade",
            "target_milestone": "milestone-3",
            "implementation_status": "Started",
            "depends_on": ["composable-ha"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target_milestone"], body["depends_on"]) == ("o-3", ["composable-ha"])
    assert body["date_started"] is not None


def test_create_blueprint_errors_are_4xx_not_500(c, api):
    api.force_authenticate(c.ptl)
    bad_milestone = api.post(
        "/api/v1/blueprints/",
        {
            "project": "tripleo",
            "series": "ocata",
            "name": "x",
            "title": "X",
            "target_milestone": "o-9",
        },
        format="json",
    )
    assert bad_milestone.status_code == 400
    assert "target_milestone" in bad_milestone.json()
    BlueprintFactory(project=c.project, squad=None, series=c.series, name="dup")
    duplicate = api.post(
        "/api/v1/blueprints/",
        {"project": "tripleo", "series": "ocata", "name": "dup", "title": "Dup"},
        format="json",
    )
    assert duplicate.status_code == 409  # the name is taken: a conflict with the data


def test_dependency_cycle_via_api_is_400(c, api):
    a = BlueprintFactory(squad=c.squad, series=c.series, name="a-bp")
    b = BlueprintFactory(squad=c.squad, series=c.series, name="b-bp")
    services.blueprint_set_dependencies(blueprint=a, actor=None, depends_on=[b])
    api.force_authenticate(c.lead)
    response = api.patch(f"/api/v1/blueprints/{b.pk}/", {"depends_on": ["a-bp"]}, format="json")
    assert response.status_code == 400
    assert "cycle" in str(response.json()["depends_on"])


def test_blueprints_cannot_be_deleted_through_the_api(c, api):
    bp = BlueprintFactory(squad=c.squad, series=c.series)
    api.force_authenticate(c.ptl)
    assert api.delete(f"/api/v1/blueprints/{bp.pk}/").status_code == 405


def test_history_lists_status_changes_with_who_and_when(c, api):
    bp = services.blueprint_create(
        actor=c.lead,
        project=c.project,
        series=c.series,
        name="composable-ha",
        title="Composable HA",
        squad=c.squad,
        implementation_status="Not started",
    )
    services.blueprint_update(blueprint=bp, actor=c.lead, implementation_status="Started")
    item = services.work_item_create(blueprint=bp, actor=c.lead, title="Pacemaker profiles")
    services.work_item_update(work_item=item, actor=c.ptl, status="DONE")
    response = api.get(f"/api/v1/blueprints/{bp.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    status_rows = [r for r in rows if r["field"] == "implementation_status"]
    assert [(r["old"], r["new"], r["actor"]) for r in status_rows] == [
        (None, "Not started", "upgrade-lead"),
        ("Not started", "Started", "upgrade-lead"),
    ]
    assert all(r["at"] for r in rows)
    work_item_rows = [r for r in rows if r["object_type"] == "workitem" and r["field"] == "status"]
    assert [(r["old"], r["new"], r["actor"]) for r in work_item_rows] == [
        (None, "TODO", "upgrade-lead"),
        ("TODO", "DONE", "ptl"),
    ]


def test_ffe_request_and_decision_through_the_api(db, api):
    from django.utils import timezone

    from tests.factories import live_schedule

    c = cast(live_schedule(timezone.localdate()))
    bp = BlueprintFactory(squad=c.squad, series=c.series, implementation_status="Started")
    api.force_authenticate(c.contributor)
    merge_by = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    created = api.post(
        "/api/v1/ffes/",
        {"blueprint": bp.pk, "rationale": "Two patches left", "risk": "low", "merge_by": merge_by},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "Requested"
    assert created.json()["requested_by"] == "contributor"
    late = api.post(
        "/api/v1/ffes/",
        {
            "blueprint": BlueprintFactory(squad=c.squad, series=c.series).pk,
            "rationale": "x",
            "merge_by": (timezone.localdate() + dt.timedelta(days=6)).isoformat(),
        },
        format="json",
    )
    assert late.status_code == 400  # after RC1
    api.force_authenticate(c.ptl)
    decided = api.post(
        f"/api/v1/ffes/{created.json()['id']}/decide/", {"granted": True}, format="json"
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("Granted", "ptl")
    assert api.get("/api/v1/ffes/?status=Granted").json()["count"] == 1


def test_policy_reports_granted_count(c, api):
    FFEPolicyFactory(project=c.project, series=c.series, max_granted=3)
    FFEFactory(
        blueprint=BlueprintFactory(squad=c.squad, series=c.series),
        status="Granted",
        decided_on=dt.date(2017, 1, 27),
    )
    FFEFactory(
        blueprint=BlueprintFactory(squad=c.squad, series=c.series),
        status="Denied",
        decided_on=dt.date(2017, 1, 27),
    )
    [policy] = api.get("/api/v1/ffe-policies/?series=ocata").json()["results"]
    assert (policy["max_granted"], policy["granted"]) == (3, 1)


# --- query counts do not grow with rows -------------------------------------------------------
def _blueprints(c, n):
    goal = SquadGoalFactory(squad=c.squad, series=c.series)
    prev = None
    for _ in range(n):
        bp = BlueprintFactory(
            squad=c.squad,
            series=c.series,
            goal=goal,
            assignee=c.lead,
            drafter=c.contributor,
            target_milestone=event(c.series, "milestone-2"),
        )
        WorkItemFactory(blueprint=bp, assignee=c.contributor)
        if prev is not None:
            services.blueprint_set_dependencies(blueprint=bp, actor=None, depends_on=[prev])
        prev = bp


def _work_items(c, n):
    for _ in range(n):
        WorkItemFactory(
            blueprint=BlueprintFactory(squad=c.squad, series=c.series), assignee=c.contributor
        )


def _ffes(c, n):
    for _ in range(n):
        FFEFactory(
            blueprint=BlueprintFactory(squad=c.squad, series=c.series),
            requested_by=c.contributor,
            status="Granted",
            decided_by=c.ptl,
            decided_on=dt.date(2017, 1, 27),
        )


def _policies(c, n):
    from tests.factories import SeriesFactory

    for i in range(n):
        series = SeriesFactory(name=f"s{i}", position=200 + i)
        FFEPolicyFactory(project=c.project, series=series, max_granted=2)
        FFEFactory(
            blueprint=BlueprintFactory(squad=c.squad, series=series),
            status="Granted",
            decided_on=dt.date(2017, 1, 27),
        )


def _history(c, n):
    bp = BlueprintFactory(squad=c.squad, series=c.series)
    for i in range(n):
        services.blueprint_update(blueprint=bp, actor=c.lead, title=f"Title {i}")
        services.work_item_create(blueprint=bp, actor=c.lead, title=f"Item {i}")
    return f"/api/v1/blueprints/{bp.pk}/history/"


LISTS = {
    # url or builder returning the url → (row builder, queries)
    # count, page, dependencies and reviews prefetched (a constant, whatever the rows)
    "blueprints": ("/api/v1/blueprints/", _blueprints, 4),
    "work-items": ("/api/v1/work-items/", _work_items, 2),
    "ffes": ("/api/v1/ffes/", _ffes, 2),
    "ffe-policies": ("/api/v1/ffe-policies/", _policies, 2),
    "history": (None, _history, 4),
}


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("endpoint", sorted(LISTS))
def test_list_query_count_does_not_grow(c, api, django_assert_num_queries, endpoint, rows):
    url, build, queries = LISTS[endpoint]
    url = build(c, rows) or url
    api.get(url)  # warm caches (content types)
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= rows


def test_openapi_schema_generates_without_warnings(tmp_path, db):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in [
        "/api/v1/blueprints/{id}/history/",
        "/api/v1/ffes/{id}/decide/",
        "/api/v1/work-items/",
        "/api/v1/squads/{slug}/",
        "/api/v1/ffe-policies/",
    ]:
        assert path in text
    assert "Good progress" in text
