"""Shared fixtures: where the real openstack/releases and tripleo-specs data are, and the real
services."""

import os
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.db import connection, transaction

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PLANNER_SHARED_DATA", ROOT.parent / "shared" / "data"))
BRANCH_HISTORY_CSV = SHARED_DATA / "branch-cuts-actual.csv"
OCATA_FACTS = SHARED_DATA / "tripleo-ocata.md"


def candidates(variable: str, name: str) -> list[Path]:
    """Where a real data set is looked for, in order: the environment ``variable``, the shared
    snapshot beside the project (``../shared/data/<name>``), then where ``make data`` puts it."""
    configured = os.environ.get(variable, "")
    return [*([Path(configured)] if configured else []), SHARED_DATA / name, ROOT / "var" / name]


def releases_candidates() -> list[Path]:
    return candidates("PLANNER_RELEASES_DATA", "openstack-releases")


def is_releases_tree(path: Path) -> bool:
    return (path / "data" / "series_status.yaml").is_file()


def is_specs_tree(path: Path) -> bool:
    return (path / "specs" / "ocata").is_dir()


def first_of(paths: list[Path], found: Callable[[Path], bool]) -> Path:
    return next((p for p in paths if found(p)), paths[0])


def missing(what: str, paths: list[Path], variable: str) -> str:
    looked = ", ".join(str(p) for p in paths)
    how = f"run `make data` (git, network) or set {variable}"
    return f"{what} is not there (looked in {looked}): {how}"


RELEASES_TREE = first_of(releases_candidates(), is_releases_tree)
RELEASES_MISSING = missing(
    "the real openstack/releases data", releases_candidates(), "PLANNER_RELEASES_DATA"
)
SPECS_TREE = first_of(candidates("PLANNER_SPECS_DATA", "tripleo-specs"), is_specs_tree)
SPECS_MISSING = missing(
    "the real tripleo-specs data",
    candidates("PLANNER_SPECS_DATA", "tripleo-specs"),
    "PLANNER_SPECS_DATA",
)


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


def need_data(available: bool, missing: str) -> None:
    """Skip a test whose real data is absent (one line saying how to get it), or fail it under
    REQUIRE_SERVICES=1 (CI), where a green run must have run it."""
    if available:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1: {missing}")
    pytest.skip(missing)


# The real data sets, by the fixture that hands one to a test: (is it there, what to do if not).
REAL_DATA = {
    "releases_tree": (lambda: is_releases_tree(RELEASES_TREE), RELEASES_MISSING),
    "branch_history_csv": (
        BRANCH_HISTORY_CSV.is_file,
        f"the real branch-cut history is not at {BRANCH_HISTORY_CSV}: it comes with the shared "
        "data beside the project (PLANNER_SHARED_DATA names another folder)",
    ),
    "specs_tree": (lambda: is_specs_tree(SPECS_TREE), SPECS_MISSING),
    "ocata_facts": (
        OCATA_FACTS.is_file,
        f"the TripleO Ocata facts are not at {OCATA_FACTS}: they come with the shared data "
        "beside the project (PLANNER_SHARED_DATA names another folder)",
    ),
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test needing absent real data here, before its fixtures, so every such skip is
    one line of the summary per data set (a skip in a fixture is reported once per test)."""
    if services_required():
        return  # the fixtures fail them
    for fixture, (available, missing) in REAL_DATA.items():
        if fixture in getattr(item, "fixturenames", ()) and not available():
            pytest.skip(missing)


@pytest.fixture(scope="session")
def releases_tree() -> Path:
    available, missing = REAL_DATA["releases_tree"]
    need_data(available(), missing)
    return RELEASES_TREE


@pytest.fixture(scope="session")
def branch_history_csv() -> Path:
    available, missing = REAL_DATA["branch_history_csv"]
    need_data(available(), missing)
    return BRANCH_HISTORY_CSV


@pytest.fixture(scope="session")
def ocata_facts() -> Path:
    available, missing = REAL_DATA["ocata_facts"]
    need_data(available(), missing)
    return OCATA_FACTS


@pytest.fixture(scope="session")
def specs_tree() -> Path:
    """The real tripleo-specs tree (openstack/tripleo-specs' specs/, CC-BY 3.0)."""
    available, missing = REAL_DATA["specs_tree"]
    need_data(available(), missing)
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


# What the demo writes, dumped once per session: the apps' own data and the accounts (not what
# migrations create, which every test database already has).
DEMO_DUMP_APPS = ("auth.user", "auth.group", "core", "releases", "squads", "blueprints",
                  "notifications", "planner")  # fmt: skip


@pytest.fixture(scope="session")
def demo_dump(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """``load_demo`` run once per session, inside a transaction rolled back, and dumped: a test
    loads the dump (``loaddata``: a few hundred rows) instead of replaying the whole demo
    through the services (thousands of queries). The command itself is tested in
    ``test_demo.py``."""
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        # Content types and permissions by natural key: a flush (transactional tests)
        # recreates them under other ids.
        call_command(
            "dumpdata",
            *DEMO_DUMP_APPS,
            output=str(path),
            use_natural_foreign_keys=True,
            verbosity=0,
        )
        transaction.set_rollback(True)
    return path


@pytest.fixture
def demo(db, request):
    """The Ocata demo (the TripleO plan, its schedule, reviews and accounts); its series. From
    the session's dump on an empty database; where other series are there already (the real
    releases import, which stays for the session), by the command, which loads on top."""
    return load_demo(request)


def load_demo(request: pytest.FixtureRequest):
    """The demo in the test's database (``db`` or ``transactional_db``): see ``demo``."""
    from releases.models import Series

    if Series.objects.exists():
        call_command("load_demo", verbosity=0)
    else:
        call_command("loaddata", str(request.getfixturevalue("demo_dump")), verbosity=0)
    return Series.objects.get(name="ocata")


def _on_the_demo(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return "demo" in names and not {"real_releases", "transactional_db", "live_server"} & set(names)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (database tests, then transactional ones, then the rest), the
    tests on the demo go first: before any test imports the real releases tree for the
    session, so they load the demo from its dump. A stable sort: the rest keep their order."""
    items.sort(key=lambda item: not _on_the_demo(item))
