"""Settings for the test suite: the same settings, read with TRUSTWORTHY_ENV=test."""

import os

os.environ["TRUSTWORTHY_ENV"] = "test"

from .settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the live server's threads then get connections of their own, so
    # concurrent requests in browser and conflict tests are isolated as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
