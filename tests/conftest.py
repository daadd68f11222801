"""Shared fixtures: where the real openstack/releases and tripleo-specs data are, and the real
services."""

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PLANNER_SHARED_DATA", ROOT.parent / "shared" / "data"))
RELEASES_TREE = SHARED_DATA / "openstack-releases"
BRANCH_HISTORY_CSV = SHARED_DATA / "branch-cuts-actual.csv"
SPECS_TREE = SHARED_DATA / "tripleo-specs"  # openstack/tripleo-specs' specs/ tree (CC-BY 3.0)


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def need(what: str, available: bool, why: str) -> None:
    """Skip a test whose service is absent, or fail it when CI says services must be there."""
    if available:
        return
    if services_required():
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but {why}")
    pytest.skip(f"{what} not available: {why}")


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    need("Redis", bool(url) and redis_reachable(url), "REDIS_URL is unset or unreachable")
    return url


@pytest.fixture
def postgres(db) -> None:
    need("PostgreSQL", connection.vendor == "postgresql", f"the database is {connection.vendor}")


@pytest.fixture(scope="session")
def releases_tree() -> Path:
    if not (RELEASES_TREE / "data" / "series_status.yaml").exists():
        pytest.fail(f"the real openstack/releases data is missing at {RELEASES_TREE}")
    return RELEASES_TREE


@pytest.fixture(scope="session")
def specs_tree() -> Path:
    """The real tripleo-specs snapshot; missing, the test fails under REQUIRE_SERVICES=1 and
    is skipped otherwise."""
    need(
        "the real tripleo-specs snapshot",
        (SPECS_TREE / "specs" / "ocata").is_dir(),
        f"{SPECS_TREE} is missing (PLANNER_SHARED_DATA names the data directory)",
    )
    return SPECS_TREE


@pytest.fixture(scope="session")
def real_releases(django_db_setup, django_db_blocker, releases_tree):
    """The whole real openstack/releases snapshot, imported once per test session.

    Imported outside the per-test transactions, so every ``db`` test sees it; pytest-django
    runs ``transactional_db`` tests (which flush) after all of those.
    """
    from planner.celery import app
    from releases.services import releases_import

    # The import enqueues branch-cut recomputes after commit: run them here, not on a broker
    # no worker of this session listens to (this runs before the per-test eager switch).
    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_db_blocker.unblock():
            return releases_import(path=releases_tree, actor="tests")
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in-process in tests, even where REDIS_URL is set; the real-worker tests opt out."""
    from planner.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The production deployment (tests/support/deploy.py), one per session."""
    from tests.support.deploy import session_stack

    return session_stack(request, tmp_path_factory)
