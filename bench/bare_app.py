"""The baseline the page benches are measured against, served by gunicorn like the service.

A bare Django view returning "hello": no middleware, no sessions, no database, no templates
(settings in bench/bare_settings.py). The floor for any Django page on this machine.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
