"""Outages, on the real services: Redis stopped under a running deployment, PostgreSQL restarted
under it. The deployment is the one tests/support/deploy.py starts from the compose commands
(gunicorn, Celery worker and beat on a fresh database).

Other test runs may share these servers: each outage is kept short and the service is restored
in a ``finally``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from django.db import connections, transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from core import outbox
from core.models import PendingTask
from core.tasks import echo
from tests.support.deploy import Stack, postgres_reachable, shell, wait_until

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "{port}",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def redis_port(url: str) -> int:
    return urlparse(url).port or 6379


def redis_up(port: int) -> bool:
    done = subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() == "PONG"


@contextmanager
def redis_stopped(url: str) -> Iterator[None]:
    """Stop the machine's Redis for the body of the block; always start it again."""
    port = redis_port(url)
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)
    try:
        wait_until(lambda: not redis_up(port), timeout=10, what="Redis to stop")
        yield
    finally:
        if not redis_up(port):
            argv = [a.format(port=port) for a in REDIS_START]
            subprocess.run(argv, check=True, timeout=30)
        wait_until(lambda: redis_up(port), timeout=20, what="Redis to start again")


def pg_ctl(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        timeout=60,
    )


def api_token(stack: Stack) -> str:
    return shell(
        stack,
        "import json; from django.contrib.auth import get_user_model;"
        " from knox.models import AuthToken;"
        " u, _ = get_user_model().objects.get_or_create(username='i7-ptl',"
        " defaults={'is_superuser': True, 'is_staff': True});"
        " print(json.dumps({'key': AuthToken.objects.create(user=u)[1]}))",
    )["key"]


READS = ["/", "/cycles/", "/cycles/ocata/", "/cycles/ocata/schedule/", "/api/v1/cycles/",
         "/api/v1/cycles/ocata/milestones/", "/api/v1/blueprints/?series=ocata",
         "/api/v1/squads/", "/cycles/ocata/schedule.ics"]  # fmt: skip


@pytest.mark.services
def test_with_redis_stopped_reads_and_writes_answer_and_the_work_runs_when_it_returns(stack):
    token = api_token(stack)
    auth = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    blueprint = json.loads(stack.get("/api/v1/blueprints/?series=ocata")[2])["results"][0]
    with redis_stopped(stack.redis_url):
        # reads: pages and API
        for path in READS:
            status, _, body = stack.get(path)
            assert status == 200, (path, body[:300])
        status, _, body = stack.get("/healthz", https=False)
        assert status == 200
        assert json.loads(body)["broker"] == "down" and json.loads(body)["status"] == "degraded"
        # an API write
        request_body = json.dumps({"whiteboard": "written while Redis was down"}).encode()
        status, _, body = stack.get(
            f"/api/v1/blueprints/{blueprint['id']}/",
            headers=auth,
            method="PATCH",
            data=request_body,
        )
        assert status == 200, body[:500]
        # a write that enqueues work succeeds and says the work is pending
        outcome = shell(
            stack,
            "import json; from django.db import transaction;"
            " from core.outbox import enqueue_on_commit; from core.tasks import echo;"
            " from core.models import PendingTask\n"
            "with transaction.atomic():\n"
            "    queued = enqueue_on_commit(echo, 'recorded during the outage')\n"
            "print(json.dumps({'queued': queued,"
            " 'pending': list(PendingTask.objects.values_list('task_id', flat=True))}))",
        )
        assert outcome["queued"] is False and len(outcome["pending"]) == 1
        assert json.loads(stack.get("/healthz", https=False)[2])["pending_tasks"] == 1
    # when Redis is back, beat and the worker reconnect and the recorded work runs
    result = stack.celery().AsyncResult(outcome["pending"][0])
    assert result.get(timeout=60) == "recorded during the outage"
    wait_until(
        lambda: (
            json.loads(stack.get("/healthz", https=False)[2])
            == {"status": "ok", "database": "ok", "broker": "ok", "pending_tasks": 0}
        ),
        timeout=20,
        what="the health check to report the broker back and nothing pending",
    )
    for name, proc in stack.procs.items():
        assert proc.popen.poll() is None, f"{name} died during the outage:\n{proc.output()[-2000:]}"


@pytest.mark.services
def test_requests_recover_after_postgresql_restarts_under_the_app(stack):
    # given: every gunicorn worker holds a persistent connection
    for _ in range(10):
        assert stack.get("/api/v1/cycles/ocata/milestones/")[0] == 200
    try:
        pg_ctl("restart")
    finally:
        if not postgres_reachable():
            pg_ctl("start")
        wait_until(postgres_reachable, timeout=60, what="PostgreSQL to accept connections")
        connections.close_all()  # this test process's own connections died too
    # then: the app answers at once, without a restart of its processes
    statuses = [stack.get(path)[0] for path in READS * 2]
    assert statuses == [200] * len(statuses)
    assert stack.get("/healthz", https=False)[0] == 200
    # and the worker's database connection recovered (the task reads the outbox table)
    assert stack.celery().send_task("core.tasks.send_pending_tasks").get(timeout=30) == 0
    for name, proc in stack.procs.items():
        assert proc.popen.poll() is None, f"{name} died during the restart"


# --- the outbox itself, without the real services ----------------------------------------------


@pytest.fixture
def broker_down(settings):
    """A broker nobody listens on, and tasks not eager: what a Redis outage looks like."""
    from planner.celery import app

    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    forget_connections(app)
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    forget_connections(app)


def forget_connections(app) -> None:
    # Pools are built from the broker URL at first use: drop them so the URL above applies.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_enqueue_with_the_broker_down_records_the_work_in_the_writers_transaction(broker_down):
    with transaction.atomic():
        assert outbox.enqueue_on_commit(echo, "kept") is False
    row = PendingTask.objects.get()
    assert (row.task_name, row.args) == ("core.tasks.echo", ["kept"])
    # a write that rolls back leaves no work behind
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue_on_commit(echo, "rolled back")
        raise RuntimeError
    assert PendingTask.objects.count() == 1
    # sending while the broker is still down keeps the row and counts the attempt
    assert outbox.send_pending() == 0
    assert PendingTask.objects.get().attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_broker_lost_between_check_and_commit_keeps_the_work(monkeypatch):
    from planner.celery import app

    app.conf.task_always_eager = False  # restored by the celery_eager fixture
    monkeypatch.setattr(outbox, "broker_available", lambda timeout=2.0: True)

    def dead(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_send", dead)
    with transaction.atomic():
        assert outbox.enqueue_on_commit(echo, 7) is True
    assert list(PendingTask.objects.values_list("args", flat=True)) == [[7]]
    # when the broker is back, the recorded work is sent and the row goes
    sent = []
    monkeypatch.setattr(outbox, "_send", lambda name, args, kwargs, task_id: sent.append(args))
    assert outbox.send_pending() == 1
    assert sent == [[7]] and not PendingTask.objects.exists()


@pytest.mark.django_db
def test_eager_enqueue_runs_the_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox.enqueue_on_commit(echo, 1) is True
    assert len(callbacks) == 1 and not PendingTask.objects.exists()
