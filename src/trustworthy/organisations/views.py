"""Pages for signing in and out, setting a password, and the organisation's own pages.

Each view authorises (core.auth and permissions), validates a form, calls one service or
selector and renders. Pages under /organisation/ are about the organisation the person is
working in now (see middleware.py): anything that belongs to another one answers 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from trustworthy.core.auth import kept_work, login_required

from . import selectors, services
from .access import require
from .forms import (
    ROLE_HINTS,
    ChangeRoleForm,
    CommitmentsForm,
    ConfirmForm,
    InviteMemberForm,
    SetPasswordForm,
    SignInForm,
    SwitchOrganisationForm,
)
from .middleware import SESSION_KEY
from .models import Membership, Role
from .permissions import Action, role_may

KEPT_WORK_MESSAGE = "You were signed out. We kept what you typed: check it and save again."

# Admins manage both the members and the ethical commitments (see permissions.py).
MANAGE_ORGANISATION = Action.MANAGE_MEMBERS


# Helpers ------------------------------------------------------------------------------


def _current(request: HttpRequest) -> Membership:
    """The membership of the organisation the person is working in; 404 if they have none."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    return membership


def _admin(request: HttpRequest) -> Membership:
    membership = _current(request)
    require(membership, MANAGE_ORGANISATION)
    return membership


def _kept(request: HttpRequest) -> QueryDict | None:
    """What was typed before the session expired, for this page, with a message saying so."""
    data = kept_work(request)
    if data is not None:
        messages.info(request, KEPT_WORK_MESSAGE)
    return data


def _safe_next(request: HttpRequest, candidate: str) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _add_service_error(form: Form, exc: services.ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def when(value: datetime) -> str:
    """A date and time as GOV.UK writes them: 4 June 2026 at 2:05pm, or at 9am."""
    value = localtime(value)
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.day} {value:%B} {value.year} at {hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


# Signing in and out -------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    if request.method == "POST":
        form = SignInForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.user)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    elif request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    else:
        form = SignInForm(request)
    return render(request, "organisations/sign_in.html", {"form": form, "next": next_url or ""})


