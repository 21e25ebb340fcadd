"""The appraisal pages against a bare Django view, on SQLite and on PostgreSQL, with wrk.

The demo is served by `trustworthy serve` (production settings, gunicorn, 2 sync workers);
the baseline is bench/bare_app.py (a Django view returning "hello", no middleware) served by
gunicorn with the very command line `serve` used, in the same run. wrk sends the load: 2
threads, 16 connections, 1 s of warm-up then 5 s measured, every request with the session
cookie and the headers a TLS proxy adds. Each page is measured between two runs of the bare
view, and its ratio is to their mean: other work on the machine comes and goes, and runs
seconds apart are what it disturbs least. Every row prints requests/s, p50/p95 and the
ratio, and the workers' CPU time per response; a page that answers anything but 200 fails.

Targets (ratios to the bare view, SQLite): task list and question page at least 0.12,
register page (P7) 0.10, check your answers 0.08, decision record page 0.04. PostgreSQL
figures are printed beside them, not judged.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass

from bench.server import (
    Server,
    baseline_serving,
    call_in_django,
    postgres_database,
    prepare_demo,
    proxy_headers,
    serving,
    sign_in,
)
from bench.wrk import CONNECTIONS, THREADS, WrkResult, ensure_wrk, measure

TARGETS = {
    "task list": 0.12,
    "question page": 0.12,
    "register page": 0.10,
    "check your answers": 0.08,
    "decision record page": 0.04,
}
SECONDS = 5
LEAD = "lead@council.example.org"
SIGNED_IN_FLOOR = "/healthz, signed in"  # printed, not judged
# wrk's threads busier than this (CPU time over wall time) could be what limits the rate.
MAX_GENERATOR_BUSY = 0.5


def approved_appraisal(email: str) -> int:
    """(Run in a Django child process.) The demo's approved appraisal that `email` can see."""
    from trustworthy.appraisals.models import Decision

    decision = Decision.objects.filter(
        appraisal__organisation__memberships__user__email=email, is_departure=False
    ).first()
    assert decision is not None, "the demo data has an approved appraisal"
    return int(decision.appraisal_id)


def page_paths(appraisal: int) -> dict[str, str]:
    return {
        "task list": f"/appraisals/{appraisal}/",
        "question page": f"/appraisals/{appraisal}/questions/P1/",
        "register page": f"/appraisals/{appraisal}/questions/P7/",
        "check your answers": f"/appraisals/{appraisal}/check/",
        "decision record page": f"/appraisals/{appraisal}/record/",
    }


def signed_in_headers(server: Server) -> dict[str, str]:
    return {**proxy_headers(server.port), "Cookie": sign_in(server.port, LEAD)}


@dataclass(frozen=True)
class Measured:
    page: WrkResult
    before: WrkResult  # the bare view, measured just before the page
    after: WrkResult  # and just after it

    @property
    def bare_rps(self) -> float:
        return (self.before.rps + self.after.rps) / 2

    @property
    def ratio(self) -> float:
        return self.page.rps / self.bare_rps if self.bare_rps else 0.0

    @property
    def cpu_ratio(self) -> float:
        """The bare view's CPU time per response over the page's."""
        bare_ms = (self.before.server_cpu_ms + self.after.server_cpu_ms) / 2
        return bare_ms / self.page.server_cpu_ms if self.page.requests else 0.0

    @property
    def errors(self) -> int:
        return self.page.errors + self.before.errors + self.after.errors


def measure_pages(server: Server, env: dict[str, str], bare: Server, db: str) -> dict[str, Measured]:
    """/healthz with the session cookie (what any signed-in request costs), then each page,
    each between two runs of the bare view (the run after one page is the run before the next)."""
    headers = signed_in_headers(server)
    paths = {
        SIGNED_IN_FLOOR: "/healthz",
        **page_paths(call_in_django(env, "bench.bench_pages:approved_appraisal", LEAD)),
    }
    results = {}
    before = measure(bare, ["/"], headers=headers, seconds=SECONDS)
    for name, path in paths.items():
        page = measure(server, [path], headers=headers, seconds=SECONDS)
        after = measure(bare, ["/"], headers=headers, seconds=SECONDS)
        results[name] = Measured(page, before, after)
        # As it goes, so that a run stopped at its time limit still shows what it measured.
        print(f"  {db}, {name}: {_cell(results[name])}", flush=True)
        before = after
    return results


def _cell(measured: Measured) -> str:
    page, flag = measured.page, " ERR" if measured.errors else ""
    if not page.requests:
        return f"{'no response in ' + str(SECONDS) + ' s':<48}{flag}"
    return (
        f"{page.rps:6.0f} {page.p50_ms:6.1f} {page.p95_ms:6.1f} {measured.bare_rps:6.0f} "
        f"{measured.ratio:6.3f} {page.server_cpu_ms:6.2f} {measured.cpu_ratio:6.3f}{flag}"
    )


