"""The forecast rows of a day (``blueprints.forecast_days``) stay what a fresh forecast says.

The dashboard counts and ranks ``BlueprintDay`` rows instead of forecasting every blueprint on
every view. Each test here writes through a real path (services, a re-plan, a review, a
dependency, a bulk load) after the rows of some days were computed, and then checks that every
row read back equals the forecast computed from scratch on that day: a write that forgot to
mark its rows dirty fails here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from blueprints import forecast_days, services
from blueprints.models import (
    Blueprint,
    BlueprintDay,
    BlueprintHistory,
    FeatureFreezeException,
    ForecastDay,
    ImplementationStatus,
    Review,
    ReviewLink,
    ReviewLinkSource,
    ReviewStatus,
    history_deltas,
)
from blueprints.selectors import history_on
from core import clock
from planner.replan_services import replan_apply, replan_undo
from releases.models import Series

pytestmark = pytest.mark.django_db

DAYS = (date(2016, 12, 1), date(2017, 1, 10), date(2017, 1, 27), date(2017, 2, 10))
FIELDS = [f.attname for f in BlueprintDay._meta.concrete_fields if f.name not in ("id", "dirty")]


def _stored(series: Series, day: date) -> dict[int, dict]:
    rows = forecast_days.rows_on(series=series, day=day)
    return {r["blueprint_id"]: r for r in rows.values(*FIELDS, "dirty")}


def _fresh(series: Series, day: date) -> dict[int, dict]:
    present = history_on(day=day).filter(series=series).values("blueprint_id")
    rows = forecast_days.compute(blueprints=Blueprint.objects.filter(pk__in=present), day=day)
    return {pk: {f: getattr(row, f) for f in FIELDS} | {"dirty": 0} for pk, row in rows.items()}


def _assert_current(series: Series) -> None:
    for day in DAYS:
        stored, fresh = _stored(series, day), _fresh(series, day)
        assert stored.keys() == fresh.keys(), day
        for pk in fresh:
            assert stored[pk] == fresh[pk], (day, fresh[pk]["name"])


def _ptl():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="ptl")


def test_rows_of_a_day_equal_a_fresh_forecast_after_every_kind_of_write(demo):
    for day in DAYS:
        forecast_days.refresh(series=demo, day=day)
    assert ForecastDay.objects.filter(series=demo).count() == len(DAYS)
    ptl = _ptl()
    open_ = (
        Blueprint.objects.filter(series=demo)
        .exclude(implementation_status=ImplementationStatus.IMPLEMENTED)
        .order_by("name")
    )
    first, second, third = list(open_[:3])
    day = DAYS[1]

    # a status change and a work item on the day (the server's day: replayed)
    with clock.replaying(day):
        services.blueprint_update(actor=ptl, blueprint=first, implementation_status="Blocked")
        services.work_item_create(blueprint=second, actor=ptl, title="One more step")
    _assert_current(demo)

    # a dependency (not dated: every day of the waiting blueprint moves)
    services.blueprint_set_dependencies(blueprint=third, actor=ptl, depends_on=[first])
    _assert_current(demo)

    # the blueprint it waits for is implemented later: the waiting one's later days move
    with clock.replaying(DAYS[2]):
        services.blueprint_update(actor=ptl, blueprint=first, implementation_status="Implemented")
    _assert_current(demo)

    # an FFE requested and granted
    asking = open_.exclude(pk__in=FeatureFreezeException.objects.values("blueprint_id")).first()
    with clock.replaying(DAYS[2]):
        ffe = services.ffe_request(
            blueprint=asking, actor=ptl, rationale="Needs two more days", merge_by=date(2017, 2, 1)
        )
        services.ffe_decide(ffe=ffe, actor=ptl, granted=True)
    _assert_current(demo)

    # a review opened long before and still open (work stuck in review: the score moves), then
    # abandoned (the Gerrit sync saves the row again)
    stuck = timezone.make_aware(timezone.datetime(2016, 11, 1, 12, 0))
    review = Review.objects.create(
        number=999001,
        repository="openstack/tripleo-heat-templates",
        branch="master",
        subject="Stuck in review",
        status=ReviewStatus.NEW,
        created=stuck,
        updated=stuck,
        url="https://review.opendev.org/c/999001",
    )
    ReviewLink.objects.create(review=review, blueprint=third, source=ReviewLinkSource.TOPIC)
    _assert_current(demo)
    review.status, review.updated = ReviewStatus.ABANDONED, stuck + timedelta(days=1)
    review.save()
    _assert_current(demo)

    # a re-plan moves the freeze, and its undo moves it back
    replan = replan_apply(series=demo, actor=None, key="o-ff", new_date=date(2017, 2, 2))
    _assert_current(demo)
    replan_undo(replan=replan, actor=None)
    _assert_current(demo)


def test_a_blueprint_created_after_its_day_was_computed_is_counted(demo):
    day = DAYS[2]
    before = _stored(demo, day)
    with clock.replaying(day):
        bp = services.blueprint_create(
            actor=_ptl(),
            project=Blueprint.objects.filter(series=demo).first().project,
            series=demo,
            name="late-arrival",
            title="Arrived after the day was computed",
        )
    after = _stored(demo, day)
    assert after.keys() == before.keys() | {bp.pk}
    assert after[bp.pk]["name"] == "late-arrival"
    # not on a day before it existed
    assert bp.pk not in _stored(demo, DAYS[0])
    _assert_current(demo)


def test_a_recompute_does_not_clear_a_write_that_landed_meanwhile(demo):
    day = DAYS[1]
    forecast_days.refresh(series=demo, day=day)
    bp = Blueprint.objects.filter(series=demo).order_by("name").first()
    forecast_days.invalidate_blueprints([bp.pk])
    row = BlueprintDay.objects.get(blueprint=bp, day=day)
    seen = row.dirty
    fresh = forecast_days.compute(blueprints=Blueprint.objects.filter(pk=bp.pk), day=day)
    # another write marks it again while it is being recomputed
    forecast_days.invalidate_blueprints([bp.pk])
    forecast_days._write_back([(row.pk, seen, fresh[bp.pk])])
    assert BlueprintDay.objects.get(pk=row.pk).dirty not in (0, seen)
    # the next read recomputes it and clears it
    forecast_days.refresh(series=demo, day=day)
    assert BlueprintDay.objects.get(pk=row.pk).dirty == 0


def test_a_bulk_load_marks_every_computed_day_dirty(demo):
    from planner.loaddata import generate_load_data

    day = DAYS[1]
    forecast_days.refresh(series=demo, day=day)
    generate_load_data(series=demo, squads=3, blueprints=12)
    assert not BlueprintDay.objects.filter(day=day, dirty=0).exists()
    _assert_current(demo)


def test_burn_up_deltas_kept_by_the_writer_equal_the_history_read_from_scratch(demo):
    ptl = _ptl()
    bp = (
        Blueprint.objects.filter(series=demo)
        .exclude(implementation_status=ImplementationStatus.IMPLEMENTED)
        .order_by("name")
        .first()
    )
    with clock.replaying(date(2017, 2, 20)):
        services.blueprint_update(actor=ptl, blueprint=bp, implementation_status="Implemented")
    # a day replayed before that row (a demo's fixed today): the later row follows it now
    with clock.replaying(date(2017, 2, 1)):
        services.blueprint_update(actor=ptl, blueprint=bp, implementation_status="Implemented")
    with clock.replaying(date(2017, 2, 25)):
        services.blueprint_update(actor=ptl, blueprint=bp, implementation_status="Started")

    rows = BlueprintHistory.objects.order_by("blueprint_id", "series_id", "day", "id")
    previous_key, previous = None, None
    checked = 0
    for row in rows:
        key = (row.blueprint_id, row.series_id)
        expected = history_deltas(
            previous_status=previous if key == previous_key else None,
            status=row.implementation_status,
        )
        assert {"opens_scope": row.opens_scope, "done_change": row.done_change} == expected, row
        previous_key, previous = key, row.implementation_status
        checked += 1
    assert checked > 30


def test_the_daily_task_computes_today_for_the_series_in_progress(demo, settings):
    from blueprints.tasks import compute_forecast_days

    settings.PLANNER_TODAY = "2017-01-12"
    computed = compute_forecast_days()
    assert computed == {"ocata": Blueprint.objects.filter(series=demo).count()}
    assert ForecastDay.objects.filter(series=demo, day=date(2017, 1, 12)).exists()
    assert _stored(demo, date(2017, 1, 12)) == _fresh(demo, date(2017, 1, 12))


def test_only_the_days_computed_last_keep_rows(demo, settings):
    settings.FORECAST_DAYS_KEPT = 2
    settings.PLANNER_TODAY = "2017-01-12"
    today = date(2017, 1, 12)
    for day in (today, *DAYS):
        forecast_days.refresh(series=demo, day=day)
    kept = set(ForecastDay.objects.filter(series=demo).values_list("day", flat=True))
    # the two computed last, and today's, which the daily task keeps for everyone
    assert kept == {today, DAYS[-2], DAYS[-1]}
    assert set(BlueprintDay.objects.values_list("day", flat=True)) == kept
    # an evicted day is computed again when asked for, and is right
    assert _stored(demo, DAYS[0]) == _fresh(demo, DAYS[0])