@csrf_protect
@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            logout(request)
            messages.success(request, "You have signed out.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "organisations/sign_out.html", {})


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = selectors.invited_user(uidb64=uidb64, token=token)
    if user is None:
        # 200, as Django's own password views do: the page explains what to do next.
        return render(request, "organisations/set_password_invalid.html", {})
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.set_password(user=user, password=form.cleaned_data["password"])
        except services.ServiceError as exc:
            _add_service_error(form, exc)
        else:
            if request.user.is_authenticated and request.user.pk != user.pk:
                logout(request)
            messages.success(
                request, "Your password has been set. Sign in with your email address and password."
            )
            return redirect(settings.LOGIN_URL)
    return render(request, "organisations/set_password.html", {"form": form, "person": user})


# Organisations ------------------------------------------------------------------------


@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    memberships: list[Membership] = request.memberships
    if request.method == "POST":
        form = SwitchOrganisationForm(request.POST, memberships=memberships)
        if form.is_valid():
            chosen = next(m for m in memberships if m.organisation_id == form.cleaned_data["organisation"])
            request.session[SESSION_KEY] = chosen.organisation_id
            messages.success(request, f"You are now working in {chosen.organisation.name}.")
            return redirect(settings.LOGIN_REDIRECT_URL)
    else:
        current = getattr(request, "membership", None)
        form = SwitchOrganisationForm(
            _kept(request),
            initial={"organisation": current.organisation_id if current else None},
            memberships=memberships,
        )
    hints = {str(m.organisation_id): f"Your role: {m.get_role_display()}" for m in memberships}
    return render(request, "organisations/switch.html", {"form": form, "hints": hints})


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    current = _current(request)
    return render(
        request,
        "organisations/organisation.html",
        {
            "organisation": current.organisation,
            "commitments": selectors.current_commitments(organisation=current.organisation),
            "is_admin": role_may(current.role, MANAGE_ORGANISATION),
            "when": when,
        },
    )


# Members ------------------------------------------------------------------------------


def _admin_and_member(request: HttpRequest, membership_id: int) -> tuple[Membership, Membership]:
    """The admin's own membership and the one they asked for: 404 unless it is in their
    current organisation (whatever their role), then 403 unless they are an admin."""
    current = _current(request)
    person = selectors.member(organisation=current.organisation, membership_id=membership_id)
    if person is None:
        raise Http404
    require(current, MANAGE_ORGANISATION)
    return current, person


@login_required
def members(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    return render(
        request,
        "organisations/members.html",
        {"organisation": admin.organisation, "members": selectors.members(organisation=admin.organisation)},
    )


@login_required
def invite_member(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    if request.method == "POST":
        form = InviteMemberForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invite_member(
                    organisation=admin.organisation,
                    invited_by=request.user,
                    site_url=_site_url(request),
                    **form.cleaned_data,
                )
            except services.ServiceError as exc:
                _add_service_error(form, exc)
            else:
                _say_how_invitation_went(request, invitation)
                return redirect("organisation-members")
    else:
        form = InviteMemberForm(_kept(request))
    return render(
        request,
        "organisations/invite.html",
        {"form": form, "organisation": admin.organisation, "role_hints": ROLE_HINTS},
    )


def _say_how_invitation_went(request: HttpRequest, invitation: services.Invitation) -> None:
    member = invitation.membership
    role = member.get_role_display().lower()
    if invitation.new_account and invitation.email_sent:
        messages.success(
            request,
            f"{member.user} has been added as {role}. "
            f"We have emailed {member.user.email} a link to create a password.",
        )
    elif invitation.new_account or (not invitation.email_sent and not member.user.has_usable_password()):
        messages.warning(
            request,
            f"{member.user} has been added as {role}, but the email could not be sent. "
            "Send the invitation again from their page.",
        )
    elif invitation.email_sent:
        messages.success(
            request,
            f"{member.user} already had an account and has been added as {role}. "
            "They have not created a password yet, so we have emailed them a new link.",
        )
    else:
        messages.success(request, f"{member.user} already had an account and has been added as {role}.")


@login_required
def member(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin, person = _admin_and_member(request, membership_id)
    if request.method == "POST":
        form = ChangeRoleForm(request.POST)
        if form.is_valid():
            try:
                changed = services.change_role(
                    membership=person,
                    role=form.cleaned_data["role"],
                    changed_by=request.user,
                )
            except services.ServiceError as exc:
                _add_service_error(form, exc)
            else:
                messages.success(request, f"{changed.user} is now {changed.get_role_display().lower()}.")
                if changed.pk == admin.pk and changed.role != Role.ADMIN:
                    return redirect("organisation")  # they no longer manage members
                return redirect("organisation-members")
    else:
        form = ChangeRoleForm(_kept(request), initial={"role": person.role})
    return render(
        request,
        "organisations/member.html",
        {
            "form": form,
            "person": person,
            "is_you": person.pk == admin.pk,
            "role_hints": ROLE_HINTS,
            "when": when,
        },
    )


@login_required
def remove_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin, person = _admin_and_member(request, membership_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.remove_member(membership=person, removed_by=request.user)
        except services.ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"{person.user} has been removed from {admin.organisation.name}.")
            if person.pk == admin.pk:
                request.session.pop(SESSION_KEY, None)
                return redirect(settings.LOGIN_REDIRECT_URL)
            return redirect("organisation-members")
    return render(
        request,
        "organisations/remove_member.html",
        {"form": form, "person": person, "is_you": person.pk == admin.pk},
    )


@login_required
def resend_invitation(request: HttpRequest, membership_id: int) -> HttpResponse:
    _, person = _admin_and_member(request, membership_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.resend_invitation(
                membership=person, invited_by=request.user, site_url=_site_url(request)
            )
        except services.ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"We have emailed {person.user.email} a new link to create a password.")
            return redirect("organisation-member", membership_id=person.pk)
    return render(request, "organisations/resend_invitation.html", {"form": form, "person": person})


# Ethical commitments ------------------------------------------------------------------


@login_required
def commitments(request: HttpRequest) -> HttpResponse:
    current = _current(request)
    organisation = current.organisation
    latest = selectors.current_commitments(organisation=organisation)
    versions = list(selectors.commitment_versions(organisation=organisation))
    return render(
        request,
        "organisations/commitments.html",
        {
            "organisation": organisation,
            "commitments": latest,
            "earlier": versions[1:],
            "is_admin": role_may(current.role, MANAGE_ORGANISATION),
            "when": when,
        },
    )


@login_required
def commitments_version(request: HttpRequest, version: int) -> HttpResponse:
    current = _current(request)
    statement = selectors.commitment_version(organisation=current.organisation, version=version)
    if statement is None:
        raise Http404
    latest = selectors.current_commitments(organisation=current.organisation)
    return render(
        request,
        "organisations/commitments_version.html",
        {
            "organisation": current.organisation,
            "statement": statement,
            "latest_version": latest.version if latest else None,
            "when": when,
        },
    )


@login_required
def edit_commitments(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    latest = selectors.current_commitments(organisation=admin.organisation)
    form_kwargs: dict[str, Any] = {"first_version": latest is None}
    if request.method == "POST":
        form = CommitmentsForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                statement = services.record_commitments(
                    organisation=admin.organisation,
                    user=request.user,
                    **form.cleaned_data,
                )
            except services.ServiceError as exc:
                _add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Version {statement.version} of the ethical commitments has been saved."
                )
                return redirect("organisation-commitments")
    else:
        form = CommitmentsForm(_kept(request), initial={"text": latest.text if latest else ""}, **form_kwargs)
    return render(
        request,
        "organisations/commitments_edit.html",
        {
            "form": form,
            "organisation": admin.organisation,
            "latest": latest,
            "cancel_url": reverse("organisation-commitments"),
        },
    )
