"""Shared helpers of the benchmarks: scratch databases, machine description, medians.

Every benchmark measures a *ratio* inside one run (the thing and its floor side by side, same
process or same server) and repeats the run; the median ratio is the figure quoted in
``bench/RESULTS.md``. Scratch databases are created and dropped by the scripts themselves.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PLANNER_SHARED_DATA") or ROOT.parent / "shared" / "data")
RELEASES = DATA / "openstack-releases"
PYTHON = str(Path(sys.executable))
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        mem = ""
    return (
        f"{os.cpu_count()} cores ({cpu or platform.processor()}){mem}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pg_admin(sql: str) -> None:
    import psycopg2

    p = urlparse(PG_ADMIN)
    conn = psycopg2.connect(
        host=p.hostname, port=p.port or 5432, user=p.username or "postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def pg_url(name: str) -> str:
    p = urlparse(PG_ADMIN)
    return f"postgres://{p.username or 'postgres'}@{p.hostname}:{p.port or 5432}/{name}"


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bench subprocess: production-like settings on ``database_url``."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "planner.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PLANNER_TESTING": "0",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


@contextmanager
def scratch_database(engine: str, tag: str) -> Iterator[str]:
    """A fresh, empty database URL (``sqlite`` or ``postgres``), dropped afterwards."""
    if engine == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix=f"planner-{tag}-"))
        try:
            yield f"sqlite:///{directory / 'bench.sqlite3'}"
        finally:
            for f in directory.iterdir():
                f.unlink()
            directory.rmdir()
    elif engine == "postgres":
        name = f"planner_{tag}_{os.getpid()}"
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{name}"')
        try:
            yield pg_url(name)
        finally:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        raise ValueError(engine)


def run_json(cmd: list[str], env: dict[str, str], timeout: float = 900) -> dict:
    """Run a child that prints one JSON object as its last stdout line."""
    out = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextmanager
def static_root() -> Iterator[str]:
    """``collectstatic`` into a temporary directory: production settings need its manifest."""
    directory = tempfile.mkdtemp(prefix="planner-bench-static-")
    try:
        env = base_env("sqlite:///:memory:", DJANGO_STATIC_ROOT=directory)
        manage(env, "collectstatic", "--noinput", "-v0")
        yield directory
    finally:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)


def stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M %Z")
