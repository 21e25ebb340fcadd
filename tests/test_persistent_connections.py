"""Outside tests each worker keeps its database connection between requests, checked before
reuse, with SQLite's pragmas set once for each connection (not for each request)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter: three requests through the WSGI handler, reporting how many
# connections were opened (Django runs init_command, the pragmas, for each) and the
# pragmas in force.
PROBE = """
import io, json, sys
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.db.backends.signals import connection_created
app = get_wsgi_application()
opened = []
connection_created.connect(lambda sender, connection, **kwargs: opened.append(connection.alias), weak=False)
def get(path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
               "wsgi.errors": sys.stderr}
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body); body.close()
    return statuses[0]
for _ in range(3):
    assert get("/healthz").startswith("200")
requests_opened = len(opened)
cursor = connection.cursor()
pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "synchronous")}
print(json.dumps({"opened": requests_opened, "pragmas": pragmas,
                  "max_age": connection.settings_dict["CONN_MAX_AGE"],
                  "health_checks": connection.settings_dict["CONN_HEALTH_CHECKS"]}))
"""


def _run(tmp_path: Path, env: dict[str, str]) -> dict[str, object]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_", "DATABASE_URL"))
    }
    data = tmp_path / "data"
    migrate = [sys.executable, "-m", "trustworthy.cli", "migrate"]
    full = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
        "TRUSTWORTHY_DATA_DIR": str(data),
        **env,
    }
    subprocess.run(migrate, env=full, check=True, capture_output=True)
    # collectstatic is not needed: /healthz renders no template.
    probe = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    return dict(json.loads(probe.stdout.strip().splitlines()[-1]))


def test_production_keeps_its_sqlite_connection_between_requests(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        {
            "TRUSTWORTHY_ENV": "production",
            "DJANGO_SECRET_KEY": "persistent-connections-test-key-" + "x" * 20,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        },
    )
    assert result["opened"] == 1, "the later requests used the first one's connection"
    assert result["max_age"] == 600
    assert result["health_checks"] is True
    assert result["pragmas"] == {"journal_mode": "wal", "synchronous": 1}  # 1 is NORMAL


def test_development_keeps_it_too_and_tests_do_not(tmp_path: Path) -> None:
    assert _run(tmp_path, {"TRUSTWORTHY_ENV": "development"})["opened"] == 1
    assert _run(tmp_path, {"TRUSTWORTHY_ENV": "test"})["opened"] == 3
