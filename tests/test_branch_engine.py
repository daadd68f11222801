"""The branch-cut engine on the real openstack/releases data and the real branch history."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from releases.branch_services import branch_cuts_compute, branch_history_import
from releases.models import (
    BranchActual,
    BranchCut,
    BranchPolicy,
    BranchRule,
    Deliverable,
    Event,
    Series,
)
from releases.selectors import branch_report

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_cuts(real_releases, branch_history_csv, django_db_blocker):
    """The real history imported and every series' cuts computed, once for this module."""
    with django_db_blocker.unblock():
        return branch_history_import(path=branch_history_csv)


def cut(series: str, deliverable: str) -> BranchCut:
    return BranchCut.objects.get(series__name=series, deliverable__name=deliverable)


def test_seeded_rules_put_80_percent_of_upstream_cuts_within_7_days(real_cuts):
    report = branch_report(first="ocata", last="flamingo")
    overall = report["overall"]
    # every own-branch cut of ocata..flamingo in the file (4,279), unplanned ones as misses
    assert overall["cuts"] == 4279
    assert overall["share_within_7_days"] >= 0.80
    by_model = {row["key"]: row for row in report["by_release_model"]}
    assert by_model["cycle-with-rc"]["share_within_7_days"] >= 0.95
    assert by_model["untagged"]["planned"] == 0  # the rule says no branch


def test_ocata_cuts_follow_the_seeded_rules(real_cuts):
    nova = cut("ocata", "nova")
    assert (nova.anchor_event.key, nova.planned_date) == ("o-rc1", date(2017, 2, 3))
    assert nova.backport_window_days == 19
    assert nova.actual_date is not None
    oslo = cut("ocata", "oslo.config")
    assert (oslo.anchor_kind, oslo.planned_date) == ("final-lib", date(2017, 1, 31))
    client = cut("ocata", "python-tripleoclient")
    assert client.anchor_kind == "final-rc"
    assert client.actual_date == date(2017, 1, 27)
    assert BranchCut.objects.filter(series__name="ocata", release_model="independent").count() == 0
    assert cut("epoxy", "nova").branch == "stable/2025.1"


def test_tripleo_policy_moves_its_trailing_deliverables_to_the_final_rc(
    real_cuts, django_capture_on_commit_callbacks
):
    # given TripleO's Ocata plan: wait for the final RC (stable/newton was cut "too early")
    ocata = Series.objects.get(name="ocata")
    thr = cut("ocata", "tripleo-heat-templates")
    assert thr.planned_date == date(2017, 2, 10) and thr.policy is None
    # when the policy is saved (the receiver enqueues the recompute on commit)
    with django_capture_on_commit_callbacks(execute=True):
        policy = BranchPolicy.objects.create(
            team="tripleo",
            series=ocata,
            anchor_kind="final-rc",
            offset_days=0,
            reason="wait more than we did for Newton",
        )
    # then the plan moves to the final RC, where upstream really cut it, and shows the change
    thr.refresh_from_db()
    assert thr.policy == policy
    assert (thr.planned_date, thr.actual_date) == (date(2017, 2, 16), date(2017, 2, 16))
    assert (thr.rule_planned_date, thr.rule_backport_window_days) == (date(2017, 2, 10), 12)
    assert thr.backport_window_days == 6
    assert cut("ocata", "nova").policy is None  # other teams keep the rule
    response = reverse("cycle-branch-cuts", args=["ocata"])
    assert response  # the page renders the before/after (see test_pages below)


def test_recompute_is_idempotent(real_cuts):
    ocata = Series.objects.get(name="ocata")
    branch_cuts_compute(series=ocata)
    before = list(BranchCut.objects.filter(series=ocata).order_by("pk").values())
    again = branch_cuts_compute(series=ocata)
    after = list(BranchCut.objects.filter(series=ocata).order_by("pk").values())
    assert again.changed == 0 and again.unchanged == len(before) > 200
    assert after == before


def test_an_edited_event_date_recomputes_the_affected_cuts(
    real_cuts, django_capture_on_commit_callbacks
):
    rc1 = Event.objects.get(series__name="ocata", key="o-rc1")
    updated = Series.objects.get(name="ocata").updated_at
    with django_capture_on_commit_callbacks(execute=True):
        rc1.date = date(2017, 2, 9)
        rc1.save()
    assert cut("ocata", "nova").planned_date == date(2017, 2, 10)
    assert cut("ocata", "oslo.config").planned_date == date(2017, 1, 31)  # final-lib: unmoved
    assert Series.objects.get(name="ocata").updated_at > updated  # feeds' Last-Modified move


