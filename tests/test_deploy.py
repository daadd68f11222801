"""Production deployment: the compose file, the deploy checklist, and the
very commands the containers run (migrate, gunicorn, Celery worker, beat) started here against
the machine's PostgreSQL and Redis.

The ``stack`` fixture (tests/support/deploy.py) migrates a fresh database with the compose
file's ``migrate`` command, loads the Ocata demo and starts ``web``, ``worker`` and ``beat`` from
the compose file's commands in production mode (DEBUG off, JSON logs, whitenoise manifest).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.support.deploy import (
    COMPOSE,
    ENV_EXAMPLE,
    compose,
    container_command,
    expand,
    free_port,
    http,
    production_env,
    run,
    start,
    strong_secret,
    wait_until,
)

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


def env_example() -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )


def test_gunicorn_is_published_on_loopback_only_as_the_trusted_proxy_headers_require():
    # .env.example trusts X-Forwarded-Proto/-For: only the proxy on the host may reach gunicorn
    values = env_example()
    assert values["DJANGO_SECURE_PROXY_SSL_HEADER"] == "1" and values["DJANGO_NUM_PROXIES"] == "1"
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"
    assert compose()["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_database_password_is_written_once():
    # given: the env file as documented, with a password filled in
    values = env_example() | {"POSTGRES_PASSWORD": "s3cret_pw-1"}
    assert "DATABASE_URL" not in values  # nothing to keep in step by hand
    # then: every app service gets a DATABASE_URL built from the postgres service's password
    services = compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        url = expand(services[name]["environment"]["DATABASE_URL"], values)
        assert url == "postgres://planner:s3cret_pw-1@postgres:5432/planner", name
    postgres = services["postgres"]["environment"]
    assert expand(postgres["POSTGRES_PASSWORD"], values) == "s3cret_pw-1"
    # and without a password compose refuses to start, naming it
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        expand(services["web"]["environment"]["DATABASE_URL"], env_example())


def test_the_web_health_check_passes_with_the_documented_allowed_hosts(tmp_path):
    # given: gunicorn from the compose file's command, in production mode, with the allowed
    # hosts .env.example documents (not 127.0.0.1)
    hosts = env_example()["DJANGO_ALLOWED_HOSTS"]
    assert "127.0.0.1" not in hosts
    port = free_port()
    env = production_env(
        DJANGO_ALLOWED_HOSTS=hosts,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        WEB_CONCURRENCY="1",
    )
    for argv in (
        container_command("migrate", env),
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
    ):
        done = run(argv, env)
        assert done.returncode == 0, done.stderr
    web = [
        f"--bind=127.0.0.1:{port}" if a.startswith("--bind") else a
        for a in container_command("web", env)
    ]
    proc = start("web", web, env, tmp_path)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_until(lambda: http(url, timeout=2)[0] > 0, timeout=30, what="gunicorn to listen")
        # the old probe (a bare 127.0.0.1 Host) is refused: a container that never gets healthy
        assert http(url)[0] == 400
        # when: the compose file's health check command runs in the container's environment
        check = compose()["services"]["web"]["healthcheck"]["test"]
        assert check[0] == "CMD"
        argv = [sys.executable if a == "python" else a for a in check[1:]]
        argv = [url if a.startswith("http://127.0.0.1:8000") else a for a in argv]
        done = run(argv, env)
        # then: healthy
        assert done.returncode == 0, done.stderr + proc.output()[-2000:]
        # and it reports an unhealthy web as such
        assert run([*argv[:-1], f"http://127.0.0.1:{free_port()}/healthz"], env).returncode == 1
    finally:
        proc.stop()


@pytest.mark.parametrize(
    ("environment", "loads"),
    [
        ({}, True),  # embedded: the demo is the point of make run
        ({"DATABASE_URL": "postgres://planner@db.example.org:5432/planner"}, False),
        ({"DATABASE_URL": "postgres://planner@db.example.org:5432/planner", "DEMO": "1"}, True),
        ({"DEMO": "0"}, False),
    ],
)
def test_make_run_loads_the_demo_only_where_asked(environment, loads):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEMO"}}
    done = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        env=env | environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ("manage.py load_demo" in done.stdout) is loads, done.stdout


# --- what goes into the image -------------------------------------------------------------------
def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule for a build-context path: the last matching pattern wins ("!" re-includes);
    a pattern matching a directory excludes everything under it; ``**`` spans directories."""

    def regex(pattern: str) -> re.Pattern:
        out = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out + "(?:/.*)?")

    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        if regex(body.strip("/")).fullmatch(path):
            excluded = not negated
    return excluded


def test_secrets_history_and_local_state_stay_out_of_the_image():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # the Dockerfile copies the whole folder: the ignore file is what keeps these out
    assert "COPY . ." in (ROOT / "Dockerfile").read_text()
    for path in [
        ".env",  # the README has people create it here: secret key, database password
        ".env.production",
        "deploy/.env",
        ".git/config",
        ".git/objects/ab/cdef",
        ".venv/bin/python",
        "db.sqlite3",
        "db.sqlite3-journal",
        "staticfiles/css/planner.css",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/0.8/x",
        ".hypothesis/examples/x",
        "planner/__pycache__/settings.cpython-311.pyc",
        "bench/out/report.json",
    ]:
        assert dockerignore_excludes(path, patterns), f"{path} would go into the image"
    for path in [
        "manage.py",
        "pyproject.toml",
        "planner/settings.py",
        "planner/healthcheck.py",
        "templates/base.html",
        "static/css/planner.css",
        "releases/fixtures/demo-releases/doc/source/ocata/schedule.yaml",
    ]:
        assert (ROOT / path).exists(), path
        assert not dockerignore_excludes(path, patterns), f"{path} is needed in the image"


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
