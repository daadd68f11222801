"""Issues 8 and 12: dashboard, its JSON twin, squad page and blueprint list at 10, 100 and
10,000 blueprints, on PostgreSQL or SQLite.

    .venv/bin/python bench/pages.py                  # PostgreSQL, 5 rounds
    .venv/bin/python bench/pages.py --rounds 3 --requests 10
    .venv/bin/python bench/pages.py --engine sqlite --rounds 3 --requests 3

Each round also times a "cold" request per page: the first one after a squad lead's write on
the day shown (a blueprint's status, through the service, on the server's day), so every cache
keyed on the data version misses and the dashboard recomputes that blueprint's forecast row
before counting. Once per size, the first view of a day nobody asked for yet (every forecast
row of that day computed and stored: linear, once) is timed too.

Three PostgreSQL databases (created from one migrated template with Ocata's schedule imported,
dropped afterwards) each get ``manage.py generate_load_data --squads 50 --work-items 4`` with
10, 100 and 10,000 blueprints (10,000 -> 40,000 work items, ~2,000 dependencies, FFEs, history).
One child process then serves the pages in-process through Django's test client (the whole
request: middleware, view, queries, template) and switches its connection between the three
databases round by round, so every size is measured under the same load. Per page and size:
the SQL query count of one request and the median server time over all requests. Quoted:
queries at 10 vs 10,000 (target: equal) and time(10,000) / time(100) (target: at most 3).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    PYTHON,
    RELEASES,
    base_env,
    machine,
    manage,
    pg_admin,
    pg_url,
    run_json,
    stamp,
    static_root,
)

SIZES = (10, 100, 10_000)
AS_OF = "2017-01-10"  # mid-cycle in Ocata: overdue, waiting and FFE sections all populated
NEW_DAY = "2017-01-11"  # a day whose forecast rows are not computed yet
PAGES = {
    "dashboard": f"/cycles/ocata/?project=loadtest&as_of={AS_OF}",
    "dashboard JSON": f"/api/v1/cycles/ocata/dashboard/?project=loadtest&as_of={AS_OF}",
    "squad page": "/squads/loadtest-squad-0/?series=ocata",
    "blueprint list API": "/api/v1/blueprints/?project=loadtest&series=ocata",
}


def child(names: list[str], rounds: int, requests: int) -> dict:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from releases.conditional import cache_clear

    client = Client()
    times: dict[str, dict[str, list[float]]] = {n: {p: [] for p in PAGES} for n in names}
    cold: dict[str, dict[str, list[float]]] = {n: {p: [] for p in PAGES} for n in names}
    queries: dict[str, dict[str, int]] = {n: {} for n in names}
    cold_queries: dict[str, dict[str, int]] = {n: {} for n in names}
    sizes: dict[str, int] = {}

    def use(name: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = name
        cache.clear()  # nothing cached from another data set
        cache_clear()

    from blueprints.models import Blueprint, WorkItem
    from blueprints.services import blueprint_update
    from core import clock

    first_day: dict[str, float] = {}

    def write(n: int) -> None:
        blueprints = Blueprint.objects.filter(project__name="loadtest").order_by("pk")
        bp = blueprints[n % blueprints.count()]
        status = "Good progress" if bp.implementation_status == "Started" else "Started"
        with clock.replaying(date.fromisoformat(AS_OF)):
            blueprint_update(actor=None, blueprint=bp, implementation_status=status)

    for name in names:
        use(name)

        sizes[name] = Blueprint.objects.filter(project__name="loadtest").count()
        sizes[name + ":work_items"] = WorkItem.objects.filter(
            blueprint__project__name="loadtest"
        ).count()
        # The first view of a day nobody asked for yet: every blueprint's forecast of that
        # day is computed and stored (linear, once per series and day; the nightly task
        # does today's ahead of time).
        started = time.perf_counter()
        client.get(PAGES["dashboard"].replace(AS_OF, NEW_DAY), secure=True)
        first_day[name] = (time.perf_counter() - started) * 1000
        for page, url in PAGES.items():
            client.get(url, secure=True)  # warm: templates, content types
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{name} {url}: HTTP {response.status_code}")
            queries[name][page] = len(ctx.captured_queries)
    for round_ in range(rounds):
        for name in names:
            use(name)
            for index, (page, url) in enumerate(PAGES.items()):
                # cold: the first view after a squad lead's write on the day shown (the
                # server's day), which moves the data version every cache is keyed on
                write(round_ * len(PAGES) + index)
                cache_clear()
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    client.get(url, secure=True)
                    cold[name][page].append(time.perf_counter() - started)
                cold_queries[name][page] = len(ctx.captured_queries)
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(url, secure=True)
                    times[name][page].append(time.perf_counter() - started)
    return {
        "sizes": sizes,
        "queries": queries,
        "first_day_ms": first_day,
        "cold_queries": cold_queries,
        "median_ms": {
            n: {p: statistics.median(v) * 1000 for p, v in pages.items()}
            for n, pages in times.items()
        },
        "cold_ms": {
            n: {p: statistics.median(v) * 1000 for p, v in pages.items()}
            for n, pages in cold.items()
        },
        "rounds_ms": {
            n: {
                p: [
                    statistics.median(v[i * requests : (i + 1) * requests]) * 1000
                    for i in range(rounds)
                ]
                for p, v in pages.items()
            }
            for n, pages in times.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10, help="per page, size and round")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.rounds, args.requests)))
        return 0

    import os

    if args.engine == "sqlite":
        import shutil
        import tempfile

        directory = Path(tempfile.mkdtemp(prefix="planner-pages-"))
        names = {size: str(directory / f"pages_{size}.sqlite3") for size in SIZES}
        with static_root() as static:
            try:
                result = _run_sqlite(args, directory, names, static)
            finally:
                shutil.rmtree(directory, ignore_errors=True)
        return _report(args, names, result)
    template = f"planner_pages_tmpl_{os.getpid()}"
    names = {size: f"planner_pages_{size}_{os.getpid()}" for size in SIZES}
    created = []
    with static_root() as static:
        try:
            result = _run(args, template, names, created, static)
        finally:
            for name in reversed(created):
                pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return _report(args, names, result)


def _generate(env: dict, size: int) -> None:
    started = time.perf_counter()
    out = manage(
        env,
        "generate_load_data",
        "--series=ocata",
        "--squads=50",
        f"--blueprints={size}",
        "--work-items=4",
    )
    print(f"{out.strip()} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)


def _run_sqlite(args: argparse.Namespace, directory: Path, names: dict, static: str) -> dict:
    import shutil

    template = directory / "template.sqlite3"
    env = base_env(f"sqlite:///{template}")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_releases", str(RELEASES), "--series", "ocata", "--no-progress")
    for size, name in names.items():
        shutil.copyfile(template, name)
        _generate(base_env(f"sqlite:///{name}"), size)
        manage(base_env(f"sqlite:///{name}"), "dbshell", "--", "ANALYZE;")
    env = base_env(
        f"sqlite:///{names[SIZES[0]]}",
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        DJANGO_THROTTLE_ANON="100000000/min",
        DJANGO_STATIC_ROOT=static,
    )
    return run_json(
        [PYTHON, __file__, "--rounds", str(args.rounds), "--requests", str(args.requests),
         "--child", *names.values()],
        env,
        timeout=3600,
    )  # fmt: skip


def _run(args: argparse.Namespace, template: str, names: dict, created: list, static: str) -> dict:
    pg_admin(f'CREATE DATABASE "{template}"')
    created.append(template)
    env = base_env(pg_url(template))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_releases", str(RELEASES), "--series", "ocata", "--no-progress")
    for size, name in names.items():
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        created.append(name)
        started = time.perf_counter()
        out = manage(
            base_env(pg_url(name)),
            "generate_load_data",
            "--series=ocata",
            "--squads=50",
            f"--blueprints={size}",
            "--work-items=4",
        )
        print(f"{out.strip()} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)
        # A live database has planner statistics (autovacuum's ANALYZE); a bulk-loaded one not yet.
        manage(base_env(pg_url(name)), "dbshell", "--", "-qc", "ANALYZE")
    env = base_env(
        pg_url(names[SIZES[0]]),
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        DJANGO_THROTTLE_ANON="100000000/min",
        DJANGO_STATIC_ROOT=static,
    )
    result = run_json(
        [PYTHON, __file__, "--rounds", str(args.rounds), "--requests", str(args.requests),
         "--child", *names.values()],
        env,
        timeout=3600,
    )  # fmt: skip
    return result


def _report(args: argparse.Namespace, names: dict, result: dict) -> int:
    mid, large = names[100], names[10_000]
    report = {"machine": machine(), "when": stamp(), "rounds": args.rounds,
              "requests": args.requests, "pages": {}, "raw": result}  # fmt: skip
    for page in PAGES:
        q = {s: result["queries"][names[s]][page] for s in SIZES}
        t = {s: result["median_ms"][names[s]][page] for s in SIZES}
        c = {s: result["cold_ms"][names[s]][page] for s in SIZES}
        cq = {s: result["cold_queries"][names[s]][page] for s in SIZES}
        per_round = [
            b / a
            for a, b in zip(
                result["rounds_ms"][mid][page], result["rounds_ms"][large][page], strict=True
            )
        ]
        report["pages"][page] = {
            "url": PAGES[page],
            "queries": q,
            "same_queries_10_vs_10000": q[10] == q[10_000],
            "median_ms": t,
            "cold_ms": c,
            "cold_queries": cq,
            "cold_ratio_10000_vs_100": c[10_000] / c[100] if c[100] else None,
            "ratio_10000_vs_100": statistics.median(per_round),
            "ratio_per_round": per_round,
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    engine = "SQLite" if args.engine == "sqlite" else "PostgreSQL"
    print(f"machine: {report['machine']}; {report['when']}; {engine}, in-process test client")
    print(f"data: {result['sizes']}")
    print("| page | queries @10 / @100 / @10,000 | ms @10 | ms @100 | ms @10,000 |"
          " time(10,000)/time(100), median of rounds |"
          " cold ms @100 / @10,000 (ratio) | cold queries @10 / @100 / @10,000 |")  # fmt: skip
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for page, r in report["pages"].items():
        q, t, c, cq = r["queries"], r["median_ms"], r["cold_ms"], r["cold_queries"]
        print(
            f"| {page} (`{r['url']}`) | {q[10]} / {q[100]} / {q[10_000]} | {t[10]:.1f} | "
            f"{t[100]:.1f} | {t[10_000]:.1f} | **{r['ratio_10000_vs_100']:.2f}** | "
            f"{c[100]:.0f} / {c[10_000]:.0f} ({r['cold_ratio_10000_vs_100']:.1f}) | "
            f"{cq[10]} / {cq[100]} / {cq[10_000]} |"
        )
    f = {s: result["first_day_ms"][names[s]] for s in SIZES}
    print(
        f"\nFirst view of a day not computed yet (dashboard, `as_of={NEW_DAY}`): "
        f"{f[10]:.0f} / {f[100]:.0f} / {f[10_000]:.0f} ms at 10 / 100 / 10,000 blueprints."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
