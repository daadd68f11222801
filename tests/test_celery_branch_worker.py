"""compute_branch_cuts through a real Celery worker, Redis broker and PostgreSQL."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from planner.celery import app
from releases.models import (
    BranchCut,
    BranchRule,
    Deliverable,
    DeliverableSeries,
    Event,
    Series,
)
from releases.tasks import compute_branch_cuts

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.mark.django_db(transaction=True)
def test_real_worker_computes_the_branch_cuts_of_a_series(redis_url, postgres, tmp_path):
    # given a series with an RC1 deadline and a release, two deliverables, the seeded-style rules
    series = Series.objects.create(name="workerseries", position=9001)
    Event.objects.create(
        series=series, key="w-rc1", kind="rc1", title="RC1", date=date(2030, 3, 7), rule="stated"
    )
    Event.objects.create(
        series=series,
        key="w-release",
        kind="release",
        title="Release",
        date=date(2030, 3, 27),
        rule="stated",
    )
    BranchRule.objects.update_or_create(
        release_model="cycle-with-rc",
        deliverable_type="",
        defaults={"anchor_kind": "rc1", "offset_days": 1},
    )
    BranchRule.objects.update_or_create(
        release_model="independent", deliverable_type="", defaults={"anchor_kind": "none"}
    )
    for name, model in [("wnova", "cycle-with-rc"), ("windie", "independent")]:
        DeliverableSeries.objects.create(
            deliverable=Deliverable.objects.create(name=name),
            series=series,
            team="w",
            type="service",
            release_model=model,
            source=f"deliverables/w/{name}.yaml",
            digest="0" * 64,
        )
    BranchCut.objects.filter(series=series).delete()  # the eager receivers computed them
    app.conf.task_always_eager = False
    app.control.purge()  # stale messages of earlier sessions are not this test's work
    env = os.environ | {
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "planner",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # when the task goes through the broker to the worker
        result = compute_branch_cuts.delay(series.pk)
        summary = result.get(timeout=60)
        # then the worker wrote the rows into the test database
        assert summary["created"] == 2
        cuts = {c.deliverable.name: c for c in BranchCut.objects.filter(series=series)}
        assert cuts["wnova"].planned_date == date(2030, 3, 8)
        assert cuts["wnova"].backport_window_days == 19
        assert cuts["windie"].planned_date is None
        # and again: idempotent through the worker too
        assert compute_branch_cuts.delay(series.pk).get(timeout=60)["unchanged"] == 2
        # a series that vanished is a quiet no-op, not an error
        assert compute_branch_cuts.delay(10**9).get(timeout=60) is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()
    assert "compute_branch_cuts" in (tmp_path / "worker.log").read_text()
