"""One meaning of "as of D": the API, the history, the dashboard and its JSON twin agree.

On the Ocata demo, for several days: each blueprint's status in the blueprint API as of D is
what its own history (typed and audited) says it was; the dashboard JSON's squads add up to
its totals; its at-risk count is the forecast's flagged count; "done" is the same number in
the totals, the squads, the forecast and the burn-up; no FFE requested after D is listed.
"""

from __future__ import annotations

from datetime import date

import pytest

from blueprints import services
from blueprints.demo import DEMO_TODAY
from blueprints.models import Blueprint, BlueprintHistory, Review, ReviewStatus
from core import clock

pytestmark = pytest.mark.django_db

DAYS = ("2016-11-20", "2017-01-10", "2017-01-27", "2017-02-10")


def _all(client, url: str) -> list[dict]:
    rows: list[dict] = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def _audited_status(entries: list[dict], day: str) -> str | None:
    status = None
    for entry in entries:
        if entry["field"] == "implementation_status" and entry["at"][:10] <= day:
            status = entry["new"]
    return status


@pytest.mark.parametrize("day", ["2016-12-01", "2017-01-20"])
def test_api_status_as_of_a_day_is_what_each_blueprints_history_says(demo, client, day):
    rows = _all(client, f"/api/v1/blueprints/?series=ocata&as_of={day}&limit=100")
    assert len(rows) == Blueprint.objects.filter(series=demo).count()
    changed = 0
    for row in rows:
        typed = client.get(f"/api/v1/blueprints/{row['id']}/planning-history/?limit=1000")
        then = [r for r in typed.json()["results"] if r["day"] <= day]
        assert row["implementation_status"] == then[-1]["implementation_status"], row["name"]
        audit = client.get(f"/api/v1/blueprints/{row['id']}/history/?limit=1000").json()
        assert row["implementation_status"] == _audited_status(audit["results"], day)
        detail = client.get(f"/api/v1/blueprints/{row['id']}/?as_of={day}").json()
        assert detail["implementation_status"] == row["implementation_status"]
        changed += (
            row["implementation_status"]
            != Blueprint.objects.get(pk=row["id"]).implementation_status
        )
    assert changed  # the day differs from today for some blueprints: the test can fail


def test_blueprints_created_after_the_day_are_left_out(demo, client):
    before = date(2016, 10, 1)  # the demo's specs were filed on 24 October
    assert client.get(f"/api/v1/blueprints/?as_of={before}").json()["count"] == 0
    bp = Blueprint.objects.filter(series=demo).first()
    assert client.get(f"/api/v1/blueprints/{bp.pk}/?as_of={before}").status_code == 404


@pytest.mark.parametrize("day", DAYS)
def test_dashboard_json_adds_up_and_agrees_with_the_forecast_and_burn_up(demo, client, day):
    body = client.get(f"/api/v1/cycles/ocata/dashboard/?as_of={day}").json()
    totals = body["totals"]
    for key in ("blueprints", "implemented", "at_risk"):
        assert sum(s[key] for s in body["squads"]) == totals[key], key
    for squad in body["squads"]:
        assert sum(squad["by_status"].values()) == squad["blueprints"]
    forecast = _all(client, f"/api/v1/cycles/ocata/forecast/?as_of={day}&limit=100")
    assert totals["at_risk"] == sum(r["forecast"]["flagged"] for r in forecast)
    assert totals["at_risk"] == body["forecast"]["flagged_total"]
    # "done" is Implemented, counted the same by the totals, the forecast and the burn-up
    assert totals["implemented"] == sum(r["forecast"]["level"] == "done" for r in forecast)
    assert totals["implemented"] == body["forecast"]["levels"]["done"]
    page = client.get(f"/cycles/ocata/?as_of={day}").context
    assert page["burn_up"].final_done == totals["implemented"]
    assert page["totals"]["done"] == totals["implemented"]
    assert page["totals"]["at_risk"] == totals["at_risk"]
    flagged = {r["name"] for r in body["forecast"]["flagged"]}
    attention = {r["name"] for r in body["needs_attention"]}
    assert flagged <= attention or body["needs_attention_total"] > len(attention)


def _review_state(review: Review, day: str) -> str | None:
    """What the review was at the end of ``day``, read from its dates in Python."""
    merged_on = (review.submitted or review.updated).date().isoformat()
    if review.status == ReviewStatus.MERGED and merged_on <= day:
        return "merged"
    if review.status == ReviewStatus.ABANDONED and review.updated.date().isoformat() <= day:
        return "abandoned"
    return "open" if review.created.date().isoformat() <= day else None


def _squad_on(blueprint: Blueprint, day: str) -> str | None:
    row = BlueprintHistory.objects.filter(blueprint=blueprint, day__lte=day).order_by("-day", "-id")
    row = row.select_related("squad").first()
    return row.squad.slug if row is not None and row.squad_id else None


