"""Signing in without losing work, and without showing it to anyone else.

If a session expires while someone is filling in a form, their POST arrives signed out.
Rather than dropping it, `login_required` keeps the submitted fields in the (anonymous)
session, sends them to sign in, and hands the fields back to the same page afterwards,
where the view shows them again, unsaved, for the person to check and submit.

Only to the same person: by the time the work is kept their session has gone, so each
signed-in page also leaves a mark in the browser of who is signed in there (a cookie
holding a keyed hash of their account's id, nothing readable). Work is kept for the
person the mark names, and handed back only if that is who signs in next; anyone else
who signs in on that browser never sees it (it is dropped as they sign in). Signing
out removes the mark; without one, nothing is kept.

The same keeping serves a form whose CSRF check failed while its sender was still signed
in (`core.views.csrf_failure`): it is kept for them and shown again, unsaved, to send again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.request import QueryDict
from django.utils.crypto import constant_time_compare, salted_hmac

KEPT_WORK_KEY = "kept_work"
# Why work was kept, so the page says what happened: the session expired, or the form's
# CSRF check failed (a cookie lost or out of date) while the person was still signed in.
SIGNED_OUT = "signed-out"
NOT_SENT = "not-sent"
# Who was last signed in on this browser; it outlives their session, which is the point.
OWNER_COOKIE = "kept_work_for"
OWNER_COOKIE_AGE = 7 * 24 * 60 * 60

View = Callable[..., HttpResponse]


def owner_mark(user_id: Any) -> str:
    """The mark for one account: a keyed hash of its id, so the cookie says nothing itself."""
    return salted_hmac("trustworthy.core.auth.kept-work", str(user_id), algorithm="sha256").hexdigest()


def _is_owner(kept: dict[str, Any], user: Any) -> bool:
    owner = kept.get("owner")
    return (
        bool(owner)
        and bool(getattr(user, "is_authenticated", False))
        and constant_time_compare(str(owner), owner_mark(user.pk))
    )


def mark_signed_in(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Leave (or refresh) the mark of who is signed in on this browser."""
    user = request.user
    if user.is_authenticated:
        mark = owner_mark(user.pk)
        if request.COOKIES.get(OWNER_COOKIE) != mark:
            response.set_cookie(
                OWNER_COOKIE,
                mark,
                max_age=OWNER_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
    return response


def forget_signed_in(response: HttpResponse) -> HttpResponse:
    """On signing out: no mark, so nothing typed on this browser is kept for anyone."""
    response.delete_cookie(OWNER_COOKIE, samesite="Lax")
    return response


def keep_work(request: HttpRequest, owner: str, reason: str = SIGNED_OUT) -> None:
    """Keep what was posted to this page, unsaved, for `owner` to get back on it (once)."""
    fields = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
    request.session[KEPT_WORK_KEY] = {
        "path": request.path,
        "fields": fields,
        "owner": owner,
        "reason": reason,
    }


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return mark_signed_in(request, view(request, *args, **kwargs))
        owner = request.COOKIES.get(OWNER_COOKIE, "")
        if request.method == "POST" and owner:
            keep_work(request, owner)
        return redirect_to_login(request.get_full_path())

    # The mark of a page that hands kept work back (see `keeps_work`).
    wrapper.keeps_work = True  # type: ignore[attr-defined]
    return wrapper


def keeps_work(view: Any) -> bool:
    """Whether a view is a signed-in page that can keep what was posted to it."""
    return bool(getattr(view, "keeps_work", False))


@dataclass(frozen=True)
class KeptWork:
    data: QueryDict
    reason: str  # SIGNED_OUT or NOT_SENT


def take_kept_work(request: HttpRequest) -> KeptWork | None:
    """The fields kept for this page (the session expired, or the form could not be sent),
    once, if they were typed by the person now signed in; None if there are none."""
    kept = request.session.get(KEPT_WORK_KEY)
    if request.method != "GET" or not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT_WORK_KEY]
    if not _is_owner(kept, request.user):
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["fields"].items():
        data.setlist(key, values)
    return KeptWork(data, kept.get("reason", SIGNED_OUT))


def _drop_work_kept_for_someone_else(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Signing in keeps the anonymous session's data: not someone else's kept work."""
    session = getattr(request, "session", None)
    if session is None:
        return
    kept = session.get(KEPT_WORK_KEY)
    if kept and not _is_owner(kept, user):
        del session[KEPT_WORK_KEY]


user_logged_in.connect(_drop_work_kept_for_someone_else, dispatch_uid="trustworthy-kept-work-owner")
