"""The Gerrit sync against a local Gerrit: repositories from the team's deliverables, paging,
failures, idempotence; reviews on the blueprint API and pages; the counts the pages show."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from blueprints import gerrit_sync as gs
from blueprints import selectors
from blueprints.http_json import FetchError, JsonClient
from blueprints.models import Blueprint, Review, ReviewLink, ReviewStatus, SyncSource, SyncState
from core.models import AuditEntry
from releases.models import Deliverable, DeliverableSeries
from tests.factories import BlueprintFactory, cast
from tests.support.fake_gerrit import FakeGerrit

REPOSITORIES = {
    "tripleo-heat-templates": "openstack/tripleo-heat-templates",
    "puppet-tripleo": "openstack/puppet-tripleo",
    "python-tripleoclient": "openstack/python-tripleoclient",
    "tripleo-common": "openstack/tripleo-common",
    "tripleo-quickstart": "openstack/tripleo-quickstart",
}
BLUEPRINTS = [
    "overcloud-upgrades-per-service",
    "composable-ha",
    "heat-undercloud",
    "validations-in-workflows",
    "tripleo-realtime",
    "undercloud-ntp-server",
    "use-tripleo-quickstart-and-tripleo-quickstart-extras-for-the-tripleo-ci-toolset",
]
UPGRADES = "overcloud-upgrades-per-service"


def deliverable(series, name, team, repos):
    """The deliverable's row in ``series`` (the real openstack/releases import may hold it)."""
    found, _ = Deliverable.objects.get_or_create(name=name)
    row, _ = DeliverableSeries.objects.get_or_create(
        deliverable=found,
        series=series,
        defaults={
            "team": team,
            "type": "other",
            "repos": repos,
            "source": f"deliverables/{series.name}/{name}.yaml",
            "digest": "0" * 64,
        },
    )
    assert row.team == team and set(repos) <= set(row.repos)
    return row


@pytest.fixture
def c(db):
    c = cast()
    for name, repo in REPOSITORIES.items():
        deliverable(c.series, name, "tripleo", [repo])
    deliverable(c.series, "nova", "nova", ["openstack/nova"])
    for name in BLUEPRINTS:
        BlueprintFactory(project=c.project, series=c.series, squad=c.squad, name=name)
    return c


@pytest.fixture
def review_server():
    with FakeGerrit() as server:
        yield server


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    return JsonClient(timeout=1.0, retries=2, backoff=0.25, sleep=sleeps.append, proxies={})


def sync(c, server, http, **kw):
    return gs.gerrit_sync(
        project=c.project, series=c.series, gerrit_url=server.url, client=http, **kw
    )


def written():
    return (Review.objects.count(), ReviewLink.objects.count(), AuditEntry.objects.count())


def test_repositories_come_from_the_teams_deliverables(c):
    repositories = gs.gerrit_repositories(project=c.project, series=c.series)
    assert set(REPOSITORIES.values()) <= set(repositories) and "openstack/nova" not in repositories
    assert repositories == sorted(repositories)
    master, stable = gs.gerrit_queries(sorted(REPOSITORIES.values()), series=c.series)
    start = c.series.start_week.isoformat()  # 31 Oct 2016, or the real data's 7 Nov
    end = (c.series.release_week + dt.timedelta(weeks=4)).isoformat()
    assert f"branch:master after:{start} before:{end}" in master
    assert f'branch:"stable/ocata" after:{start}' in stable and "before:" not in stable


