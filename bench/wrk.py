"""wrk (Debian package `wrk`), the load generator of the HTTP benches, and what it measured.

Every run: 2 threads, 16 connections, the given headers on every request, a Lua script that
cycles through the given paths, checks each status (anything but the expected one is an
error: a page that redirects to the sign-in page was not measured) and prints one
machine-readable line from `done` (requests, duration, p50/p95/p99 from wrk's latency
histogram, socket errors). In a run bounded by a number of requests, each thread marks
itself done (a file) when it has had its share of responses, and the bench interrupts wrk
(SIGINT, on which wrk stops and reports as usual) once every thread has: the count is then
at least the number asked for, plus what was answered in the ~0.1 s wrk takes to stop.
The CPU time wrk itself used is read from this process's children, to show how much of the
machine the generator took.
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.server import Server, cpu_seconds, wait_until_idle, worker_pids

THREADS = 2
CONNECTIONS = 16

_SCRIPT = """
local paths = {%(paths)s}
local expect = %(expect)d
local limit = %(limit)d -- responses per thread before it marks itself done (0: no limit)
local marker = %(marker)s -- a file each thread creates when it reaches its limit
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  prepared = {}
  for i, path in ipairs(paths) do prepared[i] = wrk.format(nil, path) end
  sent = 0
  received = 0
  unexpected = 0
end

function request()
  sent = sent + 1
  return prepared[(sent - 1) %% #prepared + 1]
end

function response(status, headers, body)
  received = received + 1
  if status ~= expect then unexpected = unexpected + 1 end
  if limit > 0 and received == limit then
    -- Keep going: a thread that stopped alone would leave connections open with no request,
    -- and a sync worker that accepted one waits on it. The bench stops wrk when all are done.
    io.open(marker .. number, "w"):close()
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d p99_us=%%d " ..
    "connect=%%d read=%%d write=%%d timeout=%%d status=%%d unexpected=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout, e.status, bad))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int  # connect, read, write and timeout errors
    bad_status: int  # responses whose status was not the expected one
    wrk_cpu_seconds: float
    output: str
    server_cpu_seconds: float = 0.0  # the gunicorn workers' CPU time during the run (by `measure`)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.bad_status

    @property
    def wrk_cpu_share(self) -> float:
        """Cores' worth of CPU that wrk used while it ran (the machine has os.cpu_count())."""
        return self.wrk_cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def server_cpu_ms(self) -> float:
        """The workers' CPU time per response: what a request costs, whatever else is running."""
        return self.server_cpu_seconds / self.requests * 1000 if self.requests else float("inf")

    def line(self) -> str:
        return (
            f"{self.rps:8.0f} req/s  p50 {self.p50_ms:6.1f} ms  p95 {self.p95_ms:6.1f} ms  "
            f"errors {self.errors}"
        )


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package first if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    command = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    print(f"wrk is not installed: running `{' '.join(command)}`", flush=True)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            "wrk is missing and cannot be installed here (needs apt-get as root). "
            "Install the Debian package `wrk` (apt-get install wrk) and run the bench again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env).returncode:
        print("That failed: running `apt-get update` and trying once more", flush=True)
        subprocess.run(["apt-get", "update"], env=env)
        subprocess.run(command, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "Could not install wrk with apt-get. Install the Debian package `wrk` and run the bench again."
        )
    return found


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    port: int,
    paths: Sequence[str],
    *,
    headers: Mapping[str, str],
    seconds: int,
    max_requests: int = 0,
    expect: int = 200,
) -> WrkResult:
    """Load 127.0.0.1:`port` with `paths` in turn for `seconds` (or until `max_requests`)."""
    wrk = ensure_wrk()
    limit = math.ceil(max_requests / THREADS) if max_requests else 0
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "load.lua"
        marker = f"{folder}/done-"
        script.write_text(
            _SCRIPT
            % {
                "paths": ", ".join(json.dumps(p) for p in paths),
                "expect": expect,
                "limit": limit,
                "marker": json.dumps(marker),
            }
        )
        command = [wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s"]
        command += ["--latency", "-s", str(script)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{paths[0]}")
        cpu_before = _children_cpu()
        load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + seconds + 60
        while limit and load.poll() is None and time.monotonic() < deadline:
            if len(list(Path(folder).glob("done-*"))) == THREADS:
                load.send_signal(signal.SIGINT)
                break
            time.sleep(0.01)
        try:
            stdout, stderr = load.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            load.kill()
            stdout, stderr = load.communicate()
        cpu = _children_cpu() - cpu_before
    found = re.search(r"^BENCH-RESULT (.*)$", stdout, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk failed (exit {load.returncode}):\n{stdout}\n{stderr}")
    fields = {key: int(value) for key, value in (pair.split("=") for pair in found.group(1).split())}
    return WrkResult(
        requests=fields["requests"],
        seconds=fields["duration_us"] / 1e6,
        p50_ms=fields["p50_us"] / 1e3,
        p95_ms=fields["p95_us"] / 1e3,
        p99_ms=fields["p99_us"] / 1e3,
        socket_errors=sum(fields[k] for k in ("connect", "read", "write", "timeout")),
        # wrk's own count (status > 399) is included in ours, which also catches redirects.
        bad_status=max(fields["unexpected"], fields["status"]),
        wrk_cpu_seconds=cpu,
        output=stdout,
    )


def measure(
    server: Server, paths: Sequence[str], *, headers: Mapping[str, str], seconds: int = 5, warmup: int = 1
) -> WrkResult:
    """A warm-up run (discarded), then the measured run, each starting on idle workers.

    Also records the CPU time the workers used during the measured run (requests wrk left
    in flight at the end are served after the reading, and are not in it).
    """
    if warmup:
        run_wrk(server.port, paths, headers=headers, seconds=warmup)
        wait_until_idle(server)
    workers = worker_pids(server.pid)
    before = cpu_seconds(workers)
    result = run_wrk(server.port, paths, headers=headers, seconds=seconds)
    result = replace(result, server_cpu_seconds=cpu_seconds(workers) - before)
    wait_until_idle(server)
    return result
