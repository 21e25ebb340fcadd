"""Pages for two-factor authentication: set it up, enter a code when signing in, see and
manage it under the account. The rules and writes are in `twofactor`; who is held until
they have done it is decided in `twofactor_middleware`.

Codes are never kept: a form that comes back with an error shows an empty box, and
Django's own `login_required` is used rather than `core.auth`'s, which would keep what
was typed (a code) in the session across a sign-out. Every page is sent with no-store, since some show a
secret key or recovery codes.
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from trustworthy.core.editing import handle_edit

from . import twofactor
from .middleware import SESSION_KEY as CURRENT_ORGANISATION

NEXT_KEY = "two_factor_next"


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        error_messages={
            "required": "Enter the code",
            "max_length": "Enter the 6-digit code from your authenticator app, or a recovery code",
        },
    )

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].error_messages["required"] = required_message


def _form(request: HttpRequest, label: str, required_message: str) -> CodeForm:
    data = request.POST if request.method == "POST" else None
    return CodeForm(data, label=label, required_message=required_message)


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _next(request: HttpRequest) -> str | None:
    return _safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _ask_for_code(request: HttpRequest) -> HttpResponse | None:
    """Pages that change two-factor authentication need a verified session, whoever it is."""
    if twofactor.has_authenticator(request.user) and not twofactor.verified(request):
        return redirect(f"{reverse('two-factor-code')}?{urlencode({'next': request.path})}")
    return None


def _requirement(request: HttpRequest) -> str:
    """Why the person must use two-factor authentication (the current organisation's role
    first), or "" if they need not."""
    memberships = list(getattr(request, "memberships", []))
    chosen = request.session.get(CURRENT_ORGANISATION)
    memberships.sort(key=lambda m: m.organisation_id != chosen)
    required = twofactor.required_by(memberships)
    if required is None:
        return ""
    role = required.get_role_display().lower()
    article = "an" if role[0] in "aeiou" else "a"
    return f"As {article} {role} of {required.organisation.name}, you must use two-factor authentication."


# Signing in ------------------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@login_required
def code(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if twofactor.verified(request) or not twofactor.has_authenticator(request.user):
        request.session[twofactor.HAS_DEVICE] = twofactor.verified(request)
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = _form(request, "Code", "Enter the code from your authenticator app")
    edit = handle_edit(
        request,
        form,
        lambda data: twofactor.check_code(user=request.user, code=data["code"]),
        check_text=False,
    )
    if edit.saved and edit.result is not None:
        twofactor.sign_in_with(request, edit.result)
        if edit.result.recovery_code_used:
            left = edit.result.codes_left
            advice = " Get new recovery codes from the two-factor authentication page." if left < 4 else ""
            messages.warning(
                request,
                f"You used a recovery code. It will not work again. "
                f"You have {left} recovery code{'s' if left != 1 else ''} left.{advice}",
            )
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "organisations/two_factor/code.html", {"form": form, "next": next_url or ""})


# Setting up ------------------------------------------------------------------------------


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=5, border=4))


@sensitive_post_parameters("code")
@never_cache
@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if twofactor.has_authenticator(request.user):
        return redirect("two-factor")
    device = twofactor.start_set_up(request.user)
    form = _form(
        request, "Code from your authenticator app", "Enter the 6-digit code from your authenticator app"
    )
    edit = handle_edit(
        request,
        form,
        lambda data: twofactor.turn_on(user=request.user, device=device, code=data["code"]),
        check_text=False,
    )
    if edit.saved and edit.result is not None:
        twofactor.sign_in_with(request, twofactor.Checked(device, recovery_code_used=False, codes_left=0))
        request.session[twofactor.NEW_CODES] = edit.result
        request.session[NEXT_KEY] = next_url or ""
        messages.success(request, "Two-factor authentication is on.")
        return redirect("two-factor-recovery-codes")
    context = {
        "form": form,
        "next": next_url or "",
        "qr": _qr(device.config_url),
        "key": twofactor.typed_key(device),
        "required": _requirement(request),
    }
    return render(request, "organisations/two_factor/set_up.html", context)


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once: a second visit finds none."""
    codes = request.session.pop(twofactor.NEW_CODES, None)
    next_url = _safe_next(request, request.session.pop(NEXT_KEY, None))
    if not codes:
        return redirect("two-factor")
    context = {"codes": codes, "continue_url": next_url or reverse("two-factor")}
    return render(request, "organisations/two_factor/recovery_codes.html", context)


# Under the account -----------------------------------------------------------------------


@never_cache
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    asked = _ask_for_code(request)
    if asked is not None:
        return asked
    app = twofactor.authenticator(request.user)
    context = {
        "app": app,
        "set_up_on": timezone.localtime(app.created_at).strftime("%-d %B %Y")
        if app and app.created_at
        else "",
        "codes_left": twofactor.codes_left(request.user) if app else 0,
        "recovery_codes": twofactor.RECOVERY_CODES,
        "required": _requirement(request),
    }
    return render(request, "organisations/two_factor/manage.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    asked = _ask_for_code(request)
    if asked is not None:
        return asked
    if not twofactor.has_authenticator(request.user):
        return redirect("two-factor")
    if request.method == "POST":
        request.session[twofactor.NEW_CODES] = twofactor.new_recovery_codes(user=request.user)
        request.session[NEXT_KEY] = ""
        messages.success(request, "You have new recovery codes. Your old ones no longer work.")
        return redirect("two-factor-recovery-codes")
    return render(
        request, "organisations/two_factor/new_recovery_codes.html", {"count": twofactor.RECOVERY_CODES}
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    asked = _ask_for_code(request)
    if asked is not None:
        return asked
    if not twofactor.has_authenticator(request.user):
        return redirect("two-factor")
    form = _form(
        request,
        "Code from your authenticator app, or a recovery code",
        "Enter the code from your authenticator app, or a recovery code",
    )
    edit = handle_edit(
        request, form, lambda data: twofactor.turn_off(user=request.user, code=data["code"]), check_text=False
    )
    if edit.saved:
        request.session[twofactor.HAS_DEVICE] = False
        messages.success(request, "Two-factor authentication is off.")
        return redirect("two-factor")
    context = {"form": form, "required": _requirement(request)}
    return render(request, "organisations/two_factor/turn_off.html", context)
