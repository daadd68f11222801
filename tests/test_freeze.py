"""Feature-freeze checks: the pure rules, the problems page and API, the dashboard."""

from datetime import date

from blueprints import services
from blueprints.freeze import FreezeFacts, freeze_problems
from blueprints.models import Blueprint, FeatureFreezeException
from core import clock
from releases.models import Event

FREEZE = date(2017, 1, 26)


def codes(**kw) -> list[str]:
    base = dict(as_of=date(2017, 1, 10), freeze=FREEZE, complete=False)
    return [p.code for p in freeze_problems(FreezeFacts(**{**base, **kw}))]


def test_target_after_freeze_without_ffe_is_flagged():
    assert codes(target_date=date(2017, 2, 2), target_label="RC1") == ["target-after-freeze"]
    assert codes(target_date=date(2017, 2, 2), ffe_status="Granted") == []
    assert codes(target_date=date(2017, 2, 2), complete=True) == []


def test_implemented_after_freeze_needs_a_granted_ffe_and_its_merge_by():
    late = dict(as_of=date(2017, 3, 1), complete=True, completed_on=date(2017, 1, 30))
    assert codes(**late) == ["implemented-after-freeze"]
    assert codes(**late, ffe_status="Denied") == ["implemented-after-freeze"]
    assert codes(**late, ffe_status="Merged", ffe_merge_by=date(2017, 2, 2)) == []
    assert codes(**late, ffe_status="Expired", ffe_merge_by=date(2017, 1, 28)) == [
        "implemented-after-merge-by"
    ]
    assert codes(as_of=date(2017, 3, 1), complete=True, completed_on=FREEZE) == []


def test_open_after_freeze_without_ffe_and_deferred_exempt():
    after = date(2017, 2, 1)
    assert codes(as_of=after) == ["open-after-freeze"]
    assert codes(as_of=after, ffe_status="Requested") == []
    assert codes(as_of=after, deferred=True) == []
    assert codes(as_of=FREEZE) == []  # the freeze day itself is still open
    assert codes(freeze=None, as_of=after) == []


def test_problems_page_and_api_list_a_blueprint_targeted_after_freeze(demo, client):
    bp = Blueprint.objects.exclude(implementation_status="Implemented").get(
        name="overcloud-upgrades-per-service"
    )
    FeatureFreezeException.objects.filter(blueprint=bp).delete()
    rc1 = Event.objects.get(series=bp.series, key="o-rc1")
    with clock.replaying(date(2017, 1, 5)):  # retargeted before the day looked at
        services.blueprint_update(blueprint=bp, actor=None, target_milestone=rc1)
    html = client.get("/problems/?as_of=2017-01-10").content.decode()
    assert "Composable Service Upgrades" in html and 'data-code="target-after-freeze"' in html
    rows = client.get("/api/v1/problems/?as_of=2017-01-10&series=ocata").json()["results"]
    row = next(r for r in rows if r["name"] == bp.name)
    assert row["freeze_problems"][0]["code"] == "target-after-freeze"
    dash = client.get("/cycles/ocata/?as_of=2017-01-10")
    assert dash.context["freeze_problems_total"] >= 1
    assert 'data-testid="freeze-problems"' in dash.content.decode()
