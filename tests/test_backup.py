"""`trustworthy backup` and `restore`: a copy restored into an empty database, on SQLite and on
PostgreSQL, gives every appraisal's decision record byte for byte and passes `audit verify`.

Each step is the real command in its own process, over the demo in a throwaway data folder
(or throwaway PostgreSQL databases when the suite runs on PostgreSQL), never ./data.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import stat
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "trustworthy.cli"]
PASSWORD = "backup-test-password-123"
SECRET_KEY = "backup-test-secret-key-" + "x7Qp2" * 8

# Every appraisal's decision record in every format, as `trustworthy export` renders it, at a
# fixed moment (a record says when it was produced): {appraisal id: {format: sha256}}.
EXPORTS = """
import dataclasses, hashlib, json, django
django.setup()
from trustworthy.appraisals.models import Appraisal
from trustworthy.reports import render_docx, render_html, render_json, render_pdf
from trustworthy.reports.services import record_for
found = {}
for appraisal in Appraisal.objects.select_related("project", "organisation").order_by("pk"):
    record = dataclasses.replace(record_for(appraisal), generated_at="2030-01-01T00:00:00+00:00")
    found[appraisal.pk] = {
        name: hashlib.sha256(module.render(record)).hexdigest()
        for name, module in [("json", render_json), ("html", render_html), ("pdf", render_pdf),
                             ("docx", render_docx)]
    }
print("EXPORTS " + json.dumps(found))
"""


def environment(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_", "DATABASE_URL"))
    }
    env = {
        **clean,
        "TRUSTWORTHY_ENV": "production",
        "TRUSTWORTHY_DATA_DIR": str(data_dir),
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
        **extra,
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=600, check=False)


def exports(env: dict[str, str]) -> dict[str, dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-c", EXPORTS], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("EXPORTS "))
    found: dict[str, dict[str, str]] = json.loads(line.removeprefix("EXPORTS "))
    return found


def demo(env: dict[str, str]) -> dict[str, dict[str, str]]:
    done = run(env, "demo", "--password", PASSWORD)
    assert done.returncode == 0, done.stderr
    before = exports(env)
    assert len(before) >= 4, "the demo has several appraisals to compare"
    return before


def backed_up(env: dict[str, str], output: Path, magic: bytes) -> None:
    done = run(env, "backup", "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout
    assert stat.S_IMODE(output.stat().st_mode) == 0o600, "the backup is private to the service's user"
    assert output.read_bytes().startswith(magic), "the file says what kind of backup it is"
    assert not [p for p in output.parent.iterdir() if p.name.endswith(".partial")], "nothing left behind"


def restored_and_verified(env: dict[str, str], file: Path, before: dict[str, dict[str, str]]) -> None:
    done = run(env, "restore", str(file))
    assert done.returncode == 0, done.stderr
    assert "Audit trail verified" in done.stdout
    assert exports(env) == before, "every decision record is byte-identical in every format"
    verify = run(env, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def refused_one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"one clear line, not a traceback: {done.stderr}"
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The demo on SQLite, and its records as exported before any backup."""
    source = environment(tmp_path_factory.mktemp("source"))
    return source, demo(source)


