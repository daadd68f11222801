"""Schedule generation: the pure rule, the service on the real imported series,
the management command and the API."""

from collections import defaultdict
from datetime import date, timedelta
from io import StringIO
from statistics import median_low

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from core.models import AuditEntry
from planner.generate_services import schedule_generate
from releases import generate as gen
from releases.models import Event, Series, Week
from tests.factories import GroupFactory, ProjectFactory, UserFactory

RELEASE = date(2027, 9, 29)  # a Wednesday


def _obs(series: str, length: int, **offsets: int) -> list[gen.Observation]:
    return [
        gen.Observation(series, kind.replace("_", "-"), off, 2 if kind == "release" else 3, length)
        for kind, off in offsets.items()
    ]


SYNTHETIC = [
    *_obs("a", 26, milestone_1=-20, milestone_2=-12, feature_freeze=-5, rc1=-3, release=0),
    *_obs("b", 26, milestone_1=-19, milestone_2=-12, feature_freeze=-5, rc1=-3, release=0),
    *_obs("c", 30, milestone_1=-22, milestone_2=-13, feature_freeze=-8, rc1=-6, release=-3),
]


# --- the pure rule ----------------------------------------------------------------------------
def test_each_kind_goes_to_its_median_r_week_on_thursday_and_names_its_observations():
    plan = gen.generate(observations=SYNTHETIC, release_date=RELEASE, weeks=26, series_letter="j")
    ff = plan.event("feature-freeze")
    assert (ff.key, ff.offset, ff.date) == ("j-ff", -5, date(2027, 8, 26))
    assert ff.date.weekday() == 3
    assert [o.series for o in ff.observations] == ["a", "b", "c"]
    assert "median R-5 of 3 series" in ff.description
    assert plan.event("release").date == RELEASE
    assert plan.event("release").rule == gen.RULE_GIVEN
    assert plan.weeks[0].start == date(2027, 9, 27) - timedelta(weeks=25)
    assert plan.weeks[-1].name == "R+0"
    # Kinds nobody observed are not invented.
    assert plan.event("trailing") is None


def test_short_cycle_keeps_the_release_tail_and_scales_the_milestones():
    plan = gen.generate(observations=SYNTHETIC, release_date=RELEASE, weeks=16, series_letter="o")
    offsets = {e.kind: e.offset for e in plan.events}
    assert offsets["feature-freeze"] == -5 and offsets["rc1"] == -3 and offsets["release"] == 0
    # milestone-1: median R-20 is week 5 of a 20-week development part (R-25..R-6) -> 5/19 of
    # the 16-week cycle's 9-week part (R-15..R-6) = R-12.6 -> R-13.
    assert offsets["milestone-1"] == -13
    assert -15 <= offsets["milestone-1"] < offsets["milestone-2"] < offsets["feature-freeze"]
    assert "scaled to 16 weeks" in plan.event("milestone-1").placement


def test_scaling_is_the_identity_at_the_reference_length_and_stays_in_the_development_part():
    assert gen.scale_offset(offset=-20, reference_length=26, tail_start=-5, weeks=26) == -20
    assert gen.scale_offset(offset=-24, reference_length=26, tail_start=-5, weeks=11) == -10
    assert gen.scale_offset(offset=-6, reference_length=26, tail_start=-5, weeks=11) == -6


def test_refuses_weekend_release_and_a_cycle_shorter_than_the_tail():
    with pytest.raises(gen.GenerateError, match="not a weekday"):
        gen.generate(
            observations=SYNTHETIC, release_date=date(2027, 10, 2), weeks=26, series_letter="j"
        )
    with pytest.raises(gen.GenerateError, match="too short"):
        gen.generate(observations=SYNTHETIC, release_date=RELEASE, weeks=8, series_letter="j")
    with pytest.raises(gen.GenerateError, match="No imported series"):
        gen.generate(observations=[], release_date=RELEASE, weeks=26, series_letter="j")


