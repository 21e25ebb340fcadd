"""What pages ask for on every request is worked out once: URLs by name, the hashed names
of static files, compiled templates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.templatetags.static import static
from django.test import override_settings
from django.urls import clear_script_prefix, path, set_script_prefix
from django.urls import reverse as django_reverse

from trustworthy.config.jinja2 import _static
from trustworthy.core.urls import reverse


def elsewhere(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse()


# This module is also a URLconf, with the task list's name on another path.
urlpatterns = [path("elsewhere/<int:pk>/", elsewhere, name="appraisal-tasks")]


@pytest.fixture(autouse=True)
def default_prefix() -> Iterator[None]:
    yield
    clear_script_prefix()
    set_script_prefix("/")


def test_urls_are_djangos() -> None:
    for name, args in (("appraisal-tasks", [7]), ("appraisal-question", [7, "P1"]), ("home", None)):
        assert reverse(name, args=args) == django_reverse(name, args=args)
        assert reverse(name, args=args) == reverse(name, args=args)  # kept
    assert reverse("appraisal-tasks", kwargs={"pk": 7}) == "/appraisals/7/"


def test_urls_follow_the_urlconf_and_the_script_prefix() -> None:
    assert reverse("appraisal-tasks", args=[7]) == "/appraisals/7/"
    with override_settings(ROOT_URLCONF=__name__):
        assert reverse("appraisal-tasks", args=[7]) == "/elsewhere/7/"
    set_script_prefix("/mounted/")
    assert reverse("appraisal-tasks", args=[7]) == "/mounted/appraisals/7/"


def test_static_names_follow_the_settings() -> None:
    assert _static("css/application.css") == static("css/application.css")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert _static("css/application.css") == "/elsewhere/css/application.css"
    assert _static("css/application.css") == static("css/application.css")


def test_templates_are_not_reloaded_outside_debug() -> None:
    env = engines["jinja2"].env
    assert env.auto_reload is False
