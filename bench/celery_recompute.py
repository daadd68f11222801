"""Issue 8, target 4: recompute every series' branch cuts through a real worker vs. in-process.

    .venv/bin/python bench/celery_recompute.py               # 5 runs
    .venv/bin/python bench/celery_recompute.py --runs 3

A scratch PostgreSQL database gets the whole openstack/releases tree imported (eagerly, so
~6,000 branch cuts exist). A real Celery worker (``celery -A planner worker --concurrency=2``,
Redis broker and result backend on 127.0.0.1:6379, a queue of its own) runs beside one child
process that, per run, measures two cases, each both ways:

- ``from scratch``: every BranchCut row deleted first, so all ~6,000 are planned and inserted;
- ``unchanged``: the nightly case, every cut compared and nothing written;

``in-process`` = ``branch_cuts_recompute_all()`` called directly; ``worker`` = the wall time of
``recompute_all_branch_cuts.delay().get()`` (publish, worker picks up, computes, result back).
Quoted: worker / in-process per run, median (target: at most 2).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    PYTHON,
    RELEASES,
    ROOT,
    base_env,
    machine,
    manage,
    run_json,
    scratch_database,
    stamp,
)

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")


def child(runs: int) -> dict:
    import django

    django.setup()
    from releases.branch_services import branch_cuts_recompute_all
    from releases.models import BranchCut, Series
    from releases.tasks import compute_branch_cuts, recompute_all_branch_cuts

    # the worker is up and connected when it answers one small task
    compute_branch_cuts.delay(Series.objects.order_by("pk").first().pk).get(timeout=120)
    rows = []
    for _ in range(runs):
        row = {}
        for case in ("from_scratch", "unchanged"):
            if case == "from_scratch":
                BranchCut.objects.all().delete()
            started = time.perf_counter()
            branch_cuts_recompute_all()
            in_process = time.perf_counter() - started
            cuts = BranchCut.objects.count()
            if case == "from_scratch":
                BranchCut.objects.all().delete()
            started = time.perf_counter()
            result = recompute_all_branch_cuts.delay().get(timeout=600)
            worker = time.perf_counter() - started
            if BranchCut.objects.count() != cuts:
                raise SystemExit("the worker did not write the same cuts")
            row[case] = {
                "in_process_s": in_process,
                "worker_s": worker,
                "ratio": worker / in_process,
                "cuts": cuts,
                "series": result["series"],
            }
        rows.append(row)
    return {"runs": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.runs)))
        return 0

    queue = f"planner-bench-{os.getpid()}"
    worker = None
    with scratch_database("postgres", "celery") as url:
        eager = base_env(url)
        manage(eager, "migrate", "--noinput", "-v0")
        manage(eager, "import_releases", str(RELEASES), "--no-progress")
        env = base_env(url, REDIS_URL=REDIS, CELERY_QUEUE=queue)
        try:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "planner", "worker",
                 "--concurrency=2", "--loglevel=WARNING", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-Q", queue],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            result = run_json([PYTHON, __file__, "--child", "--runs", str(args.runs)], env)
        finally:
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=60)

    report = {"machine": machine(), "when": stamp(), **result}
    for case in ("from_scratch", "unchanged"):
        report[f"median_ratio_{case}"] = statistics.median(r[case]["ratio"] for r in result["runs"])
        for k in ("in_process_s", "worker_s"):
            report[f"median_{k}_{case}"] = statistics.median(r[case][k] for r in result["runs"])
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    first = result["runs"][0]["from_scratch"]
    print(f"machine: {report['machine']}; {report['when']}")
    print(
        f"PostgreSQL, Redis broker/results, celery worker --concurrency=2 on the same 2 cores; "
        f"{first['series']} series, {first['cuts']} cuts; {args.runs} runs"
    )
    print("| case | in-process s | through the worker s | worker / in-process (median) |")
    print("| --- | ---: | ---: | ---: |")
    for case, label in (("from_scratch", "from scratch"), ("unchanged", "unchanged")):
        print(
            f"| {label} | {report[f'median_in_process_s_{case}']:.2f} | "
            f"{report[f'median_worker_s_{case}']:.2f} | **{report[f'median_ratio_{case}']:.2f}** |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
