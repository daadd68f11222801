"""Launchpad blueprint JSON: the pure mapping of the devel API's shapes, and the file import."""

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
DEVEL = Path(__file__).parent / "support" / "fixtures" / "launchpad_specifications.json"
API = "https://api.launchpad.net/devel/"


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


# --- the devel API's shapes ---------------------------------------------------------------
@pytest.fixture
def devel():
    """The tripleo (and one nova) blueprints as ``<root>openstack/all_specifications`` gives."""
    return json.loads(DEVEL.read_text())


def entry_of(page, name):
    return next(e for e in page["entries"] if e["name"] == name)


def paged(page, size):
    """The page cut as Launchpad pages it (``ws.size``), with its links."""
    entries = page["entries"]
    pages = []
    for start in range(0, len(entries), size):
        part = {"start": start, "entries": entries[start : start + size]}
        if start + size < len(entries):
            after = start + size
            part["next_collection_link"] = f"{API}tripleo/all_specifications?ws.start={after}"
            part["total_size_link"] = f"{API}tripleo/all_specifications?ws.show=total_size"
        else:
            part["total_size"] = len(entries)
        pages.append(part)
    return pages


def test_devel_fields_reach_the_blueprint(devel):
    parsed = launchpad.parse_specifications(devel, project="tripleo", series="ocata")
    by_name = {b.name: b for b in parsed.blueprints}
    ha = by_name["composable-ha"]
    assert ha.spec_url == (
        "https://specs.openstack.org/openstack/tripleo-specs/specs/ocata/"
        "composable-ha-architecture.html"
    )
    assert ha.dependencies_collection_link == f"{API}tripleo/+spec/composable-ha/dependencies"
    assert ha.self_link == f"{API}tripleo/+spec/composable-ha"
    assert (ha.target, ha.milestone, ha.milestone_series, ha.milestone_kind) == (
        "tripleo",
        "ocata-2",
        "ocata",
        "milestone-2",
    )
    assert ha.depends_on is None  # not fetched: unknown, not "none"
    assert by_name["tripleo-repos"].spec_url == ""  # no Ocata spec for it
    assert len(ha.work_items) == 4 and ha.work_items_known
    assert (parsed.complete, parsed.total_size, parsed.problems) == (True, 17, [])


def test_entries_of_another_project_are_left_out_and_counted(devel):
    # a project group's listing (openstack) holds every project's blueprints
    parsed = launchpad.parse_specifications(devel, project="tripleo")
    assert parsed.other_target == ["nova/resource-providers-scheduler-db-filters"]
    assert len(parsed.blueprints) == 16
    assert all(b.target == "tripleo" for b in parsed.blueprints)
    assert "1 of another project left out" in parsed.summary()
    # without a project, nothing is left out
    assert len(launchpad.parse_specifications(devel).blueprints) == 17


def test_entries_of_another_series_are_left_out_and_counted(devel):
    entry_of(devel, "tripleo-realtime")["milestone_link"] = f"{API}tripleo/+milestone/pike-1"
    parsed = launchpad.parse_specifications(devel, project="tripleo", series="ocata")
    assert parsed.other_series == ["tripleo-realtime (pike-1)"]
    assert "tripleo-realtime" not in {b.name for b in parsed.blueprints}
    assert parsed.problems == []
    # the same document read for Pike keeps only that one
    pike = launchpad.parse_specifications(devel, project="tripleo", series="pike")
    assert [b.name for b in pike.blueprints] == ["tripleo-realtime"]
    assert pike.blueprints[0].milestone_kind == "milestone-1"


def test_the_milestones_series_link_wins_over_its_name(devel):
    link = f"{API}tripleo/+milestone/next"
    entry_of(devel, "tripleo-realtime")["milestone_link"] = link
    milestones = {link: {"name": "next", "series_target_link": f"{API}tripleo/pike"}}
    parsed = launchpad.parse_specifications(
        devel, project="tripleo", series="ocata", milestones=milestones
    )
    assert parsed.other_series == ["tripleo-realtime (next)"]
    # unfetched, "next-…" is no series the planner knows: kept, untargeted, with a warning
    entry_of(devel, "tripleo-realtime")["milestone_link"] = f"{API}tripleo/+milestone/next-cycle"
    parsed = launchpad.parse_specifications(
        devel, project="tripleo", series="ocata", known_series={"ocata", "pike"}
    )
    realtime = next(b for b in parsed.blueprints if b.name == "tripleo-realtime")
    assert realtime.milestone_kind is None
    assert [str(w) for w in parsed.warnings] == [
        f"warning: entry {realtime.index} (tripleo-realtime), milestone_link: milestone "
        "'next-cycle' belongs to no known series: kept without a target"
    ]


