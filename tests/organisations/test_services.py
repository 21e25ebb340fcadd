"""The rules in services.py, without the pages around them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail

from trustworthy.organisations import selectors, services
from trustworthy.organisations.changes import NotPermitted
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(organisation: Organisation) -> User:
    return User.objects.get(email="admin@council.test")


def test_commitment_versions_are_numbered_per_organisation(
    organisation: Organisation, other_organisation: Organisation, admin: User
) -> None:
    first = services.record_commitments(organisation=organisation, text="One", change_note="", user=admin)
    second = services.record_commitments(
        organisation=organisation, text="Two", change_note="Changed", user=admin
    )
    theirs = services.record_commitments(
        organisation=other_organisation,
        text="Theirs",
        change_note="",
        user=User.objects.get(email="admin@trust.test"),
    )
    assert (first.version, second.version, theirs.version) == (1, 2, 1)
    first.refresh_from_db()
    assert first.text == "One"  # never overwritten
    assert selectors.current_commitments(organisation=organisation) == second
    assert list(selectors.commitment_versions(organisation=organisation)) == [second, first]
    assert selectors.commitment_version(organisation=other_organisation, version=2) is None


@pytest.mark.parametrize(("text", "field"), [("", "text"), ("x" * 10_001, "text")], ids=["empty", "too long"])
def test_commitments_that_break_the_rules_are_refused(
    organisation: Organisation, admin: User, text: str, field: str
) -> None:
    with pytest.raises(services.ServiceError) as refused:
        services.record_commitments(organisation=organisation, text=text, change_note="", user=admin)
    assert refused.value.field == field
    assert not CommitmentStatement.objects.exists()


def test_the_last_admin_keeps_their_role_and_their_place(
    organisation: Organisation, admin: User, member_of: Callable[..., Membership]
) -> None:
    only_admin = member_of(organisation, "admin")
    with pytest.raises(services.ServiceError, match="only admin"):
        services.change_role(membership=only_admin, role="lead", changed_by=admin)
    with pytest.raises(services.ServiceError, match="only admin"):
        services.remove_member(membership=only_admin, removed_by=admin)
    only_admin.refresh_from_db()
    assert only_admin.role == "admin"


def test_with_two_admins_either_may_go(
    organisation: Organisation, admin: User, member_of: Callable[..., Membership]
) -> None:
    lead = member_of(organisation, "lead")
    services.change_role(membership=lead, role="admin", changed_by=admin)
    services.remove_member(membership=Membership.objects.get(user=admin), removed_by=admin)
    assert list(Membership.objects.filter(organisation=organisation, role="admin")) == [lead]
    with pytest.raises(services.ServiceError, match="only admin"):
        services.remove_member(membership=lead, removed_by=lead.user)
    with pytest.raises(NotPermitted):  # the admin who left no longer manages anything here
        services.remove_member(membership=lead, removed_by=admin)


def test_an_unknown_role_is_refused(
    organisation: Organisation, admin: User, member_of: Callable[..., Membership]
) -> None:
    with pytest.raises(services.ServiceError) as refused:
        services.change_role(membership=member_of(organisation, "viewer"), role="owner", changed_by=admin)
    assert refused.value.field == "role"


def test_inviting_checks_what_it_is_given(organisation: Organisation, admin: User) -> None:
    for email, name, role, field in [
        ("not an address", "Sam", "viewer", "email"),
        ("sam@council.test", "  ", "viewer", "full_name"),
        ("sam@council.test", "Sam", "owner", "role"),
    ]:
        with pytest.raises(services.ServiceError) as refused:
            services.invite_member(
                organisation=organisation,
                email=email,
                full_name=name,
                role=role,
                invited_by=admin,
                site_url="https://innovation.example/",
            )
        assert refused.value.field == field
    assert not User.objects.filter(email="sam@council.test").exists()
    assert mail.outbox == []


def test_the_invitation_link_uses_the_site_address(organisation: Organisation, admin: User) -> None:
    invitation = services.invite_member(
        organisation=organisation,
        email="sam@council.test",
        full_name="Sam",
        role="viewer",
        invited_by=admin,
        site_url="https://innovation.example/",
    )
    assert invitation.new_account
    assert invitation.email_sent
    assert "https://innovation.example/accounts/set-password/" in mail.outbox[0].body


def test_a_password_must_pass_the_validators(db: None) -> None:
    user = User.objects.create_user("sam@council.test", None, full_name="Sam")
    with pytest.raises(services.ServiceError) as refused:
        services.set_password(user=user, password="short")
    assert refused.value.field == "password"
    assert "12 characters or more" in refused.value.message
    user.refresh_from_db()
    assert not user.has_usable_password()
