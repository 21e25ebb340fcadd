"""Turn a refused change to a locked appraisal, or work that cannot be done just now, into a
clear page, wherever it was raised."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import Locked, Unavailable


class LockedAppraisalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Locked):
            return render(
                request,
                "core/locked.html",
                {"title": "This appraisal cannot be changed", "message": str(exception)},
                status=409,
            )
        if isinstance(exception, Unavailable):
            response = render(
                request,
                "core/error.html",
                {"title": "Please try again later", "message": str(exception), "status": 503},
                status=503,
            )
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None