def test_an_unknown_milestone_keeps_the_blueprint_without_a_target(devel):
    entry_of(devel, "undercloud-ntp-server")["milestone_link"] = (
        f"{API}tripleo/+milestone/ocata-rc2"
    )
    parsed = launchpad.parse_specifications(devel, project="tripleo", series="ocata")
    ntp = next(b for b in parsed.blueprints if b.name == "undercloud-ntp-server")
    assert (ntp.milestone, ntp.milestone_series, ntp.milestone_kind) == (
        "ocata-rc2",
        "ocata",
        None,
    )
    (warning,) = parsed.warnings
    assert (warning.name, warning.field, warning.severity) == (
        "undercloud-ntp-server",
        "milestone_link",
        "warning",
    )
    assert "not one of the ocata schedule's milestones (ocata-1, ocata-2, ocata-3, " in str(warning)
    assert parsed.errors == [] and len(parsed.blueprints) == 16


def test_a_single_entry_is_accepted(devel):
    entry = entry_of(devel, "overcloud-upgrades-per-service")  # GET …/+spec/<name>
    (blueprint,) = launchpad.parse_specifications(entry, project="tripleo").blueprints
    assert blueprint.name == "overcloud-upgrades-per-service"
    assert launchpad.parse_blueprints(entry)[0].title == "Composable Service Upgrades"


def test_several_pages_are_accepted(devel):
    pages = paged(devel, 5)
    assert len(pages) == 4
    parsed = launchpad.parse_specifications(pages, project="tripleo")
    assert len(parsed.blueprints) == 16 and parsed.complete and parsed.problems == []
    assert [b.index for b in parsed.blueprints][-1] == 15


def test_a_page_given_alone_is_reported_as_part_of_the_collection(devel):
    first = paged(devel, 5)[0]
    parsed = launchpad.parse_specifications(first)
    assert not parsed.complete and len(parsed.blueprints) == 5
    (error,) = parsed.errors
    assert error.field == "next_collection_link"
    assert "part of the collection, not all of it" in error.message
    with pytest.raises(launchpad.LaunchpadParseError, match="next_collection_link"):
        launchpad.parse_blueprints(first)


def test_a_missing_page_is_reported(devel):
    pages = paged(devel, 5)
    del pages[1]
    parsed = launchpad.parse_specifications(pages)
    assert not parsed.complete
    assert "page 2 starts at entry 10 but 5 entries came before it" in str(parsed.errors[0])


def test_fewer_entries_than_total_size_is_incomplete(devel):
    devel["entries"].pop()
    parsed = launchpad.parse_specifications(devel)
    assert not parsed.complete
    assert "total_size says 17 entries, the pages hold 16" in str(parsed.errors[0])


def test_a_page_of_something_else_is_refused(devel):
    devel["resource_type_link"] = f"{API}#milestone-page-resource"
    assert "is not of blueprints" in str(launchpad.parse_specifications(devel).errors[0])


def test_missing_workitems_text_means_unknown_not_none(devel):
    entry = entry_of(devel, "composable-ha")
    del entry["workitems_text"]
    entry_of(devel, "heat-undercloud")["workitems_text"] = None
    entry_of(devel, "step-by-step-validation")["workitems_text"] = ""
    by_name = {b.name: b for b in launchpad.parse_specifications(devel).blueprints}
    assert by_name["composable-ha"].work_items is None
    assert not by_name["composable-ha"].work_items_known
    assert by_name["heat-undercloud"].work_items is None
    assert by_name["step-by-step-validation"].work_items == []
    assert by_name["step-by-step-validation"].work_items_known
    # the strict file import replaces work items wholesale and keeps its old reading
    strict = {b.name: b for b in launchpad.parse_blueprints(devel)}
    assert strict["composable-ha"].work_items == []


