"""Refusals every layer raises, so one middleware can answer them the same way everywhere."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied


class Refused(Exception):
    """A change was refused; the message is written for the person who asked for it."""


class NotPermitted(Refused, PermissionDenied):
    """The person's role does not allow this change (a 403 on the web)."""


class Locked(Refused):
    """What is being changed cannot change in its current state (a 409 page on the web)."""


class Unavailable(Exception):
    """Cannot be done right now, though nothing is wrong with the request (a 503: try again
    later); the message says so in plain words."""

    retry_after = 60


class Invalid(Exception):
    """What was sent cannot be saved as it is; shown on the form, next to `field` if named."""

    field: str | None = None


class Conflict(Refused):
    """Someone else saved this since the person opened it: `current` is what they saved,
    `version` the version a new attempt must start from."""

    def __init__(self, current: Mapping[str, object], version: int) -> None:
        super().__init__("Someone else saved this while you were editing it.")
        self.current = dict(current)
        self.version = version
