"""The data folder and the SQLite database in it are private to the service's user.

The database holds everything people wrote about children's services; the folder also holds
rendered records. `trustworthy migrate` (which `serve` runs on every start), `demo` and
`restore` call `make_private`, so a folder or database made before (or by hand) is put right
on the next start. SQLite gives its -wal and -shm files the database file's mode.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import connections

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def sqlite_path() -> Path | None:
    """The SQLite database file in use (a test run's own, in tests), or None on PostgreSQL."""
    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return Path(database["NAME"])


def make_private() -> list[str]:
    """Set the modes; return a line for each path that could not be changed (not its owner)."""
    paths: list[tuple[Path, int]] = [(Path(settings.DATA_DIR), FOLDER_MODE)]
    database = sqlite_path()
    if database is not None:
        paths += [(Path(f"{database}{suffix}"), FILE_MODE) for suffix in ("", "-wal", "-shm", "-journal")]
    problems = []
    for path, mode in paths:
        try:
            if path.exists() and (path.stat().st_mode & 0o777) != mode:
                os.chmod(path, mode)
        except OSError as exc:
            problems.append(f"Could not make {path} private to this user ({exc.strerror}).")
    return problems