def test_an_edited_rule_recomputes_every_series(real_cuts, django_capture_on_commit_callbacks):
    rule = BranchRule.objects.get(release_model="cycle-with-milestones", deliverable_type="")
    stein_nova = cut("stein", "nova").planned_date  # cycle-with-rc by then
    with django_capture_on_commit_callbacks(execute=True):
        rule.offset_days = 3
        rule.save()
    assert cut("ocata", "nova").planned_date == date(2017, 2, 5)
    assert cut("pike", "nova").planned_date == date(2017, 8, 13)
    assert cut("stein", "nova").planned_date == stein_nova


def test_history_import_with_a_bad_row_writes_nothing(real_cuts, tmp_path):
    bad = tmp_path / "history.csv"
    bad.write_text(
        "series,deliverable,branch,merged_on\nocata,nova,stable/ocata,2017-01-01\n"
        "ocata,cinder,stable/ocata,02/02/2017\n"
    )
    count = BranchActual.objects.count()
    with pytest.raises(CommandError, match=r"(?s)history.csv:3: merged_on: .*Nothing was imported"):
        call_command("import_branch_history", str(bad))
    assert BranchActual.objects.count() == count
    assert cut("ocata", "nova").actual_date != date(2017, 1, 1)


def test_history_reimport_is_idempotent(real_cuts, branch_history_csv):
    result = branch_history_import(path=branch_history_csv)
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert result.series_recomputed == []


def api_rows(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_branch_cuts_api_rows_and_filters(real_cuts, client):
    url = reverse("api-cycle-branch-cuts", args=["ocata"])
    page = api_rows(client, url + "?team=tripleo&model=cycle-trailing")
    names = [r["deliverable"] for r in page["results"]]
    assert names == sorted(names) and "tripleo-heat-templates" in names
    row = next(r for r in page["results"] if r["deliverable"] == "tripleo-heat-templates")
    assert set(row) >= {
        "deliverable",
        "team",
        "release_model",
        "type",
        "anchor_event",
        "rule",
        "planned_date",
        "backport_window_days",
        "actual_date",
    }
    assert row["anchor_event"] == "o-finalrc" and row["actual_date"] == "2017-02-16"
    libs = api_rows(client, url + "?type=library&limit=500")["results"]
    assert libs and {r["type"] for r in libs} == {"library"}
    assert client.get(reverse("api-cycle-branch-cuts", args=["nope"])).status_code == 404


def test_branch_cuts_api_query_count_does_not_grow_with_rows(
    real_cuts, client, django_assert_num_queries
):
    url = reverse("api-cycle-branch-cuts", args=["ocata"])
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_num_queries(3) as few:
        assert len(api_rows(client, url + "?limit=2")["results"]) == 2
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api_rows(client, url + "?limit=200")["results"]) == 200


def test_ics_feed_carries_the_deliverables_branch_cut_with_a_stable_uid(real_cuts, client):
    url = reverse("cycle-ics", args=["ocata"]) + "?deliverable=tripleo-heat-templates"
    body = client.get(url).content.decode()
    assert "UID:ocata.tripleo-heat-templates.branch-cut@cycle-planner" in body
    assert "tripleo-heat-templates: cut stable/ocata" in body
    assert body.count("branch-cut@") == 1
    team = client.get(reverse("cycle-ics", args=["ocata"]) + "?team=tripleo").content.decode()
    assert team.count("branch-cut@") >= 5
    plain = client.get(reverse("cycle-ics", args=["ocata"])).content.decode()
    assert "branch-cut@" not in plain


def test_pages_and_report_api(real_cuts, client):
    page = client.get(reverse("cycle-branch-cuts", args=["ocata"]) + "?team=tripleo")
    assert page.status_code == 200 and b"tripleo-heat-templates" in page.content
    report = client.get(reverse("branch-report"))
    assert report.status_code == 200 and b"within 7 days" in report.content
    data = api_rows(client, reverse("api-branch-report"))
    assert data["overall"]["share_within_7_days"] >= 0.8


def test_report_and_calibration_commands_print_their_figures(real_cuts, capsys):
    call_command("branch_report")
    out = capsys.readouterr().out
    assert "upstream cuts within 7 days of the plan" in out and "by series" in out
    call_command("calibrate_branch_rules")
    out = capsys.readouterr().out
    assert "Leave-future-out forecast:" in out
    assert "cycle-with-rc/*" in out


def test_a_deleted_deliverable_file_drops_its_cut(real_cuts):
    ocata = Series.objects.get(name="ocata")
    Deliverable.objects.filter(name="aodh").delete()
    assert branch_cuts_compute(series=ocata).deleted == 0  # cascade already removed it
    assert not BranchCut.objects.filter(series=ocata, deliverable__name="aodh").exists()
