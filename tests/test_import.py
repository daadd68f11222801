"""The importer on the real openstack/releases snapshot: dates, counts, idempotence, bad input."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers import serialize

from releases.importer import SourceError
from releases.models import Deliverable, DeliverableSeries, Event, ImportRun, Series, Week
from releases.services import releases_import

pytestmark = pytest.mark.django_db


def event_date(series: str, kind: str) -> date:
    return Event.objects.get(series__name=series, kind=kind, team="").date


def test_ocata_dates_match_the_published_schedule(real_releases):
    # then: the dates DESIGN.md and the Ocata schedule.rst give
    assert event_date("ocata", "milestone-1") == date(2016, 11, 17)
    assert event_date("ocata", "milestone-2") == date(2016, 12, 15)
    assert event_date("ocata", "milestone-3") == date(2017, 1, 26)
    assert event_date("ocata", "feature-freeze") == date(2017, 1, 26)
    assert event_date("ocata", "rc1") == date(2017, 2, 2)
    assert event_date("ocata", "release") == date(2017, 2, 22)
    assert event_date("ocata", "trailing") == date(2017, 3, 9)


def test_each_date_keeps_the_rule_that_produced_it(real_releases):
    rc1 = Event.objects.get(series__name="ocata", key="o-rc1")
    ff = Event.objects.get(series__name="ocata", key="o-ff")
    assert rc1.rule == "stated"  # "with a deadline of 2 February"
    assert ff.rule == "thursday"  # no date in the prose: Thursday of week R-4
    assert ff.week.name == "R-4"


def test_ocata_2_disagreement_between_yaml_week_and_prose_is_recorded(real_releases):
    o2 = Event.objects.get(series__name="ocata", key="o-2")
    assert o2.date == date(2016, 12, 15)
    assert o2.conflicts, "the yaml lists o-2 in the week of 5 December; the prose says 15 December"


@pytest.mark.parametrize(
    ("series", "kind", "expected"),
    [
        # each from the series' own schedule.rst prose
        ("pike", "release", date(2017, 8, 30)),  # "will happen on 30 August"
        ("epoxy", "milestone-2", date(2025, 1, 9)),  # "January 9, 2025 is the Epoxy-2 milestone"
        ("epoxy", "release", date(2025, 4, 2)),  # "Wednesday, April 2, 2025"
        ("zed", "release", date(2022, 10, 5)),  # "will happen on October 5th, 2022"
        ("flamingo", "release", date(2025, 10, 1)),  # "will happen on Wednesday, October 1, 2025"
    ],
)
def test_other_series_dates_come_from_their_prose(real_releases, series, kind, expected):
    assert event_date(series, kind) == expected


def test_an_event_listed_in_a_neighbours_file_belongs_to_the_series_it_is_about(real_releases):
    # epoxy's file lists the 2024.2 Dalmatian cycle-trailing deadline
    trailing = Event.objects.get(key="e-cycle-trail")
    assert trailing.series.name == "dalmatian"
    assert Event.objects.get(key="n-release").series.name == "newton"


def test_the_whole_tree_is_imported(real_releases):
    assert Series.objects.filter(start_week__isnull=False).count() == 21
    assert DeliverableSeries.objects.count() == 6026
    assert DeliverableSeries.objects.filter(series__isnull=True).count() == 143
    ocata = Series.objects.get(name="ocata")
    assert (ocata.start_week, ocata.release_week) == (date(2016, 11, 7), date(2017, 2, 20))
    assert ocata.length_weeks == 16
    assert Series.objects.get(name="epoxy").stable_branch == "stable/2025.1"
    thr = DeliverableSeries.objects.get(deliverable__name="tripleo-heat-templates", series=ocata)
    assert (thr.team, thr.type, thr.release_model) == ("tripleo", "other", "cycle-trailing")
    assert {"name": "stable/ocata", "location": "6.0.0.0rc1"} in thr.branches


def test_reimport_of_the_same_tree_changes_nothing(real_releases, releases_tree):
    # given: the tree was imported once (fixture); when: it is imported again
    before = snapshot()
    result = releases_import(path=releases_tree)
    # then
    assert not result.changed
    assert result.counts["deliverables"].unchanged == 6026
    assert snapshot() == before


def test_import_command_reports_counts(real_releases, releases_tree, capsys):
    call_command("import_releases", str(releases_tree), "--series", "ocata", "--no-progress")
    out = capsys.readouterr().out
    assert "no changes" in out
    assert ImportRun.objects.filter(actor="import_releases").exists()


def test_unknown_series_is_refused(releases_tree):
    with pytest.raises(SourceError, match="unknown series: nosuch"):
        releases_import(path=releases_tree, series=["nosuch"])


def test_a_path_that_is_not_a_checkout_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not an openstack/releases checkout"):
        call_command("import_releases", str(tmp_path), "--no-progress")


# --- bad input: the error names the file and line, and nothing from the run is written -------


@pytest.fixture
def small_tree(tmp_path: Path, releases_tree: Path) -> Path:
    """A copy of the real tree restricted to Ocata's deliverables (fast to copy and import)."""
    root = tmp_path / "releases"
    shutil.copytree(releases_tree / "data", root / "data")
    shutil.copytree(releases_tree / "doc", root / "doc")
    shutil.copytree(releases_tree / "deliverables" / "ocata", root / "deliverables" / "ocata")
    return root


