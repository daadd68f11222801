"""The Launchpad sync against a local Launchpad devel API: paging, failures, idempotence,
conflicts with local edits, the command, the task and the beat entry."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from blueprints import launchpad_import as lpi
from blueprints.http_json import FetchError, JsonClient
from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    LaunchpadRecord,
    SyncSource,
    SyncState,
    WorkItem,
)
from blueprints.services import blueprint_update, work_item_update
from core.models import AuditEntry
from tests.factories import cast
from tests.support.fake_launchpad import FakeLaunchpad

TRIPLEO_BLUEPRINTS = 16
UPGRADES = "overcloud-upgrades-per-service"


@pytest.fixture
def c(db):
    return cast()


@pytest.fixture
def lp():
    with FakeLaunchpad(page_size=5) as server:
        yield server


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    return JsonClient(timeout=1.0, retries=2, backoff=0.25, sleep=sleeps.append, proxies={})


def sync(c, lp, http, **kw):
    return lpi.launchpad_sync(project=c.project, series=c.series, root=lp.root, client=http, **kw)


def written():
    return (
        Blueprint.objects.count(),
        WorkItem.objects.count(),
        BlueprintDependency.objects.count(),
        LaunchpadRecord.objects.count(),
        AuditEntry.objects.count(),
        SyncState.objects.count(),
    )


# --- two syncs in a row -------------------------------------------------------------------------
def test_two_syncs_in_a_row_the_second_reports_no_change(c, lp, http):
    # when: the first sync
    first = sync(c, lp, http)
    # then: every blueprint of the series arrives, with spec URLs, people, work items and
    # the dependency Launchpad lists
    assert (len(first.created), len(first.updated), len(first.unchanged)) == (16, 0, 0)
    assert first.changed and first.conflicts == [] and first.errors == []
    upgrades = Blueprint.objects.get(name=UPGRADES)
    assert upgrades.spec_url == (
        "https://specs.openstack.org/openstack/tripleo-specs/specs/ocata/"
        "tripleo-composable-upgrades.html"
    )
    assert [b.name for b in upgrades.depends_on.all()] == ["composable-ha"]
    assert upgrades.target_milestone.key == "o-3"
    assert upgrades.assignee.username == "upgrade-lead"
    assert upgrades.work_items.count() == 4
    assert Blueprint.objects.filter(spec_url="").values_list("name", flat=True).get() == (
        "tripleo-repos"  # the one without an Ocata spec
    )
    state = SyncState.objects.get(source=SyncSource.LAUNCHPAD, project=c.project)
    assert state.url == f"{lp.root}tripleo/all_specifications"
    assert state.counts["created"] == 16
    before = written()
    # when: the same sync again
    second = sync(c, lp, http)
    # then: nothing changed and nothing but the sync's own state row was written
    assert not second.changed
    assert (len(second.created), len(second.updated), len(second.unchanged)) == (0, 0, 16)
    assert second.summary().startswith("no change: created 0, updated 0, unchanged 16")
    assert written() == before
    # the milestones' ETags came back: answered 304 from what the first sync remembered
    assert second.not_modified == 3


def test_every_page_is_read_before_writing_and_progress_is_reported(c, lp, http):
    seen = []
    report = sync(c, lp, http, progress=lambda done, total: seen.append((done, total)))
    pages = [r.query.get("ws.start", ["0"])[0] for r in lp.requests_to("all_specifications")]
    assert pages == ["0", "5", "10", "15"]
    assert seen[0] == (0, 16) and seen[-1] == (16, 16)
    assert len(report.created) == 16


# --- network care ------------------------------------------------------------------------------
def test_a_503_then_success(c, lp, http, sleeps):
    lp.fail_next(1, status=503, path="all_specifications")
    report = sync(c, lp, http)
    assert len(report.created) == TRIPLEO_BLUEPRINTS
    assert sleeps == [0.25]  # one backoff, then the page answered


def test_a_timeout_that_persists_names_the_url_and_writes_nothing(c, lp, sleeps):
    client = JsonClient(timeout=0.2, retries=1, backoff=0.01, sleep=sleeps.append, proxies={})
    lp.hang_next(2, path="ws.start=10")
    before = written()
    with pytest.raises(FetchError) as raised:
        sync(c, lp, client)
    assert "all_specifications?ws.size=5&memo=10&ws.start=10" in str(raised.value)
    assert "timed out after 0.2 s (after 2 attempts)" in str(raised.value)
    assert written() == before


def test_a_timeout_once_is_retried(c, lp, sleeps):
    client = JsonClient(timeout=0.2, retries=2, backoff=0.01, sleep=sleeps.append, proxies={})
    lp.hang_next(1, path="+milestone/ocata-2")
    report = sync(c, lp, client)
    assert len(report.created) == TRIPLEO_BLUEPRINTS and sleeps == [0.01]


def test_a_malformed_page_writes_nothing(c, lp, http):
    # given: the third page comes back cut in the middle of its JSON
    lp.malform_next(1, path="ws.start=10")
    before = written()
    with pytest.raises(FetchError, match=r"ws\.start=10: not JSON"):
        sync(c, lp, http)
    # then: not even the first two pages' blueprints were written
    assert written() == before
    assert not Blueprint.objects.exists()


def test_a_failed_dependency_collection_writes_nothing(c, lp, http):
    lp.fail_next(5, status=500, path="/dependencies")
    with pytest.raises(FetchError, match="HTTP 500"):
        sync(c, lp, http)
    assert not Blueprint.objects.exists()


# --- mapping and scope ---------------------------------------------------------------------------
def test_unknown_milestones_and_other_series_are_reported_not_fatal(c, lp, http):
    lp.retarget("undercloud-ntp-server", "ocata-rc2")  # a real Launchpad milestone
    lp.retarget("tripleo-realtime", "pike-1")
    report = sync(c, lp, http)
    ntp = Blueprint.objects.get(name="undercloud-ntp-server")
    assert ntp.target_milestone is None
    (warning,) = report.warnings
    assert warning.name == "undercloud-ntp-server" and "ocata-rc2" in warning.message
    assert report.other_series == ["tripleo-realtime (pike-1)"]
    assert not Blueprint.objects.filter(name="tripleo-realtime").exists()
    assert len(report.created) == 15
    assert "1 of another series" in report.summary() and "1 warnings" in report.summary()


def test_a_blueprint_without_a_milestone_only_updates_one_already_in_the_series(c, lp, http):
    lp.retarget("tripleo-repos", None)
    first = sync(c, lp, http)
    assert first.untargeted == ["tripleo-repos"]
    assert not Blueprint.objects.filter(name="tripleo-repos").exists()
    # given: it is in the series (targeted, synced), then Launchpad clears its milestone
    lp.retarget("tripleo-repos", "ocata-3")
    sync(c, lp, http)
    lp.retarget("tripleo-repos", None)
    report = sync(c, lp, http)
    assert report.updated == {"tripleo-repos": ["target_milestone"]}
    assert Blueprint.objects.get(name="tripleo-repos").target_milestone is None


def test_launchpad_changes_are_taken_and_audited_as_the_system(c, lp, http):
    sync(c, lp, http)
    spec = lp.spec(UPGRADES)
    spec["implementation_status"] = "Implemented"
    spec["date_completed"] = "2017-02-16T12:00:00.000000+00:00"
    spec["workitems_text"] = spec["workitems_text"].replace("INPROGRESS", "DONE")
    report = sync(c, lp, http)
    assert report.updated == {UPGRADES: ["implementation_status", "date_completed", "work_items"]}
    assert report.work_items_updated == 2
    upgrades = Blueprint.objects.get(name=UPGRADES)
    assert upgrades.implementation_status == "Implemented"
    assert upgrades.date_completed == dt.datetime(2017, 2, 16, 12, tzinfo=dt.UTC)
    row = AuditEntry.objects.filter(field="implementation_status", object_id=upgrades.pk).last()
    assert (row.old, row.new, row.actor) == ("Needs Code Review", "Implemented", None)


def test_a_missing_workitems_text_keeps_the_planners_work_items(c, lp, http):
    sync(c, lp, http)
    del lp.spec(UPGRADES)["workitems_text"]
    report = sync(c, lp, http)
    assert UPGRADES in report.unchanged
    assert Blueprint.objects.get(name=UPGRADES).work_items.count() == 4


# --- local edits ----------------------------------------------------------------------------------
def test_a_local_edit_is_kept_when_launchpad_did_not_change(c, lp, http):
    sync(c, lp, http)
    upgrades = Blueprint.objects.get(name=UPGRADES)
    blueprint_update(blueprint=upgrades, actor=c.ptl, implementation_status="Good progress")
    report = sync(c, lp, http)
    assert not report.changed and report.conflicts == []
    upgrades.refresh_from_db()
    assert upgrades.implementation_status == "Good progress"


def test_a_field_edited_on_both_sides_is_a_conflict_reported_until_resolved(c, lp, http):
    sync(c, lp, http)
    upgrades = Blueprint.objects.get(name=UPGRADES)
    blueprint_update(blueprint=upgrades, actor=c.ptl, implementation_status="Good progress")
    item = upgrades.work_items.order_by("order").first()
    work_item_update(work_item=item, actor=c.ptl, status="BLOCKED")
    spec = lp.spec(UPGRADES)
    spec["implementation_status"] = "Slow progress"
    spec["workitems_text"] += "\n[contributor1] One more item: TODO"
    spec["title"] = "Composable service upgrades (Ocata)"  # changed there only
    # when
    report = sync(c, lp, http)
    # then: both conflicts are reported, the planner's values kept, the rest taken
    assert [(x.field, x.planner, x.launchpad) for x in report.conflicts] == [
        ("implementation_status", "Good progress", "Slow progress"),
        ("work_items", report.conflicts[1].planner, report.conflicts[1].launchpad),
    ]
    assert str(report.conflicts[0]) == (
        f"{UPGRADES}, implementation_status: changed here ('Good progress') and on Launchpad "
        "('Slow progress') since the last sync; the planner's value kept"
    )
    assert report.updated == {UPGRADES: ["title"]}
    upgrades.refresh_from_db()
    assert upgrades.implementation_status == "Good progress"
    assert upgrades.title == "Composable service upgrades (Ocata)"
    assert upgrades.work_items.count() == 4
    # a second sync says it again (and still writes nothing)
    again = sync(c, lp, http)
    assert len(again.conflicts) == 2 and not again.changed
    # resolved by taking Launchpad's values
    resolved = sync(c, lp, http, overwrite_local=True)
    assert resolved.updated == {UPGRADES: ["implementation_status", "work_items"]}
    assert all(x.overwritten for x in resolved.conflicts)
    upgrades.refresh_from_db()
    assert upgrades.implementation_status == "Slow progress"
    assert upgrades.work_items.count() == 5
    assert sync(c, lp, http).conflicts == []


def test_a_blueprint_the_planner_had_before_any_sync_takes_launchpads_values(c, lp, http):
    from tests.factories import BlueprintFactory

    BlueprintFactory(
        project=c.project, series=c.series, name=UPGRADES, title="Old title", squad=c.squad
    )
    report = sync(c, lp, http)
    assert "title" in report.updated[UPGRADES] and report.conflicts == []
    upgrades = Blueprint.objects.get(name=UPGRADES)
    assert (upgrades.title, upgrades.squad) == ("Composable Service Upgrades", c.squad)


# --- the command, the task, beat -----------------------------------------------------------------
def test_the_command_syncs_and_reports(c, lp, settings, capsys):
    settings.LAUNCHPAD_API_ROOT = lp.root
    call_command("sync_launchpad", "tripleo", "--series", "ocata", "--no-progress")
    out = capsys.readouterr().out
    assert f"{lp.root}tripleo/all_specifications (ocata," in out
    assert "changed: created 16, updated 0, unchanged 0, conflicts 0" in out
    call_command("sync_launchpad", "tripleo", "--series", "ocata", "--no-progress")
    assert "no change: created 0, updated 0, unchanged 16" in capsys.readouterr().out


def test_the_command_names_the_failing_url_and_writes_nothing(c, lp, settings):
    settings.LAUNCHPAD_API_ROOT = lp.root
    lp.fail_next(10, status=503, path="all_specifications")
    with pytest.raises(CommandError) as raised:
        call_command("sync_launchpad", "tripleo", "--series", "ocata", "--retries", "0")
    assert f"GET {lp.root}tripleo/all_specifications: HTTP 503" in str(raised.value)
    assert "Nothing was written." in str(raised.value)
    assert not Blueprint.objects.exists()


def test_the_command_refuses_the_1_0_api(c, settings):
    settings.LAUNCHPAD_API_ROOT = "https://api.launchpad.net/1.0/"
    with pytest.raises(CommandError, match="serves no blueprint fields.*devel"):
        call_command("sync_launchpad", "tripleo", "--series", "ocata")


def test_the_command_refuses_an_unknown_series(c):
    with pytest.raises(CommandError, match="unknown series 'zz-none'"):
        call_command("sync_launchpad", "tripleo", "--series", "zz-none")


def test_the_task_wraps_the_service_and_beat_runs_it_for_the_configured_projects(c, lp, settings):
    from blueprints import tasks

    settings.LAUNCHPAD_API_ROOT = lp.root
    summary = tasks.sync_launchpad.delay(c.project.pk, c.series.pk).get()
    assert summary.startswith("changed: created 16")
    assert tasks.sync_launchpad.delay(c.project.pk, c.series.pk).get().startswith("no change")
    assert tasks.sync_launchpad.delay(987654).get().startswith("nothing to sync")
    # beat: only the projects PLANNER_SYNC_PROJECTS names
    settings.PLANNER_SYNC_PROJECTS = []
    assert tasks.sync_launchpad_projects.delay().get() == 0
    settings.PLANNER_SYNC_PROJECTS = ["tripleo", "not-a-project"]
    assert tasks.sync_launchpad_projects.delay().get() == 1


def test_beat_schedules_both_syncs():
    from django.conf import settings

    from blueprints import launchpad
    from blueprints.gerrit import GERRIT_URL

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "blueprints.tasks.sync_launchpad_projects",
        "blueprints.tasks.sync_gerrit_projects",
    } <= tasks
    assert settings.LAUNCHPAD_API_ROOT == launchpad.API_ROOT
    assert settings.GERRIT_URL == GERRIT_URL


@pytest.mark.parametrize(
    ("status", "transient"), [(None, True), (503, True), (429, True), (404, False), (400, False)]
)
def test_the_task_retries_only_what_may_pass(status, transient):
    from blueprints.tasks import _transient

    assert _transient(FetchError("http://x/", "r", status=status)) is transient


def test_progress_shows_on_a_terminal(c, lp, settings, capsys, monkeypatch):
    import sys

    settings.LAUNCHPAD_API_ROOT = lp.root
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    call_command("sync_launchpad", "tripleo", "--series", "ocata")
    err = capsys.readouterr().err
    assert "Launchpad" in err and "16/16" in err


def test_the_task_retries_a_transient_failure_then_gives_up_naming_the_url(c, lp, settings):
    from blueprints import tasks

    settings.LAUNCHPAD_API_ROOT = lp.root
    settings.PLANNER_SYNC_RETRIES = 0  # the client's own retries off: count the task's
    lp.fail_next(1 + tasks.SYNC_RETRIES, status=503, path="all_specifications")
    with pytest.raises(tasks.SyncUnavailable, match="all_specifications: HTTP 503"):
        tasks.sync_launchpad.delay(c.project.pk, c.series.pk).get()
    assert len(lp.requests_to("all_specifications")) == 1 + tasks.SYNC_RETRIES
    assert not Blueprint.objects.exists()
    # a 404 is not retried
    lp.requests.clear()
    settings.LAUNCHPAD_API_ROOT = f"{lp.url}/devel/"
    c.project.launchpad = "no-such-project"
    c.project.save()
    with pytest.raises(tasks.SyncFailed, match="no-such-project/all_specifications: HTTP 404"):
        tasks.sync_launchpad.delay(c.project.pk, c.series.pk).get()
    assert len(lp.requests_to("all_specifications")) == 1
