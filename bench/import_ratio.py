"""Issue 8, target 1: full import (+ every series' branch cuts) and re-import vs. the parse floor.

    .venv/bin/python bench/import_ratio.py                     # SQLite and PostgreSQL, 5 runs each
    .venv/bin/python bench/import_ratio.py --engines sqlite --runs 3

Each run is one fresh child process on a fresh, migrated database (a temporary SQLite file, or a
PostgreSQL database created and dropped here) that measures, in this order:

1. ``parse``: read and ``yaml.load(CSafeLoader)`` every file the import reads (series status,
   21 schedules, 6,026 deliverables) — the floor, after one untimed read to warm the page cache;
2. ``import``: ``releases_import(path)`` of the whole tree (events and every occurrence of
   them included). Celery runs eagerly (the embedded
   default), so the commit's ``schedule_changed`` computes every changed series' branch cuts in
   the same call: this figure is import + branch-cut computation of all series;
3. ``reimport``: the same import again (unchanged tree: nothing written, nothing recomputed).

The ratios ``import / parse`` and ``reimport / parse`` are computed within the run; the median
over the runs is quoted. Targets: at most 2.0 and 0.5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    PYTHON,
    RELEASES,
    base_env,
    machine,
    manage,
    median,
    run_json,
    scratch_database,
    stamp,
)


def source_files(root: Path) -> list[Path]:
    files = [root / "data" / "series_status.yaml"]
    files += sorted((root / "doc" / "source").glob("*/schedule.yaml"))
    files += sorted((root / "deliverables").glob("*/*.yaml"))
    return files


def child(root: Path) -> dict:
    import django

    django.setup()
    import yaml

    from releases import branch_services
    from releases.models import BranchCut, DeliverableSeries, Occurrence
    from releases.services import releases_import

    files = source_files(root)
    for f in files:  # warm the page cache: the floor and the import both read warm files
        f.read_bytes()

    started, cpu = time.perf_counter(), time.process_time()
    for f in files:
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    parse = time.perf_counter() - started
    parse_cpu = time.process_time() - cpu

    # Time spent in branch-cut computation inside the import (eager Celery), for the breakdown.
    compute_time = [0.0]
    original = branch_services.branch_cuts_compute

    def timed(**kwargs):
        t = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            compute_time[0] += time.perf_counter() - t

    branch_services.branch_cuts_compute = timed

    started, cpu = time.perf_counter(), time.process_time()
    first = releases_import(path=root, actor="bench")
    full = time.perf_counter() - started
    full_cpu = time.process_time() - cpu
    cuts = BranchCut.objects.count()
    records = DeliverableSeries.objects.filter(series__isnull=False).count()
    if cuts != records:
        raise SystemExit(f"branch cuts not computed by the import: {cuts} cuts, {records} files")
    branch_compute = compute_time[0]
    occurrences = Occurrence.objects.count()
    if occurrences < 700:  # every day of every scheduled event (with its listings) is written
        raise SystemExit(f"occurrences not written by the import: {occurrences}")

    compute_time[0] = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    second = releases_import(path=root, actor="bench")
    reimport = time.perf_counter() - started
    reimport_cpu = time.process_time() - cpu
    if second.changed:
        raise SystemExit(f"re-import changed rows: {second.summary()}")
    return {
        "files": len(files),
        "parse_s": parse,
        "import_s": full,
        "import_branch_cuts_s": branch_compute,
        "reimport_s": reimport,
        "branch_cuts": cuts,
        "occurrences": occurrences,
        # This process's CPU time: steadier than wall time on a shared machine, but it leaves
        # out what the PostgreSQL server spends (on SQLite it is everything).
        "import_cpu_ratio": full_cpu / parse_cpu,
        "reimport_cpu_ratio": reimport_cpu / parse_cpu,
        "import_ratio": full / parse,
        "reimport_ratio": reimport / parse,
        "changed_series": len(first.changed_series),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=RELEASES)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.root)))
        return 0

    report: dict = {"machine": machine(), "when": stamp(), "engines": {}}
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        runs = []
        for i in range(args.runs):
            with scratch_database(engine, "import") as url:
                env = base_env(url)
                manage(env, "migrate", "--noinput", "-v0")
                result = run_json(
                    [PYTHON, __file__, "--child", "--root", str(args.root)], env, timeout=1200
                )
            runs.append(result)
            print(
                f"{engine} run {i + 1}: parse {result['parse_s']:.2f}s "
                f"import {result['import_s']:.2f}s "
                f"(branch cuts {result['import_branch_cuts_s']:.2f}s)"
                f" reimport {result['reimport_s']:.2f}s -> {result['import_ratio']:.2f} / "
                f"{result['reimport_ratio']:.2f} (CPU {result['import_cpu_ratio']:.2f} / "
                f"{result['reimport_cpu_ratio']:.2f})",
                file=sys.stderr,
                flush=True,
            )
        report["engines"][engine] = {
            "runs": runs,
            "median_import_ratio": median([r["import_ratio"] for r in runs]),
            "median_reimport_ratio": median([r["reimport_ratio"] for r in runs]),
            "median_import_cpu_ratio": median([r["import_cpu_ratio"] for r in runs]),
            "median_reimport_cpu_ratio": median([r["reimport_cpu_ratio"] for r in runs]),
            "median_parse_s": median([r["parse_s"] for r in runs]),
            "median_import_s": median([r["import_s"] for r in runs]),
            "median_import_branch_cuts_s": median([r["import_branch_cuts_s"] for r in runs]),
            "median_reimport_s": median([r["reimport_s"] for r in runs]),
        }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"machine: {report['machine']}; {report['when']}")
        print("| engine | runs | parse s | import+cuts s (cuts) | reimport s | import/parse |"
              " reimport/parse |")  # fmt: skip
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for engine, r in report["engines"].items():
            print(
                f"| {engine} | {len(r['runs'])} | {r['median_parse_s']:.2f} | "
                f"{r['median_import_s']:.2f} ({r['median_import_branch_cuts_s']:.2f}) | "
                f"{r['median_reimport_s']:.2f} | **{r['median_import_ratio']:.2f}** | "
                f"**{r['median_reimport_ratio']:.2f}** |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
