"""Admins manage who belongs to the organisation, in which role."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD
from trustworthy.organisations import services
from trustworthy.organisations.models import Membership, Organisation, User

from .test_kept_work import working_when_the_session_expires

pytestmark = pytest.mark.django_db

INVITE = "/organisation/members/invite/"
MEMBERS = "/organisation/members/"


def roles(organisation: Organisation) -> dict[str, str]:
    return dict(Membership.objects.filter(organisation=organisation).values_list("user__email", "role"))


# The list -----------------------------------------------------------------------------


def test_the_list_shows_each_member_with_a_link_to_change_them(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    html = client_as("admin").get(MEMBERS).content.decode()
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        assert membership.user.full_name in html
        assert membership.user.email in html
        assert membership.get_role_display() in html
        assert f'href="/organisation/members/{membership.pk}/"' in html
    assert "(you)" in html


def test_the_list_does_not_show_other_organisations_members(
    client_as: Callable[[str], Client], other_organisation: Organisation
) -> None:
    html = client_as("admin").get(MEMBERS).content.decode()
    assert "@trust.test" not in html


def _add_members(organisation: Organisation, count: int) -> None:
    for n in range(count):
        user = User.objects.create_user(f"person{n}@council.test", None, full_name=f"Person {n}")
        services.add_member(organisation=organisation, user=user, role="contributor")


def test_the_list_makes_the_same_queries_for_30_members_as_for_3(
    client_as: Callable[[str], Client],
    organisation: Organisation,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    Membership.objects.filter(organisation=organisation, role__in=["lead", "reviewer", "approver"]).delete()
    client = client_as("admin")
    client.get(MEMBERS)  # warm up: the session and templates
    assert Membership.objects.filter(organisation=organisation).count() == 3
    with CaptureQueriesContext(connection) as three:
        assert client.get(MEMBERS).status_code == 200
    assert len(three) <= 6, [q["sql"] for q in three.captured_queries]
    _add_members(organisation, 27)
    with django_assert_max_num_queries(len(three)):  # type: ignore[attr-defined]
        response = client.get(MEMBERS)
    assert len(re.findall(r'href="/organisation/members/\d+/"', response.content.decode())) == 30


# Inviting -----------------------------------------------------------------------------


def invite(client: Client, email: str, full_name: str = "Sam Okafor", role: str = "contributor") -> Any:
    return client.post(INVITE, {"email": email, "full_name": full_name, "role": role}, follow=True)


def test_inviting_someone_new_creates_their_account_and_emails_a_link(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    response = invite(client_as("admin"), "Sam.Okafor@Council.test")
    assert response.redirect_chain[-1] == (MEMBERS, 302)
    assert "We have emailed sam.okafor@council.test a link to create a password" in response.content.decode()

    user = User.objects.get(email="sam.okafor@council.test")
    assert user.full_name == "Sam Okafor"
    assert not user.has_usable_password()
    assert roles(organisation)["sam.okafor@council.test"] == "contributor"

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sam.okafor@council.test"]
    assert "Northshire Council" in email.subject
    assert "Admin of Northshire Council has invited you to join Northshire Council" in email.body
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", email.body)
    assert link

    # The link works: they create a password and can sign in.
    new_person = Client()
    new_person.post(link.group(1), {"password": PASSWORD, "password_confirm": PASSWORD})
    response = new_person.post("/accounts/login/", {"email": "sam.okafor@council.test", "password": PASSWORD})
    assert response["Location"] == "/"
    assert "Contributor" in new_person.get("/organisation/").content.decode()


def test_inviting_someone_with_an_account_just_adds_them(
    client_as: Callable[[str], Client], organisation: Organisation, other_organisation: Organisation
) -> None:
    response = invite(client_as("admin"), "Viewer@Trust.test", full_name="Another Name", role="reviewer")
    assert "already had an account and has been added as reviewer" in response.content.decode()
    assert roles(organisation)["viewer@trust.test"] == "reviewer"
    assert roles(other_organisation)["viewer@trust.test"] == "viewer"  # untouched
    user = User.objects.get(email="viewer@trust.test")
    assert user.full_name == "Viewer of Southvale Children's Trust"  # their own name is kept
    assert user.check_password(PASSWORD)
    assert mail.outbox == []


def test_inviting_someone_who_never_created_a_password_sends_the_link_again(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    User.objects.create_user("waiting@elsewhere.test", None, full_name="Still Waiting")
    response = invite(client_as("admin"), "waiting@elsewhere.test")
    assert "emailed them a new link" in response.content.decode()
    assert len(mail.outbox) == 1
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_inviting_a_member_again_is_refused(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    before = roles(organisation)
    response = invite(client_as("admin"), "viewer@council.test", role="admin")
    html = response.content.decode()
    assert "There is a problem" in html
    assert "viewer@council.test is already a member of Northshire Council" in html
    assert 'href="#id_email"' in html
    assert roles(organisation) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter their email address", "Enter their full name", "Select a role"]),
        (
            {"email": "sam at council", "full_name": "Sam", "role": "viewer"},
            ["Enter an email address in the correct format, like name@example.org"],
        ),
        ({"email": "sam@council.test", "full_name": "Sam", "role": "owner"}, ["Select a role from the list"]),
        (
            {"email": "sam@council.test", "full_name": "x" * 151, "role": "viewer"},
            ["150 characters or fewer"],
        ),
    ],
    ids=["empty", "bad email address", "unknown role", "long name"],
)
def test_invite_says_what_to_fix_and_keeps_what_was_typed(
    client_as: Callable[[str], Client], organisation: Organisation, data: dict[str, str], messages: list[str]
) -> None:
    users = User.objects.count()
    response = client_as("admin").post(INVITE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Invite a member" in html
    for message in messages:
        assert message in html
    if data.get("email"):
        assert f'value="{data["email"]}"' in html
    assert User.objects.count() == users
    assert mail.outbox == []


def test_an_invitation_typed_before_the_session_expired_comes_back(
    client: Client, organisation: Organisation
) -> None:
    working_when_the_session_expires(client, "admin@council.test", INVITE)
    client.post(INVITE, {"email": "sam@council.test", "full_name": "Sam Okafor", "role": "reviewer"})
    client.post("/accounts/login/", {"email": "admin@council.test", "password": PASSWORD, "next": INVITE})
    html = client.get(INVITE).content.decode()
    assert "We kept what you typed" in html
    assert 'value="sam@council.test"' in html
    assert 'value="Sam Okafor"' in html
    assert 'value="reviewer" checked' in html
    assert "sam@council.test" not in roles(organisation)
    assert mail.outbox == []


def test_when_the_email_cannot_be_sent_the_admin_is_told(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    with mock.patch("trustworthy.organisations.services.send_mail", side_effect=OSError("mail server down")):
        response = invite(client_as("admin"), "sam@council.test")
    assert "the email could not be sent" in response.content.decode()
    assert "sam@council.test" in roles(organisation)


def test_an_admin_can_send_the_invitation_again(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    client = client_as("admin")
    invite(client, "sam@council.test")
    membership = Membership.objects.get(user__email="sam@council.test")
    url = f"/organisation/members/{membership.pk}/resend-invitation/"
    assert "Send the invitation again" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "We have emailed sam@council.test a new link" in response.content.decode()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["sam@council.test"]


def test_there_is_no_invitation_to_send_again_once_a_password_is_set(
    client_as: Callable[[str], Client], member_of: Callable[..., Membership], organisation: Organisation
) -> None:
    viewer = member_of(organisation, "viewer")
    response = client_as("admin").post(f"/organisation/members/{viewer.pk}/resend-invitation/")
    assert "has already created a password" in response.content.decode()
    assert mail.outbox == []


# Changing a role ----------------------------------------------------------------------


def test_an_admin_changes_a_members_role(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    viewer = member_of(organisation, "viewer")
    client = client_as("admin")
    page = client.get(f"/organisation/members/{viewer.pk}/").content.decode()
    assert "viewer@council.test" in page
    assert 'value="viewer" checked' in page
    response = client.post(f"/organisation/members/{viewer.pk}/", {"role": "lead"}, follow=True)
    assert response.redirect_chain[-1] == (MEMBERS, 302)
    assert "Viewer of Northshire Council is now lead" in response.content.decode()
    assert roles(organisation)["viewer@council.test"] == "lead"


def test_the_last_admin_cannot_be_given_another_role(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    admin = member_of(organisation, "admin")
    response = client_as("admin").post(f"/organisation/members/{admin.pk}/", {"role": "viewer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert (
        "is the only admin of Northshire Council. Make someone else an admin before changing their role"
        in html
    )
    assert roles(organisation)["admin@council.test"] == "admin"


def test_an_admin_can_step_down_when_there_is_another_admin(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    Membership.objects.filter(pk=member_of(organisation, "lead").pk).update(role="admin")
    admin = Membership.objects.get(user__email="admin@council.test")
    client = client_as("admin")
    response = client.post(f"/organisation/members/{admin.pk}/", {"role": "approver"})
    assert response["Location"] == "/organisation/"  # they no longer manage members
    assert roles(organisation)["admin@council.test"] == "approver"
    assert client.get(MEMBERS).status_code == 403


# Removing -----------------------------------------------------------------------------


def test_removing_a_member_asks_first_then_removes_only_the_membership(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    viewer = member_of(organisation, "viewer")
    client = client_as("admin")
    url = f"/organisation/members/{viewer.pk}/remove/"
    page = client.get(url)
    assert "Are you sure you want to remove Viewer of Northshire Council" in page.content.decode()
    assert "viewer@council.test" in roles(organisation)  # a GET removes nothing

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1] == (MEMBERS, 302)
    assert "has been removed from Northshire Council" in response.content.decode()
    assert "viewer@council.test" not in roles(organisation)
    assert User.objects.filter(email="viewer@council.test").exists()
    assert client.get(url).status_code == 404


def test_the_last_admin_cannot_be_removed(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    admin = member_of(organisation, "admin")
    response = client_as("admin").post(f"/organisation/members/{admin.pk}/remove/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "is the only admin of Northshire Council. Make someone else an admin before removing them" in html
    assert roles(organisation)["admin@council.test"] == "admin"


def test_a_removed_member_no_longer_sees_the_organisation(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    viewer_client = client_as("viewer")
    assert viewer_client.get("/organisation/").status_code == 200
    client_as("admin").post(f"/organisation/members/{member_of(organisation, 'viewer').pk}/remove/")
    assert viewer_client.get("/organisation/").status_code == 404


def test_an_admin_can_leave_when_there_is_another_admin(
    client_as: Callable[[str], Client], organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    Membership.objects.filter(pk=member_of(organisation, "lead").pk).update(role="admin")
    me = Membership.objects.get(user__email="admin@council.test")
    client = client_as("admin")
    assert (
        "Are you sure you want to remove yourself"
        in client.get(f"/organisation/members/{me.pk}/remove/").content.decode()
    )
    response = client.post(f"/organisation/members/{me.pk}/remove/")
    assert response["Location"] == "/"
    assert "admin@council.test" not in roles(organisation)