# --- on the real imported series --------------------------------------------------------------
def _median_r_weeks() -> dict[str, int]:
    """The median-low R-week of each kind over the imported series, computed independently."""
    first: dict[tuple[str, str], tuple[date, date]] = {}
    for name, kind, day, release_week in Event.objects.filter(
        team="", series__release_week__isnull=False, series__start_week__isnull=False
    ).values_list("series__name", "kind", "date", "series__release_week"):
        key = (name, kind)
        if key not in first or day < first[key][0]:
            first[key] = (day, release_week)
    offsets: dict[str, list[int]] = defaultdict(list)
    for (_, kind), (day, release_week) in first.items():
        offsets[kind].append((day - timedelta(days=day.weekday()) - release_week).days // 7)
    return {kind: median_low(v) for kind, v in offsets.items()}


@pytest.mark.django_db
def test_generated_26_week_cycle_places_ff_rc1_release_where_the_median_series_does(
    real_releases,
):
    # given
    medians = _median_r_weeks()
    # when
    series, plan = schedule_generate(actor=None, name="juniper", release_date=RELEASE, weeks=26)
    # then
    release_week = date(2027, 9, 27)
    events = {e.kind: e for e in Event.objects.filter(series=series)}
    for kind in ("feature-freeze", "rc1", "milestone-1", "milestone-2", "final-rc"):
        expected = release_week + timedelta(weeks=medians[kind], days=3)
        assert events[kind].date == expected, kind
    assert medians["feature-freeze"] == -5 and medians["rc1"] == -3
    assert events["release"].date == RELEASE
    assert events["trailing"].date > RELEASE
    assert series.start_week == release_week - timedelta(weeks=25)
    assert series.length_weeks == 26
    assert Week.objects.filter(series=series, name="R-5", start=date(2027, 8, 23)).exists()
    assert events["feature-freeze"].week.name == "R-5"
    assert len(plan.series_observed) >= 20 and "ocata" in plan.series_observed
    assert "Observations (" in events["feature-freeze"].description
    audit = AuditEntry.objects.get(object_id=series.pk, field="generated")
    assert audit.new["learned_from"] == list(plan.series_observed)


@pytest.mark.django_db
def test_generated_16_week_ocata_like_cycle_keeps_the_tail_and_fits_the_milestones(
    real_releases,
):
    medians = _median_r_weeks()
    series, plan = schedule_generate(
        actor=None, name="quickie", release_date=date(2027, 2, 24), weeks=16
    )
    release_week = date(2027, 2, 22)
    offsets = {e.kind: e.offset for e in plan.events}
    for kind in ("feature-freeze", "rc1", "final-rc", "release"):
        assert offsets[kind] == medians[kind], kind
    assert -15 <= offsets["milestone-1"] < offsets["milestone-2"] < offsets["milestone-3"]
    assert series.start_week == release_week - timedelta(weeks=15)
    assert Event.objects.get(series=series, kind="rc1").date == date(2027, 2, 4)
    # Every deadline is on a Thursday within the generated weeks.
    weeks = list(Week.objects.filter(series=series).order_by("start"))
    for event in Event.objects.filter(series=series).exclude(kind="release"):
        assert event.date.weekday() == 3
        assert weeks[0].start <= event.date <= weeks[-1].end


@pytest.mark.django_db
def test_generation_refuses_an_existing_name_and_a_weekend_release(real_releases):
    with pytest.raises(ValidationError, match="already exists"):
        schedule_generate(actor=None, name="ocata", release_date=RELEASE, weeks=26)
    with pytest.raises(ValidationError, match="not a weekday"):
        schedule_generate(actor=None, name="newone", release_date=date(2027, 10, 3), weeks=26)
    assert not Series.objects.filter(name="newone").exists()


@pytest.mark.django_db
def test_generate_schedule_command(real_releases):
    out = StringIO()
    call_command(
        "generate_schedule", "juniper", "--release", "2027-09-29", "--weeks", "26", stdout=out
    )
    assert "j-ff" in out.getvalue() and "R-5" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("generate_schedule", "juniper", "--release", "2027-09-29", stdout=out)


# --- API --------------------------------------------------------------------------------------
URL = "/api/v1/cycles/generate/"
BODY = {"name": "juniper", "release_date": "2027-09-29", "weeks": 26}


@pytest.mark.django_db
def test_generate_api_refuses_anonymous_and_plain_users(real_releases):
    client = APIClient()
    assert client.post(URL, BODY, format="json").status_code in (401, 403)
    client.force_authenticate(UserFactory())
    assert client.post(URL, BODY, format="json").status_code == 403
    assert not Series.objects.filter(name="juniper").exists()


@pytest.mark.django_db
def test_generate_api_for_staff_the_ptl_and_add_series_permission(real_releases):
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    response = client.post(URL, BODY, format="json")
    assert response.status_code == 201, response.content
    ff = next(e for e in response.json()["events"] if e["kind"] == "feature-freeze")
    assert (ff["date"], ff["week"], ff["rule"]) == ("2027-08-26", "R-5", "generated")
    assert "pike R-5" in ff["observations"]
    # The new cycle is readable under its name; "generate" was never taken as one.
    milestones = client.get("/api/v1/cycles/juniper/milestones/")
    assert milestones.status_code == 200
    listed = {(m["key"], m["date"], m["end_date"], m["series"]) for m in milestones.json()}
    assert (ff["key"], "2027-08-26", "2027-08-26", "juniper") in listed
    again = client.post(URL, BODY, format="json")
    assert again.status_code == 409 and "already exists" in again.json()["name"][0]

    ptl = UserFactory()
    ptl.groups.add(ProjectFactory(ptl_group=GroupFactory(name="gen-ptl")).ptl_group)
    client.force_authenticate(ptl)
    assert client.post(URL, {**BODY, "name": "kilo2"}, format="json").status_code == 201

    holder = UserFactory()
    holder.user_permissions.add(Permission.objects.get(codename="add_series"))
    client.force_authenticate(holder)
    weekend = {**BODY, "name": "lima", "release_date": "2027-10-02"}
    assert client.post(URL, weekend, format="json").status_code == 400
