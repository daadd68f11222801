"""Load test: many concurrent clients on the dashboard, pages and API, on loopback.

    # against a running deployment (gunicorn + PostgreSQL), e.g. `docker compose up` or make run:
    .venv/bin/python bench/load.py --base-url http://127.0.0.1:8000 --clients 32 --requests 4000

    # or let the script start one: a fresh PostgreSQL database (migrated, the Ocata demo
    # loaded), gunicorn with the compose file's command, stopped and dropped afterwards
    .venv/bin/python bench/load.py --serve --pg postgres://postgres@127.0.0.1:5432/postgres

Bounded: it stops after ``--requests`` requests or ``--duration`` seconds, whichever comes
first. Reports per-endpoint and overall latency percentiles and every error (a status >= 400
or a failed connection); exits 1 if there was any error. Requests carry
``X-Forwarded-Proto: https`` as the TLS proxy in front of the web container would.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]

# (weight, path): what a PTL's browser, squad leads' pages and REST clients ask for.
MIX: list[tuple[int, str]] = [
    (4, "/cycles/ocata/"),  # the dashboard
    (1, "/cycles/"),
    (2, "/cycles/ocata/schedule/"),
    (1, "/cycles/ocata/schedule.ics"),
    (3, "/api/v1/cycles/ocata/milestones/"),
    (2, "/api/v1/cycles/"),
    (3, "/api/v1/blueprints/?series=ocata"),
    (1, "/api/v1/squads/"),
    (1, "/api/v1/ffes/"),
    (1, "/healthz"),
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def record(self, path: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[path].append(seconds)
            if error:
                self.errors[f"{path}: {error}"] += 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def one_request(host: str, port: int, path: str, timeout: float) -> str | None:
    """One GET on a fresh connection (gunicorn's sync workers close after each response)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": host})
        response = conn.getresponse()
        response.read()
        return None if response.status < 400 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def drive(
    base_url: str, *, clients: int, requests: int, duration: float, timeout: float = 30
) -> Results:
    parsed = urlparse(base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    schedule = [path for weight, path in MIX for _ in range(weight)]
    results = Results()
    counter = iter(range(requests))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client() -> None:
        while time.monotonic() < deadline:
            with counter_lock:
                n = next(counter, None)
            if n is None:
                return
            path = schedule[n % len(schedule)]
            start = time.perf_counter()
            error = one_request(host, port, path, timeout)
            results.record(path, time.perf_counter() - start, error)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    results.started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 5)
    results.finished = time.perf_counter()
    return results


def summary(results: Results, clients: int) -> dict:
    every = [s for v in results.latencies.values() for s in v]
    elapsed = results.finished - results.started

    def stats(values: list[float]) -> dict:
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p90_ms": round(percentile(values, 90) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values, default=0) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else 0.0,
        }

    return {
        "clients": clients,
        "requests": len(every),
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "seconds": round(elapsed, 2),
        "rps": round(len(every) / elapsed, 1) if elapsed else 0.0,
        "overall": stats(every),
        "by_path": {p: stats(v) for p, v in sorted(results.latencies.items())},
    }


def markdown(report: dict) -> str:
    lines = [
        f"{report['requests']} requests, {report['clients']} concurrent clients, "
        f"{report['seconds']} s, {report['rps']} req/s, **{report['errors']} errors**",
        "",
        "| path | n | p50 ms | p90 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = list(report["by_path"].items()) + [("**all**", report["overall"])]
    for path, s in rows:
        lines.append(
            f"| `{path}` | {s['n']} | {s['p50_ms']} | {s['p90_ms']} | {s['p95_ms']} |"
            f" {s['p99_ms']} | {s['max_ms']} |"
        )
    return "\n".join(lines)


# --- --serve: a deployment of our own -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(pg_url: str, sql: str) -> None:
    import psycopg2

    p = urlparse(pg_url)
    conn = psycopg2.connect(
        host=p.hostname, port=p.port or 5432, user=p.username or "postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@contextmanager
def serve(pg_url: str, workers: int) -> Iterator[str]:
    """gunicorn (the compose file's web command) on a fresh, migrated, demo-loaded database."""
    name = f"planner_bench_{os.getpid()}"
    p = urlparse(pg_url)
    port = _free_port()
    static = Path(tempfile.mkdtemp(prefix="planner-bench-static-"))
    bin_dir = Path(sys.executable).parent
    env = {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "DJANGO_STATIC_ROOT": str(static),
        "DATABASE_URL": (
            f"postgres://{p.username or 'postgres'}@{p.hostname}:{p.port or 5432}/{name}"
        ),
        # a load test from one address: the per-address throttle would answer 429
        "DJANGO_THROTTLE_ANON": "1000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    _admin(pg_url, f'CREATE DATABASE "{name}"')
    proc = None
    try:
        manage = [str(bin_dir / "python"), "manage.py"]
        for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                     ["load_demo"]):  # fmt: skip
            subprocess.run(manage + args, cwd=ROOT, env=env, check=True, capture_output=True)
        proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "planner.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--timeout=60",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while one_request("127.0.0.1", port, "/healthz", 2) is not None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(static, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running deployment (else --serve)")
    parser.add_argument("--serve", action="store_true", help="start gunicorn on a fresh database")
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432/postgres", help="with --serve"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers with --serve")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=120.0, help="at most, seconds")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not args.base_url and not args.serve:
        parser.error("give --base-url or --serve")

    def run(base_url: str) -> dict:
        # warm up: every worker imports and connects before the clock starts
        drive(base_url, clients=args.workers * 2, requests=len(MIX) * 2, duration=30)
        return summary(
            drive(base_url, clients=args.clients, requests=args.requests, duration=args.duration),
            args.clients,
        )

    if args.serve:
        with serve(args.pg, args.workers) as url:
            report = run(url)
        report["server"] = f"gunicorn --workers={args.workers}, PostgreSQL, --serve"
    else:
        report = run(args.base_url)
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
