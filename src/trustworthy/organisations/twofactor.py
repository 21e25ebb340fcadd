"""Two-factor authentication: an authenticator app and one-time recovery codes (django-otp).

Someone turns it on by adding this service to an authenticator app (a TOTP device,
unconfirmed until they type a code it shows) and is then shown ten recovery codes once
(a static device: each code works once). From then on, signing in asks for a code after
the password: `twofactor_middleware` holds every page until the session is verified.

Who must use it is a setting (`TRUSTWORTHY_REQUIRE_2FA_ROLES`: admins and approvers in
production): holding such a role in any organisation is enough. Anyone else may turn it
on, and is then asked for a code in the same way.

Wrong codes are slowed down by django-otp's throttling (each failure doubles the wait
before the next attempt, per device). Turning it on or off and renewing recovery codes
are recorded, with the person as the actor, in the chain of every organisation they
belong to (an account belongs to no single organisation).
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import Membership, Role, User
from .services import ServiceError

__all__ = [
    "HAS_DEVICE",
    "NEW_CODES",
    "RECOVERY_CODES",
    "Checked",
    "authenticator",
    "check_code",
    "codes_left",
    "has_authenticator",
    "new_recovery_codes",
    "required_by",
    "required_roles",
    "start_set_up",
    "turn_off",
    "turn_on",
    "typed_key",
    "verified",
]

RECOVERY_CODES = 10
# Session keys: whether the person had an authenticator app when they signed in (so pages
# need not ask the database on every request), and recovery codes waiting to be shown once.
HAS_DEVICE = "two_factor_device"
NEW_CODES = "two_factor_new_codes"

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

TURNED_ON = "account.two-factor-on"
TURNED_OFF = "account.two-factor-off"
CODES_RENEWED = "account.recovery-codes-renewed"

_TOTP = re.compile(r"\d{6}")
_RECOVERY = re.compile(r"[a-z2-7]{8}")


# Who must use it -----------------------------------------------------------------------


def required_roles() -> frozenset[str]:
    roles = frozenset(getattr(settings, "TRUSTWORTHY_REQUIRE_2FA_ROLES", ()))
    unknown = roles - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(
            f"TRUSTWORTHY_REQUIRE_2FA_ROLES names roles that do not exist: {', '.join(sorted(unknown))}. "
            f"Use any of {', '.join(Role.values)}."
        )
    return roles


def required_by(memberships: Iterable[Membership]) -> Membership | None:
    """The first membership whose role requires two-factor authentication, if any."""
    roles = required_roles()
    return next((m for m in memberships if m.role in roles), None) if roles else None


# Devices -------------------------------------------------------------------------------


def authenticator(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have turned two-factor on."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def _recovery(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def verified(request: HttpRequest) -> bool:
    """Whether this session has passed the code step (see `twofactor_middleware`)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@receiver(user_logged_in, dispatch_uid="trustworthy-two-factor-sign-in")
def _note_authenticator_at_sign_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Remember in the new session whether the person has an authenticator app, so that
    every sign-in (with a password or otherwise) is asked for a code without a query per page."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = has_authenticator(user)


def typed_key(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base 32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# Writes --------------------------------------------------------------------------------


def _record(user: User, action: str, after: dict[str, Any]) -> None:
    """The person's own change, in the chain of each organisation they belong to, as every
    change to an account is recorded (`services`), inside the caller's transaction. No code
    is ever in it."""
    after = {"user": user.pk, "email": user.email, **after}
    services._record_account_change(user, action, actor=user, after=after)


def start_set_up(user: User) -> TOTPDevice:
    """The authenticator the person is adding: the same one until they confirm it, so the
    key does not change if they reload the page after scanning it."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _throttled(device: Device) -> ServiceError | None:
    allowed, why = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (why or {}).get("locked_until")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 60
    wait = _plural(seconds, "second") if seconds < 120 else _plural(math.ceil(seconds / 60), "minute")
    return ServiceError(f"You have entered too many wrong codes. Wait {wait}, then try again", field="code")


def _check(user: User, device: Device, code: str) -> bool:
    """Whether `code` is right for the device (django-otp locks the device row while it
    checks, counts the failure or uses the code up, and commits that whatever happens next)."""
    throttled = _throttled(device)
    if throttled is not None:
        raise throttled
    return verify_token(user, device.persistent_id, code) is not None


def _new_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


WRONG_APP_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now"


def turn_on(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns the new recovery codes."""
    code = _normalise(code)
    if not _TOTP.fullmatch(code):
        raise ServiceError("Enter the 6-digit code from your authenticator app", field="code")
    if device.user_id != user.pk or device.confirmed:
        raise ServiceError("Start again: this authenticator app has already been set up", field="code")
    if not _check(user, device, code):
        raise ServiceError(WRONG_APP_CODE, field="code")
    with transaction.atomic():
        # One authenticator a person: any other, half set up or older, goes.
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        codes = _new_codes(user)
        _record(user, TURNED_ON, {"recovery_codes": RECOVERY_CODES})
    return codes


@dataclass(frozen=True)
class Checked:
    device: Device
    recovery_code_used: bool
    codes_left: int


def check_code(*, user: User, code: str) -> Checked:
    """Check a code from the authenticator app, or a recovery code (used up once it works)."""
    code = _normalise(code)
    app = authenticator(user)
    if app is None:
        raise ServiceError("Two-factor authentication is not turned on for your account", field="code")
    if _TOTP.fullmatch(code):
        if not _check(user, app, code):
            raise ServiceError(WRONG_APP_CODE, field="code")
        return Checked(app, recovery_code_used=False, codes_left=codes_left(user))
    if not _RECOVERY.fullmatch(code):
        raise ServiceError(
            "Enter the 6-digit code from your authenticator app, or a recovery code of 8 letters and numbers",
            field="code",
        )
    recovery = _recovery(user)
    if recovery is None or not _check(user, recovery, code):
        raise ServiceError("The recovery code is not right, or it has already been used", field="code")
    return Checked(recovery, recovery_code_used=True, codes_left=codes_left(user))


def sign_in_with(request: HttpRequest, checked: Checked) -> None:
    """Mark the session as verified by the device that accepted the code."""
    otp_login(request, checked.device)
    request.session[HAS_DEVICE] = True


def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the person's recovery codes: the old ones stop working."""
    if not has_authenticator(user):
        raise ServiceError("Turn on two-factor authentication first")
    with transaction.atomic():
        codes = _new_codes(user)
        _record(user, CODES_RENEWED, {"recovery_codes": RECOVERY_CODES})
    return codes


def turn_off(*, user: User, code: str | None) -> bool:
    """Remove the authenticator app and recovery codes; False if it was not on. People
    confirm with a code; an operator's command, for someone who has lost both their phone
    and their recovery codes, passes `code=None` (and is recorded with no actor)."""
    if code is not None:
        check_code(user=user, code=code)
    with transaction.atomic():
        was_on = has_authenticator(user)
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        if was_on and code is not None:
            _record(user, TURNED_OFF, {"by_operator": False})
        elif was_on:
            after = {"user": user.pk, "email": user.email, "by_operator": True}
            services._record_account_change(user, TURNED_OFF, actor=None, after=after)
    return was_on
