# ruff: noqa: E501 - the case tables read best one case per line
"""Bad input: broken openstack/releases trees and broken Launchpad JSON.

Each case starts from a small valid tree (written here from inline text, see ``BASE``), breaks
one file, and checks the import stops with an error naming the file, the line and the field,
and that nothing was written: the database is exactly as the previous good import left it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from releases.importer import SourceError
from releases.models import Deliverable, DeliverableSeries, Event, ImportRun, Series, Week
from releases.services import releases_import
from tests.support.trees import (
    BASE,
    NOVA,
    RST,
    SCHEDULE,
    SERIES,
    STATUS,
    base_files,
    write_tree,
)

pytestmark = pytest.mark.django_db


def replace_in(relative: str, old: str, new: str) -> Callable[[dict], dict]:
    def mutate(files: dict) -> dict:
        assert old in files[relative], f"case does not apply: {old!r} not in {relative}"
        return {**files, relative: files[relative].replace(old, new, 1)}

    return mutate


def put(relative: str, content: str | bytes) -> Callable[[dict], dict]:
    return lambda files: {**files, relative: content}


def huge_deliverable(count: int = 4000) -> str:
    releases = "".join(
        f"  - version: 1.{i}.0\n    projects:\n      - repo: openstack/nova\n        hash: {i:06x}\n"
        for i in range(count)
    )
    # the one broken entry comes last: its line number is past 16,000
    return f"team: nova\ntype: service\nrelease-model: cycle-with-rc\nreleases:\n{releases}  - version: 9.9.9\n    projects: broken\n"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[dict], dict]
    path: str  # relative to the tree
    line: int | None
    message: str  # a substring of the error, naming the field


CASES = [
    # bad YAML
    Case("schedule-bad-yaml", replace_in(SCHEDULE, "  name: R-2\n", "  name: [R-2\n"), SCHEDULE, 12, "invalid YAML"),
    Case("deliverable-bad-yaml", replace_in(NOVA, "team: nova", "team: nova: x"), NOVA, 2, "invalid YAML"),
    Case("status-bad-yaml", put(STATUS, "- name: ocata\n  status: [\n"), STATUS, 3, "invalid YAML"),
    # missing keys
    Case("schedule-missing-cycle", replace_in(SCHEDULE, "cycle:", "cycles:"), SCHEDULE, 1, "missing 'cycle'"),
    Case("schedule-missing-release-week", replace_in(SCHEDULE, "release-week", "release-wk"), SCHEDULE, 1, "missing 'release-week'"),
    Case("week-missing-end", replace_in(SCHEDULE, "  end: '2044-11-18'\n", ""), SCHEDULE, 9, "week has no 'end'"),
    Case("deliverable-missing-team", replace_in(NOVA, "team: nova\n", ""), NOVA, 1, "field 'team'"),
    Case("deliverable-release-without-version", replace_in(NOVA, "- version: 15.0.0", "- versoin: 15.0.0"), NOVA, 6, "releases[0]"),
    Case("branch-without-name", replace_in(NOVA, "- name: stable/zzbad", "- nmae: stable/zzbad"), NOVA, 11, "branches[0]"),
    # wrong types
    Case("schedule-is-a-list", put(SCHEDULE, "- start-week: 2044-11-07\n"), SCHEDULE, 1, "expected a mapping"),
    Case("cycle-is-a-mapping", replace_in(SCHEDULE, "cycle:\n", "cycle: {a: 1}\nx:\n"), SCHEDULE, 3, "cycle: expected a list"),
    Case("week-is-a-string", replace_in(SCHEDULE, "cycle:\n", "cycle:\n- R-4\n"), SCHEDULE, 4, "week: expected a mapping"),
    Case("week-start-not-a-date", replace_in(SCHEDULE, "'2044-11-14'", "'14 Nov'"), SCHEDULE, 9, "week start: '14 Nov' is not a YYYY-MM-DD date"),
    Case("start-week-a-list", replace_in(SCHEDULE, "start-week: '2044-11-07'", "start-week: [1]"), SCHEDULE, 1, "start-week: expected a date"),
    Case("x-project-a-string", replace_in(SCHEDULE, "  x-project:\n  - z-ff\n", "  x-project: z-ff\n"), SCHEDULE, 12, "x-project: expected a list"),
    Case("week-name-a-list", replace_in(SCHEDULE, "name: R-1", "name: [R, 1]"), SCHEDULE, 16, "week name"),
    Case("release-model-a-number", replace_in(NOVA, "release-model: cycle-with-rc", "release-model: 3"), NOVA, 4, "field 'release-model'"),
    Case("release-model-unknown", replace_in(NOVA, "cycle-with-rc", "cycle-with-luck"), NOVA, 4, "unknown release model 'cycle-with-luck'"),
    Case("type-unknown", replace_in(NOVA, "type: service", "type: servce"), NOVA, 3, "field 'type'"),
    Case("releases-a-string", replace_in(NOVA, "releases:\n", "releases: many\nx:\n"), NOVA, 5, "field 'releases' is not a list"),
    Case("projects-a-mapping", replace_in(NOVA, "    projects:\n", "    projects: {repo: x}\n    p:\n"), NOVA, 7, "releases[0].projects is not a list"),
    Case("deliverable-is-a-list", put(NOVA, "- team: nova\n"), NOVA, 1, "expected a mapping"),
    Case("initial-release-not-a-date", replace_in(STATUS, "initial-release: 2045-02-22", "initial-release: soon"), STATUS, 3, "field 'initial-release' is not a date"),
    # duplicate and overlapping weeks
    Case("overlapping-weeks", replace_in(SCHEDULE, "- start: '2044-11-14'\n  end: '2044-11-18'", "- start: '2044-11-07'\n  end: '2044-11-10'"), SCHEDULE, 9, "overlaps week 2044-11-07 - 2044-11-11 (line 4)"),
    Case("duplicate-week-other-end", replace_in(SCHEDULE, "  end: '2044-11-25'\n", "  end: '2044-11-25'\n- start: '2044-11-21'\n  end: '2044-11-24'\n"), SCHEDULE, 16, "overlaps week"),
    # unknown event ids
    Case("event-id-malformed", replace_in(SCHEDULE, "  - z-ff\n", "  - feature freeze!\n"), SCHEDULE, 13, "'feature freeze!' is not an event id"),
    Case("event-id-a-list", replace_in(SCHEDULE, "  - z-ff\n", "  - [z-ff]\n"), SCHEDULE, 13, "is not an event id"),
    # dates out of order
    Case("week-ends-before-it-starts", replace_in(SCHEDULE, "  end: '2044-11-18'", "  end: '2044-11-13'"), SCHEDULE, 9, "week ends (2044-11-13) before it starts"),
    Case("week-starts-on-a-wednesday", replace_in(SCHEDULE, "- start: '2044-11-21'", "- start: '2044-11-23'"), SCHEDULE, 14, "not on a Monday"),
    # huge files: the error deep inside still names its line, fast
    Case("huge-deliverable", put(NOVA, huge_deliverable()), NOVA, 16006, "releases[4000].projects is not a list"),
    # non-UTF-8
    Case("deliverable-latin-1", put(NOVA, "team: nova\ntype: service\n# Zo\xeb\n".encode("latin-1")), NOVA, 3, "not UTF-8 (byte 0xeb)"),
    Case("rst-latin-1", put(RST, BASE[RST].replace("exception", "exc\xe9ption").encode("latin-1")), RST, 13, "not UTF-8 (byte 0xe9)"),
    Case("schedule-utf-16", put(SCHEDULE, BASE[SCHEDULE].encode("utf-16")), SCHEDULE, 1, "not UTF-8"),
    # not a tree at all
    Case("no-series-status", lambda files: {k: v for k, v in files.items() if k != STATUS}, STATUS, None, "not an openstack/releases checkout"),
]  # fmt: skip


def snapshot() -> dict[str, list]:
    return {
        model.__name__: sorted(map(str, model.objects.values_list()))
        for model in (Series, Week, Event, Deliverable, DeliverableSeries, ImportRun)
    }


@pytest.fixture
def imported_base(tmp_path: Path) -> dict[str, list]:
    """The valid base tree, imported: the state every broken import must leave untouched."""
    tree = write_tree(tmp_path / "good", base_files())
    result = releases_import(path=tree, series=[SERIES], actor="tests")
    assert result.counts["deliverables"].created == 1
    assert Event.objects.get(series__name=SERIES, key="z-release").date.isoformat() == "2044-11-30"
    return snapshot()


def test_the_base_tree_is_valid(imported_base):
    assert Series.objects.filter(name=SERIES, start_week__isnull=False).exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_broken_tree_names_file_line_and_field_and_writes_nothing(case, imported_base, tmp_path):
    # given: a tree with one broken file
    root = tmp_path / "broken"
    write_tree(root, case.mutate(base_files()))
    # when
    with pytest.raises(SourceError) as raised:
        releases_import(path=root, series=[SERIES], actor="tests")
    # then: the error says where and what
    error = raised.value
    assert Path(error.path).as_posix().endswith(case.path), str(error)
    assert error.line == case.line, str(error)
    assert case.message in error.message, str(error)
    assert str(error).startswith(error.path + (f":{case.line}: " if case.line else ": "))
    # and nothing was written, not even the audit row of the run
    assert snapshot() == imported_base


def test_a_week_listed_twice_with_the_same_dates_is_merged(imported_base, tmp_path):
    # The real Ocata schedule lists 2016-10-31 twice (docs/date-rules.md): an exact repeat is
    # one week, its events merged; a repeat with another end is refused (duplicate-week case).
    twice = replace_in(
        SCHEDULE,
        "  end: '2044-11-25'\n",
        "  end: '2044-11-25'\n- start: '2044-11-21'\n  end: '2044-11-25'\n",
    )
    root = write_tree(tmp_path / "twice", twice(base_files()))
    result = releases_import(path=root, series=[SERIES], actor="tests")
    assert Week.objects.filter(series__name=SERIES, start="2044-11-21").count() == 1
    assert not result.counts["weeks"].created


def test_the_import_command_reports_the_error_and_writes_nothing(imported_base, tmp_path):
    root = write_tree(tmp_path / "broken", CASES[0].mutate(base_files()))
    with pytest.raises(CommandError, match=rf"doc/source/{SERIES}/schedule.yaml:12: invalid YAML"):
        call_command("import_releases", str(root), "--series", SERIES, "--no-progress")
    assert snapshot() == imported_base


# --- Launchpad JSON -----------------------------------------------------------------------------

LP = "https://api.launchpad.net/1.0"


def lp_entry(**overrides: object) -> dict:
    entry = {
        "name": "composable-ha",
        "title": "Composable HA",
        "summary": "Make HA composable.",
        "priority": "High",
        "definition_status": "Approved",
        "implementation_status": "Started",
        "milestone_link": f"{LP}/tripleo/+milestone/ocata-2",
        "assignee_link": f"{LP}/~ha-dev",
        "drafter_link": None,
        "approver_link": None,
        "whiteboard": "",
        "web_link": "https://blueprints.launchpad.net/tripleo/+spec/composable-ha",
        "workitems_text": "Work items:\n[ha-dev] Profiles: DONE\n",
        "date_created": "2044-10-10T09:26:03.143212+00:00",
        "date_started": None,
        "date_completed": None,
    }
    entry.update(overrides)
    return entry


LP_CASES = [
    ("not-an-object", [1, 2], -1, "entries", "no 'entries' list"),
    ("entry-a-string", {"entries": ["composable-ha"]}, 0, "entry", "not an object"),
    ("missing-title", {"entries": [lp_entry(title=None)]}, 0, "title", "missing"),
    ("bad-name", {"entries": [lp_entry(name="Composable HA")]}, 0, "name", "not a Launchpad blueprint name"),
    ("duplicate-name", {"entries": [lp_entry(), lp_entry()]}, 1, "name", "duplicate of entry 0"),
    ("unknown-priority", {"entries": [lp_entry(priority="Urgent")]}, 0, "priority", "unknown value 'Urgent'"),
    ("unknown-status", {"entries": [lp_entry(implementation_status="Done")]}, 0, "implementation_status", "unknown value 'Done'"),
    ("bad-date", {"entries": [lp_entry(date_created="yesterday")]}, 0, "date_created", "yesterday"),
    ("bad-person-link", {"entries": [lp_entry(assignee_link="ha-dev")]}, 0, "assignee_link", "not a Launchpad person link"),
    ("bad-milestone-link", {"entries": [lp_entry(milestone_link=f"{LP}/tripleo/ocata-2")]}, 0, "milestone_link", "not a Launchpad milestone link"),
    ("bad-work-item-status", {"entries": [lp_entry(workitems_text="Work items:\nProfiles: FINISHED\n")]}, 0, "workitems_text", "FINISHED"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "index", "field", "message"),
    [c[1:] for c in LP_CASES],
    ids=[c[0] for c in LP_CASES],
)
def test_broken_launchpad_json_names_entry_and_field(document, index, field, message):
    from blueprints.launchpad import LaunchpadParseError, parse_blueprints

    try:
        parse_blueprints(document)
    except LaunchpadParseError as error:
        problems = [(p.index, p.field) for p in error.problems if message in p.message]
        assert (index, field) in problems, str(error)
    else:
        pytest.fail("parsed without an error")


def launchpad_file(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "specs.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{\"entries\": [", "specs.json: Expecting value"),
        (b"{\"entries\": [{\"name\": \"caf\xe9\"}]}", "specs.json: 'utf-8' codec can't decode"),
        (json.dumps({"entries": [lp_entry()], "next_collection_link": f"{LP}/tripleo/all_specifications?ws.start=1"}), "part of the collection, not all of it"),
        (json.dumps([{"entries": [lp_entry()]}, {"name": "not a page"}]), "item 1 of the list is not a page"),
    ],
    ids=["truncated-json", "non-utf-8", "one-page-of-several", "list-of-pages-with-a-stranger"],
)  # fmt: skip
def test_the_launchpad_command_names_the_problem_and_writes_nothing(
    tmp_path, imported_base, content, expected
):
    from django.contrib.auth import get_user_model

    from blueprints.models import Blueprint, WorkItem

    users = get_user_model().objects.count()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_launchpad_blueprints",
            str(launchpad_file(tmp_path, content)),
            "--series",
            SERIES,
        )
    assert expected in str(raised.value)
    assert "nothing imported" in str(raised.value) or "specs.json:" in str(raised.value)
    assert Blueprint.objects.count() == 0 and WorkItem.objects.count() == 0
    assert get_user_model().objects.count() == users
    assert snapshot() == imported_base


def test_the_launchpad_command_reports_bad_entries_and_imports_the_others(
    tmp_path, imported_base, capsys
):
    from blueprints.models import Blueprint

    # given: a good entry on a milestone the schedule does not know, and a bad one
    document = {
        "entries": [
            lp_entry(name="kept-one", milestone_link=f"{LP}/tripleo/+milestone/{SERIES}-rc9"),
            lp_entry(
                name="bad-one",
                priority="Urgent",
                milestone_link=f"{LP}/tripleo/+milestone/{SERIES}-1",
            ),
        ]
    }
    call_command(
        "import_launchpad_blueprints",
        str(launchpad_file(tmp_path, json.dumps(document))),
        "--series",
        SERIES,
    )
    # then: the bad entry is named and left out; the good one is imported, without a target
    err = capsys.readouterr().err
    assert "entry 1 (bad-one), priority: unknown value 'Urgent'" in err
    assert f"warning: entry 0 (kept-one), milestone_link: milestone '{SERIES}-rc9'" in err
    (kept,) = Blueprint.objects.all()
    assert (kept.name, kept.target_milestone) == ("kept-one", None)
    assert snapshot() == imported_base


def test_bad_input_cases_cover_every_kind_the_issue_names():
    # bad YAML, missing keys, wrong types, duplicate/overlapping weeks, unknown event ids,
    # dates out of order, huge files, non-UTF-8; and broken Launchpad JSON
    ids = " ".join(c.id for c in CASES)
    for kind in ("bad-yaml", "missing", "not-a-date", "overlapping", "duplicate", "event-id",
                 "before-it-starts", "huge", "latin-1"):  # fmt: skip
        assert kind in ids
    assert len(CASES) + len(LP_CASES) + 4 >= 45