def test_problems_are_reported_per_entry_and_the_rest_is_kept(devel):
    entry_of(devel, "composable-ha")["implementation_status"] = "Done"
    entry_of(devel, "heat-undercloud")["date_completed"] = "2016-10-01T00:00:00+00:00"
    entry_of(devel, "tripleo-repos")["workitems_text"] = "Work items:\nThing: FINISHED"
    parsed = launchpad.parse_specifications(devel, project="tripleo")
    assert {(p.name, p.field) for p in parsed.errors} == {
        ("composable-ha", "implementation_status"),
        ("heat-undercloud", "date_completed"),
        ("tripleo-repos", "workitems_text"),
    }
    kept = {b.name for b in parsed.blueprints}
    assert len(kept) == 13 and not kept & {"composable-ha", "heat-undercloud", "tripleo-repos"}
    assert "13 blueprints" in parsed.summary() and "3 problems" in parsed.summary()


def test_a_bad_spec_url_is_dropped_with_a_warning(devel):
    entry_of(devel, "composable-ha")["specification_url"] = "javascript:alert(1)"
    parsed = launchpad.parse_specifications(devel, project="tripleo")
    ha = next(b for b in parsed.blueprints if b.name == "composable-ha")
    assert ha.spec_url == ""
    assert [(w.field, w.severity) for w in parsed.warnings] == [("specification_url", "warning")]


def test_dependencies_come_from_the_fetched_collections(devel):
    upgrades = entry_of(devel, "overcloud-upgrades-per-service")
    ha = entry_of(devel, "composable-ha")
    nova = entry_of(devel, "resource-providers-scheduler-db-filters")
    dependencies = {
        upgrades["dependencies_collection_link"]: [ha, nova],
        ha["dependencies_collection_link"]: [],
    }
    parsed = launchpad.parse_specifications(devel, project="tripleo", dependencies=dependencies)
    by_name = {b.name: b for b in parsed.blueprints}
    assert by_name["overcloud-upgrades-per-service"].depends_on == ("composable-ha",)
    assert by_name["composable-ha"].depends_on == ()
    assert by_name["heat-undercloud"].depends_on is None  # its collection was not fetched
    (warning,) = parsed.warnings
    assert "depends on nova/resource-providers-scheduler-db-filters" in warning.message


def test_blueprints_without_a_milestone_are_listed_and_can_be_left_out(devel):
    entry_of(devel, "tripleo-repos")["milestone_link"] = None
    kept = launchpad.parse_specifications(devel, project="tripleo", series="ocata")
    assert kept.untargeted == ["tripleo-repos"]
    assert "tripleo-repos" in {b.name for b in kept.blueprints}
    left = launchpad.parse_specifications(
        devel, project="tripleo", series="ocata", keep_untargeted=False
    )
    assert "tripleo-repos" not in {b.name for b in left.blueprints}


def test_the_1_0_api_lacks_the_specification_fields():
    entry = {  # what /1.0/tripleo/+spec/composable-ha serves: no devel field at all
        "self_link": "https://api.launchpad.net/1.0/tripleo/+spec/composable-ha",
        "web_link": "https://blueprints.launchpad.net/tripleo/+spec/composable-ha",
        "resource_type_link": "https://api.launchpad.net/1.0/#specification",
        "information_type": "Public",
        "http_etag": '"a-b"',
    }
    parsed = launchpad.parse_specifications({"entries": [entry], "total_size": 1})
    assert {p.field for p in parsed.errors} == set(launchpad.REQUIRED)
    assert parsed.blueprints == []


def test_in_scope_is_a_cheap_test_on_target_and_milestone_name(devel):
    ha, nova = (
        entry_of(devel, "composable-ha"),
        entry_of(devel, "resource-providers-scheduler-db-filters"),
    )
    assert launchpad.in_scope(ha, project="tripleo", series="ocata")
    assert not launchpad.in_scope(nova, project="tripleo")
    assert not launchpad.in_scope(ha, project="tripleo", series="pike")
    assert launchpad.in_scope({"name": "x", "milestone_link": "bad"}, project="tripleo")