def test_two_syncs_in_a_row_the_second_reports_no_change(c, review_server, http):
    first = sync(c, review_server, http)
    # then: the team's changes naming a planner blueprint; the nova change is not asked for
    assert sorted(first.created) == [
        400112,
        404960,
        407861,
        410573,
        411206,
        419442,
        421038,
        423355,
        433870,
    ]
    assert first.not_linked == [416227]  # says "blueprint" in prose only
    assert all("openstack/nova" not in q for q in first.queries)
    upgrades = Blueprint.objects.get(name=UPGRADES)
    assert sorted(upgrades.reviews.values_list("number", flat=True)) == [
        407861,
        410573,
        419442,
        433870,
    ]
    # a change implementing two blueprints is linked to both
    both = Review.objects.get(number=410573)
    assert sorted(both.blueprints.values_list("name", flat=True)) == [
        "composable-ha",
        UPGRADES,
    ]
    assert ReviewLink.objects.get(review=both, blueprint=upgrades).partial is True
    review = Review.objects.get(number=407861)
    assert (review.repository, review.branch, review.status, review.owner) == (
        "openstack/tripleo-heat-templates",
        "master",
        ReviewStatus.MERGED,
        "Upgrade Lead",
    )
    assert review.url == f"{review_server.url}/c/openstack/tripleo-heat-templates/+/407861"
    assert review.updated == dt.datetime(2016, 12, 2, 14, 31, 7, tzinfo=dt.UTC)
    assert review.submitted == review.updated
    assert Review.objects.get(number=421038).links.get().source == "topic"
    assert SyncState.objects.get(source=SyncSource.GERRIT).counts["created"] == 9
    before = written()
    # when: again
    second = sync(c, review_server, http)
    # then: nothing changed, nothing written
    assert not second.changed
    assert (len(second.created), len(second.updated), len(second.unchanged)) == (0, 0, 9)
    assert second.summary().startswith("no change: reviews created 0, updated 0, unchanged 9")
    assert written() == before


def test_paging_with_more_changes_and_skip(c, review_server, http):
    report = sync(c, review_server, http, page_size=2)
    requests = review_server.requests_to("/changes")
    # master: 9 changes in pages of 2 (the last without _more_changes); stable/ocata: 1
    assert [r.query["S"][0] for r in requests] == ["0", "2", "4", "6", "8", "0"]
    assert all(r.query["n"] == ["2"] for r in requests)
    assert len(report.created) == 9 and report.pages == 6


def test_a_changed_status_is_updated_and_audited(c, review_server, http):
    sync(c, review_server, http)
    change = review_server.change(419442)
    change["status"] = "MERGED"
    change["updated"] = change["submitted"] = "2017-01-24 10:00:00.000000000"
    report = sync(c, review_server, http)
    assert report.updated == [419442]
    row = AuditEntry.objects.get(action="update", field="status", object_repr__startswith="419442")
    assert (row.old, row.new, row.actor) == ("NEW", "MERGED", None)


def test_a_503_then_success(c, review_server, http, sleeps):
    review_server.fail_next(1, status=503, path="/changes")
    assert len(sync(c, review_server, http).created) == 9
    assert sleeps == [0.25]


def test_a_timeout_that_persists_writes_nothing(c, review_server, sleeps):
    client = JsonClient(timeout=0.2, retries=1, backoff=0.01, sleep=sleeps.append, proxies={})
    review_server.hang_next(2, path="stable")
    with pytest.raises(FetchError, match="timed out after 0.2 s"):
        sync(c, review_server, client)
    assert written() == (0, 0, AuditEntry.objects.count()) and not Review.objects.exists()


def test_a_malformed_page_writes_nothing(c, review_server, http):
    review_server.malform_next(1, path="S=4")
    with pytest.raises(FetchError, match="not JSON"):
        sync(c, review_server, http, page_size=2)
    assert not Review.objects.exists() and not SyncState.objects.exists()


def test_without_deliverables_the_sync_says_so(c, review_server, http):
    DeliverableSeries.objects.filter(team="tripleo").delete()
    with pytest.raises(gs.GerritSyncError, match="team tripleo has no deliverables in ocata"):
        sync(c, review_server, http)


# --- counts, API, pages --------------------------------------------------------------------------
def test_review_counts_count_each_review_once(c, review_server, http):
    sync(c, review_server, http)
    everything = Blueprint.objects.filter(project=c.project)
    assert selectors.review_counts(blueprints=everything) == {
        "open": 2,
        "merged": 6,
        "abandoned": 1,
        "total": 9,
    }
    upgrades = selectors.with_review_counts(everything).get(name=UPGRADES)
    assert (upgrades.reviews_open, upgrades.reviews_merged) == (1, 3)
    by_squad = selectors.review_counts_by_squad(blueprints=everything)
    assert by_squad == {c.squad.pk: {"open": 2, "merged": 6, "abandoned": 1, "total": 9}}


