"""The Jinja2 environment: our templates first, then the GOV.UK Frontend macros.

Templates are compiled once per process and kept (Django turns `auto_reload` off unless
DEBUG). What every page asks for again and again is worked out once: URLs by name
(`core.urls.reverse`) and, outside DEBUG, the hashed names of static files, which only
change when the files are collected again, that is when the service is restarted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from trustworthy.core.templating import choice_items
from trustworthy.core.urls import reverse


@lru_cache(maxsize=256)
def _static_once(path: str) -> str:
    return static(path)


def _static(path: str) -> str:
    return static(path) if settings.DEBUG else _static_once(path)


def _forget_static(**kwargs: Any) -> None:
    _static_once.cache_clear()


setting_changed.connect(_forget_static, dispatch_uid="trustworthy-jinja2-static")


def csrf_input_once(request: HttpRequest) -> dict[str, Any]:
    """A context processor: the CSRF hidden input made once for the whole page.

    Django's Jinja2 backend makes it anew for every `{{ csrf_input }}`, masking the token
    each time; a page with a form for every comment paid for that many. Django's own
    template language makes `csrf_token` once per page (a SimpleLazyObject), and so does
    this: one masked token per response is what guards against BREACH."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def environment(**options: Any) -> Environment:
    # Django passes a loader for the apps' jinja2/ folders; the macros come after it.
    macros = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")})
    options["loader"] = ChoiceLoader([options["loader"], macros])
    # Interface text is marked with `{% trans %}` or `_()` and translated by Django's gettext.
    env = Environment(**options, extensions=["jinja2.ext.do", "jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals.update({"static": _static, "url": reverse, "choice_items": choice_items})
    return env
