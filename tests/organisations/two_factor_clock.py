"""The time as django-otp sees it, set by the test, for two-factor tests in and out of a browser.

django-otp reads the time for a code (`time.time()` in its TOTP device) and for the wait
after a wrong code (`timezone.now()`); `twofactor` reads it to say how long that wait is.
`use_clock` replaces those three, in those modules only, with one clock the test moves,
so a code is never a step late and no test sleeps. Codes are worked out from the
device's key with django-otp's own TOTP.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django_otp import models as otp_models
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustworthy.organisations import twofactor


class Clock:
    """The time as django-otp sees it; its codes change every 30 seconds."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0  # the start of a step

    def time(self) -> float:
        return self.now

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def tick(self) -> None:
        """On to the app's next code."""
        self.advance(30)

    def wait_out_throttling(self) -> None:
        """Long enough that the wait after the last wrong code (doubling from a second) is over."""
        self.advance(60 * 60)


def use_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=clock.time))
    monkeypatch.setattr(otp_models, "timezone", SimpleNamespace(now=clock.datetime))
    monkeypatch.setattr(twofactor, "timezone", SimpleNamespace(now=clock.datetime))
    return clock


def code_for(device: TOTPDevice, clock: Clock) -> str:
    """The code the person's authenticator app shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = clock.now
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice, clock: Clock) -> str:
    return "000000" if code_for(device, clock) != "000000" else "111111"