def snapshot() -> str:
    rows = [
        *Series.objects.order_by("pk"),
        *Week.objects.order_by("pk"),
        *Event.objects.order_by("pk"),
        *Deliverable.objects.order_by("pk"),
        *DeliverableSeries.objects.order_by("pk"),
    ]
    return serialize("json", rows)


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the first line containing ``old``; return its 1-based number."""
    lines = path.read_text().splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if old in line:
            lines[number - 1] = line.replace(old, new)
            path.write_text("".join(lines))
            return number
    raise AssertionError(f"{old!r} not in {path}")


def test_small_tree_imports_then_reimports_as_a_no_op(small_tree):
    releases_import(path=small_tree, series=["ocata"])
    files = len(list((small_tree / "deliverables" / "ocata").glob("*.yaml")))
    assert DeliverableSeries.objects.filter(series__name="ocata").count() == files
    second = releases_import(path=small_tree, series=["ocata"])
    assert not second.changed


@pytest.mark.parametrize(
    ("relative", "old", "new", "message"),
    [
        ("deliverables/ocata/nova.yaml", "team: nova", "team: nova: x", "invalid YAML"),
        (
            "deliverables/ocata/nova.yaml",
            "release-model: cycle-with-milestones",
            "release-model: cycle-with-everything",
            "unknown release model 'cycle-with-everything'",
        ),
        ("deliverables/ocata/nova.yaml", "type: service", "type: daemon", "unknown deliverable"),
        ("doc/source/ocata/schedule.yaml", "end: '2016-12-16'", "end: '2016-12-09'", "end"),
    ],
)
def test_a_corrupt_file_stops_the_import_and_leaves_the_database_as_it_was(
    small_tree, relative, old, new, message
):
    # given: a good import, then one file broken
    releases_import(path=small_tree, series=["ocata"])
    (small_tree / "deliverables/ocata/nova.yaml").write_text(
        (small_tree / "deliverables/ocata/nova.yaml").read_text() + "\n"
    )  # nova changed too: a partial write would show
    before = snapshot()
    runs = ImportRun.objects.count()
    line = replace_line(small_tree / relative, old, new)
    # when
    with pytest.raises(SourceError) as caught:
        releases_import(path=small_tree, series=["ocata"])
    # then
    error = caught.value
    assert error.path.endswith(relative)
    assert error.line == line
    assert message in str(error)
    assert f"{relative}:{line}:" in str(error)
    assert snapshot() == before
    assert ImportRun.objects.count() == runs


def test_non_utf8_file_names_its_line(small_tree):
    path = small_tree / "deliverables/ocata/nova.yaml"
    line = replace_line(path, "team: nova", "team: nov@")
    path.write_bytes(path.read_bytes().replace(b"nov@", b"nov\xe9"))
    with pytest.raises(SourceError, match="not UTF-8") as caught:
        releases_import(path=small_tree, series=["ocata"])
    assert caught.value.line == line


def test_import_task_runs_the_service(small_tree):
    from releases.tasks import import_releases

    outcome = import_releases.delay(str(small_tree), ["ocata"]).get()
    assert ImportRun.objects.get(pk=outcome["run_id"]).actor == "celery:import_releases"
    assert Event.objects.filter(series__name="ocata", kind="feature-freeze").exists()
