"""Production deployment (issue 7, parts 1-2): the compose file, the deploy checklist, and the
very commands the containers run (migrate, gunicorn, Celery worker, beat) started here against
the machine's PostgreSQL and Redis.

The ``stack`` fixture (one per module that uses it) migrates a fresh database with the compose
file's ``migrate`` command, loads the Ocata demo and starts ``web``, ``worker`` and ``beat`` from
the compose file's commands in production mode (DEBUG off, JSON logs, whitenoise manifest).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
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


# --- helpers shared with test_outage.py and bench/load.py's smoke test --------------------------


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
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
    """Compose's ``${VAR:-default}`` interpolation, for the commands run here."""
    return re.sub(
        r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m[1]) or (m[2] or ""), arg
    ).replace("$$", "$")


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
    except Exception:  # noqa: BLE001
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
def running_stack(tmp: Path, redis_url: str, *, workers: int = 2) -> Iterator[Stack]:
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
    )
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


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """One running deployment for the whole session, shared by every module that imports this
    fixture (test_outage.py, the load smoke test); stopped when the session ends."""
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


# --- 1. the compose file ------------------------------------------------------------------------


def test_compose_defines_web_worker_beat_postgres_redis_and_a_one_shot_migrate():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "migrate"}
    # the app services share one image and read the env file
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["build"] == "."
        assert services[name]["env_file"] == ".env"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["web"]["command"][:2] == ["gunicorn", "planner.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "planner", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "planner", "beat"]
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_compose_health_checks_and_start_order():
    services = compose()["services"]
    for name in ("postgres", "redis", "web", "worker"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in {"CMD", "CMD-SHELL"} and check["interval"] and check["retries"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat", "migrate"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_no_secret_is_committed():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["DJANGO_SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DJANGO_DEBUG"] == "0"
    # the compose file takes the database password from the env file, never inline
    postgres_env = compose()["services"]["postgres"]["environment"]
    assert postgres_env["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored


def test_docker_compose_config_accepts_the_file(tmp_path):
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client on this machine")
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip(f"the docker client has no compose plugin: {probe.stderr.strip()[:200]}")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    env = ENV_EXAMPLE.read_text()
    env = env.replace("DJANGO_SECRET_KEY=\n", f"DJANGO_SECRET_KEY={strong_secret()}\n")
    env = env.replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=example\n")
    (tmp_path / ".env").write_text(env)
    done = subprocess.run(
        [docker, "compose", "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# --- 2. production settings ---------------------------------------------------------------------


def test_deploy_check_passes_with_only_debug_secret_and_hosts_set(tmp_path):
    env = production_env(DJANGO_ALLOWED_HOSTS="planner.example.org")
    env.pop("PLANNER_TESTING")  # "and nothing else"
    done = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    env.pop("PLANNER_TESTING")
    done = run([sys.executable, "manage.py", "check"], env)
    assert done.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in done.stderr


def test_production_logs_are_one_json_object_per_line():
    import logging

    from planner.logfmt import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "planner.x", "levelname": "WARNING", "msg": "broker %s", "args": ("down",)}
    )
    record.task = "releases.tasks.compute_branch_cuts"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "broker down" and entry["level"] == "WARNING"
    assert entry["task"] == "releases.tasks.compute_branch_cuts"
    assert "\n" not in line


# --- the containers' commands, for real ---------------------------------------------------------


@pytest.mark.services
def test_web_serves_pages_api_and_static_files_with_security_headers(stack):
    status, headers, body = stack.get("/")
    assert status == 200, body[:500]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # static files by whitenoise, under their hashed (manifest) names, cached for long
    css = re.search(rb'href="(/static/[^"]+\.css)"', body)
    assert css and re.search(rb"\.[0-9a-f]{12}\.css$", css[1]), "no hashed stylesheet link"
    status, headers, _ = stack.get(css[1].decode())
    assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
    status, _, body = stack.get("/api/v1/cycles/ocata/milestones/")
    assert status == 200 and json.loads(body)
    assert stack.get("/cycles/ocata/", https=True)[0] == 200  # the dashboard


@pytest.mark.services
def test_web_redirects_plain_http_except_the_health_check(stack):
    status, headers, _ = stack.get("/cycles/", https=False)
    assert status == 301 and headers["Location"].startswith("https://")
    status, _, body = stack.get("/healthz", https=False)
    assert status == 200
    assert json.loads(body) | {"pending_tasks": 0} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "pending_tasks": 0,
    }


@pytest.mark.services
def test_session_and_csrf_cookies_are_secure(stack):
    status, headers, _ = stack.get("/accounts/login/")
    assert status == 200
    cookie = headers.get("Set-Cookie", "")
    assert "csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


@pytest.mark.services
def test_web_logs_are_json(stack):
    stack.get("/no-such-page/")
    lines = [
        json.loads(line)
        for line in stack.procs["web"].output().splitlines()
        if line.startswith("{")
    ]
    assert any(e["logger"] == "django.request" and e["status_code"] == 404 for e in lines)


@pytest.mark.services
def test_worker_runs_tasks_from_the_broker(stack):
    result = stack.celery().send_task("core.tasks.echo", args=["from the web"])
    assert result.get(timeout=30) == "from the web"


@pytest.mark.services
def test_beat_sends_the_periodic_work_of_the_database_scheduler(stack):
    # given: work recorded while the broker was "down"
    task_id = f"i7-{secrets.token_hex(8)}"
    stack.db(
        "INSERT INTO planner_pendingtask (task_name, args, kwargs, task_id, created_at, attempts,"
        " last_error) VALUES ('core.tasks.echo', '[\"pending\"]', '{}',"
        f" '{task_id}', now(), 0, '')"
    )
    # then: beat's DatabaseScheduler sends the drain task, the worker sends the recorded task
    assert stack.celery().AsyncResult(task_id).get(timeout=30) == "pending"
    assert stack.db(f"SELECT count(*) FROM planner_pendingtask WHERE task_id = '{task_id}'") == [
        (0,)
    ]
    rows = stack.db(
        "SELECT task FROM django_celery_beat_periodictask WHERE name = 'planner-send-pending-tasks'"
    )
    assert rows == [("core.tasks.send_pending_tasks",)]
    wait_until(
        lambda: "Sending due task planner-send-pending-tasks" in stack.procs["beat"].output(),
        timeout=15,
        what="beat to send the periodic task",
    )


@pytest.mark.services
def test_the_load_script_drives_the_deployment_without_errors(stack):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    load = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = load  # dataclasses look their module up there
    spec.loader.exec_module(load)
    # bounded: a smoke run of the script (bench/RESULTS.md has the full one)
    report = load.summary(
        load.drive(stack.base_url, clients=8, requests=160, duration=60), clients=8
    )
    assert report["requests"] == 160
    assert report["errors"] == 0, report["error_kinds"]
    assert 0 < report["overall"]["p50_ms"] <= report["overall"]["p99_ms"]
    assert set(report["by_path"]) == {path for _, path in load.MIX}