def main() -> None:
    ensure_wrk()
    with ExitStack() as stack:
        sqlite_env = prepare_demo("trustworthy-bench-pages-")
        postgres_env = prepare_demo("trustworthy-bench-pages-pg-", stack.enter_context(postgres_database()))

        sqlite = stack.enter_context(serving(sqlite_env))
        bare = stack.enter_context(baseline_serving(sqlite))
        on_sqlite = measure_pages(sqlite, sqlite_env, bare, "SQLite")
        postgres = stack.enter_context(serving(postgres_env))
        on_postgres = measure_pages(postgres, postgres_env, bare, "PostgreSQL")

    cores = os.cpu_count() or 1
    bare_runs = [
        r for results in (on_sqlite, on_postgres) for m in results.values() for r in (m.before, m.after)
    ]
    print(
        f"gunicorn with `trustworthy serve`'s own command line (2 sync workers), production settings, "
        f"127.0.0.1; wrk {THREADS} threads, {CONNECTIONS} connections, 1 s warm-up + {SECONDS} s per run; "
        f"{cores} cores shared by the server, wrk and anything else running."
    )
    rates = [r.rps for r in bare_runs]
    p50s = [r.p50_ms for r in bare_runs]
    p95s = [r.p95_ms for r in bare_runs]
    print(
        "Each page is measured between two runs of the bare Django view (no middleware), and its ratio "
        f"is to their mean (bare/s); the bare view ran at {min(rates):.0f}-{max(rates):.0f}/s, "
        f"p50 {min(p50s):.1f}-{max(p50s):.1f} ms, p95 {min(p95s):.1f}-{max(p95s):.1f} ms."
    )
    print(
        "cpu ms: the gunicorn workers' CPU time per response (PostgreSQL's own processes not counted); "
        "cpu r.: the bare view's over the page's, steadier than requests/s when other work shares the "
        "machine (printed, not judged)."
    )
    heading = f"{'req/s':>6} {'p50ms':>6} {'p95ms':>6} {'bare/s':>6} {'ratio':>6} {'cpu ms':>6} {'cpu r.':>6}"
    print(f"{'':<22} {'SQLite':<48}   {'PostgreSQL':<48}")
    print(f"{'':<22} {heading:<48}   {heading:<48}")
    failed = False
    for name in on_sqlite:
        lite, pg = on_sqlite[name], on_postgres[name]
        target = TARGETS.get(name)
        ok = target is None or (lite.ratio >= target and lite.page.errors == 0)
        failed |= not ok
        verdict = "(not judged)" if target is None else f"target ≥ {target:.2f}: {'met' if ok else 'NOT MET'}"
        print(f"{name:<22} {_cell(lite):<48}   {_cell(pg):<48}   {verdict}")
    for db, results in (("SQLite", on_sqlite), ("PostgreSQL", on_postgres)):
        for name, measured in results.items():
            runs = (
                ("page", measured.page),
                ("bare view before it", measured.before),
                ("bare view after it", measured.after),
            )
            for what, result in runs:
                if result.errors:
                    failed = True
                    print(
                        f"{db}, {name}, {what}: {result.bad_status} responses other than 200 and "
                        f"{result.socket_errors} socket errors: not measured, the bench fails."
                    )

    # Is wrk the bottleneck? A closed-loop generator that limits the rate has its threads
    # busy all the time; wrk's own CPU time says how busy they were, whatever else ran.
    busiest = max(bare_runs, key=lambda r: r.wrk_cpu_share)
    busy = busiest.wrk_cpu_share / THREADS
    fastest_page = max(m.page.rps for name, m in on_sqlite.items() if name in TARGETS)
    print(
        f"Load generator: at the bare view's rate ({busiest.rps:.0f}/s) wrk's threads were busy at most "
        f"{busy:.0%} of the time ({busiest.wrk_cpu_seconds / busiest.requests * 1e6:.0f} us of CPU a "
        f"request), so they were waiting on the server, not the other way round; the fastest page ran at "
        f"{fastest_page:.0f}/s. wrk shares the {cores} cores: it took {busiest.wrk_cpu_share:.2f} of a core "
        "while driving the bare view, and less while driving the slower pages, so the requests/s ratios "
        f"may be flattered by up to about {busiest.wrk_cpu_share / cores:.0%} (the cpu ratios are not)."
    )
    if busy >= MAX_GENERATOR_BUSY:
        print(
            f"NOT MET: wrk's threads were busy {busy:.0%} of the time (limit {MAX_GENERATOR_BUSY:.0%}): "
            "the generator may limit the baseline, so the ratios cannot be judged."
        )
        failed = True
    else:
        print("wrk is not the bottleneck: its threads had time to spare at the baseline's rate.")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
