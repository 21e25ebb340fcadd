"""Which language a page is in: English or Welsh (Cymraeg), chosen in one place.

The choice travels in the address, as `?lang=cy` (or `?lang=en`), never in a cookie of its
own: the participant's page sets no cookie at all (voices/guard.py) and public pages need
none. Links and redirects on those pages carry it (`localise`); a form without an `action`
posts back to the same address, so it carries it too. Nothing here reads the browser's
Accept-Language: the person chooses, with the switch at the top of every page (GOV.UK's
pattern), so the same address is always the same page and caches need no Vary for it.

Someone signed in already has a session: their choice is kept there as well, so the staff
pages stay in the language they chose without every link carrying it. A visitor without a
session cookie is never given one, and their session is never read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme

PARAMETER = "lang"
DEFAULT = "en-gb"
WELSH = "cy"
# What the address says -> the language code Django uses.
CHOICES = {"en": DEFAULT, "en-gb": DEFAULT, "cy": WELSH}
SESSION_KEY = "trustworthy-language"
# How each language names itself in the switch, and its `lang`/`hreflang` value.
SWITCH = {DEFAULT: ("English", "en", "en-GB"), WELSH: ("Cymraeg", "cy", "cy")}


def _has_session(request: HttpRequest) -> bool:
    # Only a session the browser already has: reading one for anybody else would add
    # `Vary: Cookie` to public pages, and never give anyone a cookie.
    return settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "session")


def choose(request: HttpRequest) -> str:
    """The language of this request: the address's `lang`, else a signed-in person's choice."""
    asked = CHOICES.get(request.GET.get(PARAMETER, "").lower())
    if asked is not None:
        return asked
    if _has_session(request):
        kept = request.session.get(SESSION_KEY)
        if kept in SWITCH:
            return str(kept)
    return DEFAULT


def _remember(request: HttpRequest, language: str) -> None:
    if PARAMETER not in request.GET or not _has_session(request):
        return
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and request.session.get(SESSION_KEY) != language:
        request.session[SESSION_KEY] = language


class LanguageMiddleware:
    """Activates the chosen language for the request (and only for it) and says which it is
    in `Content-Language`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = choose(request)
        _remember(request, language)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", SWITCH[language][2])
        return response


def current() -> str:
    """The active language: `cy` or `en-gb`."""
    return WELSH if (translation.get_language() or DEFAULT).startswith(WELSH) else DEFAULT


def with_language(url: str, language: str) -> str:
    """`url` with `lang` set to `language` (any `lang` it had replaced); the default language
    is left out of the address."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query.pop(PARAMETER, None)
    if language != DEFAULT:
        query[PARAMETER] = SWITCH[language][1]
    return urlunsplit(parts._replace(query=query.urlencode(safe="/")))


def localise(url: str) -> str:
    """A link or redirect within the service, in the language of this page."""
    return with_language(url, current()) if current() != DEFAULT else url


def _switch(path: str, language: str) -> str:
    href = with_language(path, language)
    if language == DEFAULT:
        # Back to English: said in the address, so a signed-in person's kept choice changes too.
        href = f"{href}{'&' if '?' in href else '?'}{urlencode({PARAMETER: SWITCH[DEFAULT][1]})}"
    return href


def _this_page(request: HttpRequest) -> str:
    """This page's address, less a `next` that would lead off the site: the switch must not
    repeat a crafted link (`?next=//elsewhere`) on our own page."""
    query = request.GET.copy()
    following = query.get("next")
    if following is not None and not url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        query.pop("next")
    path = escape_uri_path(request.path)
    return f"{path}?{query.urlencode(safe='/')}" if query else path


def context(request: HttpRequest) -> dict[str, Any]:
    """A context processor: the page's language, and the switch to the other one (a plain
    link to this same address in the other language, so it works without JavaScript)."""
    language = current()
    other = WELSH if language == DEFAULT else DEFAULT
    name, _, hreflang = SWITCH[other]
    path = _this_page(request) if request.method in ("GET", "HEAD") else request.path
    return {
        "language": language,
        "html_lang": SWITCH[language][2],  # <html lang>: en-GB or cy
        "language_switch": {
            "href": _switch(path, other),
            "home": _switch("/", other),  # for error pages, which must not echo the address
            "text": name,
            "lang": hreflang,
        },
        "localise": localise,
    }
