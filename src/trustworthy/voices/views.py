"""Pages for consultations: the lead's pages (signed in) and the participant's page (public).

Staff views find objects through selectors scoped to the user's organisations (404
otherwise), check the role for writes, validate a form, call one service and render.

The participant's page needs no account and keeps nothing about the person: it never
touches the session (so no session cookie is set), reads no IP address or user agent,
and answers a token that matches nothing with the same 404 as any missing page.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from trustworthy.appraisals import policy
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import appraisal_in
from trustworthy.core.auth import login_required
from trustworthy.core.personal_data import find_personal_data
from trustworthy.framework import Framework
from trustworthy.organisations.access import membership_for, require
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action

from . import selectors, services, wording
from .forms import (
    ConsultationForm,
    LinkResponseForm,
    OfflineResponseForm,
    ParticipantForm,
    SafeguardingForm,
    ThemeForm,
)
from .models import Source
from .records import voices_section

GET_POST = require_http_methods(["GET", "POST"])
TOKEN_SESSION_KEY = "voices-new-link"


def _org_ids(request: HttpRequest) -> list[int]:
    return [m.organisation_id for m in request.memberships]


def _appraisal(request: HttpRequest, pk: int) -> tuple[Appraisal, Membership]:
    appraisal = appraisal_in(organisation_ids=_org_ids(request), appraisal_id=pk)
    return appraisal, membership_for(request, appraisal.organisation_id)


def _framework(appraisal: Appraisal) -> Framework:
    return framework_for(appraisal.framework_id, appraisal.framework_version)


def _summary_url(appraisal_id: int) -> str:
    return f"/appraisals/{appraisal_id}/voices/"


# --- the lead's pages -----------------------------------------------------------------------


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    framework = _framework(appraisal)
    responses = list(selectors.responses_of(appraisal)[:200])
    return render(
        request,
        "voices/summary.html",
        {
            "appraisal": appraisal,
            "framework": framework,
            "consultations": selectors.consultations_of(appraisal),
            "responses": responses,
            "section": voices_section(appraisal),
            "themes": selectors.themes_of(appraisal),
            "questions": wording.QUESTIONS,
            "sources": dict(Source.choices),
            "groups": {s.id: s.label for s in framework.stakeholders},
            "can_consult": policy.may(membership.role, appraisal.status, policy.Change.CONSULTATION),
            "can_theme": policy.may(membership.role, appraisal.status, policy.Change.THEME),
            "can_enter": policy.may(membership.role, appraisal.status, policy.Change.RESPONSE),
            "locked_message": policy.refusal(appraisal.status, policy.Change.RESPONSE),
            "title": "Voices of young people and families",
        },
    )


@login_required
@GET_POST
def consultation_create(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    require(membership, Action.MANAGE_PROJECTS)
    framework = _framework(appraisal)
    form = ConsultationForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.open_consultation(appraisal=appraisal, user=request.user, **form.cleaned_data)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[TOKEN_SESSION_KEY] = {"id": new.consultation.pk, "token": new.token}
            return redirect(f"/voices/consultations/{new.consultation.pk}/link/")
    return render(
        request,
        "voices/consultation_form.html",
        {"form": form, "appraisal": appraisal, "title": "Open a consultation"},
    )


@login_required
def consultation_link(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The link and its QR code, shown once: only a hash of the token is kept."""
    consultation = _managed_consultation(request, consultation_id)
    kept = request.session.get(TOKEN_SESSION_KEY)
    link = qr = None
    if kept and kept.get("id") == consultation.pk:
        del request.session[TOKEN_SESSION_KEY]
        link = request.build_absolute_uri(f"/v/{kept['token']}/")
        qr = segno.make(link, error="m").svg_data_uri(scale=6, border=2)
    return render(
        request,
        "voices/consultation_link.html",
        {
            "consultation": consultation,
            "appraisal": consultation.appraisal,
            "link": link,
            "qr": qr,
            "title": f"Link for “{consultation.title}”",
        },
    )


def _managed_consultation(request: HttpRequest, consultation_id: int) -> Any:
    consultation = selectors.consultation_in(
        organisation_ids=_org_ids(request), consultation_id=consultation_id
    )
    require(membership_for(request, consultation.organisation_id), Action.MANAGE_PROJECTS)
    return consultation


