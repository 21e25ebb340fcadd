"""Pages for signing in with an organisation's own account (OpenID Connect; see oidc.py).

The person names their organisation (or types their work email address), confirms on a
page that says where they are going, and follows a link to the provider. The last step
is a link, not a form, on purpose: the Content Security Policy allows forms to send
people only to this service (`form-action 'self'`), and browsers apply that to where a
form's redirects lead as well.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import oidc
from .middleware import SESSION_KEY
from .models import Organisation, SignInProvider

# The session is Django's own (ModelBackend), as after a password sign-in.
BACKEND = "django.contrib.auth.backends.ModelBackend"


class ChooseOrganisationForm(forms.Form):
    organisation = forms.CharField(
        label="Your organisation’s name, or your work email address",
        max_length=254,
        help_text="For example, Northshire Council or sam.smith@northshire.gov.uk",
        error_messages={"required": "Enter your organisation’s name or your work email address"},
    )

    def clean_organisation(self) -> str:
        value: str = self.cleaned_data["organisation"]
        found = oidc.find_organisations(value)
        if not found:
            raise ValidationError(
                "We could not find an organisation that signs in this way. Check what you typed, "
                "or sign in with your email address and password"
            )
        if len(found) > 1:
            raise ValidationError(
                "More than one organisation uses that email address. Enter its name instead"
            )
        self.chosen: Organisation = found[0]
        return value


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _provider(organisation_id: int) -> SignInProvider:
    provider = oidc.provider_of(organisation_id)
    if provider is None:
        raise Http404
    return provider


def _refused(request: HttpRequest, refusal: oidc.SignInRefused) -> HttpResponse:
    oidc.log_refusal(refusal)
    context: dict[str, Any] = {
        "message": refusal.message,
        "organisation": refusal.organisation,
        "retry": refusal.status != 403,  # not a member: trying again will not help
    }
    return render(request, "organisations/oidc_refused.html", context, status=refusal.status)


@csrf_protect
@never_cache
def choose(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    form = ChooseOrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return redirect(_with_next(reverse("oidc-continue", args=[form.chosen.pk]), next_url))
    return render(request, "organisations/oidc_choose.html", {"form": form, "next": next_url})


@never_cache
def continue_to_provider(request: HttpRequest, organisation_id: int) -> HttpResponse:
    provider = _provider(organisation_id)
    start = _with_next(reverse("oidc-start", args=[organisation_id]), _next(request))
    context = {"organisation": provider.organisation, "start": start}
    return render(request, "organisations/oidc_continue.html", context)


@never_cache
def start(request: HttpRequest, organisation_id: int) -> HttpResponse:
    provider = _provider(organisation_id)
    callback = request.build_absolute_uri(reverse("oidc-callback"))
    try:
        url = oidc.begin(request.session, provider, redirect_uri=callback, next_url=_next(request))
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)
    return HttpResponseRedirect(url)


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    try:
        signed_in = oidc.complete(request.session, request.GET)
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)
    login(request, signed_in.user, backend=BACKEND)
    request.session[SESSION_KEY] = signed_in.organisation.pk
    next_url = signed_in.next_url
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)
