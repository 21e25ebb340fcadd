"""Settings for the test suite: the same settings, read with TRUSTWORTHY_ENV=test."""

import os
import tempfile

os.environ["TRUSTWORTHY_ENV"] = "test"

from .settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the live server's threads then get connections of their own, so
    # concurrent requests in browser and conflict tests are isolated as in production.
    # One file per test run, so runs side by side do not share a database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"trustworthy-test-{os.getpid()}.sqlite3")
    }
