"""URLs by name, worked out once per process.

Django's `reverse` matches the name against the URL patterns on every call, and a page
links to the same few dozen URLs on every request (the task list has about thirty). This
`reverse` keeps each answer, keyed by the URLconf and the script prefix in force as well
as by the name and arguments, so a test's own URLconf or a mount under a path still gets
its own URLs. Only names with positional arguments (ids, slugs) are kept; anything else
goes straight to Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse


@lru_cache(maxsize=8192)
def _reverse(urlconf: str, prefix: str, viewname: str, args: tuple[Any, ...]) -> str:
    return django_reverse(viewname, urlconf=urlconf, args=args)


def reverse(viewname: str, args: Sequence[Any] | None = None, **rest: Any) -> str:
    """`django.urls.reverse(viewname, args=args)`, kept after the first call."""
    if rest:
        return django_reverse(viewname, args=args, **rest)
    key = tuple(args or ())
    if not all(type(a) in (int, str) for a in key):
        return django_reverse(viewname, args=args)
    return _reverse(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), viewname, key)