def test_link_names():
    assert launchpad.link_name(f"{API}tripleo") == "tripleo"
    assert launchpad.link_name(f"{API}tripleo/ocata/") == "ocata"
    with pytest.raises(ValueError, match="not a Launchpad project or series link"):
        launchpad.link_name(f"{API}~ha-dev")


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


def test_a_bad_entry_is_reported_and_the_others_imported(c, document, tmp_path, capsys):
    document["entries"][3]["definition_status"] = "Accepted"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    call_command("import_launchpad_blueprints", str(bad))
    out, err = capsys.readouterr()
    assert "entry 3 (tripleo-realtime), definition_status: unknown value 'Accepted'" in err
    assert "created 3" in out and "1 entries not imported" in out
    assert set(Blueprint.objects.values_list("name", flat=True)) == {
        "composable-ha",
        "overcloud-upgrades-per-service",
        "undercloud-ntp-server",
    }


def test_strict_import_of_a_bad_file_writes_nothing(c, document, tmp_path):
    document["entries"][3]["definition_status"] = "Accepted"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="entry 3 \\(tripleo-realtime\\), definition_status"):
        call_command("import_launchpad_blueprints", str(bad), "--strict")
    assert not Blueprint.objects.exists()


def test_another_series_is_left_out_and_counted(c, document, tmp_path, capsys):
    document["entries"][3]["milestone_link"] = (
        "https://api.launchpad.net/1.0/tripleo/+milestone/pike-1"
    )
    other = tmp_path / "other.json"
    other.write_text(json.dumps(document))
    call_command("import_launchpad_blueprints", str(other), "-v", "2")
    out = capsys.readouterr().out
    assert "left out 1 (0 of another project, 1 of another series" in out
    assert "left out (another series): tripleo-realtime (pike-1)" in out
    assert not Blueprint.objects.filter(name="tripleo-realtime").exists()
    assert Blueprint.objects.count() == 3


def test_the_file_import_keeps_an_unknown_milestones_blueprint_untargeted(
    c, document, tmp_path, capsys
):
    document["entries"][3]["milestone_link"] = (
        "https://api.launchpad.net/devel/tripleo/+milestone/ocata-rc2"
    )
    path = tmp_path / "rc2.json"
    path.write_text(json.dumps(document))
    call_command("import_launchpad_blueprints", str(path))
    err = capsys.readouterr().err
    assert "warning: entry 3 (tripleo-realtime), milestone_link: milestone 'ocata-rc2'" in err
    realtime = Blueprint.objects.get(name="tripleo-realtime")
    assert realtime.target_milestone is None


def test_a_partial_collection_writes_nothing(c, document, tmp_path):
    document["next_collection_link"] = (
        "https://api.launchpad.net/devel/tripleo/all_specifications?ws.start=4"
    )
    path = tmp_path / "page.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="part of the collection, not all of it"):
        call_command("import_launchpad_blueprints", str(path))
    assert not Blueprint.objects.exists()


def test_a_single_entry_file_is_imported(c, document, tmp_path):
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(document["entries"][0]))  # GET …/+spec/composable-ha
    call_command("import_launchpad_blueprints", str(path))
    assert list(Blueprint.objects.values_list("name", flat=True)) == ["composable-ha"]


def test_a_file_of_several_pages_of_a_project_groups_listing(c, devel, tmp_path, capsys):
    # given: openstack/all_specifications (every project's blueprints) in pages of 5
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(paged(devel, 5)))
    call_command("import_launchpad_blueprints", str(path), "-v", "2")
    out = capsys.readouterr().out
    # then: tripleo's 16 arrive with their spec URLs; nova's is left out and counted
    assert Blueprint.objects.count() == 16 and "created 16" in out
    assert "left out (another project): nova/resource-providers-scheduler-db-filters" in out
    assert Blueprint.objects.exclude(spec_url="").count() == 15


def test_the_help_points_at_the_devel_api():
    from blueprints.management.commands.import_launchpad_blueprints import Command

    assert "api.launchpad.net/devel/" in Command.help and "/1.0/<" not in Command.help


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
