"""`trustworthy backup` and `trustworthy restore`: the whole database in one file, and back.

A backup is the database only. Everything else in the data folder is made again: the
rendered records (reports/filestore.py) are rebuilt on first use, the static files by
`serve`. The audit key (TRUSTWORTHY_AUDIT_KEY, or derived from DJANGO_SECRET_KEY) is kept
out of the backup on purpose: whoever holds a backup must not be able to re-seal a changed
audit trail. A restored trail verifies only under the same key.

- SQLite: SQLite's online backup (`sqlite3.Connection.backup`) copies the database as one
  consistent snapshot while the service goes on reading and writing (WAL mode: the copy
  waits for no writer and no writer waits for it). The file is itself a SQLite database.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot too); `pg_restore` in a
  single transaction, so a failed restore leaves the database empty.

The file says which kind it is by its first bytes (SQLite's and pg_dump's own headers). A
backup is restored only into a database of the same kind that holds no tables yet, never
over existing data. Both are written to a temporary file beside the target, private to this
user (0600), and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.db import connection

from .data_folder import FILE_MODE, make_private, sqlite_path

Kind = Literal["sqlite", "postgresql"]
MAGIC: dict[Kind, bytes] = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}
NAMES: dict[Kind, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """Why a backup or restore was not done, in one line."""


@dataclass(frozen=True)
class Done:
    kind: Kind
    path: Path
    size: int  # bytes of the backup file
    tables: int  # tables in the backup (restore) or the database (backup)


def database_kind() -> Kind:
    return "sqlite" if sqlite_path() is not None else "postgresql"


def kind_of(path: Path) -> Kind:
    """What a backup file holds, from its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}.") from exc
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    raise BackupError(f"{path} is not a backup made by `trustworthy backup`.")


# --- backup -----------------------------------------------------------------------------------


def backup(output: Path) -> Done:
    """Write a backup of the database to `output` (replaced only once the new one is whole)."""
    if output.is_dir():
        raise BackupError(f"{output} is a folder: give the name of the backup file to write.")
    if not output.parent.is_dir():
        raise BackupError(f"There is no folder {output.parent} to write the backup in.")
    kind = database_kind()
    try:
        with _partial(output) as partial:
            tables = _backup_sqlite(partial) if kind == "sqlite" else _backup_postgresql(partial)
            size = partial.stat().st_size
    except sqlite3.Error as exc:
        raise BackupError(f"Could not back up the database: {exc}.") from exc
    return Done(kind, output, size, tables)


@contextlib.contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """An empty file beside `target`, private to this user, moved onto it if the block succeeds."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)  # mkstemp makes it 0600
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(partial: Path) -> int:
    database = sqlite_path()
    assert database is not None
    if not database.is_file():
        raise BackupError(f"There is no database at {database} to back up.")
    source = sqlite3.connect(database, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            # One self-contained file (the copy would otherwise expect a -wal file beside it).
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_sqlite(copy, partial)
            return _sqlite_tables(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _check_sqlite(db: sqlite3.Connection, path: Path) -> None:
    found = db.execute("PRAGMA quick_check").fetchone()
    if not found or found[0] != "ok":
        raise BackupError(f"{path} failed SQLite's check: {found[0] if found else 'no answer'}.")


def _sqlite_tables(db: sqlite3.Connection) -> int:
    row = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0])


def _postgres_env() -> dict[str, str]:
    """libpq's environment for the database in use: nothing secret on a command line."""
    database = connection.settings_dict
    options = database.get("OPTIONS", {})
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGDATABASE": database.get("NAME"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGPASSFILE": options.get("passfile"),
        "PGSERVICE": options.get("service"),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _run_postgres_tool(tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed: install PostgreSQL's client programs (postgresql-client)."
        )
    done = subprocess.run([tool, *args], env=_postgres_env(), capture_output=True, text=True, check=False)
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[0] if lines else f'exit code {done.returncode}'}")


def _postgres_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%'"
        )
        row = cursor.fetchone()
    connection.close()  # pg_restore works alone
    return int(row[0])


def _backup_postgresql(partial: Path) -> int:
    tables = _postgres_tables()
    _run_postgres_tool("pg_dump", "--format=custom", f"--file={partial}")
    return tables


# --- restore ----------------------------------------------------------------------------------


def restore(source: Path) -> Done:
    """Load a backup into this service's database, which must hold no tables yet."""
    kind = kind_of(source)
    here = database_kind()
    if kind != here:
        raise BackupError(
            f"{source} is a backup of a {NAMES[kind]} database, but this service uses {NAMES[here]}"
            + (" (DATABASE_URL is set)." if here == "postgresql" else " (DATABASE_URL is not set).")
        )
    try:
        tables = _restore_sqlite(source) if kind == "sqlite" else _restore_postgresql(source)
    except sqlite3.Error as exc:  # a damaged file, or a full disk
        raise BackupError(f"Could not restore {source}: {exc}.") from exc
    make_private()
    return Done(kind, source, source.stat().st_size, tables)


def _refuse_if_not_empty(tables: int, where: str, instead: str) -> None:
    if tables:
        raise BackupError(f"{where} already holds {tables} tables: restore only into {instead}.")


def _restore_sqlite(source: Path) -> int:
    target = sqlite_path()
    assert target is not None
    if target.exists():
        existing = sqlite3.connect(target)
        try:
            _refuse_if_not_empty(
                _sqlite_tables(existing),
                f"The database at {target}",
                "an empty data folder (set TRUSTWORTHY_DATA_DIR to a new one)",
            )
        finally:
            existing.close()
    backup_db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_sqlite(backup_db, source)
        tables = _sqlite_tables(backup_db)
        found = backup_db.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
        if not found:
            raise BackupError(f"{source} is a SQLite database but not a backup made by `trustworthy backup`.")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _partial(target) as partial:
            copy = sqlite3.connect(partial)
            try:
                backup_db.backup(copy)
                copy.execute("PRAGMA journal_mode=WAL")  # as the service runs it (settings)
            finally:
                copy.close()
            # An empty database left there may have -wal or -shm files of its own: they must
            # not be read as the restored database's.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    finally:
        backup_db.close()
    target.chmod(FILE_MODE)
    return tables


def _restore_postgresql(source: Path) -> int:
    database = connection.settings_dict
    _refuse_if_not_empty(
        _postgres_tables(), f"The database {database['NAME']}", "a new, empty database (see DATABASE_URL)"
    )
    # The tables belong to whoever restores them (this service's user), wherever they came from.
    _run_postgres_tool(
        "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
        f"--dbname={database['NAME']}", str(source),
    )  # fmt: skip
    return _postgres_tables()
