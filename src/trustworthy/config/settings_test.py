"""Settings for the test suite: the same settings, read with TRUSTWORTHY_ENV=test."""

import os

os.environ["TRUSTWORTHY_ENV"] = "test"

from .settings import *  # noqa: F403
