"""Settings come from the environment and fail closed in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def settings_in(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    result = settings_in(
        {"TRUSTWORTHY_ENV": "production", "DJANGO_ALLOWED_HOSTS": "x", "TRUSTWORTHY_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path) -> None:
    result = settings_in(
        {
            "TRUSTWORTHY_ENV": "production",
            "DJANGO_SECRET_KEY": "k" * 50,
            "TRUSTWORTHY_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_has_debug_off_and_development_on(tmp_path) -> None:
    production = settings_in({
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    })  # fmt: skip
    assert production.stdout.split()[0] == "False", production.stderr
    development = settings_in({"TRUSTWORTHY_DATA_DIR": str(tmp_path)})
    assert development.stdout.split() == ["True", "django.db.backends.sqlite3"], development.stderr


@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1:5432/postgres"])
def test_database_url_selects_postgresql(tmp_path, url: str) -> None:
    result = settings_in({"DATABASE_URL": url, "TRUSTWORTHY_DATA_DIR": str(tmp_path)})
    assert result.stdout.split()[1] == "django.db.backends.postgresql", result.stderr


def test_sqlite_lives_in_the_data_dir_in_wal_mode(tmp_path) -> None:
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(c.fetchone()[0], connection.settings_dict['NAME'])"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
            "TRUSTWORTHY_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    mode, name = result.stdout.split()
    assert mode == "wal", result.stderr
    assert name == str(tmp_path / "trustworthy.sqlite3")
