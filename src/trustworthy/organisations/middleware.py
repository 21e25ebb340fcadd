"""Attach the signed-in user's memberships and current organisation to each request.

The user and their memberships come from one query (memberships joined to the user and
the organisation) instead of two. That query is used only when Django itself would accept
the session without side effects: the session names a backend in AUTHENTICATION_BACKENDS
whose `get_user` is ModelBackend's, the user may sign in (`user_can_authenticate`), and
the session's hash matches the user's current one. Any other case (no memberships, an
inactive user, a changed password, a hash made with a rotated secret, another backend)
is left to `django.contrib.auth.get_user`, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from trustworthy.core.prepared import Prepared

from .models import Membership, User

SESSION_KEY = "current_organisation_id"

_memberships_of: Prepared[Membership] = Prepared(
    lambda user_id: Membership.objects.filter(user_id=user_id).select_related("user", "organisation")
)


def _verified_memberships(request: HttpRequest) -> list[Membership] | None:
    """The signed-in user's memberships, each with `.user` (one instance, verified) and
    `.organisation`, in one query. An empty list when the session's user has none (who
    they are is then left to Django); None when Django's own `get_user` must decide."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[USER_SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session.get(HASH_SESSION_KEY)
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return None
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return None
    memberships = _memberships_of(user_id)
    if not memberships:
        return []
    user = memberships[0].user
    if not backend.user_can_authenticate(user):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    for membership in memberships:
        membership.user = user
    return memberships


class CurrentOrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []
        request.membership = None
        memberships = _verified_memberships(request)
        if memberships:
            request.user = memberships[0].user
        elif memberships is None and request.user.is_authenticated:
            memberships = list(request.user.memberships.select_related("organisation"))
        if memberships:
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            request.memberships = memberships
            request.membership = current or memberships[0]
        return self.get_response(request)
