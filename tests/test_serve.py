"""`trustworthy serve` from a fresh start, under concurrent signed-in load, on the suite's database.

A connection opened by `serve`'s set-up steps and inherited by gunicorn's forked workers is
shared between processes: they read each other's results (500s, sessions flushed, hangs).
This starts the real command twice on the same database, signs in through the form and
sends 16 concurrent requests at once, bounded in time and count.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "trustworthy.cli"]
PASSWORD = "serve-test-password-123"
CONCURRENCY = 16
SECONDS = 3.0
MAX_REQUESTS_PER_THREAD = 400


def _suite_database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Production settings over a new, empty database of the suite's kind."""
    env = {
        **os.environ,
        "TRUSTWORTHY_ENV": "production",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
    }
    url = _suite_database_url()
    if url is None:
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"trustworthy_serve_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """Just enough of a browser: cookies by name, and the headers a TLS proxy adds."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {
            "X-Forwarded-Proto": "https",  # production cookies are Secure; the proxy says it was TLS
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            "Origin": f"https://127.0.0.1:{self.port}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.headers.get("Location", ""), text
        finally:
            conn.close()

    def sign_in(self, email: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the sign-in form carries a CSRF token"
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "email": email, "password": PASSWORD},
        )
        assert status == 302, "signing in succeeds"
        assert "/accounts/login/" not in location


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the server
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"serve stopped while starting: {log.read_text()[-2000:]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)  # waiting for the port to open, not timing anything
    server.kill()
    pytest.fail("serve did not start listening within 120 s")


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
    demo = subprocess.run(
        [*CLI, "demo", "--password", PASSWORD], env=server_env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr

    for start in (1, 2):  # the second start finds a database already set up
        port = _free_port()
        log = tmp_path / f"serve-{start}.log"
        server = _start(server_env, port, log)
        try:
            browser = Browser(port)
            browser.sign_in("lead@council.example.org")
            # Straight from signing in to the first appraisal on the projects page.
            status, _, projects = browser.request("GET", "/projects/")
            assert status == 200
            match = re.search(r'href="(/appraisals/\d+/)"', projects) or re.search(
                r'href="(/projects/\d+/)"', projects
            )
            assert match, "the projects page links to the demo's work"
            page = match.group(1)

            statuses = _hammer(browser, [page, "/healthz"])
            print(f"start {start}: {sum(statuses.values())} requests, statuses {dict(statuses)}")

            assert sum(statuses.values()) >= CONCURRENCY, statuses
            assert set(statuses) == {200}, (
                f"start {start}: every request answered 200, got {dict(statuses)}; "
                + "\n".join(line for line in log.read_text().splitlines() if "Error" in line)[-3000:]
            )
            status, location, _ = browser.request("GET", page)
            assert status == 200, f"start {start}: still signed in (got {status} to {location!r})"
            assert browser.request("GET", "/healthz")[0] == 200, "the service still answers"
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                pytest.fail(f"start {start}: serve did not stop within 60 s of SIGTERM")
        assert code == 0, f"start {start}: serve stopped with exit code {code}"
        with pytest.raises(ConnectionRefusedError):  # no worker left listening
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
