"""Hostile input files: an openstack/releases checkout (or a Launchpad export, or a branch
history) built to hurt the importer. YAML alias bombs, links out of the tree (to a file or a
directory), FIFOs, huge files and deep nesting are each refused with an error naming the file,
quickly and in little memory, and nothing is written."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from releases.importer import SourceError
from releases.models import Deliverable, Event, ImportRun, Series, Week
from releases.schedule import MAX_SOURCE_BYTES
from releases.services import releases_import
from tests.support.trees import NOVA, RST, SCHEDULE, SERIES, STATUS, base_files, write_tree

pytestmark = pytest.mark.django_db

SECRET = "root:x:0:0:the-other-files-content"

# Nine levels of nine aliases each: about a kilobyte that stands for 9**9 (387 million) nodes.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{','.join(['*' + chr(ord('a') + i - 1)] * 9)}]"
        for i in range(1, 9)
    ]
)


def snapshot() -> dict[str, list]:
    return {
        model.__name__: sorted(map(str, model.objects.values_list()))
        for model in (Series, Week, Event, Deliverable, ImportRun)
    }


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files elsewhere on the machine: what a link in a checkout may point at."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deliverables").mkdir(parents=True)
    (elsewhere / "passwd").write_text(SECRET + "\n")
    (elsewhere / "deliverables" / "nova.yaml").write_text(base_files()[NOVA])
    (elsewhere / "schedule.yaml").write_text(base_files()[SCHEDULE])
    return elsewhere


def import_fails(root: Path, path: str, message: str) -> SourceError:
    before = snapshot()
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as raised:
            releases_import(path=root, series=[SERIES], actor="tests")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = raised.value
    assert Path(error.path).as_posix().endswith(path), str(error)
    assert message in error.message, str(error)
    assert SECRET not in str(error)
    assert snapshot() == before
    assert time.monotonic() - started < 20
    assert peak < 100 * 1024 * 1024, f"{peak:,} bytes to refuse {path}"
    return error


# --- YAML aliases ---------------------------------------------------------------------------------
@pytest.mark.parametrize("where", [NOVA, SCHEDULE, STATUS])
def test_a_kilobyte_alias_bomb_is_refused_before_it_expands(where, tmp_path):
    files = base_files()
    assert len(ALIAS_BOMB) < 1100
    bomb = ALIAS_BOMB
    if where == STATUS:  # a list of series: the bomb as list items
        bomb = "\n".join(f"- {line}" for line in bomb.splitlines())
    files[where] = files[where] + "\n" + bomb + "\n"
    root = write_tree(tmp_path / "bomb", files)
    error = import_fails(root, where, "YAML alias *a refused")
    assert error.line == len(base_files()[where].splitlines()) + 3  # the first alias


def test_stars_in_text_are_not_aliases(tmp_path):
    files = base_files()
    files[NOVA] += 'notes: "Pools can have *backup* members"\n'
    releases_import(path=write_tree(tmp_path / "ok", files), series=[SERIES], actor="tests")
    assert Deliverable.objects.filter(name="nova").exists()


# --- links out of the tree ----------------------------------------------------------------------
def test_a_deliverable_linked_to_a_file_elsewhere_is_refused_without_showing_it(tmp_path, outside):
    root = write_tree(tmp_path / "tree", base_files())
    (root / NOVA).unlink()
    (root / NOVA).symlink_to(outside / "passwd")
    import_fails(root, NOVA, "resolves outside the tree")


@pytest.mark.parametrize("linked", [SCHEDULE, RST, STATUS])
def test_schedule_and_status_files_linked_elsewhere_are_refused(linked, tmp_path, outside):
    root = write_tree(tmp_path / "tree", base_files())
    (root / linked).unlink()
    (root / linked).symlink_to(outside / "passwd")
    import_fails(root, linked, "resolves outside the tree")


@pytest.mark.parametrize(
    ("directory", "target", "path"),
    [
        (f"deliverables/{SERIES}", "deliverables", NOVA),
        (f"doc/source/{SERIES}", ".", SCHEDULE),
    ],
)
def test_a_directory_linked_elsewhere_is_refused(directory, target, path, tmp_path, outside):
    root = write_tree(tmp_path / "tree", base_files())
    for child in (root / directory).iterdir():
        child.unlink()
    (root / directory).rmdir()
    (root / directory).symlink_to(outside / target, target_is_directory=True)
    import_fails(root, path, "resolves outside the tree")


def test_links_that_stay_inside_the_tree_are_followed(tmp_path):
    root = write_tree(tmp_path / "tree", base_files())
    (root / "shared").mkdir()
    (root / NOVA).rename(root / "shared" / "nova.yaml")
    (root / NOVA).symlink_to(Path("../../shared/nova.yaml"))
    releases_import(path=root, series=[SERIES], actor="tests")
    assert Deliverable.objects.filter(name="nova").exists()


# --- not regular files, huge files ----------------------------------------------------------------
def test_a_fifo_in_the_tree_is_refused_instead_of_blocking_the_import(tmp_path):
    root = write_tree(tmp_path / "tree", base_files())
    os.mkfifo(root / f"deliverables/{SERIES}/zz-pipe.yaml")
    import_fails(root, f"deliverables/{SERIES}/zz-pipe.yaml", "not a regular file")


def test_a_huge_file_is_refused_by_its_size(tmp_path):
    root = write_tree(tmp_path / "tree", base_files())
    with open(root / NOVA, "r+b") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)  # sparse: costs nothing to make
    import_fails(root, NOVA, f"more than the {MAX_SOURCE_BYTES:,} allowed")


def test_deep_nesting_gives_an_error_with_its_line_not_a_crash(tmp_path):
    files = base_files()
    files[NOVA] = files[NOVA].replace("team: nova", "team: " + "[" * 999 + "]" * 999, 1)
    import_fails(write_tree(tmp_path / "deep", files), NOVA, "field 'team'")
    files[NOVA] = "team: " + "[" * 5000 + "]" * 5000 + "\n"
    import_fails(write_tree(tmp_path / "deeper", files), NOVA, "invalid YAML")


# --- the Launchpad export and the branch history --------------------------------------------------
def test_the_launchpad_import_refuses_fifos_devices_and_huge_files(tmp_path, monkeypatch):
    from blueprints.management.commands import import_launchpad_blueprints as command

    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    with pytest.raises(CommandError, match="not a regular file"):
        call_command("import_launchpad_blueprints", str(fifo))
    with pytest.raises(CommandError, match="not a regular file"):
        call_command("import_launchpad_blueprints", "/dev/zero")
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"entries": [], "pad": "x" * 2000}))
    monkeypatch.setattr(command, "DEFAULT_MAX_BYTES", 1000)
    with pytest.raises(CommandError, match="more than the 1,000 allowed"):
        call_command("import_launchpad_blueprints", str(big))


def test_the_launchpad_import_refuses_deeply_nested_json(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"entries": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CommandError, match="nested deeper than 32 levels"):
        call_command("import_launchpad_blueprints", str(deep))


def test_the_branch_history_import_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "branch-cuts-actual.csv"
    os.mkfifo(fifo)
    with pytest.raises(CommandError, match="not a regular file"):
        call_command("import_branch_history", str(fifo))
