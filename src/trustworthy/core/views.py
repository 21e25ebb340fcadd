"""Service-wide views: health check and error pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from .auth import NOT_SENT, keep_work, keeps_work, owner_mark


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Page not found", "status": 404}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "You cannot do that", "status": 403}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "Sorry, there is a problem with the service", "status": 500},
        status=500,
    )


def _same_origin_page(request: HttpRequest) -> str:
    """The page the form was sent from, if it is one of this service's own ("" if not)."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.scheme not in ("http", "https") or referer.netloc != request.get_host():
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _may_keep(request: HttpRequest, reason: str) -> bool:
    """Keep what was typed only when it is the signed-in person's own form on a page that
    hands kept work back: the check failed on the token or its cookie (Django's messages for
    those begin "CSRF"), not on where the request came from, and the form was sent from this
    same page of this site. A post from anywhere else gets the plain refusal."""
    user = getattr(request, "user", None)
    if request.method != "POST" or user is None or not user.is_authenticated or not reason.startswith("CSRF"):
        return False
    if urlsplit(_same_origin_page(request)).path != request.path:
        return False
    try:
        return keeps_work(resolve(request.path_info).func)
    except Resolver404:
        return False


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose CSRF check failed (settings.CSRF_FAILURE_VIEW). Nothing from it is saved.
    If it is the signed-in person's own form, what they typed is kept for them, as when a
    session expires, and they go back to the page to check it and send it again; otherwise
    a page says what happened and what to do."""
    if _may_keep(request, reason):
        keep_work(request, owner_mark(request.user.pk), NOT_SENT)
        return HttpResponseRedirect(request.get_full_path())
    return render(
        request,
        "core/csrf_failure.html",
        {"title": "Your form could not be sent", "back": _same_origin_page(request)},
        status=403,
    )
