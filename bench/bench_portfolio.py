"""The portfolio dashboard over the national demo, on PostgreSQL.

Builds a throwaway PostgreSQL database with the demo and `trustworthy demo --scale national`
(BENCH_NATIONAL_ORGANISATIONS organisations, default 200, 50 projects each: about a million
answers), timing the build and showing its progress; then serves it with `trustworthy serve`
(production settings, gunicorn) and times the National Innovation Fund's dashboard, signed
in as its overseer, unfiltered and with a filter, against a `SELECT count(*)` over all
answers run in the same database in the same run. Targets: the dashboard renders in under
1 s (median of the runs) and the build takes under 5 minutes. Exits 1 if either is missed.
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import time
from contextlib import ExitStack

from bench.server import (
    CLI,
    DEMO_PASSWORD,
    ROOT,
    call_in_django,
    postgres_database,
    prepare_demo,
    proxy_headers,
    serving,
    sign_in,
)

ORGANISATIONS = int(os.environ.get("BENCH_NATIONAL_ORGANISATIONS", "200"))
OVERSEER = "overseer@national.example.org"
DASHBOARD = "/programmes/national-innovation-fund/"
FILTERED = DASHBOARD + "?stage=implementation&region=london"
RUNS = 7
TARGET_SECONDS = 1.0
BUILD_TARGET_SECONDS = 300.0
STEP = re.compile(r"^  .*\(\d+ s\)$")


def count_answers(runs: str) -> dict[str, float]:
    """(Run in a Django child process.) The median time of `SELECT count(*)` over all answers."""
    from django.db import connection

    times, count = [], 0
    with connection.cursor() as cursor:
        for _ in range(int(runs)):
            start = time.perf_counter()
            cursor.execute("SELECT count(*) FROM appraisals_answer")
            count = cursor.fetchone()[0]
            times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "answers": count}


def timed_get(port: int, path: str, headers: dict[str, str]) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return elapsed


def build(env: dict[str, str]) -> tuple[float, str]:
    """Run `trustworthy demo --scale national`, passing its progress on as it comes; the
    seconds it took and its summary line."""
    command = [*CLI, "demo", "--scale", "national", "--organisations", str(ORGANISATIONS)]
    start = time.perf_counter()
    with subprocess.Popen(
        [*command, "--password", DEMO_PASSWORD],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    ) as done:  # fmt: skip
        assert done.stdout is not None
        lines = []
        for line in done.stdout:
            lines.append(line.rstrip())
            if STEP.match(line):  # a step of the national build, with the time so far
                print(f"  build: {line.strip()} [load {load_average()}]", flush=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit("the national demo failed:\n" + "\n".join(lines))
    summary = next((line for line in lines if line.startswith("National portfolio")), None)
    if summary is None:
        raise SystemExit("the national demo did not build:\n" + "\n".join(lines))
    return seconds, summary


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    print(f"Load average at the start: {load_average()} ({os.cpu_count()} processors).", flush=True)
    with ExitStack() as stack:
        env = prepare_demo("trustworthy-bench-portfolio-", stack.enter_context(postgres_database()))
        seconds, summary = build(env)
        server = stack.enter_context(serving(env))
        headers = {**proxy_headers(server.port), "Cookie": sign_in(server.port, OVERSEER)}
        timed_get(server.port, DASHBOARD, headers)  # warm: templates, framework, connections
        pages = {
            "dashboard": [timed_get(server.port, DASHBOARD, headers) for _ in range(RUNS)],
            "dashboard, filtered": [timed_get(server.port, FILTERED, headers) for _ in range(RUNS)],
        }
        baseline = call_in_django(env, "bench.bench_portfolio:count_answers", str(RUNS))
        # Reported before the server stops and the database is dropped (which can take a while).
        failed = report(seconds, summary, pages, baseline)
    if failed:
        raise SystemExit(1)


def report(seconds: float, summary: str, pages: dict[str, list[float]], baseline: dict[str, float]) -> bool:
    """Print the figures; True if a target was missed."""
    print(summary)
    built = seconds < BUILD_TARGET_SECONDS
    print(
        f"Build of the national demo (`trustworthy demo --scale national --organisations {ORGANISATIONS}`, "
        f"PostgreSQL, {os.cpu_count()} processors): {seconds:.0f} s; "
        f"target < {BUILD_TARGET_SECONDS:.0f} s: {'met' if built else 'NOT MET'}"
    )
    print(
        f"SELECT count(*) over all {baseline['answers']} answers: median {baseline['seconds'] * 1000:.1f} ms "
        f"over {RUNS} runs."
    )
    failed = not built
    for name, times in pages.items():
        median = statistics.median(times)
        ok = median < TARGET_SECONDS
        failed |= not ok
        print(
            f"{name:<20} median {median * 1000:7.0f} ms (min {min(times) * 1000:.0f}, "
            f"max {max(times) * 1000:.0f}; {RUNS} runs), {median / baseline['seconds']:.1f} x the count; "
            f"target < {TARGET_SECONDS:.0f} s: {'met' if ok else 'NOT MET'}"
        )
    print(f"Load average at the end: {load_average()}.", flush=True)
    return failed


if __name__ == "__main__":
    main()
