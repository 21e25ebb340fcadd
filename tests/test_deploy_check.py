"""Safe by default: production passes Django's deployment check, `serve` shows no debug pages
unless asked, plain HTTP goes to HTTPS, the data folder is private, and nothing shown to a
signed-in person is kept by a browser or proxy."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from .conftest import PASSWORD

CLI = [sys.executable, "-m", "trustworthy.cli"]


def clean_environment(**env: str) -> dict[str, str]:
    kept = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_", "DATABASE_URL"))
    }
    return {**kept, "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings", **env}


def production(tmp_path: Path, **env: str) -> dict[str, str]:
    return clean_environment(
        TRUSTWORTHY_ENV="production",
        TRUSTWORTHY_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,innovation.example.gov.uk",
        **env,
    )


def test_the_deployment_check_is_clean_in_production(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=production(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


# Requests through the WSGI application in a fresh interpreter with production settings.
REQUESTS = """
import io, json, sys
from django.core.wsgi import get_wsgi_application
app = get_wsgi_application()
def get(path, https):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "innovation.example.gov.uk",
               "SERVER_PORT": "80", "HTTP_HOST": "innovation.example.gov.uk", "wsgi.input": io.BytesIO(),
               "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
    if https:
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
    seen = {}
    def start(status, headers, exc_info=None):
        seen.update(status=status, headers=dict(headers))
    body = app(environ, start)
    b"".join(body); body.close()
    return [seen["status"], seen["headers"]]
print(json.dumps({"plain": get("/projects/", False), "health": get("/healthz", False),
                  "tls": get("/healthz", True)}))
"""


def test_production_sends_plain_http_to_https_except_the_health_check(tmp_path: Path) -> None:
    env = production(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + REQUESTS],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    status, headers = seen["plain"]
    assert status.startswith("301")
    assert headers["Location"] == "https://innovation.example.gov.uk/projects/"
    status, headers = seen["health"]
    assert status.startswith("200"), "a load balancer's plain HTTP health check is answered"
    assert "Strict-Transport-Security" not in headers
    status, headers = seen["tls"]
    assert status.startswith("200")
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        ({}, "Set DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "too weak"),
        ({"DJANGO_SECRET_KEY": "insecure-key-for-development-and-tests-only"}, "too weak"),
    ],
)
def test_serve_is_production_unless_told_otherwise(
    tmp_path: Path, extra: dict[str, str], refusal: str
) -> None:
    """Without TRUSTWORTHY_ENV, `serve` runs in production: it refuses a missing or weak secret
    key, in one line, before starting anything."""
    env = clean_environment(
        TRUSTWORTHY_DATA_DIR=str(tmp_path / "data"), DJANGO_ALLOWED_HOSTS="127.0.0.1", **extra
    )
    done = subprocess.run(
        [*CLI, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Could not start in production" in lines[0]
    assert refusal in lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_serve_without_an_environment_shows_no_debug_page(tmp_path: Path) -> None:
    env = clean_environment(
        TRUSTWORTHY_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the server
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", "1"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "serve did not start listening within 120 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)  # waiting for the port to open, not timing anything
        status, page = _get(port, "/no-such-page/")
        assert status == 404
        assert "Page not found" in page
        # Django's debug 404 lists the URL patterns tried and says how to turn DEBUG off.
        assert "DEBUG = True" not in page
        assert "URLconf" not in page
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_data_folder_and_database_are_private(tmp_path: Path) -> None:
    def migrate(data: Path) -> None:
        env = clean_environment(TRUSTWORTHY_ENV="development", TRUSTWORTHY_DATA_DIR=str(data))
        # As if the service's user had the usual umask, which would make both readable by all.
        done = subprocess.run(
            [*CLI, "migrate"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=lambda: os.umask(0o022),
        )
        assert done.returncode == 0, done.stderr

    def modes(data: Path) -> tuple[int, int]:
        return stat.S_IMODE(data.stat().st_mode), stat.S_IMODE((data / "trustworthy.sqlite3").stat().st_mode)

    new = tmp_path / "new"
    migrate(new)
    assert modes(new) == (0o700, 0o600)

    # A folder and database made readable by all before: put right on the next start.
    for path, mode in ((new, 0o755), (new / "trustworthy.sqlite3", 0o644)):
        path.chmod(mode)
    migrate(new)
    assert modes(new) == (0o700, 0o600)


@pytest.mark.django_db
def test_what_signed_in_people_see_is_not_kept_by_browsers_or_proxies(
    client_as: Callable[[str], Client], organisation: object
) -> None:
    from trustworthy.organisations.models import User
    from trustworthy.programmes import services

    programme = services.create_programme(name="National Innovation Fund")
    services.add_organisation(programme=programme, organisation=organisation)  # type: ignore[arg-type]
    researcher = User.objects.create_user("researcher@national.test", PASSWORD, full_name="Pat Researcher")
    services.add_member(programme=programme, user=researcher, role="researcher")
    signed_in = Client()
    signed_in.force_login(researcher)
    pages = [
        (signed_in, f"/programmes/{programme.slug}/research.zip"),
        (signed_in, f"/programmes/{programme.slug}/"),
        (client_as("lead"), "/projects/"),
        (client_as("admin"), "/organisation/programmes/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", ")), path

    # What anyone may see can be kept as usual.
    public = Client().get("/register/")
    assert public.status_code == 200
    assert "no-store" not in public.get("Cache-Control", "")
