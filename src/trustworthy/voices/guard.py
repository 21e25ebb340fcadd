"""The participant form's check against forged posts, without a cookie.

Django's CSRF check compares a cookie with a field of the form. The participant's page sets
no cookie at all (nothing of theirs outlasts the visit, and with cookies off it must still
work), so it checks two other things instead, as strictly:

- the post carries a form token this service signed for this link within the last day
  (`form_token`): a link that was replaced, or a form from another link, is refused;
- a browser's post came from this site: its Origin header (which every current browser
  sends with a form post) names this site, or, over HTTPS without one, its Referer does,
  as Django's own check requires. A page elsewhere cannot make a visitor's browser send
  answers, so people's browsers cannot be used to get round each sender's rate limit.

Nothing here is about who the person is: there is no account and no ambient credential to
protect, only the link, which is itself the secret. A failed check never loses an answer:
the page shows the form again with what was typed, and a new form token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.http import is_same_domain
from django.utils.translation import gettext_noop

from .models import Consultation

FIELD = "form_token"
MAX_AGE_SECONDS = 24 * 60 * 60  # long enough to leave a half-written answer overnight
_SALT = "trustworthy.voices.participant-form"
MESSAGE = gettext_noop(  # translated where it is shown (views.py)
    "We could not send your answers this time. Nothing is lost. Check them below, "
    "then press Send my answers again."
)


def _link_id(consultation: Consultation) -> str:
    # Part of the hash of the link's token: a new link stops every form of the old one.
    return consultation.token_hash[:16]


def form_token(consultation: Consultation) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(_link_id(consultation))


def _token_ok(request: HttpRequest, consultation: Consultation) -> bool:
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(
            request.POST.get(FIELD, ""), max_age=MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # also when it has expired
        return False
    return value == _link_id(consultation)


def _ours(url: str, request: HttpRequest) -> bool:
    """This site, or one of the origins Django's own check trusts (`https://*.example.org` too)."""
    if url == f"{request.scheme}://{request.get_host()}":
        return True
    given = urlsplit(url)
    for trusted in map(urlsplit, settings.CSRF_TRUSTED_ORIGINS):
        if given.scheme == trusted.scheme and is_same_domain(given.netloc, trusted.netloc.lstrip("*")):
            return True
    return False


def _same_site(request: HttpRequest) -> bool:
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return _ours(origin, request)
    if request.is_secure():
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        return _ours(f"{referer.scheme}://{referer.netloc}", request)
    return True  # plain HTTP without Origin (development, very old browsers): the form token holds


def accepts(request: HttpRequest, consultation: Consultation) -> bool:
    """Whether a post to the participant's page may be saved."""
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return True  # Django's test client, as for Django's own check; see tests/voices/test_privacy.py
    return _token_ok(request, consultation) and _same_site(request)
