"""Who is calling: a personal API token (`Authorization: Bearer <token>`), or the person's
signed-in session (with Django's CSRF check on unsafe methods). Either way, each caller
has a fixed-window rate limit kept in the cache."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from . import tokens
from .errors import RateLimited

WINDOW_SECONDS = 60


def check_rate(key: str) -> None:
    """Count a request against `key` in this minute's window; refuse past the limit."""
    limit = int(getattr(settings, "API_RATE_LIMIT", 600))
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    cache = caches[getattr(settings, "API_RATE_LIMIT_CACHE", "default")]
    name = f"api-rate:{key}:{window}"
    cache.add(name, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        raise RateLimited(max(1, int((window + 1) * WINDOW_SECONDS - now) + 1))


class TokenAuth(HttpBearer):
    """A personal API token: the request acts as its person, in its organisation only,
    with the token's role."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = tokens.authenticate(token)
        if found is None:
            return None
        api_token, membership = found
        request.user = membership.user
        request.memberships = [membership]
        request.membership = membership
        request.api_token = api_token
        check_rate(f"token:{api_token.pk}:{api_token.prefix}")
        return api_token


class SignedIn(SessionAuth):
    """The signed-in session, as on the web pages (every membership, each with its role)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        check_rate(f"user:{user.pk}")
        return user


AUTH = [TokenAuth(), SignedIn()]
