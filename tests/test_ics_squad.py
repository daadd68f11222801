"""Squad calendars: the schedule plus the squad's blueprint targets and FFE merge-by."""

import pytest
from icalendar import Calendar

from blueprints.models import Blueprint, FeatureFreezeException

pytestmark = pytest.mark.django_db


def _events(response) -> dict:
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_squad_feed_has_targets_and_ffe_merge_by_dates(demo, client):
    response = client.get("/cycles/ocata/schedule.ics?squad=upgrade")
    assert response.status_code == 200
    events = _events(response)
    bp = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    target = events[f"ocata.blueprint.{bp.pk}.target@cycle-planner"]
    assert target["dtstart"].dt == bp.target_milestone.date
    assert any(uid.startswith("ocata.o-") for uid in events)  # the schedule is there too
    other = Blueprint.objects.exclude(squad__slug="upgrade").filter(target_milestone__isnull=False)
    assert not any(f"blueprint.{b.pk}." in uid for b in other for uid in events)
    assert "upgrade squad" in Calendar.from_ical(response.content)["x-wr-calname"]


def test_squad_feed_lists_open_ffes(demo, client):
    ffe = (
        FeatureFreezeException.objects.filter(status__in=["Requested", "Granted"])
        .select_related("blueprint__squad")
        .first()
    )
    events = _events(client.get(f"/cycles/ocata/schedule.ics?squad={ffe.blueprint.squad.slug}"))
    merge = events[f"ocata.ffe.{ffe.pk}.merge-by@cycle-planner"]
    assert merge["dtstart"].dt == ffe.merge_by


def test_unknown_squad_is_404(demo, client):
    assert client.get("/cycles/ocata/schedule.ics?squad=nope").status_code == 404
