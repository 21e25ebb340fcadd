"""Pages for signing in and out, setting a password, and the organisation's own pages.

Each view authorises (core.auth, and `access.require` against the one permissions table),
runs its form through the one edit flow (`core.editing`: kept work after a sign-out, the
personal-data check where the text is free text, one service, the refusal on the form) and
renders. Pages under /organisation/ are about the organisation the person is working in
now (see middleware.py): anything that belongs to another one answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from trustworthy.core.auth import forget_signed_in, login_required
from trustworthy.core.editing import form_data, handle_edit

from . import presenters, selectors, services
from .access import require
from .forms import (
    ROLE_HINTS,
    ChangeRoleForm,
    CommitmentsForm,
    ConfirmForm,
    ForgottenPasswordForm,
    InviteMemberForm,
    ResetPasswordForm,
    SetPasswordForm,
    SignInForm,
    SwitchOrganisationForm,
)
from .middleware import SESSION_KEY
from .models import Membership, Role
from .presenters import MANAGE_ORGANISATION

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


def _safe_next(request: HttpRequest, candidate: str) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("home"))


def _confirmed(request: HttpRequest) -> ConfirmForm:
    """The form of a page that only asks "are you sure?": bound once the person confirms."""
    return ConfirmForm(request.POST if request.method == "POST" else None)


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
        return forget_signed_in(redirect(settings.LOGOUT_REDIRECT_URL))
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
    # Never kept after a sign-out, nor checked as free text: it is a password.
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    save = handle_edit(
        request,
        form,
        lambda data: services.set_password(user=user, password=data["password"]),
        check_text=False,
    )
    if save.saved:
        if request.user.is_authenticated and request.user.pk != user.pk:
            logout(request)
        messages.success(request, "Your password has been set. Sign in with your email address and password.")
        return redirect(settings.LOGIN_URL)
    return render(request, "organisations/set_password.html", {"form": form, "person": user})


# Forgotten passwords ------------------------------------------------------------------
#
# Django's own views, with the service's pages and its one way of writing: the link is
# sent and the password set by `services`, which records the change.


class ForgottenPassword(PasswordResetView):
    """Ask for a link by email. The next page says the same whether or not there is an account."""

    form_class = ForgottenPasswordForm
    template_name = "organisations/password_reset.html"
    success_url = reverse_lazy("password-reset-sent")

    def form_valid(self, form: ForgottenPasswordForm) -> HttpResponse:
        services.send_password_reset(email=form.cleaned_data["email"], site_url=_site_url(self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSent(PasswordResetDoneView):
    template_name = "organisations/password_reset_sent.html"


class ResetPassword(PasswordResetConfirmView):
    """The page the emailed link opens (Django's view moves the token out of the address
    before the page shows, so it never leaks in a Referer header)."""

    form_class = ResetPasswordForm
    template_name = "organisations/password_reset_confirm.html"
    token_generator = services.reset_tokens

    def get_user(self, uidb64: str) -> object | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        try:
            services.reset_password(user=self.user, password=form.cleaned_data["password"])
        except services.ServiceError as exc:
            form.add_error("password" if exc.field == "password" else None, exc.message)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        if self.request.user.is_authenticated and self.request.user.pk != self.user.pk:
            logout(self.request)
        messages.success(self.request, "Your password has been reset. Sign in with your new password.")
        return redirect(settings.LOGIN_URL)


password_reset = ForgottenPassword.as_view()
password_reset_sent = PasswordResetSent.as_view()
password_reset_confirm = ResetPassword.as_view()


# Organisations ------------------------------------------------------------------------


@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    memberships: list[Membership] = request.memberships
    current = getattr(request, "membership", None)
    initial = {"organisation": current.organisation_id if current else None}
    form = SwitchOrganisationForm(form_data(request), initial=initial, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        chosen = next(m for m in memberships if m.organisation_id == form.cleaned_data["organisation"])
        request.session[SESSION_KEY] = chosen.organisation_id
        messages.success(request, f"You are now working in {chosen.organisation.name}.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    context = {"form": form, "hints": presenters.switch_hints(memberships)}
    return render(request, "organisations/switch.html", context)


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/organisation.html", presenters.organisation_page(_current(request)))


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
    form = InviteMemberForm(form_data(request))
    # A new member's email address and name are what the form is for: not checked as free text.
    edit = handle_edit(
        request,
        form,
        lambda data: services.invite_member(
            organisation=admin.organisation, invited_by=request.user, site_url=_site_url(request), **data
        ),
        check_text=False,
    )
    if edit.saved and edit.result is not None:
        messages.add_message(request, *presenters.invitation_message(edit.result))
        return redirect("organisation-members")
    context = {"form": form, "organisation": admin.organisation, "role_hints": ROLE_HINTS}
    return render(request, "organisations/invite.html", context)


def _after_role_change(admin: Membership, changed: Membership) -> HttpResponse:
    if changed.pk == admin.pk and changed.role != Role.ADMIN:
        return redirect("organisation")  # they no longer manage members
    return redirect("organisation-members")


@login_required
def member(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin, person = _admin_and_member(request, membership_id)
    form = ChangeRoleForm(form_data(request), initial={"role": person.role})
    edit = handle_edit(
        request,
        form,
        lambda data: services.change_role(membership=person, role=data["role"], changed_by=request.user),
        check_text=False,
    )
    if edit.saved and edit.result is not None:
        messages.success(request, presenters.role_changed(edit.result))
        return _after_role_change(admin, edit.result)
    return render(request, "organisations/member.html", presenters.member_page(form, person, admin))


@login_required
def remove_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin, person = _admin_and_member(request, membership_id)
    form = _confirmed(request)
    edit = handle_edit(
        request, form, lambda _: services.remove_member(membership=person, removed_by=request.user)
    )
    if edit.saved:
        messages.success(request, f"{person.user} has been removed from {admin.organisation.name}.")
        if person.pk == admin.pk:
            request.session.pop(SESSION_KEY, None)
            return redirect(settings.LOGIN_REDIRECT_URL)
        return redirect("organisation-members")
    context = {"form": form, "person": person, "is_you": person.pk == admin.pk}
    return render(request, "organisations/remove_member.html", context)


@login_required
def resend_invitation(request: HttpRequest, membership_id: int) -> HttpResponse:
    _, person = _admin_and_member(request, membership_id)
    form = _confirmed(request)
    edit = handle_edit(
        request,
        form,
        lambda _: services.resend_invitation(
            membership=person, invited_by=request.user, site_url=_site_url(request)
        ),
    )
    if edit.saved:
        messages.success(request, f"We have emailed {person.user.email} a new link to create a password.")
        return redirect("organisation-member", membership_id=person.pk)
    return render(request, "organisations/resend_invitation.html", {"form": form, "person": person})


# Ethical commitments ------------------------------------------------------------------


@login_required
def commitments(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/commitments.html", presenters.commitments_page(_current(request)))


@login_required
def commitments_version(request: HttpRequest, version: int) -> HttpResponse:
    organisation = _current(request).organisation
    statement = selectors.commitment_version(organisation=organisation, version=version)
    if statement is None:
        raise Http404
    context = presenters.commitments_version_page(organisation, statement)
    return render(request, "organisations/commitments_version.html", context)


@login_required
def edit_commitments(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    latest = selectors.current_commitments(organisation=admin.organisation)
    initial = {"text": latest.text if latest else ""}
    form = CommitmentsForm(form_data(request), initial=initial, first_version=latest is None)
    edit = handle_edit(
        request,
        form,
        lambda data: services.record_commitments(organisation=admin.organisation, user=request.user, **data),
    )
    if edit.saved and edit.result is not None:
        messages.success(request, f"Version {edit.result.version} of the ethical commitments has been saved.")
        return redirect("organisation-commitments")
    context = {
        "form": form, "organisation": admin.organisation, "latest": latest,
        "cancel_url": reverse("organisation-commitments"),
    }  # fmt: skip
    return render(request, "organisations/commitments_edit.html", context, status=edit.status)
