"""The organisation the token (or the signed-in session) works in: its details, its members,
its ethical commitments and the safeguarding line shown on consultation pages.

As on its web pages: everyone in the organisation reads its details and commitments; admins
manage its members, its commitments and the safeguarding line. A member of another
organisation is a 404 before anything else; then a role that does not allow it is a 403.
Each change goes through the service its web page calls."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from trustworthy.organisations import selectors, services
from trustworthy.organisations.access import require
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation
from trustworthy.organisations.permissions import Action
from trustworthy.voices import services as voices
from trustworthy.voices.presenters import safeguarding_line

from .. import scope
from ..fields import (
    ChangeNote,
    CommitmentsText,
    CursorQuery,
    Email,
    LimitQuery,
    PathId,
    PathVersion,
    PersonName,
    SafeguardingText,
    check_personal_data,
)
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page

router = Router(tags=["Organisation"])
# Admins manage the members, the commitments and the safeguarding line (organisations/presenters.py).
MANAGE = Action.MANAGE_MEMBERS
RoleName = Literal["admin", "lead", "contributor", "reviewer", "approver", "viewer"]


def _admin(request: HttpRequest) -> Membership:
    membership = scope.membership(request)
    require(membership, MANAGE)
    return membership


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("home"))


# --- the organisation -------------------------------------------------------------------------


class CommitmentSummary(Schema):
    version: int
    change_note: str
    created_by: str
    created_at: datetime.datetime


class CommitmentOut(CommitmentSummary):
    text: str


class CommitmentPage(Page):
    items: list[CommitmentSummary]


class OrganisationOut(Schema):
    id: int
    name: str
    type: str
    region: str
    your_role: str
    commitments: CommitmentOut | None = Field(description="The current ethical commitments, if written.")


def commitment_summary(statement: CommitmentStatement) -> dict[str, Any]:
    return {
        "version": statement.version,
        "change_note": statement.change_note,
        "created_by": str(statement.created_by),
        "created_at": statement.created_at,
    }


def commitment_out(statement: CommitmentStatement) -> dict[str, Any]:
    return commitment_summary(statement) | {"text": statement.text}


@router.get("", response=OrganisationOut, summary="Your organisation")
def get_organisation(request: HttpRequest) -> dict[str, Any]:
    """The organisation this token works in (or your current one when signed in)."""
    membership = scope.membership(request)
    organisation = membership.organisation
    current = selectors.current_commitments(organisation=organisation)
    return {
        "id": organisation.pk, "name": organisation.name, "type": organisation.type,
        "region": organisation.region, "your_role": membership.role,
        "commitments": None if current is None else commitment_out(current),
    }  # fmt: skip


# --- members ----------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int = Field(description="The membership's id.")
    email: str
    name: str
    role: str
    joined_at: datetime.datetime
    has_password: bool = Field(description="False: invited, and has not created a password yet.")


class MemberPage(Page):
    items: list[MemberOut]


class InviteIn(Schema):
    email: Email
    full_name: PersonName
    role: RoleName


class InvitationOut(Schema):
    member: MemberOut
    new_account: bool = Field(description="True: they had no account, and got a link to create a password.")
    email_sent: bool


class RoleIn(Schema):
    role: RoleName


def member_out(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "id": membership.pk, "email": user.email, "name": user.full_name, "role": membership.role,
        "joined_at": membership.created_at, "has_password": user.has_usable_password(),
    }  # fmt: skip


def _member(request: HttpRequest, membership_id: int) -> Membership:
    """A member of the current organisation (404 otherwise, whatever the role), for an admin (403)."""
    current = scope.membership(request)
    person = selectors.member(organisation=current.organisation, membership_id=membership_id)
    if person is None:
        raise Http404
    require(current, MANAGE)
    return person


@router.get("/members", response=MemberPage, summary="List members")
def list_members(
    request: HttpRequest, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Admins: everyone in the organisation, with their role."""
    admin = _admin(request)
    return page(selectors.members(organisation=admin.organisation), cursor, limit, member_out)


@router.post("/members", response={201: InvitationOut}, summary="Invite someone")
def invite_member(request: HttpRequest, data: InviteIn) -> Status:
    """Admins. Someone without an account gets one, and an email with a link to create a
    password; someone with one is added. 422 if they are already a member."""
    admin = _admin(request)
    invitation = services.invite_member(
        organisation=admin.organisation, email=data.email, full_name=data.full_name, role=data.role,
        invited_by=request.user, site_url=_site_url(request),
    )  # fmt: skip
    member = selectors.member(organisation=admin.organisation, membership_id=invitation.membership.pk)
    assert member is not None
    return Status(
        201,
        {"member": member_out(member), "new_account": invitation.new_account,
         "email_sent": invitation.email_sent},
    )  # fmt: skip


