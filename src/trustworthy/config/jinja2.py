"""The Jinja2 environment: our templates first, then the GOV.UK Frontend macros."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from trustworthy.core.templating import choice_items


def environment(**options: Any) -> Environment:
    # Django passes a loader for the apps' jinja2/ folders; the macros come after it.
    macros = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")})
    options["loader"] = ChoiceLoader([options["loader"], macros])
    env = Environment(**options, extensions=["jinja2.ext.do"])
    env.globals.update({"static": static, "url": reverse, "choice_items": choice_items})
    return env