@pytest.mark.parametrize("day", [*DAYS, "2016-12-20"])
def test_review_counts_are_the_reviews_as_they_stood_on_the_day(demo, client, day):
    body = client.get(f"/api/v1/cycles/ocata/dashboard/?as_of={day}").json()
    expected = {"open": 0, "merged": 0, "abandoned": 0}
    by_squad: dict[str, dict[str, int]] = {}
    for review in Review.objects.filter(links__blueprint__series=demo).distinct():
        state = _review_state(review, day)
        if state is None:
            continue
        expected[state] += 1
        squads = {_squad_on(link.blueprint, day) for link in review.links.all()} - {None}
        for slug in squads:
            by_squad.setdefault(slug, {"open": 0, "merged": 0, "abandoned": 0})[state] += 1
    expected["total"] = sum(expected.values())
    assert body["reviews"] == expected
    for squad in body["squads"]:
        want = by_squad.get(squad["slug"], {"open": 0, "merged": 0, "abandoned": 0})
        assert squad["reviews"] == want | {"total": sum(want.values())}, squad["slug"]
    current = {"open": 0, "merged": 0, "abandoned": 0}
    for review in Review.objects.filter(links__blueprint__series=demo).distinct():
        current[{"NEW": "open", "MERGED": "merged"}.get(review.status, "abandoned")] += 1
    if day < "2017-02-01":
        assert body["reviews"] != current | {"total": sum(current.values())}  # can fail


@pytest.mark.parametrize("day", DAYS)
def test_no_ffe_requested_after_the_day_is_listed(demo, client, day):
    body = client.get(f"/api/v1/cycles/ocata/dashboard/?as_of={day}").json()
    listed = body["ffes"]["pending"] + body["ffes"]["granted"]
    assert all(f["requested_on"] <= day for f in listed)
    html = client.get(f"/cycles/ocata/?as_of={day}").content.decode()
    ffes = html.split('data-testid="ffes"')[1].split("</section>")[0]
    late = Blueprint.objects.get(name="heat-undercloud")  # its FFE was requested on 30 January
    assert (late.title in ffes) == (day >= "2017-01-30")
    if day < "2017-01-27":
        assert not listed


def test_ffe_decisions_are_shown_as_of_the_day(demo, client):
    # requested 27 January, granted on the same day; requested 30 January, still pending
    on_27 = client.get("/api/v1/cycles/ocata/dashboard/?as_of=2017-01-27").json()["ffes"]
    on_31 = client.get("/api/v1/cycles/ocata/dashboard/?as_of=2017-01-31").json()["ffes"]
    assert "heat-undercloud" not in {f["blueprint"] for f in on_27["pending"]}
    assert "heat-undercloud" in {f["blueprint"] for f in on_31["pending"]}
    # merged on 1 February: granted until then, gone from the lists after
    assert "overcloud-upgrades-per-service" in {f["blueprint"] for f in on_31["granted"]}
    on_feb_2 = client.get("/api/v1/cycles/ocata/dashboard/?as_of=2017-02-02").json()["ffes"]
    assert "overcloud-upgrades-per-service" not in {f["blueprint"] for f in on_feb_2["granted"]}


def test_dashboard_json_takes_squad_and_refuses_unknown_parameters(demo, client):
    body = client.get("/api/v1/cycles/ocata/dashboard/?as_of=2017-01-10&squad=ci").json()
    assert [s["blueprints"] for s in body["squads"] if s["slug"] != "ci"] == [0] * 7
    assert body["totals"]["blueprints"] == next(
        s["blueprints"] for s in body["squads"] if s["slug"] == "ci"
    )
    for query, name in (("squad=nope", "squad"), ("project=nope", "project"), ("as_of=x", "as_of")):
        response = client.get(f"/api/v1/cycles/ocata/dashboard/?{query}")
        assert response.status_code == 400 and name in response.content.decode()


def test_demo_history_is_on_real_days_never_the_load_day(demo):
    days = set(BlueprintHistory.objects.values_list("day", flat=True))
    assert days and max(days) <= date(2017, 2, 24)
    assert clock.today() not in days or clock.today() <= date(2017, 2, 24)
    # every blueprint with work items done has rows on more than one day: a burn rate
    bp = Blueprint.objects.get(name="composable-ha")
    assert BlueprintHistory.objects.filter(blueprint=bp).values("day").distinct().count() > 2
    # no audit row of the demo carries the load's day: the reviews' are on their Gerrit days
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEntry

    stamped = {at.date() for at in AuditEntry.objects.values_list("at", flat=True)}
    assert stamped and max(stamped) <= date(2017, 3, 1)
    review = Review.objects.get(number=410573)  # updated 13 December 2016
    rows = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
    )
    assert rows.exists() and {e.at.date() for e in rows} == {date(2016, 12, 13)}


