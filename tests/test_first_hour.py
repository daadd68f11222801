"""A newcomer's first hour: the README's commands do what it says.

``make data`` fetches openstack/releases at the pinned commit (tested against a local git
repository standing in for the real one: no network here), the pin is the shared snapshot's,
``make run`` takes ``PORT``, the demo loads without a broker warning, there is a favicon, and
the real-data tests know where to look.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.conftest import ROOT, SHARED_DATA, releases_candidates

GIT = ["git", "-c", "user.name=tests", "-c", "user.email=tests@localhost"]


def make(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make and git are needed")
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def pinned(variable: str) -> str:
    text = (ROOT / "Makefile").read_text()
    found = re.search(rf"^{variable} \?= ([0-9a-f]{{40}})$", text, re.M)
    assert found, f"the Makefile pins no {variable}"
    return found.group(1)


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Path, str]:
    """A git repository laid out like openstack/releases, with two commits."""
    repo = tmp_path / "releases-upstream"
    (repo / "data").mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "data" / "series_status.yaml").write_text("- name: ocata\n")
    subprocess.run([*GIT, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "pinned"], check=True)
    pinned = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / "data" / "series_status.yaml").write_text("- name: ocata\n- name: pike\n")
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qam", "later"], check=True)
    return repo, pinned


def data_args(repo: Path, commit: str, target: Path) -> list[str]:
    """``make data`` pointed at the local stand-in for both repositories."""
    return [
        f"RELEASES_REPO={repo}",
        f"RELEASES_COMMIT={commit}",
        f"RELEASES_DATA={target / 'releases'}",
        f"SPECS_REPO={repo}",
        f"SPECS_COMMIT={commit}",
        f"SPECS_DATA={target / 'specs'}",
    ]


def test_make_data_checks_out_the_pinned_commits(upstream, tmp_path: Path):
    repo, commit = upstream
    target = tmp_path / "var"
    first = make("data", *data_args(repo, commit, target))
    assert first.returncode == 0, first.stdout + first.stderr
    for name in ("releases", "specs"):
        assert (target / name / "data" / "series_status.yaml").read_text() == "- name: ocata\n"
        head = subprocess.run(
            ["git", "-C", str(target / name), "rev-parse", "HEAD"], capture_output=True, text=True
        )
        assert head.stdout.strip() == commit
    again = make("data", *data_args(repo, commit, target))
    assert again.returncode == 0 and again.stdout.count("already at") == 2


def test_make_data_fails_loudly_when_a_commit_cannot_be_had(upstream, tmp_path: Path):
    repo, _ = upstream
    result = make("data", *data_args(repo, "0" * 40, tmp_path / "var"))
    assert result.returncode != 0


def test_the_pinned_commits_are_those_of_the_data_the_tests_read(releases_tree, specs_tree):
    for tree, variable in ((releases_tree, "RELEASES_COMMIT"), (specs_tree, "SPECS_COMMIT")):
        snapshot = tree / "SNAPSHOT"
        if snapshot.is_file():  # the shared snapshot names its commit
            commit = snapshot.read_text().split()[0]
        else:  # a `make data` checkout
            commit = subprocess.run(
                ["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
        assert commit == pinned(variable), f"{tree} is at {commit}"


def test_real_data_is_looked_for_where_the_readme_says(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PLANNER_RELEASES_DATA", str(tmp_path))
    assert releases_candidates() == [
        tmp_path,
        SHARED_DATA / "openstack-releases",
        ROOT / "var" / "openstack-releases",
    ]


def test_make_run_serves_on_the_port_asked_for():
    result = make("-n", "run", "PORT=8123")
    assert result.returncode == 0, result.stderr
    assert "runserver 127.0.0.1:8123" in result.stdout
    assert "runserver 127.0.0.1:8000" in make("-n", "run").stdout


@pytest.mark.django_db
def test_the_demo_loads_without_a_broker_warning(caplog):
    # given: the embedded mode (tasks run in-process, no broker)
    from planner.celery import app

    assert app.conf.task_always_eager
    with caplog.at_level(logging.WARNING):
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not warnings, warnings


@pytest.mark.django_db
def test_there_is_a_favicon(client):
    icon = Path(finders.find("favicon.ico"))
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_unknown_api_urls_answer_json_404s(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]
