"""Throwaway copies of the service for benchmarks, and the bare baseline beside them.

- `prepare_demo` loads the demo into a new data folder (SQLite) or a given database.
- `serving` runs `trustworthy serve` (production settings, gunicorn) on a free 127.0.0.1 port.
- `baseline_serving` runs a bare app with exactly the gunicorn command line that `serve` used
  (read from the running master's /proc/<pid>/cmdline), so the two differ only in the app.
- `postgres_database` creates a database of its own on the local PostgreSQL and drops it after.
- `sign_in` signs in over HTTP as a browser behind a TLS proxy would, and returns the cookie.
- `call_in_django` runs a function in a child process with Django set up for a given environment,
  so one bench process can talk to several databases without sharing Django's settings.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

CLI = [sys.executable, "-m", "trustworthy.cli"]
ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "bench-password-123"
# The admin connection used only to create and drop the bench's own databases.
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def proxy_headers(port: int) -> dict[str, str]:
    """What a TLS-terminating proxy in front of the service adds (production cookies are Secure)."""
    origin = f"https://127.0.0.1:{port}"
    return {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": f"{origin}/"}


def prepare_demo(prefix: str, database_url: str | None = None) -> dict[str, str]:
    """Load the demo into a new data folder (and `database_url` if given, else SQLite there).

    Returns the environment for server and Django child processes. This process's own
    environment is left alone: Django is only ever set up in child processes. The folder is
    removed when this process exits.
    """
    data_dir = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)  # after the servers have stopped
    env = {
        **os.environ,
        "TRUSTWORTHY_DATA_DIR": data_dir,
        "TRUSTWORTHY_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # production refuses a weak key
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [*CLI, "demo", "--password", DEMO_PASSWORD], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"`trustworthy demo` failed:\n{done.stdout}\n{done.stderr}")
    return env


def call_in_django(env: dict[str, str], target: str, *args: str) -> Any:
    """Run `module:function(*args)` in a child process with Django set up; return its JSON result."""
    code = (
        "import importlib, json, sys, django; django.setup(); "
        "module, name = sys.argv[1].split(':'); "
        "print('BENCH-JSON ' + json.dumps(getattr(importlib.import_module(module), name)(*sys.argv[2:])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, target, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON "))
    raise RuntimeError(f"{target} failed:\n{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# `serve` migrates and collects the static files (two Django processes) before gunicorn and
# its workers start: well under a minute on an idle machine, three times that on a busy one.
START_SECONDS = 180


def _wait_until_up(port: int, server: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start within {START_SECONDS} s")


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # the gunicorn master (`serve` execs gunicorn, so the pid it was started with)
    log: Path  # gunicorn's error log (worker starts and exits, tracebacks)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[Server]:
    """`trustworthy serve` on a free port until the block ends."""
    port = free_port()
    log = Path(env["TRUSTWORTHY_DATA_DIR"]) / f"server-{port}.log"
    with log.open("wb") as errors:
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log
            stderr=errors,
        )
    try:
        _wait_until_up(port, server, "/healthz")
        yield Server(port, server.pid, log)
    finally:
        _stop(server)


def gunicorn_command(master_pid: int) -> list[str]:
    """The command line of a running gunicorn master."""
    raw = Path(f"/proc/{master_pid}/cmdline").read_bytes()
    argv = [part.decode() for part in raw.split(b"\0") if part]
    if "gunicorn" not in " ".join(argv):
        raise RuntimeError(f"process {master_pid} is not gunicorn: {argv}")
    return argv


def same_settings_for(argv: list[str], app: str, port: int) -> list[str]:
    """`argv` (a gunicorn command line) serving `app` on 127.0.0.1:`port` instead; all else equal."""
    apps = [i for i, arg in enumerate(argv) if re.fullmatch(r"[A-Za-z_][\w.]*:\w+", arg)]
    binds = [i for i, arg in enumerate(argv) if arg in ("--bind", "-b")]
    if len(apps) != 1 or len(binds) != 1:
        raise RuntimeError(f"cannot find the one app and one --bind in the serve command line: {argv}")
    changed = list(argv)
    changed[apps[0]] = app
    changed[binds[0] + 1] = f"127.0.0.1:{port}"
    return changed


@contextmanager
def baseline_serving(
    like: Server, app: str = "bench.bare_app:application", path: str = "/"
) -> Iterator[Server]:
    """`app` served by gunicorn with the same command line as the running `like` server."""
    port = free_port()
    argv = same_settings_for(gunicorn_command(like.pid), app, port)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    log = like.log.with_name(f"baseline-{port}.log")
    with log.open("wb") as errors:
        server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait_until_up(port, server, path)
        yield Server(port, server.pid, log)
    finally:
        _stop(server)


def sign_in(port: int, email: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the sign-in page; returns the Cookie header value of the session."""
    headers = proxy_headers(port)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/accounts/login/", headers=headers)
        page = conn.getresponse()
        body = page.read().decode()
        csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
        field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if page.status != 200 or not csrf_cookie or not field:
            raise RuntimeError(f"the sign-in page did not give a CSRF token (status {page.status})")
        conn.close()
        form = {"email": email, "password": password, "csrfmiddlewaretoken": field.group(1)}
        conn.request(
            "POST",
            "/accounts/login/",
            body=urlencode(form),
            headers={
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            },
        )
        response = conn.getresponse()
        response.read()
        cookies = "; ".join(response.headers.get_all("Set-Cookie") or [])
        session = re.search(r"sessionid=([^;]+)", cookies)
        if response.status != 302 or not session:
            raise RuntimeError(f"signing in as {email} failed (status {response.status})")
        return f"sessionid={session.group(1)}"
    finally:
        conn.close()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database on the local PostgreSQL; yields its URL and drops it afterwards."""
    import psycopg

    name = f"bench_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({exc}). Start it, or set "
            "BENCH_POSTGRES_URL to an admin connection that may create databases."
        ) from exc
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # gone since the listing
            continue
        found = re.search(r"^PPid:\s+(\d+)$", status, re.MULTILINE)
        if found and int(found.group(1)) == master_pid:
            workers.append(int(entry.name))
    return sorted(workers)


def resident_kib(pid: int) -> int:
    """VmRSS of a process, in KiB."""
    found = re.search(r"^VmRSS:\s+(\d+) kB$", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    if not found:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return int(found.group(1))


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    return _cpu_ticks(pids) / os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime
    return total


def wait_until_idle(server: Server, limit_seconds: float = 60) -> None:
    """Wait until the workers stop using CPU.

    When wrk stops, requests it had sent are still queued at the server and the sync workers
    serve them all the same; without this wait, that backlog would be charged to the next run.
    """
    workers = worker_pids(server.pid)
    deadline = time.monotonic() + limit_seconds
    before = _cpu_ticks(workers)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _cpu_ticks(workers)
        if now == before:
            return
        before = now
    raise RuntimeError(f"the workers of the server on port {server.port} did not become idle")