def test_the_demo_opens_on_its_day_when_the_server_sets_it(demo, client, settings):
    settings.PLANNER_TODAY = DEMO_TODAY
    page = client.get("/cycles/ocata/").context
    assert page["as_of"] == DEMO_TODAY
    body = client.get("/api/v1/cycles/ocata/dashboard/").json()
    assert body["as_of"] == DEMO_TODAY.isoformat()
    assert (
        body["next_deadline"]["days"]
        == (date.fromisoformat(body["next_deadline"]["date"]) - DEMO_TODAY).days
    )


def test_a_write_lands_on_the_servers_day_whatever_the_client_asks(demo, client, settings):
    settings.PLANNER_TODAY = DEMO_TODAY
    bp = Blueprint.objects.get(name="heat-undercloud")
    with clock.replaying(DEMO_TODAY):
        services.blueprint_update(blueprint=bp, actor=None, priority="Essential")
    assert BlueprintHistory.objects.filter(blueprint=bp).latest("id").day == DEMO_TODAY


def test_marking_an_ffe_merged_refuses_a_client_chosen_day(demo, client):
    from blueprints.models import FeatureFreezeException

    ffe = FeatureFreezeException.objects.get(blueprint__name="containerize-tripleo")
    client.login(username="containers-lead", password="demo")
    response = client.post(
        f"/api/v1/ffes/{ffe.pk}/merged/",
        {"merged_on": "2017-01-30"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "merged_on" in response.json()
    ffe.refresh_from_db()
    assert ffe.status == "Granted"


def test_the_demo_release_manager_may_apply_a_replan_the_ptl_only_previews(demo, client):
    from django.contrib.auth import get_user_model

    from squads import permissions as perms

    users = get_user_model().objects
    assert perms.may_replan(users.get(username="release-manager"))
    assert not perms.may_replan(users.get(username="ptl"))
    for username, apply in (("ptl", False), ("release-manager", True)):
        client.login(username=username, password="demo")
        html = client.get("/cycles/ocata/replan/?shift_days=7").content.decode()
        assert ('<button type="submit">Apply</button>' in html) == apply, username
        assert ('data-testid="replan-apply-refused"' in html) == (not apply)
        client.logout()


def test_the_navigation_reaches_replan_and_the_branch_report(demo, client, settings):
    settings.PLANNER_TODAY = DEMO_TODAY  # Ocata is the cycle in progress
    html = client.get("/cycles/").content.decode()
    nav = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert 'href="/branch-report/"' in nav
    assert 'href="/cycles/ocata/replan/"' in nav


def test_the_full_attention_list_is_paginated_and_matches_the_dashboard(demo, client):
    body = client.get("/api/v1/cycles/ocata/dashboard/?as_of=2017-01-10").json()
    full = client.get("/api/v1/cycles/ocata/dashboard/attention/?as_of=2017-01-10&limit=5")
    assert full.status_code == 200
    page = full.json()
    assert page["count"] == body["needs_attention_total"] > 0
    assert [r["name"] for r in page["results"]] == [r["name"] for r in body["needs_attention"][:5]]
    second = client.get(
        "/api/v1/cycles/ocata/dashboard/attention/?as_of=2017-01-10&limit=5&offset=5"
    ).json()
    assert [r["name"] for r in second["results"]] == [
        r["name"] for r in body["needs_attention"][5:10]
    ]


def test_squad_and_blueprint_pages_show_the_day_and_keep_it_in_their_links(demo, client):
    day = "2016-12-01"
    bp = Blueprint.objects.get(name="composable-ha")
    then = BlueprintHistory.objects.filter(blueprint=bp, day__lte=day).latest("day", "id")
    assert then.implementation_status != bp.implementation_status
    page = client.get(f"/blueprints/{bp.pk}/?as_of={day}")
    html = page.content.decode()
    assert page.context["bp"].implementation_status == then.implementation_status
    assert f"/cycles/ocata/?as_of={day}" in html and 'data-testid="as-of-note"' in html
    squad = client.get(f"/squads/{bp.squad.slug}/?series=ocata&as_of={day}")
    shown = {b.name: b.implementation_status for b in squad.context["page"]}
    assert shown[bp.name] == then.implementation_status
    assert f"/blueprints/{bp.pk}/?as_of={day}" in squad.content.decode()


@pytest.mark.parametrize("ordering", ["implementation_status", "-implementation_status"])
def test_the_list_as_of_a_day_is_ordered_by_that_days_fields(demo, client, ordering):
    day = "2016-12-01"
    rows = _all(client, f"/api/v1/blueprints/?series=ocata&as_of={day}&ordering={ordering}")
    shown = [r["implementation_status"] for r in rows]
    assert shown == sorted(shown, reverse=ordering.startswith("-"))
    # today's order of the same blueprints is another one: the test can fail
    now = {b.pk: b.implementation_status for b in Blueprint.objects.filter(series=demo)}
    today = [now[r["id"]] for r in rows]
    assert today != sorted(today, reverse=ordering.startswith("-"))
