"""Helpers for tests that start the real `trustworthy serve`: a fresh database of the suite's
kind under production settings, a free port, a server started and stopped, and just enough of a
browser behind a TLS proxy.

Django is only ever set up in child processes (`in_django`), so one test can talk to a server's
database without sharing this process's settings.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CLI = [sys.executable, "-m", "trustworthy.cli"]
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "serve-test-password-123"


def suite_database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def is_postgres(url: str | None) -> bool:
    return bool(url) and urllib.parse.urlsplit(url).scheme.startswith(("postgres", "postgis"))  # type: ignore[arg-type]


@contextmanager
def fresh_environment(data_dir: Path) -> Iterator[dict[str, str]]:
    """Production settings over a new, empty database of the suite's kind (a database of its
    own on the suite's PostgreSQL, dropped afterwards; or SQLite in `data_dir`)."""
    env = {
        **os.environ,
        "TRUSTWORTHY_ENV": "production",
        "TRUSTWORTHY_DATA_DIR": str(data_dir),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    url = suite_database_url()
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


def load_demo(env: dict[str, str]) -> None:
    demo = subprocess.run(
        [*CLI, "demo", "--password", PASSWORD], env=env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr


def in_django(env: dict[str, str], target: str, *args: str) -> Any:
    """Run `module:function(*args)` in a child process with Django set up for `env`; its JSON result."""
    code = (
        "import importlib, json, sys, django; django.setup(); "
        "module, name = sys.argv[1].split(':'); "
        "print('RESULT ' + json.dumps(getattr(importlib.import_module(module), name)(*sys.argv[2:])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, target, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise AssertionError(f"{target} failed:\n{done.stdout}\n{done.stderr}")


def open_demo_consultation() -> dict[str, Any]:
    """(In a Django child process.) Open a consultation on a demo appraisal still being written;
    its appraisal's id and the link's token."""
    import datetime

    from django.utils import timezone

    from trustworthy.appraisals.models import Appraisal
    from trustworthy.voices import services

    appraisal = Appraisal.objects.filter(status="draft", created_by__email__startswith="lead@").first()
    assert appraisal is not None, "the demo has an appraisal still being written by its lead"
    new = services.open_consultation(
        appraisal=appraisal, user=appraisal.created_by, title="Family meetings",
        description="We want to try a family meeting before big decisions.",
        groups=["young-people", "carers"], expires_on=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip
    return {"appraisal": appraisal.pk, "token": new.token, "lead": appraisal.created_by.email}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    env: dict[str, str], port: int, log: Path, *, errors: Path | None = None, workers: int = 2
) -> subprocess.Popen[bytes]:
    """`trustworthy serve` on `port`: its output (the access log) in `log`, its error output in
    `errors` (or `log` too); returns once it listens."""
    command = [*CLI, "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:  # files, not pipes: a full pipe would stall the server
        if errors is None:
            server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        else:
            with errors.open("wb") as err:
                server = subprocess.Popen(command, env=env, stdout=out, stderr=err)
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


def stop(server: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as a service manager sends; its exit code (fails if it does not stop in 60 s)."""
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
        pytest.fail("serve did not stop within 60 s of SIGTERM")


@contextmanager
def serving(env: dict[str, str], log: Path, **options: Any) -> Iterator[int]:
    """A started server's port until the block ends."""
    port = free_port()
    server = start(env, port, log, **options)
    try:
        yield port
    finally:
        stop(server)


class Browser:
    """Just enough of a browser: cookies by name, and the headers a TLS proxy adds."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        sent = {
            "X-Forwarded-Proto": "https",  # production cookies are Secure; the proxy says it was TLS
            "Referer": f"{self.origin}{path}",
            "Origin": self.origin,
            **self.headers,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.headers.get("Location", ""), text
        finally:
            conn.close()

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        """Post the sign-in form; the status (302 when signed in)."""
        status, _, page = self.request("GET", "/accounts/login/")
        assert status == 200
        token = hidden(page, "csrfmiddlewaretoken")
        status, location, _ = self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "email": email, "password": password}
        )
        if status == 302:
            assert "/accounts/login/" not in location
        return status


def hidden(page: str, name: str) -> str:
    """The value of the form field `name` on `page`."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"the page has a {name} field"
    return found.group(1)