def _confirm(
    request: HttpRequest, consultation: Any, *, heading: str, body: str, action: str
) -> HttpResponse:
    return render(
        request,
        "voices/confirm.html",
        {"consultation": consultation, "appraisal": consultation.appraisal, "heading": heading,
         "body": body, "action": action, "title": heading},
    )  # fmt: skip


@login_required
@GET_POST
def consultation_new_link(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed_consultation(request, consultation_id)
    if request.method == "GET":
        return _confirm(
            request, consultation, heading="Make a new link?", action="Make a new link",
            body="The old link and its QR code will stop working. Anyone who has it will need the new one.",
        )  # fmt: skip
    try:
        token = services.new_link(consultation=consultation, user=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_summary_url(consultation.appraisal_id))
    request.session[TOKEN_SESSION_KEY] = {"id": consultation.pk, "token": token}
    return redirect(f"/voices/consultations/{consultation.pk}/link/")


@login_required
@GET_POST
def consultation_close(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed_consultation(request, consultation_id)
    if request.method == "GET":
        return _confirm(
            request, consultation, heading=f"Close “{consultation.title}”?", action="Close the consultation",
            body="The link will stop taking answers. People who open it will see that it has finished.",
        )  # fmt: skip
    services.close_consultation(consultation=consultation, user=request.user)
    messages.success(request, f"“{consultation.title}” is closed. Its link no longer takes answers.")
    return redirect(_summary_url(consultation.appraisal_id))


@login_required
@GET_POST
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Responses gathered offline, typed in by staff with how they were gathered."""
    appraisal, membership = _appraisal(request, pk)
    require(membership, Action.ANSWER)
    form = OfflineResponseForm(request.POST or None, framework=_framework(appraisal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_offline(
                appraisal=appraisal, user=request.user, group=data["group"], source=data["source"],
                gathered_how=data["gathered_how"], gathered_on=data["gathered_on"], answers=form.answers(),
            )  # fmt: skip
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Response added.")
            return redirect(_summary_url(appraisal.pk))
    return render(
        request,
        "voices/response_form.html",
        {"form": form, "appraisal": appraisal, "title": "Add a response gathered offline"},
    )


@login_required
@GET_POST
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    response = selectors.response_in(organisation_ids=_org_ids(request), response_id=response_id)
    appraisal = response.appraisal
    membership = membership_for(request, appraisal.organisation_id)
    can_manage = policy.may(membership.role, appraisal.status, policy.Change.THEME)
    if request.method == "POST":
        require(membership, Action.MANAGE_PROJECTS)
    framework = _framework(appraisal)
    themes = selectors.themes_of(appraisal)
    initial = {"question_ids": response.question_ids, "theme_ids": [str(t.pk) for t in response.themes.all()]}
    form = LinkResponseForm(request.POST or None, framework=framework, themes=themes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_response(
                response=response,
                user=request.user,
                question_ids=form.cleaned_data["question_ids"],
                theme_ids=[int(t) for t in form.cleaned_data["theme_ids"]],
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Links saved.")
            return redirect(_summary_url(appraisal.pk))
    return render(
        request,
        "voices/response_detail.html",
        {
            "response": response,
            "appraisal": appraisal,
            "form": form,
            "can_manage": can_manage,
            "questions": wording.QUESTIONS,
            "groups": {s.id: s.label for s in framework.stakeholders},
            "title": "A response",
        },
    )


def _theme_page(request: HttpRequest, appraisal: Appraisal, theme: Any = None) -> HttpResponse:
    initial = {}
    if theme is not None:
        initial = {
            "name": theme.name, "description": theme.description,
            "question_ids": theme.question_ids, "decision_note": theme.decision_note,
        }  # fmt: skip
    form = ThemeForm(request.POST or None, framework=_framework(appraisal), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_theme(appraisal=appraisal, user=request.user, theme=theme, **form.cleaned_data)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Theme saved.")
            return redirect(_summary_url(appraisal.pk))
    return render(
        request,
        "voices/theme_form.html",
        {
            "form": form,
            "appraisal": appraisal,
            "theme": theme,
            "title": "Change a theme" if theme else "Add a theme",
        },
    )


@login_required
@GET_POST
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    require(membership, Action.MANAGE_PROJECTS)
    return _theme_page(request, appraisal)


@login_required
@GET_POST
def theme_edit(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = selectors.theme_in(organisation_ids=_org_ids(request), theme_id=theme_id)
    require(membership_for(request, theme.appraisal.organisation_id), Action.MANAGE_PROJECTS)
    return _theme_page(request, theme.appraisal, theme)


@login_required
@GET_POST
def safeguarding(request: HttpRequest) -> HttpResponse:
    """The organisation's safeguarding line, shown on every consultation page (admins)."""
    membership = request.membership
    if membership is None:
        raise Http404
    require(membership, Action.MANAGE_MEMBERS)
    organisation = membership.organisation
    form = SafeguardingForm(
        request.POST or None, initial={"safeguarding_contact": organisation.safeguarding_contact}
    )
    if request.method == "POST" and form.is_valid():
        services.set_safeguarding_contact(
            organisation=organisation, user=request.user, text=form.cleaned_data["safeguarding_contact"]
        )
        messages.success(request, "Safeguarding line saved.")
        return redirect("/organisation/safeguarding/")
    return render(
        request,
        "voices/safeguarding_form.html",
        {
            "form": form,
            "organisation": organisation,
            "default_line": wording.DEFAULT_SAFEGUARDING,
            "title": "Safeguarding line for consultations",
        },
    )


# --- the participant's page (public) ----------------------------------------------------------


def _digest(answers: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:32]


def _findings(answers: dict[str, str]) -> list[dict[str, Any]]:
    found = []
    for name, text in answers.items():
        for finding in find_personal_data(text):
            found.append(
                {
                    "field": name,
                    "question": wording.QUESTIONS[name],
                    "text": finding.text,
                    "message": finding.message,
                }
            )
    return found


def _participant_context(consultation: Any, form: ParticipantForm, **extra: Any) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "form": form,
        "about_answers": wording.ABOUT_ANSWERS,
        "no_names": wording.NO_NAMES,
        "safeguarding": consultation.organisation.safeguarding_contact or wording.DEFAULT_SAFEGUARDING,
        "title": consultation.title,
        **extra,
    }


def _closed(request: HttpRequest, consultation: Any) -> HttpResponse:
    """The kind page for a link that no longer takes answers, whatever the reason."""
    return render(
        request,
        "voices/closed.html",
        {
            "consultation": consultation,
            "safeguarding": consultation.organisation.safeguarding_contact or wording.DEFAULT_SAFEGUARDING,
            "title": "This has finished",
        },
        status=410,
    )


@never_cache
@GET_POST
def participate(request: HttpRequest, link_token: str) -> HttpResponse:
    consultation = selectors.consultation_for_token(link_token)
    if not consultation.is_open:
        return _closed(request, consultation)
    form = ParticipantForm(request.POST or None, groups=consultation.groups)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect(f"/v/{link_token}/thanks/")  # a bot filled the honeypot: keep nothing
        answers = form.answers()
        findings = _findings(answers)
        digest = _digest(answers)
        if findings and form.cleaned_data["checked"] != digest:
            extra = {"findings": findings, "checked": digest}
        else:
            try:
                services.submit_online(
                    consultation_id=consultation.pk, group=form.cleaned_data["group"], answers=answers
                )
            except (policy.LockedError, services.ConsultationClosed):
                # Closed, or the appraisal went for review, while they were writing.
                return _closed(request, consultation)
            except services.RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(f"/v/{link_token}/thanks/")
    return render(
        request, "voices/participate.html", _participant_context(consultation, form, **extra), status=status
    )


@never_cache
def thanks(request: HttpRequest, link_token: str) -> HttpResponse:
    consultation = selectors.consultation_for_token(link_token)
    return render(
        request,
        "voices/thanks.html",
        {
            "consultation": consultation,
            "safeguarding": consultation.organisation.safeguarding_contact or wording.DEFAULT_SAFEGUARDING,
            "title": "Thank you",
        },
    )
