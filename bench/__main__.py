"""Run every benchmark module in this folder (`make bench`) but the long ones run on request,
or those named on the command line.

Each module runs in a process of its own (Django is set up once per process, and each bench
has its own data), with a time limit; all run even if one fails, and the exit status is 1
if any failed.
"""

from __future__ import annotations

import os
import pkgutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.wrk import ensure_wrk

# Generous per-module limits: the whole of `make bench` takes about 7-9 minutes on an idle
# machine, and up to three times that on a shared, busy one (the demo loads and the servers'
# starts are then most of a bench's time).
TIME_LIMIT_SECONDS = {"bench_voices": 300, "bench_memory": 600, "bench_pages": 900, "bench_portfolio": 3600}
# Run only when named (`make bench-national`): building the national portfolio (about 200
# organisations' signed appraisals) takes 20-40 minutes on its own.
ON_REQUEST = {"bench_portfolio"}
DEFAULT_TIME_LIMIT_SECONDS = 180


def _run(module: str, root: Path, limit: float) -> int | None:
    """Run bench/`module`.py; its exit status, or None if it had to be stopped at `limit`."""
    # A process group of its own, so that on time-out the bench and the servers it started
    # (and nothing else) are interrupted: Ctrl+C lets the bench stop its servers and drop its
    # databases (on a busy machine that can take most of a minute); whatever is still there
    # 90 s later is killed.
    bench = subprocess.Popen([sys.executable, "-m", f"bench.{module}"], cwd=root, start_new_session=True)
    try:
        return bench.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGINT)
        try:
            bench.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(bench.pid, signal.SIGKILL)
            bench.wait()
        return None


def main() -> None:
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    modules = [m for m in found if m.startswith("bench_")]
    wanted = sys.argv[1:] or [m for m in modules if m not in ON_REQUEST]
    unknown = set(wanted) - set(modules)
    if unknown:
        raise SystemExit(f"no such bench: {', '.join(sorted(unknown))} (there are {', '.join(modules)})")
    ensure_wrk()
    outcomes: dict[str, str] = {}
    root = Path(__file__).resolve().parent.parent
    for module in wanted:
        print(f"== {module}", flush=True)
        limit = TIME_LIMIT_SECONDS.get(module, DEFAULT_TIME_LIMIT_SECONDS)
        start = time.monotonic()
        returncode = _run(module, root, limit)
        if returncode is None:
            outcome = f"FAILED (stopped after its limit of {limit} s)"
        else:
            outcome = "passed" if returncode == 0 else f"FAILED (exit {returncode})"
        outcomes[module] = f"{outcome} in {time.monotonic() - start:.0f} s"
        print(flush=True)
    print("== summary")
    for module, outcome in outcomes.items():
        print(f"{module:<16} {outcome}")
    if any("FAILED" in outcome for outcome in outcomes.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