def test_sqlite_round_trip_while_a_write_is_in_progress(
    tmp_path: Path, sqlite_demo: tuple[dict[str, str], dict[str, dict[str, str]]]
) -> None:
    source, before = sqlite_demo
    file = tmp_path / "backups" / "trustworthy.backup"
    file.parent.mkdir()

    # The service is writing as the backup runs: a write transaction open on the database.
    # The online backup neither waits for it nor copies what it has not committed.
    writer = sqlite3.connect(
        Path(source["TRUSTWORTHY_DATA_DIR"]) / "trustworthy.sqlite3", isolation_level=None
    )
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE appraisals_project SET title = 'Changed while the backup ran'")
        backed_up(source, file, b"SQLite format 3\x00")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    # A second backup to the same name replaces the first once it is whole.
    backed_up(source, file, b"SQLite format 3\x00")

    target = environment(tmp_path / "restored")
    restored_and_verified(target, file, before)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "restored").glob("trustworthy*")}
    assert modes["trustworthy.sqlite3"] == 0o600
    assert stat.S_IMODE((tmp_path / "restored").stat().st_mode) == 0o700

    # Never over a database that holds anything: the one just restored, then one just migrated.
    refused_one_line(run(target, "restore", str(file)), "already holds", "empty data folder")
    migrated = environment(tmp_path / "migrated")
    assert run(migrated, "migrate").returncode == 0
    refused_one_line(run(migrated, "restore", str(file)), "already holds")
    assert exports(target) == before, "the refused restore changed nothing"


def test_a_restore_under_another_key_does_not_verify(
    tmp_path: Path, sqlite_demo: tuple[dict[str, str], dict[str, dict[str, str]]]
) -> None:
    """The audit key is not in the backup: a service restored with another one says so."""
    source, _ = sqlite_demo
    file = tmp_path / "trustworthy.backup"
    backed_up(source, file, b"SQLite format 3\x00")
    other = environment(tmp_path / "other", DJANGO_SECRET_KEY="another-secret-key-" + "Zk3m9" * 8)
    done = run(other, "restore", str(file))
    assert done.returncode == 1
    assert "does not verify" in done.stderr
    assert "TRUSTWORTHY_AUDIT_KEY" in done.stderr
    with_audit_key = environment(tmp_path / "with-key", TRUSTWORTHY_AUDIT_KEY="a-different-audit-key")
    assert run(with_audit_key, "restore", str(file)).returncode == 1


def test_restore_refuses_what_it_cannot_load(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    env = environment(tmp_path / "data")
    refused_one_line(run(env, "restore", str(not_a_backup)), "not a backup")
    sqlite_backup = tmp_path / "sqlite.backup"
    sqlite_backup.write_bytes(b"SQLite format 3\x00" + bytes(100))
    # A SQLite backup is not loaded into PostgreSQL (this address is never connected to).
    on_postgres = environment(tmp_path / "data", "postgres://nobody@127.0.0.1:1/nothing")
    refused_one_line(run(on_postgres, "restore", str(sqlite_backup)), "SQLite", "PostgreSQL")
    assert not (tmp_path / "data" / "trustworthy.sqlite3").exists()
    refused_one_line(run(env, "restore", str(sqlite_backup)), "Could not restore")
    assert not (tmp_path / "data" / "trustworthy.sqlite3").exists(), "nothing is left of a failed restore"
    refused_one_line(run(env, "backup", "--output", str(tmp_path / "missing" / "x.backup")), "no folder")


# --- PostgreSQL ----------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two new databases (the source and the restore's empty target), dropped afterwards."""
    url = _postgres_url()
    if url is None:
        pytest.skip("the suite runs on SQLite (DATABASE_URL is not PostgreSQL)")
    import psycopg

    names = [f"trustworthy_backup_{secrets.token_hex(4)}" for _ in range(2)]
    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        source, target = (urllib.parse.urlunsplit(parts._replace(path=f"/{name}")) for name in names)
        yield source, target
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip(tmp_path: Path, postgres_databases: tuple[str, str]) -> None:
    source_url, target_url = postgres_databases
    source = environment(tmp_path / "source", source_url)
    before = demo(source)
    file = tmp_path / "trustworthy.backup"
    backed_up(source, file, b"PGDMP")

    target = environment(tmp_path / "restored", target_url)
    restored_and_verified(target, file, before)
    refused_one_line(run(target, "restore", str(file)), "already holds", "empty database")
    # A PostgreSQL backup is not loaded into SQLite.
    refused_one_line(run(environment(tmp_path / "sqlite"), "restore", str(file)), "PostgreSQL", "SQLite")
