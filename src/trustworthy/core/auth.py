"""Signing in without losing work.

If a session expires while someone is filling in a form, their POST arrives signed out.
Rather than dropping it, `login_required` keeps the submitted fields in the (anonymous)
session, sends them to sign in, and hands the fields back to the same page afterwards,
where the view shows them again, unsaved, for the person to check and submit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.request import QueryDict

KEPT_WORK_KEY = "kept_work"

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            fields = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
            request.session[KEPT_WORK_KEY] = {"path": request.path, "fields": fields}
        return redirect_to_login(request.get_full_path())

    return wrapper


def kept_work(request: HttpRequest) -> QueryDict | None:
    """The fields kept for this page when the session expired, once; None if there are none."""
    kept = request.session.get(KEPT_WORK_KEY)
    if request.method != "GET" or not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT_WORK_KEY]
    data = QueryDict(mutable=True)
    for key, values in kept["fields"].items():
        data.setlist(key, values)
    return data
