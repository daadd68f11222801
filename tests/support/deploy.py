"""A production deployment started here from the compose file's own commands (migrate,
gunicorn, Celery worker, beat) against the machine's PostgreSQL and Redis, and the helpers the
deployment, outage, concurrency and load tests share.

The ``stack`` fixture (tests/conftest.py) starts one per session and stops it at the end.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from tests.conftest import ROOT, need, redis_reachable

COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
PYTHON_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("PLANNER_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:
            last_error = exc
        time.sleep(0.1)
    raise AssertionError(
        f"timed out after {timeout}s waiting for {what} (last error: {last_error})"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def strong_secret() -> str:
    return secrets.token_urlsafe(50)


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def expand(arg: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR:-default}`` and ``${VAR:?error}`` interpolation, for the commands and
    values used here (a missing required variable raises, as compose refuses to start)."""

    def value(m: re.Match) -> str:
        name, op, word = m[1], m[2], m[3] or ""
        if op == ":?" and not env.get(name):
            raise KeyError(f"{name}: {word}")
        return env.get(name) or (word if op == ":-" else "")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", value, arg).replace("$$", "$")


def container_command(service: str, env: dict[str, str]) -> list[str]:
    command = compose()["services"][service]["command"]
    argv = command if isinstance(command, list) else command.split()
    argv = [expand(a, env) for a in argv]
    # The container's binaries are the virtualenv's here.
    if (PYTHON_BIN / argv[0]).exists():
        argv[0] = str(PYTHON_BIN / argv[0])
    return argv


def http(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    method: str = "GET",
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects: (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def pg_admin(sql: str, url: str = PG_ADMIN_URL) -> list[tuple]:
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        dbname=parsed.path.lstrip("/") or "postgres",
        connect_timeout=5,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def postgres_reachable() -> bool:
    try:
        pg_admin("SELECT 1")
        return True
    except Exception:
        return False


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)


def start(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Proc:
    log = logs / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Proc(name, popen, log)


def run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass
class Stack:
    """gunicorn + worker + beat, started from the compose commands on a fresh database."""

    base_url: str
    database_url: str
    redis_url: str
    queue: str
    env: dict[str, str]
    procs: dict[str, Proc] = field(default_factory=dict)

    def get(self, path: str, *, https: bool = True, **kwargs: Any) -> tuple[int, dict, bytes]:
        headers = kwargs.pop("headers", {})
        if https:  # as the TLS-terminating proxy in front of the web container says
            headers = {"X-Forwarded-Proto": "https", **headers}
        return http(self.base_url + path, headers=headers, **kwargs)

    def celery(self) -> Any:
        from celery import Celery

        app = Celery("stack-client", broker=self.redis_url, backend=self.redis_url)
        app.conf.task_default_queue = self.queue
        app.conf.broker_connection_timeout = 2
        return app

    def db(self, sql: str) -> list[tuple]:
        return pg_admin(sql, self.database_url)


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production container: only what .env.example asks for."""
    env = {
        "PATH": f"{PYTHON_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": strong_secret(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PLANNER_TESTING": "0",
    }
    env.update(extra)
    return env


@contextmanager
def running_stack(
    tmp: Path, redis_url: str, *, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    name = f"planner_i7_{os.getpid()}_{secrets.token_hex(3)}"
    base = urlparse(PG_ADMIN_URL)
    database_url = (
        f"postgres://{base.username or 'postgres'}@{base.hostname}:{base.port or 5432}/{name}"
    )
    queue = f"i7-{name}"
    port = free_port()
    env = production_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_QUEUE=queue,
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        WEB_CONCURRENCY=str(workers),
        PLANNER_PENDING_TASKS_EVERY="1",
        # Bench and tests drive many requests from one address.
        DJANGO_THROTTLE_ANON="1000000/min",
        DJANGO_THROTTLE_USER="1000000/min",
        # Its own keys in the shared Redis: counts never mix with another deployment's.
        DJANGO_CACHE_KEY_PREFIX=name,
    )
    env.update(extra_env or {})
    pg_admin(f'CREATE DATABASE "{name}"')
    stack = Stack(f"http://127.0.0.1:{port}", database_url, redis_url, queue, env)
    try:
        for argv in (
            container_command("migrate", env),
            [str(PYTHON_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            [str(PYTHON_BIN / "python"), "manage.py", "load_demo"],
        ):
            done = run(argv, env)
            assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
        web = container_command("web", env)
        web = [f"--bind=127.0.0.1:{port}" if a.startswith("--bind") else a for a in web]
        stack.procs["web"] = start("web", web, env, tmp)
        stack.procs["worker"] = start("worker", container_command("worker", env), env, tmp)
        beat = container_command("beat", env) + [f"--schedule={tmp / 'beat-schedule'}"]
        stack.procs["beat"] = start("beat", beat, env, tmp)
        wait_until(
            lambda: stack.get("/healthz", https=False, timeout=2)[0] == 200,
            timeout=30,
            what=f"gunicorn to answer /healthz\n{stack.procs['web'].output()[-2000:]}",
        )
        yield stack
    finally:
        for proc in stack.procs.values():
            proc.stop()
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_RUNNING: dict[str, Stack] = {}


def session_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Stack:
    """One running deployment for the whole session, shared by every test that asks for the
    ``stack`` fixture; stopped when the session ends."""
    url = os.environ.get("REDIS_URL", "")
    need("Redis", bool(url) and redis_reachable(url), "REDIS_URL is unset or unreachable")
    need("PostgreSQL", postgres_reachable(), f"cannot connect to {PG_ADMIN_URL}")
    if "stack" not in _RUNNING:
        context = running_stack(tmp_path_factory.mktemp("stack"), url)
        _RUNNING["stack"] = context.__enter__()

        def stop() -> None:
            _RUNNING.pop("stack", None)
            context.__exit__(None, None, None)

        request.config.add_cleanup(stop)
    return _RUNNING["stack"]


def shell(stack: Stack, code: str) -> dict:
    """Run ``code`` in the deployment's own Django (its settings, database and broker)."""
    done = run([str(PYTHON_BIN / "python"), "manage.py", "shell", "-c", code], stack.env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
