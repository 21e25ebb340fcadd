"""Settings come from the environment and fail closed in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

STRONG_KEY = "settings-test-key-" + "Vb8r2Lq" * 6


def settings_in(env: dict[str, str], code: str | None = None) -> subprocess.CompletedProcess[str]:
    code = code or (
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
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "TRUSTWORTHY_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_has_debug_off_and_development_on(tmp_path) -> None:
    production = settings_in({
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    })  # fmt: skip
    assert production.stdout.split()[0] == "False", production.stderr
    development = settings_in({"TRUSTWORTHY_DATA_DIR": str(tmp_path)})
    assert development.stdout.split() == ["True", "django.db.backends.sqlite3"], development.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short",
        "k" * 60,  # long, but one character
        "abcd" * 20,  # four distinct characters
        "insecure-key-for-development-and-tests-only",  # the development default
        "django-insecure-" + "Vb8r2Lq" * 8,  # what startproject generates for development
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key: str) -> None:
    result = settings_in({
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": key, "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    })  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is too weak for production" in result.stderr
    assert key not in result.stderr, "the key is not echoed"


def test_development_keeps_its_own_key_and_production_takes_a_strong_one(tmp_path) -> None:
    assert settings_in({"TRUSTWORTHY_DATA_DIR": str(tmp_path), "DJANGO_SECRET_KEY": "short"}).returncode == 0
    strong = settings_in({
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    })  # fmt: skip
    assert strong.returncode == 0, strong.stderr


def test_https_settings_in_production_come_from_the_environment(tmp_path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    base = {
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    }  # fmt: skip
    assert settings_in(base, code).stdout.split() == ["True", "31536000", "True", "True", "True", "True"]
    changed = settings_in(
        {
            **base,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "3600",
            "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
            "DJANGO_SECURE_HSTS_PRELOAD": "false",
        },
        code,
    )
    assert changed.stdout.split() == ["False", "3600", "False", "False", "True", "True"], changed.stderr
    development = settings_in({"TRUSTWORTHY_DATA_DIR": str(tmp_path)}, code)
    assert development.stdout.split() == ["False", "0", "False", "False", "False", "False"], (
        development.stderr
    )


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
