"""Whatever is shown to someone signed in stays out of browser and proxy caches.

Pages and files for a signed-in person (records, dashboards, exports, the API) can hold
sensitive text about children's services. A response that says nothing about caching is
sent with `Cache-Control: private, no-store`, so no shared cache keeps it and the browser
does not show it again from its history to the next person at that computer after sign-out.
Views that choose their own Cache-Control (record downloads, never_cache pages) keep it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # read after the view: the API sets it there
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
