"""The API's two pages: the reference (built from the OpenAPI description, served by us,
no scripts from elsewhere) and the account page where people make and revoke tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import presenters, tokens
from .api import api
from .forms import TokenForm
from .models import ApiToken


def _own_token(request: HttpRequest) -> ApiToken:
    raw = request.POST.get("token", "")
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return get_object_or_404(ApiToken, pk=int(raw), user=request.user)


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    spec = api.get_openapi_schema()
    context = {
        "title": "API reference",
        "spec": spec,
        "groups": presenters.reference(spec),
        "openapi_url": reverse("api:openapi-json"),
    }
    return render(request, "api/docs.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Make a token (shown once, on the page that answers) or revoke one of your own."""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = _own_token(request)
        tokens.revoke_token(token=token, user=request.user)
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
        return redirect("api-tokens")
    form = TokenForm(form_data(request), memberships=list(request.memberships))
    edit = handle_edit(
        request,
        form,
        lambda _: tokens.create_token(user=request.user, **form.token_input()),
        check_text=False,
    )
    if edit.result is not None:
        new, secret = edit.result
        form = TokenForm(None, memberships=list(request.memberships))
        return render(request, "api/tokens.html", presenters.tokens_page(request.user, form, secret, new))
    return render(request, "api/tokens.html", presenters.tokens_page(request.user, form))
