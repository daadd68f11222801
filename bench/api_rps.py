"""Issue 8, target 3: milestones API requests/second vs. a bare Django view, same server, same run.

    .venv/bin/python bench/api_rps.py                      # 5 rounds of 8 s per endpoint
    .venv/bin/python bench/api_rps.py --rounds 3 --seconds 5 --connections 16

A scratch PostgreSQL database (migrated, Ocata imported from ../shared/data, dropped afterwards)
behind gunicorn (``--workers`` sync workers, production settings via ``bench.settings_bench``,
which only adds ``/bench/baseline/``: a plain Django view returning the milestones response's
bytes as a constant). ``wrk`` (apt-get install wrk) drives it from the same 2-core machine, so
server and client share the CPUs. Each round measures, back to back:

- ``baseline``: ``GET /bench/baseline/`` (same body size as the milestones response);
- ``milestones``: ``GET /api/v1/cycles/ocata/milestones/``;
- ``milestones 304``: the same with ``If-None-Match`` set to the ETag it returned.

Quoted: rps(milestones) / rps(baseline) per round, median over rounds (target: at least 0.5).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    RELEASES,
    ROOT,
    base_env,
    machine,
    manage,
    scratch_database,
    stamp,
    static_root,
)

MILESTONES = "/api/v1/cycles/ocata/milestones/"
BASELINE = "/bench/baseline/"
HEADERS = {"X-Forwarded-Proto": "https", "Accept": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={**HEADERS, **(headers or {})})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def wrk(port: int, path: str, *, seconds: float, connections: int, threads: int,
        headers: dict | None = None) -> dict:  # fmt: skip
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    for k, v in {**HEADERS, **(headers or {})}.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(
        cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": rps,
        "non_2xx_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    body_file = Path(tempfile.mkstemp(prefix="planner-baseline-", suffix=".json")[1])
    report: dict = {"machine": machine(), "when": stamp(), "args": vars(args), "rounds": []}
    proc = None
    with static_root() as static, scratch_database("postgres", "api") as url:
        env = base_env(
            url,
            DJANGO_SETTINGS_MODULE="bench.settings_bench",
            DJANGO_STATIC_ROOT=static,
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            # One address sends everything: DRF keeps every request time of the window in the
            # throttle's history, so a per-minute window would grow to ~100,000 entries that
            # every request unpickles. A one-second window keeps it at a real client's size.
            # (DRF's UserRateThrottle counts anonymous clients by address too.)
            DJANGO_THROTTLE_ANON="1000000/s",
            DJANGO_THROTTLE_USER="1000000/s",
            BENCH_BASELINE_FILE=str(body_file),
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "import_releases", str(RELEASES), "--series", "ocata", "--no-progress")
        port = free_port()
        try:
            proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "planner.wsgi:application",
                 f"--bind=127.0.0.1:{port}", f"--workers={args.workers}", "--timeout=60"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, headers, body = get(port, MILESTONES)
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.2)
            assert status == 200, status
            body_file.write_bytes(body)
            etag = headers["ETag"]
            b_status, _, b_body = get(port, BASELINE)
            assert b_status == 200 and len(b_body) == len(body), (b_status, len(b_body))
            n_status, _, n_body = get(port, MILESTONES, {"If-None-Match": etag})
            assert n_status == 304 and not n_body, n_status
            report["body_bytes"] = len(body)
            report["events"] = len(json.loads(body))
            # warm every worker on both paths
            for path in (BASELINE, MILESTONES):
                wrk(port, path, seconds=2, connections=args.connections, threads=args.threads)
            for i in range(args.rounds):
                kw = {"seconds": args.seconds, "connections": args.connections,
                      "threads": args.threads}  # fmt: skip
                r = {
                    "baseline": wrk(port, BASELINE, **kw),
                    "milestones": wrk(port, MILESTONES, **kw),
                    "milestones_304": wrk(port, MILESTONES, headers={"If-None-Match": etag}, **kw),
                }
                r["ratio"] = r["milestones"]["rps"] / r["baseline"]["rps"]
                r["ratio_304"] = r["milestones_304"]["rps"] / r["baseline"]["rps"]
                report["rounds"].append(r)
                print(
                    f"round {i + 1}: baseline {r['baseline']['rps']:.0f} rps, milestones "
                    f"{r['milestones']['rps']:.0f} rps ({r['ratio']:.2f}), 304 "
                    f"{r['milestones_304']['rps']:.0f} rps ({r['ratio_304']:.2f})",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            body_file.unlink(missing_ok=True)

    rounds = report["rounds"]
    report["median"] = {
        k: statistics.median(r[k]["rps"] for r in rounds)
        for k in ("baseline", "milestones", "milestones_304")
    }
    report["median_ratio"] = statistics.median(r["ratio"] for r in rounds)
    report["median_ratio_304"] = statistics.median(r["ratio_304"] for r in rounds)
    report["errors"] = sum(
        r[k]["non_2xx_3xx"] for r in rounds for k in ("baseline", "milestones", "milestones_304")
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["median"]
    print(f"machine: {report['machine']}; {report['when']}")
    print(
        f"gunicorn --workers={args.workers} (sync) + wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds:g}s on the same 2 cores; PostgreSQL; body {report['body_bytes']} bytes "
        f"({report['events']} events); {args.rounds} rounds; non-2xx/3xx: {report['errors']}"
    )
    print("| endpoint | median rps | ratio to baseline (median of rounds) |")
    print("| --- | ---: | ---: |")
    print(f"| bare Django view, constant JSON (`{BASELINE}`) | {m['baseline']:.0f} | 1.00 |")
    print(f"| `{MILESTONES}` | {m['milestones']:.0f} | **{report['median_ratio']:.2f}** |")
    print(
        f"| same, `If-None-Match` -> 304 | {m['milestones_304']:.0f} | "
        f"{report['median_ratio_304']:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
