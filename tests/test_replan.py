"""Cascade re-planning: the relation table, the preview on the Ocata demo, apply and
undo restoring every date exactly, whole-cycle shifts, permissions, the page and the API."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from blueprints.models import Blueprint, FeatureFreezeException
from planner import replan
from planner.replan_services import replan_apply, replan_preview, replan_undo
from releases.models import BranchCut, Event, Series, Week
from tests.factories import UserFactory

EVENTS = [
    replan.EventRow("o-1", "milestone-1", date(2016, 11, 17)),
    replan.EventRow("o-3", "milestone-3", date(2017, 1, 26)),
    replan.EventRow("o-ff", "feature-freeze", date(2017, 1, 26)),
    replan.EventRow("o-final-clientlib", "final-clientlib", date(2017, 1, 26)),
    replan.EventRow("o-rc1", "rc1", date(2017, 2, 2)),
    replan.EventRow("o-hard-sf", "hard-string-freeze", date(2017, 2, 2)),
    replan.EventRow("o-release", "release", date(2017, 2, 22)),
    replan.EventRow("o-nova-spec-freeze", "project-deadline", date(2017, 1, 26), team="nova"),
]


def test_moving_feature_freeze_moves_its_week_and_rc1_not_the_release():
    changes = replan.cascade(events=EVENTS, key="o-ff", new_date=date(2017, 2, 2))
    moved = {c.key: (c.new, c.reason) for c in changes}
    assert set(moved) == {"o-ff", "o-3", "o-final-clientlib", "o-rc1", "o-hard-sf"}
    assert all(c.days == 7 for c in changes)
    assert moved["o-rc1"][1] == "RC1 follows feature freeze by a week (o-ff)"
    assert moved["o-hard-sf"][1] == "hard string freeze is in RC1 week (o-rc1)"


def test_team_events_and_unrelated_kinds_stay():
    assert [
        c.key for c in replan.cascade(events=EVENTS, key="o-1", new_date=date(2016, 11, 24))
    ] == ["o-1"]
    assert replan.cascade(events=EVENTS, key="o-ff", new_date=date(2017, 1, 26)) == []


def test_whole_cycle_shift_moves_every_event():
    changes = replan.shift(events=EVENTS, days=-7)
    assert len(changes) == len(EVENTS) and all(c.days == -7 for c in changes)


@pytest.fixture
def release_manager(db):
    return UserFactory(username="release-manager", is_superuser=True, is_staff=True)


def _snapshot(series: Series) -> dict:
    return {
        "events": sorted(Event.objects.filter(series=series).values_list("key", "date", "week_id")),
        "weeks": sorted(Week.objects.filter(series=series).values_list("pk", "start", "end")),
        "series": Series.objects.filter(pk=series.pk)
        .values_list("start_week", "release_week")
        .get(),
        "cuts": sorted(
            BranchCut.objects.filter(series=series).values_list(
                "deliverable__name", "planned_date", "backport_window_days"
            )
        ),
        "ffes": sorted(
            FeatureFreezeException.objects.filter(blueprint__series=series).values_list(
                "pk", "merge_by"
            )
        ),
    }


def test_ocata_freeze_one_week_later_preview_lists_every_derived_change(demo):
    preview = replan_preview(series=demo, key="o-ff", new_date=date(2017, 2, 2))
    keys = {c.key for c in preview.events}
    assert {"o-ff", "o-3", "o-rc1"} <= keys and "o-release" not in keys
    assert preview.freeze == (date(2017, 1, 26), date(2017, 2, 2))
    assert preview.rc1 == (date(2017, 2, 2), date(2017, 2, 9))
    # branch cuts anchored to rc1 move a week; their backport window shrinks by a week
    rc1_cuts = BranchCut.objects.filter(series=demo, anchor_event__key="o-rc1")
    assert {c["deliverable"] for c in preview.branch_cuts} >= {c.deliverable.name for c in rc1_cuts}
    data = preview.as_dict()
    assert data["events"][0]["reason"] == "moved by you"


def test_apply_then_undo_restores_every_date_exactly(demo, release_manager):
    before = _snapshot(demo)
    entry = replan_apply(series=demo, actor=release_manager, key="o-ff", new_date=date(2017, 2, 2))
    during = _snapshot(demo)
    assert during != before
    assert Event.objects.get(series=demo, key="o-rc1").date == date(2017, 2, 9)
    demo.refresh_from_db()
    replan_undo(replan=entry, actor=release_manager)
    assert _snapshot(demo) == before
    with pytest.raises(ValidationError):
        replan_undo(replan=entry, actor=release_manager)


def test_rc1_earlier_clamps_open_ffe_merge_by_and_undo_restores_it(demo, release_manager):
    ffe = (
        FeatureFreezeException.objects.filter(blueprint__series=demo).order_by("-merge_by").first()
    )
    ffe_status = ffe.status
    FeatureFreezeException.objects.filter(pk=ffe.pk).update(
        status="Granted", merge_by=date(2017, 2, 2)
    )
    preview = replan_preview(series=demo, key="o-rc1", new_date=date(2017, 1, 31))
    assert any(f["id"] == ffe.pk and f["new"] == "2017-01-31" for f in preview.ffes)
    before = _snapshot(demo)
    entry = replan_apply(
        series=demo, actor=release_manager, key="o-rc1", new_date=date(2017, 1, 31)
    )
    assert FeatureFreezeException.objects.get(pk=ffe.pk).merge_by == date(2017, 1, 31)
    replan_undo(replan=entry, actor=release_manager)
    assert _snapshot(demo) == before
    assert ffe_status


def test_whole_cycle_shift_apply_and_undo(demo, release_manager):
    before = _snapshot(demo)
    entry = replan_apply(series=demo, actor=release_manager, shift_days=14)
    demo.refresh_from_db()
    assert demo.start_week == before["series"][0].fromordinal(before["series"][0].toordinal() + 14)
    replan_undo(replan=entry, actor=release_manager)
    assert _snapshot(demo) == before


def test_blueprints_now_targeted_after_freeze_are_listed(demo):
    # moving milestone-3 alone is impossible (freeze moves with it); move freeze earlier instead
    preview = replan_preview(series=demo, key="o-ff", new_date=date(2017, 1, 19))
    # o-3 moves with it, so targets at o-3 stay on freeze day: nothing newly after freeze
    assert all(b["target"] != "o-3" for b in preview.blueprints)


def test_only_release_managers_apply(demo):
    ptl = UserFactory(username="not-a-release-manager")
    with pytest.raises(PermissionDenied):
        replan_apply(series=demo, actor=ptl, key="o-ff", new_date=date(2017, 2, 2))


def test_stale_preview_is_refused(demo, release_manager):
    preview = replan_preview(series=demo, key="o-ff", new_date=date(2017, 2, 2))
    Event.objects.filter(series=demo, key="o-rc1").update(date=date(2017, 2, 3))
    with pytest.raises(ValidationError):
        replan_apply(
            series=demo,
            actor=release_manager,
            key="o-ff",
            new_date=date(2017, 2, 2),
            fingerprint=preview.fingerprint,
        )


def test_replan_page_previews_and_applies(demo, client, release_manager):
    page = client.get("/cycles/ocata/replan/?event=o-ff&date=2017-02-02")
    html = page.content.decode()
    assert page.status_code == 200 and "RC1 follows feature freeze by a week" in html
    client.force_login(release_manager)
    fp = page.context["preview"].fingerprint
    response = client.post(
        "/cycles/ocata/replan/", {"event": "o-ff", "date": "2017-02-02", "fingerprint": fp}
    )
    assert response.status_code == 302
    assert Event.objects.get(series=demo, key="o-ff").date == date(2017, 2, 2)


def test_replan_api_preview_apply_undo(demo, client, release_manager):
    url = "/api/v1/cycles/ocata/replan/"
    preview = client.get(url, {"event": "o-ff", "date": "2017-02-02"}).json()
    assert preview["feature_freeze"] == ["2017-01-26", "2017-02-02"]
    assert client.post(url, {"event": "o-ff", "date": "2017-02-02"}).status_code in (401, 403)
    client.force_login(release_manager)
    etag = client.get("/api/v1/cycles/ocata/").headers.get("ETag")
    applied = client.post(
        url,
        {"event": "o-ff", "date": "2017-02-02", "fingerprint": preview["fingerprint"]},
        content_type="application/json",
    )
    assert applied.status_code == 201, applied.content
    assert client.get("/api/v1/cycles/ocata/").headers.get("ETag") != etag
    undone = client.post(f"{url}{applied.json()['id']}/undo/")
    assert undone.status_code == 200
    assert Event.objects.get(series=demo, key="o-ff").date == date(2017, 1, 26)
    assert Blueprint.objects.filter(series=demo).exists()


# --- events happening on several days ------------------------------------------------------------


def test_moving_a_later_day_moves_only_that_occurrence_and_undo_restores_it(
    real_releases, release_manager
):
    # given: epoxy's Nova spec review day, on 12 Nov and 11 Dec 2024
    epoxy = Series.objects.get(name="epoxy")
    event = Event.objects.get(series=epoxy, key="e-nova-spec-review-day")
    days = lambda: sorted(set(event.occurrences.values_list("ordinal", "date")))  # noqa: E731
    assert days() == [(0, date(2024, 11, 12)), (1, date(2024, 12, 11))]
    # when: its second day moves a day later
    preview = replan_preview(series=epoxy, key=event.key, new_date=date(2024, 12, 12), occurrence=1)
    # then: the preview says which day moves, and nothing else does
    [change] = preview.events
    assert (change.old, change.new, change.occurrence, change.occurrences) == (
        date(2024, 12, 11),
        date(2024, 12, 12),
        1,
        2,
    )
    assert "day 2 of 2" in change.reason
    record = replan_apply(
        series=epoxy,
        actor=release_manager,
        key=event.key,
        new_date=date(2024, 12, 12),
        occurrence=1,
        fingerprint=preview.fingerprint,
    )
    event.refresh_from_db()
    assert event.date == date(2024, 11, 12)
    assert days() == [(0, date(2024, 11, 12)), (1, date(2024, 12, 12))]
    replan_undo(replan=record, actor=release_manager)
    assert days() == [(0, date(2024, 11, 12)), (1, date(2024, 12, 11))]


def test_moving_the_first_day_says_the_other_days_stay(real_releases, db):
    epoxy = Series.objects.get(name="epoxy")
    preview = replan_preview(
        series=epoxy, key="e-nova-spec-review-day", new_date=date(2024, 11, 13)
    )
    assert preview.events[0].reason == "moved by you: its first of 2 days (the others stay)"
    with pytest.raises(ValidationError) as refused:
        replan_preview(
            series=epoxy, key="e-nova-spec-review-day", new_date=date(2024, 11, 13), occurrence=2
        )
    assert "occurrence" in refused.value.message_dict