def test_the_blueprint_api_lists_its_reviews(c, review_server, http, client):
    sync(c, review_server, http)
    upgrades = Blueprint.objects.get(name=UPGRADES)
    data = client.get(f"/api/v1/blueprints/{upgrades.pk}/").json()
    assert [r["number"] for r in data["reviews"]] == [433870, 419442, 410573, 407861]
    assert data["reviews"][0] == {
        "number": 433870,
        "project": "openstack/tripleo-heat-templates",
        "subject": "Add upgrade_tasks to the nova-compute service template",
        "status": "MERGED",
        "url": f"{review_server.url}/c/openstack/tripleo-heat-templates/+/433870",
        "updated": "2017-02-20T16:45:21Z",
    }
    rows = client.get("/api/v1/blueprints/?series=ocata").json()["results"]
    assert {r["name"]: len(r["reviews"]) for r in rows}[UPGRADES] == 4


def test_the_blueprint_page_and_the_squad_page_show_the_reviews(c, review_server, http, client):
    sync(c, review_server, http)
    upgrades = Blueprint.objects.get(name=UPGRADES)
    page = client.get(f"/blueprints/{upgrades.pk}/").content.decode()
    assert 'data-testid="reviews"' in page
    assert "Drive the upgrade steps with an Ansible playbook" in page
    assert f"{review_server.url}/c/openstack/tripleo-heat-templates/+/419442" in page
    squad = client.get(f"/squads/{c.squad.slug}/?series=ocata").content.decode()
    assert 'data-testid="squad-reviews"' in squad
    assert "2 open" in squad and "6 merged" in squad


# --- the command, the task ----------------------------------------------------------------------
def test_the_command_syncs_and_reports(c, review_server, settings, capsys):
    settings.GERRIT_URL = review_server.url
    call_command("sync_gerrit", "tripleo", "--series", "ocata", "--no-progress")
    out = capsys.readouterr().out
    assert f"{review_server.url} (ocata, " in out and " repositories, 2 pages)" in out
    assert "changed: reviews created 9" in out
    call_command("sync_gerrit", "tripleo", "--series", "ocata", "--no-progress")
    assert "no change: reviews created 0, updated 0, unchanged 9" in capsys.readouterr().out


def test_the_command_names_the_failing_url(c, review_server, settings):
    settings.GERRIT_URL = review_server.url
    review_server.fail_next(5, status=502, path="/changes")
    with pytest.raises(CommandError) as raised:
        call_command("sync_gerrit", "tripleo", "--series", "ocata", "--retries", "0")
    assert f"GET {review_server.url}/changes/?q=" in str(raised.value)
    assert "HTTP 502" in str(raised.value) and "Nothing was written." in str(raised.value)


def test_the_command_refuses_an_unknown_project(db):
    with pytest.raises(CommandError, match="unknown project 'nobody'"):
        call_command("sync_gerrit", "nobody")


def test_the_task_wraps_the_service(c, review_server, settings):
    from blueprints import tasks

    settings.GERRIT_URL = review_server.url
    assert tasks.sync_gerrit.delay(c.project.pk, c.series.pk).get().startswith("changed")
    assert tasks.sync_gerrit.delay(c.project.pk, c.series.pk).get().startswith("no change")
    settings.PLANNER_SYNC_PROJECTS = ["tripleo"]
    assert tasks.sync_gerrit_projects.delay().get() == 1


def test_the_admin_lists_reviews_and_the_read_only_sync_states(c, review_server, http, client):
    from tests.factories import UserFactory

    sync(c, review_server, http)
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    reviews = client.get("/admin/blueprints/review/")
    assert reviews.status_code == 200 and "Drive the upgrade steps" in reviews.content.decode()
    state = SyncState.objects.get()
    page = client.get(f"/admin/blueprints/syncstate/{state.pk}/change/")
    assert page.status_code == 200 and "reviews created 9" in page.content.decode()
    assert client.get("/admin/blueprints/syncstate/add/").status_code == 403
