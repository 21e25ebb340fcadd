"""Each worker's resident memory over 10,000 mixed requests: no growth once warm.

A fresh `trustworthy serve --workers 2` (production settings, SQLite demo) gets 10,000
signed-in requests from wrk (2 threads, 16 connections), cycling through the task list,
a question page, the register page (P7), check your answers, the decision record page and
/healthz: the first 1,000, then 8,000 (in two halves), then the last 1,000. Each worker's
VmRSS is read from /proc after the first 1,000, halfway and after the last 1,000 (with the
workers idle); the bench fails if any worker grew between the first and last reading by
more than the margin below, if a worker was replaced on the way, or if any response was not
a 200.
"""

from __future__ import annotations

from bench.bench_pages import LEAD, page_paths, signed_in_headers
from bench.server import (
    call_in_django,
    prepare_demo,
    resident_kib,
    serving,
    wait_until_idle,
    worker_pids,
)
from bench.wrk import WrkResult, ensure_wrk, run_wrk

WORKERS = 2
# (name, requests, time cap in seconds); memory is read after "first", "halfway" and "last".
PHASES = (
    ("first", 1_000, 90),
    ("halfway", 4_000, 150),
    ("more", 4_000, 150),
    ("last", 1_000, 90),
)
READ_AFTER = ("first", "halfway", "last")
# Growth allowed between the readings after the first and the last 1,000, per worker.
# Measured here (12 rounds of 1,000): each worker still grows by about 3 MiB over the next
# ~4,000 requests and then stays flat to within 0.1 MiB for the rest: allocator arenas and
# bounded caches reaching their working size, not a leak (a leak grows in step with the
# requests). Each worker serves ~4,500 requests between the two readings, so 8 MiB still
# catches any leak of about 2 KiB a request or more (at a few requests a second, hundreds
# of MiB a day per worker), with room above that warm-up. The margin is absolute, not a
# percentage: 10 % of a 135 MiB worker would let a 13 MiB leak through. The reading halfway
# is printed (not judged) to show whether growth is levelling off or keeps going.
MARGIN_KIB = 8 * 1024


def _run(port: int, paths: list[str], headers: dict[str, str], name: str, count: int, cap: int) -> WrkResult:
    result = run_wrk(port, paths, headers=headers, seconds=cap, max_requests=count)
    print(f"  {name:<7} {result.requests:>5} requests in {result.seconds:5.1f} s: {result.line()}")
    return result


def main() -> None:
    ensure_wrk()
    env = prepare_demo("trustworthy-bench-memory-")
    appraisal = call_in_django(env, "bench.bench_pages:approved_appraisal", LEAD)
    paths = [*page_paths(appraisal).values(), "/healthz"]
    failed = False
    with serving(env, workers=WORKERS) as server:
        headers = signed_in_headers(server)
        workers = worker_pids(server.pid)
        if len(workers) != WORKERS:
            raise SystemExit(f"expected {WORKERS} gunicorn workers under {server.pid}, found {workers}")
        print(f"`trustworthy serve --workers {WORKERS}`, SQLite, {len(paths)} paths in turn, wrk 2 threads:")
        readings: dict[str, dict[int, int]] = {}
        results = []
        for name, count, cap in PHASES:
            results.append(_run(server.port, paths, headers, name, count, cap))
            wait_until_idle(server)
            replaced = worker_pids(server.pid) != workers
            if replaced:
                print(
                    f"NOT MET: a worker was replaced (crashed or timed out). Server log:\n{server.log_tail()}"
                )
                raise SystemExit(1)
            if name in READ_AFTER:
                readings[name] = {pid: resident_kib(pid) for pid in workers}

    total = sum(r.requests for r in results)
    errors = sum(r.errors for r in results)
    short = [name for (name, count, _), r in zip(PHASES, results, strict=True) if r.requests < count]
    print(f"{total} requests, {errors} errors (responses other than 200, or socket errors)")
    print(f"resident memory (VmRSS) per worker, allowed growth {MARGIN_KIB / 1024:.0f} MiB:")
    for pid in workers:
        first, halfway, last = (readings[name][pid] for name in READ_AFTER)
        grew = last - first
        ok = grew <= MARGIN_KIB
        failed |= not ok
        print(
            f"  worker {pid}: {first / 1024:6.1f} MiB after the first 1,000, {halfway / 1024:6.1f} MiB "
            f"after 5,000, {last / 1024:6.1f} MiB after the last 1,000: {grew / 1024:+5.1f} MiB "
            f"({grew / first:+.1%}) {'met' if ok else 'NOT MET'}"
        )
    if short:
        print(f"NOT MET: the {', '.join(short)} phase did not complete its requests within its time cap")
    if errors:
        print("NOT MET: some responses were errors")
    if failed or short or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
