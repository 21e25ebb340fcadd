"""`trustworthy serve` from a fresh start, under concurrent signed-in load, on the suite's database.

A connection opened by `serve`'s set-up steps and inherited by gunicorn's forked workers is
shared between processes: they read each other's results (500s, sessions flushed, hangs).
This starts the real command twice on the same database, signs in through the form and
sends 16 concurrent requests at once, bounded in time and count.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

# Also used by other tests that start a server (tests/api/test_fuzz.py): `_free_port`, `_start`.
from tests.servers import Browser, fresh_environment, load_demo, stop
from tests.servers import free_port as _free_port
from tests.servers import start as _start

CONCURRENCY = 16
SECONDS = 3.0
MAX_REQUESTS_PER_THREAD = 400


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Production settings over a new, empty database of the suite's kind."""
    with fresh_environment(tmp_path / "data") as env:
        yield env


def _hammer(browser: Browser, paths: list[str]) -> Counter[int]:
    """CONCURRENCY threads released together, each sending requests for SECONDS (bounded)."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(CONCURRENCY)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())

    def worker(index: int) -> None:
        mine: Counter[int] = Counter()
        barrier.wait()
        deadline = time.monotonic() + SECONDS
        for n in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() > deadline:
                break
            path = paths[(index + n) % len(paths)]
            conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
                response = conn.getresponse()
                response.read()
                mine[response.status] += 1
            except OSError:
                mine[0] += 1  # no answer at all
            finally:
                conn.close()
        with lock:
            statuses.update(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
    assert not any(t.is_alive() for t in threads), "the service stopped answering"
    return statuses


def test_concurrent_signed_in_requests_right_after_serve_starts(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    load_demo(server_env)

    for attempt in (1, 2):  # the second start finds a database already set up
        port = _free_port()
        log = tmp_path / f"serve-{attempt}.log"
        server = _start(server_env, port, log)
        try:
            browser = Browser(port)
            assert browser.sign_in("lead@council.example.org") == 302, "signing in succeeds"
            # Straight from signing in to the first appraisal on the projects page.
            status, _, projects = browser.request("GET", "/projects/")
            assert status == 200
            match = re.search(r'href="(/appraisals/\d+/)"', projects) or re.search(
                r'href="(/projects/\d+/)"', projects
            )
            assert match, "the projects page links to the demo's work"
            page = match.group(1)

            statuses = _hammer(browser, [page, "/healthz"])
            print(f"start {attempt}: {sum(statuses.values())} requests, statuses {dict(statuses)}")

            assert sum(statuses.values()) >= CONCURRENCY, statuses
            assert set(statuses) == {200}, (
                f"start {attempt}: every request answered 200, got {dict(statuses)}; "
                + "\n".join(line for line in log.read_text().splitlines() if "Error" in line)[-3000:]
            )
            status, location, _ = browser.request("GET", page)
            assert status == 200, f"start {attempt}: still signed in (got {status} to {location!r})"
            assert browser.request("GET", "/healthz")[0] == 200, "the service still answers"
        finally:
            code = stop(server)
        assert code == 0, f"start {attempt}: serve stopped with exit code {code}"
        with pytest.raises(ConnectionRefusedError):  # no worker left listening
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
