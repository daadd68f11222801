"""Launchpad blueprint JSON: pure parsing, and the all-or-nothing import command."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from blueprints import launchpad
from blueprints.models import Blueprint, WorkItem
from core.models import AuditEntry
from tests.factories import cast

SAMPLE = Path(__file__).parent / "data" / "launchpad_tripleo_blueprints.json"


@pytest.fixture
def document():
    return json.loads(SAMPLE.read_text())


# --- pure parsing -----------------------------------------------------------------------------
def test_workitems_blocks_assignees_and_case_insensitive_status():
    text = (
        "Work items for ocata-1:\n"
        "[ha-dev] Pacemaker profiles: done\n"
        "Write docs: TODO\n"
        "\n"
        "Work items:\n"
        "[ci-dev] Job: with a colon in the title: InProgress\n"
    )
    items = launchpad.parse_workitems_text(text)
    assert [(i.assignee, i.title, i.status, i.milestone, i.order) for i in items] == [
        ("ha-dev", "Pacemaker profiles", "DONE", "ocata-1", 0),
        (None, "Write docs", "TODO", "ocata-1", 1),
        ("ci-dev", "Job: with a colon in the title", "INPROGRESS", "", 2),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[x] Orphan line: TODO", "outside a 'Work items:' block"),
        ("Work items:\nNo status here", "not 'Title: STATUS'"),
        ("Work items:\nThing: FINISHED", "unknown work item status 'FINISHED'"),
        ("Work items:\n: TODO", "not 'Title: STATUS'"),
        ("Work items:\nA: TODO\n\nB: TODO", "outside a 'Work items:' block"),
    ],
)
def test_workitems_bad_lines_are_reported(text, message):
    with pytest.raises(ValueError, match=message):
        launchpad.parse_workitems_text(text)


def test_empty_workitems():
    assert launchpad.parse_workitems_text(None) == []
    assert launchpad.parse_workitems_text("") == []


def test_parse_sample(document):
    entries = launchpad.parse_blueprints(document)
    by_name = {e.name: e for e in entries}
    assert list(by_name) == [
        "composable-ha",
        "overcloud-upgrades-per-service",
        "undercloud-ntp-server",
        "tripleo-realtime",
    ]
    ha = by_name["composable-ha"]
    assert (ha.milestone, ha.assignee, ha.approver) == ("ocata-2", "ha-dev", "ptl-lp")
    assert ha.date_completed == dt.datetime(2016, 12, 14, 17, 45, tzinfo=dt.UTC)
    assert [w.milestone for w in ha.work_items] == ["ocata-1", "ocata-1", "ocata-2", "ocata-2"]
    assert by_name["overcloud-upgrades-per-service"].work_items[-1].status == "BLOCKED"
    assert by_name["undercloud-ntp-server"].whiteboard == ""


def test_milestone_kinds():
    assert launchpad.milestone_kind("ocata-2", series="ocata") == "milestone-2"
    assert launchpad.milestone_kind("ocata-rc1", series="ocata") == "rc1"
    assert launchpad.milestone_kind("pike-1", series="ocata") is None
    assert launchpad.milestone_kind("ocata-final", series="ocata") is None


def test_every_problem_is_reported_with_index_name_and_field(document):
    bad = copy.deepcopy(document)
    bad["entries"][0]["implementation_status"] = "Done"  # not Launchpad's
    bad["entries"][1]["priority"] = "high"  # case matters: Launchpad says High
    bad["entries"][2]["assignee_link"] = "https://api.launchpad.net/1.0/tripleo"
    bad["entries"][3]["workitems_text"] = "Work items:\nThing: FINISHED"
    bad["entries"].append({"name": "composable-ha", "title": ""})
    with pytest.raises(launchpad.LaunchpadParseError) as error:
        launchpad.parse_blueprints(bad)
    found = {(p.index, p.name, p.field) for p in error.value.problems}
    assert {
        (0, "composable-ha", "implementation_status"),
        (1, "overcloud-upgrades-per-service", "priority"),
        (2, "undercloud-ntp-server", "assignee_link"),
        (3, "tripleo-realtime", "workitems_text"),
        (4, "composable-ha", "name"),
        (4, "composable-ha", "title"),
        (4, "composable-ha", "priority"),
    } <= found
    assert "entry 0 (composable-ha), implementation_status: unknown value 'Done'" in str(
        error.value
    )


def test_a_title_that_is_not_text_is_reported(document):
    bad = copy.deepcopy(document)
    bad["entries"][0]["title"] = 42
    with pytest.raises(launchpad.LaunchpadParseError) as error:
        launchpad.parse_blueprints(bad)
    assert "entry 0 (composable-ha), title: expected a string, got int" in str(error.value)


def test_not_a_collection():
    with pytest.raises(launchpad.LaunchpadParseError, match="entries"):
        launchpad.parse_blueprints([{"name": "x"}])


# --- the import command -----------------------------------------------------------------------
@pytest.fixture
def c(db):
    return cast()


def test_import_creates_blueprints_people_and_work_items(c):
    call_command("import_launchpad_blueprints", str(SAMPLE), "--project", "tripleo")
    assert Blueprint.objects.count() == 4
    ha = Blueprint.objects.get(name="composable-ha")
    assert ha.target_milestone.key == "o-2"
    assert (ha.assignee.username, ha.approver.username) == ("ha-dev", "ptl-lp")
    assert ha.is_complete and ha.date_completed.date() == dt.date(2016, 12, 14)
    assert ha.date_created.date() == dt.date(2016, 10, 10)
    assert WorkItem.objects.filter(blueprint=ha).count() == 4
    realtime = Blueprint.objects.get(name="tripleo-realtime")
    assert realtime.target_milestone.kind == "rc1"
    assert not ha.assignee.has_usable_password()


def test_import_twice_changes_nothing(c):
    call_command("import_launchpad_blueprints", str(SAMPLE))
    audit_rows = AuditEntry.objects.count()
    call_command("import_launchpad_blueprints", str(SAMPLE))
    assert AuditEntry.objects.count() == audit_rows


def test_reimport_records_status_changes_and_keeps_planner_fields(c, document, tmp_path):
    call_command("import_launchpad_blueprints", str(SAMPLE))
    upgrades = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    upgrades.squad = c.squad
    upgrades.save()
    document["entries"][1]["implementation_status"] = "Implemented"
    document["entries"][1]["date_completed"] = "2017-02-16T12:00:00+00:00"
    document["entries"][1]["workitems_text"] = document["entries"][1]["workitems_text"].replace(
        "INPROGRESS", "DONE"
    )
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    call_command("import_launchpad_blueprints", str(changed))
    upgrades.refresh_from_db()
    assert upgrades.squad == c.squad
    assert upgrades.implementation_status == "Implemented"
    row = AuditEntry.objects.filter(field="implementation_status", object_id=upgrades.pk).last()
    assert (row.old, row.new, row.actor) == ("Needs Code Review", "Implemented", None)
    assert AuditEntry.objects.filter(field="status", old="INPROGRESS", new="DONE").count() == 1


def test_bad_file_writes_nothing(c, document, tmp_path):
    document["entries"][3]["definition_status"] = "Accepted"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="entry 3 \\(tripleo-realtime\\), definition_status"):
        call_command("import_launchpad_blueprints", str(bad))
    assert not Blueprint.objects.exists()


def test_unknown_milestone_writes_nothing(c, document, tmp_path):
    document["entries"][3]["milestone_link"] = (
        "https://api.launchpad.net/1.0/tripleo/+milestone/pike-1"
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="entry 3 \\(tripleo-realtime\\), milestone_link"):
        call_command("import_launchpad_blueprints", str(bad))
    assert not Blueprint.objects.exists()
    assert not WorkItem.objects.exists()


def test_invalid_json_is_a_command_error(c, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_launchpad_blueprints", str(bad))


def test_unknown_series_is_a_command_error(c):
    with pytest.raises(CommandError, match="unknown series 'zz-nope'"):
        call_command("import_launchpad_blueprints", str(SAMPLE), "--series", "zz-nope")


def test_non_utf8_file_is_a_command_error_naming_the_file(c, tmp_path):
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"entries": [{"name": "caf\xe9"}]}')
    with pytest.raises(CommandError, match="latin1.json: .*codec"):
        call_command("import_launchpad_blueprints", str(bad))
    assert not Blueprint.objects.exists()
