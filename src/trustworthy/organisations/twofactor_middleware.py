"""The one place two-factor authentication is enforced, for every page and the API.

After the person and their memberships are known (`middleware.CurrentOrganisationMiddleware`),
this marks the user verified or not (django-otp's OTPMiddleware, done at once rather than
lazily, so `request.user` stays the very object the memberships hold) and then, before
any view runs, holds a signed-in session that still owes a code:

- someone whose role requires two-factor authentication and who has not set it up is
  sent to set it up, and can open nothing else but signing out;
- someone who has an authenticator app (required or not) is sent to enter a code.

On the API such a session counts as signed out (401); personal API tokens are checked
by the API itself and are not affected. A verified session costs one query a request
(django-otp loads the device that verified it); someone who has not turned it on and
need not costs none (the session remembers, from signing in, whether they have an app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from . import twofactor

# Pages a session that owes a code may still open, by what it owes.
_WHILE_SETTING_UP = frozenset(
    {"two-factor-set-up", "two-factor-recovery-codes", "logout", "login", "healthz"}
)
_WHILE_ASKED_FOR_CODE = frozenset({"two-factor-code", "logout", "login", "healthz"})


class TwoFactorMiddleware(OTPMiddleware):
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        twofactor.required_roles()  # a misspelt role stops the service starting

    def _install_lazy_accessors(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is not None:
            # Queries only when the session was verified (to load the device that did it).
            request.user = self._verify_user_sync(request, user)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or twofactor.verified(request):
            return None
        memberships = getattr(request, "memberships", [])
        required = twofactor.required_by(memberships) is not None
        if not required and not request.session.get(twofactor.HAS_DEVICE):
            return None
        has_app = twofactor.has_authenticator(user)
        if not has_app and not required:
            request.session[twofactor.HAS_DEVICE] = False  # turned off in another session
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "api":
            # A session that owes a code is not signed in, as far as the API is concerned.
            request.user = AnonymousUser()
            request.memberships, request.membership = [], None
            return None
        allowed = _WHILE_ASKED_FOR_CODE if has_app else _WHILE_SETTING_UP
        if match is not None and match.url_name in allowed:
            return None
        target = reverse("two-factor-code" if has_app else "two-factor-set-up")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
