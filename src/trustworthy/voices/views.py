"""Pages for consultations: the lead's pages (signed in) and the participant's page (public).

Staff pages find the appraisal through `appraisal_for` (a consultation, response or theme
is first found by its own id within the person's organisations: 404 otherwise), which
checks the role and the appraisal's status against the change policy (403 or 409). Every
form then goes through the one edit flow (`core.editing`) and one service.

The participant's page needs no account and keeps nothing about the person: it sets no
cookie at all (no session, and instead of Django's CSRF cookie a form token signed for the
link, checked with the post's Origin: `guard.py`), reads no user agent, uses the address
only for a keyed hash that counts their share of the rate limit (`ratelimit.py`), and
answers a token that matches nothing with the same 404 as any missing page. It has its
own plain-language personal-data step, on the same rule as every other form
(`check_personal_data`: the warning is passed only for exactly the text it was about).
A post that fails the forgery check, or is refused for the rate limit, shows the form again
with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.appraisals import policy
from trustworthy.appraisals.access import Read, appraisal_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.core.auth import login_required
from trustworthy.core.editing import check_personal_data, form_data, handle_edit
from trustworthy.core.language import localise
from trustworthy.organisations.access import require
from trustworthy.organisations.models import Organisation
from trustworthy.organisations.permissions import Action

from . import guard, presenters, ratelimit, selectors, services
from .forms import (
    ConsultationForm,
    LinkResponseForm,
    OfflineResponseForm,
    ParticipantForm,
    SafeguardingForm,
    ThemeForm,
)
from .models import Consultation, Theme

GET_POST = require_http_methods(["GET", "POST"])
TOKEN_SESSION_KEY = "voices-new-link"


def _org_ids(request: HttpRequest) -> list[int]:
    return [m.organisation_id for m in request.memberships]


def _consultation(
    request: HttpRequest, consultation_id: int, read: Read = "checked"
) -> tuple[Consultation, Appraisal]:
    """A consultation of the person's organisations (404 otherwise), for whoever may manage
    consultations (403), while the appraisal's status allows changing them (409); `read`
    as for `appraisal_for`."""
    consultation = selectors.consultation_in(
        organisation_ids=_org_ids(request), consultation_id=consultation_id
    )
    appraisal, _ = appraisal_for(request, consultation.appraisal_id, Change.CONSULTATION, read=read)
    return consultation, appraisal


def _keep_link(request: HttpRequest, consultation_id: int, token: str) -> HttpResponse:
    """Hand a new link to the link page, which shows it once."""
    request.session[TOKEN_SESSION_KEY] = {"id": consultation_id, "token": token}
    return redirect("voices-consultation-link", consultation_id=consultation_id)


def _take_link(request: HttpRequest, consultation: Consultation) -> str | None:
    kept = request.session.get(TOKEN_SESSION_KEY)
    if not kept or kept.get("id") != consultation.pk:
        return None
    del request.session[TOKEN_SESSION_KEY]
    return str(kept["token"])


# --- the lead's pages -----------------------------------------------------------------------


@login_required
@require_safe
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    return render(request, "voices/summary.html", presenters.summary_page(appraisal, membership.role))


@login_required
@GET_POST
def consultation_create(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk, Change.CONSULTATION)
    form = ConsultationForm(form_data(request), framework=appraisal.edition)
    edit = handle_edit(
        request, form, lambda data: services.open_consultation(appraisal=appraisal, user=request.user, **data)
    )
    if edit.saved and edit.result is not None:
        return _keep_link(request, edit.result.consultation.pk, edit.result.token)
    context = {"form": form, "appraisal": appraisal, "title": "Open a consultation"}
    return render(request, "voices/consultation_form.html", context, status=edit.status)


@login_required
def consultation_link(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The link and its QR code, shown once: only a hash of the token is kept."""
    consultation, appraisal = _consultation(request, consultation_id, read="role")
    token = _take_link(request, consultation)
    context = presenters.link_page(request, consultation, appraisal, token)
    return render(request, "voices/consultation_link.html", context)