@router.get("/members/{membership_id}", response=MemberOut, summary="Read a member")
def get_member(request: HttpRequest, membership_id: PathId) -> dict[str, Any]:
    return member_out(_member(request, membership_id))


@router.put("/members/{membership_id}", response=MemberOut, summary="Change a member's role")
def change_role(request: HttpRequest, membership_id: PathId, data: RoleIn) -> dict[str, Any]:
    """Admins. The organisation's last admin keeps that role (422)."""
    person = _member(request, membership_id)
    return member_out(services.change_role(membership=person, role=data.role, changed_by=request.user))


@router.delete("/members/{membership_id}", response={204: None}, summary="Remove a member")
def remove_member(request: HttpRequest, membership_id: PathId) -> HttpResponse:
    """Admins. Their account and what they wrote stay; the last admin cannot be removed (422)."""
    person = _member(request, membership_id)
    services.remove_member(membership=person, removed_by=request.user)
    return HttpResponse(status=204)


@router.post("/members/{membership_id}/invitation", response=MemberOut, summary="Send the invitation again")
def resend_invitation(request: HttpRequest, membership_id: PathId) -> dict[str, Any]:
    """Admins: a new link to create a password, for someone who has not created one (422 if
    they have)."""
    person = _member(request, membership_id)
    services.resend_invitation(membership=person, invited_by=request.user, site_url=_site_url(request))
    return member_out(person)


# --- ethical commitments ----------------------------------------------------------------------


class CommitmentsIn(Confirmable):
    text: CommitmentsText = Field(description="The whole text of the new version.")
    change_note: ChangeNote = Field("", description="What changed since the last version.")


@router.get("/commitments", response=CommitmentPage, summary="List the versions of the ethical commitments")
def list_commitments(
    request: HttpRequest, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Every version, oldest first, without its text (read a version for that)."""
    organisation = scope.membership(request).organisation
    versions = selectors.commitment_versions(organisation=organisation)
    return page(versions, cursor, limit, commitment_summary)


@router.get("/commitments/current", response=CommitmentOut, summary="Read the current ethical commitments")
def current_commitments(request: HttpRequest) -> dict[str, Any]:
    organisation = scope.membership(request).organisation
    current = selectors.current_commitments(organisation=organisation)
    if current is None:
        raise HttpError(404, f"{organisation.name} has not written its ethical commitments yet.")
    return commitment_out(current)


@router.get("/commitments/{version}", response=CommitmentOut, summary="Read one version of the commitments")
def commitments_version(request: HttpRequest, version: PathVersion) -> dict[str, Any]:
    organisation = scope.membership(request).organisation
    statement = selectors.commitment_version(organisation=organisation, version=version)
    if statement is None:
        raise Http404
    return commitment_out(statement)


@router.post("/commitments", response={201: CommitmentOut}, summary="Save a new version of the commitments")
def record_commitments(request: HttpRequest, data: CommitmentsIn) -> Status:
    """Admins. Earlier versions stay; a version the same as the last is refused (422)."""
    admin = _admin(request)
    check_personal_data(data.confirm_personal_data, {"text": data.text, "change_note": data.change_note})
    statement = services.record_commitments(
        organisation=admin.organisation, text=data.text, change_note=data.change_note, user=request.user
    )
    return Status(201, commitment_out(statement))


# --- the safeguarding line --------------------------------------------------------------------


class SafeguardingOut(Schema):
    text: str = Field(description="The organisation's own line; empty: the standard one is shown.")
    shown: str = Field(description="What people answering a consultation see.")


class SafeguardingIn(Confirmable):
    text: SafeguardingText = Field(
        description="Who people should contact if they are worried about safety; empty for the standard line."
    )


def safeguarding_out(organisation: Organisation) -> dict[str, Any]:
    return {"text": organisation.safeguarding_contact, "shown": safeguarding_line(organisation)}


@router.get("/safeguarding", response=SafeguardingOut, summary="Read the safeguarding line")
def get_safeguarding(request: HttpRequest) -> dict[str, Any]:
    """Admins, as on its web page."""
    return safeguarding_out(_admin(request).organisation)


@router.put("/safeguarding", response=SafeguardingOut, summary="Change the safeguarding line")
def set_safeguarding(request: HttpRequest, data: SafeguardingIn) -> dict[str, Any]:
    """Admins. Shown on every consultation page of the organisation."""
    organisation = _admin(request).organisation
    check_personal_data(data.confirm_personal_data, {"text": data.text})
    return safeguarding_out(
        voices.set_safeguarding_contact(organisation=organisation, user=request.user, text=data.text)
    )