@login_required
@GET_POST
def consultation_new_link(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation, appraisal = _consultation(request, consultation_id)
    if request.method == "GET":
        question = presenters.new_link_question(consultation)
        return render(
            request, "voices/confirm.html", presenters.confirm_page(consultation, appraisal, question)
        )
    try:
        token = services.new_link(consultation=consultation, user=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("voices-summary", pk=appraisal.pk)
    return _keep_link(request, consultation.pk, token)


@login_required
@GET_POST
def consultation_close(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation, appraisal = _consultation(request, consultation_id)
    question = presenters.close_question(consultation)
    if request.method == "GET":
        return render(
            request, "voices/confirm.html", presenters.confirm_page(consultation, appraisal, question)
        )
    services.close_consultation(consultation=consultation, user=request.user)
    messages.success(request, question.done)
    return redirect("voices-summary", pk=appraisal.pk)


@login_required
@GET_POST
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Responses gathered offline, typed in by staff with how they were gathered."""
    appraisal, _ = appraisal_for(request, pk, Change.RESPONSE)
    form = OfflineResponseForm(form_data(request), framework=appraisal.edition)
    edit = handle_edit(
        request,
        form,
        lambda _: services.enter_offline(appraisal=appraisal, user=request.user, **form.entry()),
    )
    if edit.saved:
        messages.success(request, "Response added.")
        return redirect("voices-summary", pk=appraisal.pk)
    context = {"form": form, "appraisal": appraisal, "title": "Add a response gathered offline"}
    return render(request, "voices/response_form.html", context, status=edit.status)


@login_required
@GET_POST
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    """A response, read by everyone; whoever manages themes links it to questions and themes."""
    response = selectors.response_in(organisation_ids=_org_ids(request), response_id=response_id)
    appraisal, membership = appraisal_for(request, response.appraisal_id, Change.THEME, read="open")
    form = LinkResponseForm(
        form_data(request), framework=appraisal.edition, themes=selectors.themes_of(appraisal),
        initial=presenters.response_links(response),
    )  # fmt: skip
    edit = handle_edit(
        request, form, lambda data: services.link_response(response=response, user=request.user, **data)
    )
    if edit.saved:
        messages.success(request, "Links saved.")
        return redirect("voices-summary", pk=appraisal.pk)
    context = presenters.response_page(response, appraisal, membership.role, form)
    return render(request, "voices/response_detail.html", context, status=edit.status)


def _theme_page(request: HttpRequest, appraisal: Appraisal, theme: Theme | None = None) -> HttpResponse:
    form = ThemeForm(form_data(request), framework=appraisal.edition, initial=presenters.theme_initial(theme))
    edit = handle_edit(
        request,
        form,
        lambda data: services.save_theme(appraisal=appraisal, user=request.user, theme=theme, **data),
    )
    if edit.saved:
        messages.success(request, "Theme saved.")
        return redirect("voices-summary", pk=appraisal.pk)
    title = "Change a theme" if theme else "Add a theme"
    context = {"form": form, "appraisal": appraisal, "theme": theme, "title": title}
    return render(request, "voices/theme_form.html", context, status=edit.status)


@login_required
@GET_POST
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk, Change.THEME)
    return _theme_page(request, appraisal)


@login_required
@GET_POST
def theme_edit(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = selectors.theme_in(organisation_ids=_org_ids(request), theme_id=theme_id)
    appraisal, _ = appraisal_for(request, theme.appraisal_id, Change.THEME)
    return _theme_page(request, appraisal, theme)


def _managed_organisation(request: HttpRequest) -> Organisation:
    """The organisation the person works in now (404 if none), if they manage it (403)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    require(membership, Action.MANAGE_MEMBERS)
    return membership.organisation


@login_required
@GET_POST
def safeguarding(request: HttpRequest) -> HttpResponse:
    """The organisation's safeguarding line, shown on every consultation page (admins)."""
    organisation = _managed_organisation(request)
    initial = {"safeguarding_contact": organisation.safeguarding_contact}
    form = SafeguardingForm(form_data(request), initial=initial)
    edit = handle_edit(
        request,
        form,
        lambda data: services.set_safeguarding_contact(
            organisation=organisation, user=request.user, text=data["safeguarding_contact"]
        ),
    )
    if edit.saved:
        messages.success(request, "Safeguarding line saved.")
        return redirect("voices-safeguarding")
    context = presenters.safeguarding_page(organisation, form)
    return render(request, "voices/safeguarding_form.html", context, status=edit.status)


# --- the participant's page (public) ----------------------------------------------------------


def _closed(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """The kind page for a link that no longer takes answers, whatever the reason."""
    return render(request, "voices/closed.html", presenters.closed_page(consultation), status=410)


def _send(
    request: HttpRequest, link_token: str, consultation: Consultation, form: ParticipantForm
) -> HttpResponse | int:
    """Send the answers: the next page, or the status to show the form again with, with the
    problem on it."""
    sender = ratelimit.client_key(consultation.pk, ratelimit.client_address(request.META))
    try:
        services.submit_online(
            consultation_id=consultation.pk, group=form.cleaned_data["group"], answers=form.answers(),
            sender=sender,
        )  # fmt: skip
    except (policy.LockedError, services.ConsultationClosed):
        # Closed, or the appraisal went for review, while they were writing.
        return _closed(request, consultation)
    except services.ServiceError as exc:
        form.add_error(None, gettext(str(exc)))  # the participant's language (services.BUSY)
        return 429 if isinstance(exc, services.RateLimited) else 200
    return _thanks(link_token)


def _thanks(link_token: str) -> HttpResponse:
    # In the language the answers were given in: the address carries it (core/language.py).
    return redirect(localise(reverse("voices-thanks", kwargs={"link_token": link_token})))


@csrf_exempt  # no CSRF cookie here: the form is checked by `guard` instead
@never_cache
@GET_POST
def participate(request: HttpRequest, link_token: str) -> HttpResponse:
    consultation = selectors.consultation_for_token(link_token)
    if not consultation.is_open:
        return _closed(request, consultation)
    form = ParticipantForm(request.POST or None, groups=consultation.groups)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return _thanks(link_token)  # a bot filled the honeypot: keep nothing
        if not guard.accepts(request, consultation):
            form.add_error(
                None, gettext(guard.MESSAGE)
            )  # shown again with what was typed, and a new form token
            status = 403
        elif check_personal_data(request, form):
            sent = _send(request, link_token, consultation, form)
            if isinstance(sent, HttpResponse):
                return sent
            status = sent
    context = presenters.participant_page(consultation, form, guard.form_token(consultation))
    return render(request, "voices/participate.html", context, status=status)


@never_cache
@require_safe
def thanks(request: HttpRequest, link_token: str) -> HttpResponse:
    consultation = selectors.consultation_for_token(link_token)
    return render(request, "voices/thanks.html", presenters.thanks_page(consultation))
