"""Organisation-level changes are in the organisation's audit chain, one event each, and
`audit verify` notices members, roles, commitments or the safeguarding line changed
behind the services."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.core import mail
from django.db import transaction
from django.test import Client

from trustworthy.cli import main
from trustworthy.core import audit
from trustworthy.core.models import AuditEvent
from trustworthy.organisations import services
from trustworthy.organisations.changes import NotPermitted
from trustworthy.organisations.integrity import verify_organisation_state
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation, User
from trustworthy.voices.services import set_safeguarding_contact

pytestmark = pytest.mark.django_db

SITE = "https://innovation.example/"


def person(role: str, slug: str = "council") -> User:
    return User.objects.get(email=f"{role}@{slug}.test")


class Trail:
    """The events an organisation's chain gains from here on."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.start = self._last()

    def _last(self) -> int:
        last = AuditEvent.objects.filter(organisation=self.organisation).order_by("-org_sequence").first()
        return last.org_sequence if last else 0

    def new(self) -> list[AuditEvent]:
        return list(
            AuditEvent.objects.filter(organisation=self.organisation, org_sequence__gt=self.start).order_by(
                "org_sequence"
            )
        )

    def one(self) -> AuditEvent:
        events = self.new()
        assert len(events) == 1, [str(e) for e in events]
        assert events[0].appraisal_id is None
        return events[0]


@pytest.fixture
def trail(organisation: Organisation) -> Trail:
    return Trail(organisation)


# One write, one event ------------------------------------------------------------------


def test_the_fixture_members_are_in_the_trail(organisation: Organisation) -> None:
    added = AuditEvent.objects.filter(organisation=organisation, action="member.added")
    assert sorted(e.after["role"] for e in added) == sorted(
        Membership.objects.filter(organisation=organisation).values_list("role", flat=True)
    )


def test_adding_a_member_by_an_operator_is_one_event_with_no_actor(
    organisation: Organisation, trail: Trail
) -> None:
    user = User.objects.create_user("sam@council.test", None, full_name="Sam")
    membership = services.add_member(organisation=organisation, user=user, role="reviewer")
    event = trail.one()
    assert (event.action, event.target, event.actor_id, event.actor_name) == (
        "member.added",
        f"member:{user.pk}",
        None,
        "",
    )
    assert event.before is None
    assert event.after == {
        "user": user.pk,
        "email": "sam@council.test",
        "membership": membership.pk,
        "role": "reviewer",
    }


def test_adding_an_existing_member_changes_their_role_or_nothing(
    organisation: Organisation, trail: Trail
) -> None:
    viewer = person("viewer")
    services.add_member(organisation=organisation, user=viewer, role="viewer")
    assert trail.new() == []  # nothing changed, nothing recorded
    services.add_member(organisation=organisation, user=viewer, role="lead")
    event = trail.one()
    assert (event.action, event.before, event.after["role"]) == (
        "member.role-changed",
        {"role": "viewer"},
        "lead",
    )


def test_adding_a_member_by_organisation_name_is_one_event(organisation: Organisation, trail: Trail) -> None:
    user = User.objects.create_user("sam@council.test", None, full_name="Sam")
    services.add_member_by_name(organisation_name="Northshire Council", user=user, role="viewer")
    assert trail.one().action == "member.added"


def test_createuser_records_the_membership_but_not_the_account(
    organisation: Organisation, trail: Trail
) -> None:
    result = CliRunner().invoke(
        main,
        ["createuser", "--email", "sam@council.test", "--name", "Sam", "--organisation", "Northshire Council",
         "--role", "approver", "--password", "a long enough passphrase"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    event = trail.one()
    assert (event.action, event.actor_id, event.after["email"], event.after["role"]) == (
        "member.added",
        None,
        "sam@council.test",
        "approver",
    )


def test_inviting_is_one_event_by_the_admin(organisation: Organisation, trail: Trail) -> None:
    admin = person("admin")
    invitation = services.invite_member(
        organisation=organisation,
        email="Sam@Council.test",
        full_name="Sam",
        role="contributor",
        invited_by=admin,
        site_url=SITE,
    )
    event = trail.one()
    assert (event.action, event.actor_id, event.actor_name) == ("member.invited", admin.pk, str(admin))
    assert event.after == {
        "user": invitation.membership.user_id,
        "email": "sam@council.test",
        "membership": invitation.membership.pk,
        "role": "contributor",
        "new_account": True,
    }
    assert len(mail.outbox) == 1


def test_changing_a_role_is_one_event_with_before_and_after(
    organisation: Organisation, trail: Trail, member_of: Callable[..., Membership]
) -> None:
    admin, viewer = person("admin"), member_of(organisation, "viewer")
    services.change_role(membership=viewer, role="reviewer", changed_by=admin)
    event = trail.one()
    assert (event.action, event.target, event.actor_id) == (
        "member.role-changed",
        f"member:{viewer.user_id}",
        admin.pk,
    )
    assert (event.before, event.after["role"], event.after["membership"]) == (
        {"role": "viewer"},
        "reviewer",
        viewer.pk,
    )
    services.change_role(membership=viewer, role="reviewer", changed_by=admin)
    assert len(trail.new()) == 1  # the same role again changes nothing


def test_changing_a_role_on_the_web_records_the_admin(
    client_as: Callable[[str], Client],
    organisation: Organisation,
    trail: Trail,
    member_of: Callable[..., Membership],
) -> None:
    viewer = member_of(organisation, "viewer")
    response = client_as("admin").post(f"/organisation/members/{viewer.pk}/", {"role": "approver"})
    assert response.status_code == 302
    event = trail.one()
    assert (event.action, event.actor_id, event.after["role"]) == (
        "member.role-changed",
        person("admin").pk,
        "approver",
    )


def test_removing_a_member_is_one_event(
    organisation: Organisation, trail: Trail, member_of: Callable[..., Membership]
) -> None:
    admin, viewer = person("admin"), member_of(organisation, "viewer")
    services.remove_member(membership=viewer, removed_by=admin)
    event = trail.one()
    assert (event.action, event.target, event.actor_id, event.after) == (
        "member.removed",
        f"member:{viewer.user_id}",
        admin.pk,
        None,
    )
    assert event.before == {
        "user": viewer.user_id,
        "email": "viewer@council.test",
        "membership": viewer.pk,
        "role": "viewer",
    }
    services.remove_member(membership=viewer, removed_by=admin)  # already gone
    assert len(trail.new()) == 1


def test_each_version_of_the_commitments_is_one_event_holding_its_digest(
    organisation: Organisation, trail: Trail
) -> None:
    admin = person("admin")
    services.record_commitments(organisation=organisation, text="One", change_note="", user=admin)
    services.record_commitments(organisation=organisation, text="Two", change_note="Rewritten", user=admin)
    first, second = trail.new()
    assert (first.action, first.target, first.actor_id, first.before) == (
        "commitments.recorded",
        "commitments:1",
        admin.pk,
        None,
    )
    assert second.before == {"version": 1, "text_sha256": services.text_digest("One")}
    assert second.after == {
        "version": 2,
        "text_sha256": services.text_digest("Two"),
        "change_note": "Rewritten",
    }
    assert services.text_digest("Two") == hashlib.sha256(b"Two").hexdigest()  # anyone can check it


def test_resending_an_invitation_saves_nothing_and_records_nothing(
    organisation: Organisation, member_of: Callable[..., Membership]
) -> None:
    admin = person("admin")
    invitation = services.invite_member(
        organisation=organisation,
        email="sam@council.test",
        full_name="Sam",
        role="viewer",
        invited_by=admin,
        site_url=SITE,
    )
    trail = Trail(organisation)
    services.resend_invitation(membership=invitation.membership, invited_by=admin, site_url=SITE)
    assert len(mail.outbox) == 2
    assert trail.new() == []
    with pytest.raises(NotPermitted):
        services.resend_invitation(membership=invitation.membership, invited_by=person("lead"), site_url=SITE)
    assert len(mail.outbox) == 2


def test_setting_a_password_is_about_a_person_not_an_organisation(organisation: Organisation) -> None:
    before = AuditEvent.objects.count()
    user = services.create_user(email="sam@council.test", full_name="Sam", password=None)
    services.set_password(user=user, password="a long enough passphrase")
    assert AuditEvent.objects.count() == before


# Refused: nothing changes, nothing is recorded -------------------------------------------


@pytest.mark.parametrize("role", ["lead", "contributor", "reviewer", "approver", "viewer"])
def test_only_admins_pass_the_gate(
    organisation: Organisation,
    other_organisation: Organisation,
    member_of: Callable[..., Membership],
    role: str,
) -> None:
    actor, target = person(role), member_of(organisation, "contributor")
    state = sorted(Membership.objects.values_list("user__email", "organisation_id", "role"))
    events = AuditEvent.objects.count()
    attempts: list[Callable[[], Any]] = [
        lambda: services.change_role(membership=target, role="lead", changed_by=actor),
        lambda: services.remove_member(membership=target, removed_by=actor),
        lambda: services.invite_member(
            organisation=organisation,
            email="sam@council.test",
            full_name="Sam",
            role="viewer",
            invited_by=actor,
            site_url=SITE,
        ),
        lambda: services.record_commitments(
            organisation=organisation, text="Ours", change_note="", user=actor
        ),
        # An admin of another organisation is nobody here.
        lambda: services.change_role(membership=target, role="lead", changed_by=person("admin", "trust")),
    ]
    for attempt in attempts:
        with pytest.raises(NotPermitted):
            attempt()
    assert sorted(Membership.objects.values_list("user__email", "organisation_id", "role")) == state
    assert not CommitmentStatement.objects.exists()
    assert not User.objects.filter(email="sam@council.test").exists()
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []


def test_a_refused_change_records_nothing(
    organisation: Organisation, trail: Trail, member_of: Callable[..., Membership]
) -> None:
    admin = person("admin")
    with pytest.raises(services.ServiceError, match="only admin"):
        services.change_role(membership=member_of(organisation, "admin"), role="lead", changed_by=admin)
    with pytest.raises(services.ServiceError, match="only admin"):
        services.remove_member(membership=member_of(organisation, "admin"), removed_by=admin)
    with pytest.raises(services.ServiceError, match="already a member"):
        services.invite_member(
            organisation=organisation,
            email="viewer@council.test",
            full_name="V",
            role="lead",
            invited_by=admin,
            site_url=SITE,
        )
    with pytest.raises(services.ServiceError):
        services.record_commitments(organisation=organisation, text="  ", change_note="", user=admin)
    assert trail.new() == []


# Verification ---------------------------------------------------------------------------


def audit_verify() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


@pytest.fixture
def history(organisation: Organisation, other_organisation: Organisation) -> Organisation:
    """The council after a few ordinary changes through the services."""
    admin = person("admin")
    services.record_commitments(organisation=organisation, text="We listen.", change_note="", user=admin)
    services.record_commitments(
        organisation=organisation, text="We listen and act.", change_note="Act on it", user=admin
    )
    services.change_role(
        membership=Membership.objects.get(user=person("viewer"), organisation=organisation),
        role="reviewer",
        changed_by=admin,
    )
    services.remove_member(
        membership=Membership.objects.get(user=person("contributor"), organisation=organisation),
        removed_by=admin,
    )
    services.invite_member(
        organisation=organisation,
        email="sam@council.test",
        full_name="Sam",
        role="lead",
        invited_by=admin,
        site_url=SITE,
    )
    set_safeguarding_contact(
        organisation=organisation, user=admin, text="Call the duty team on 0100 000 0000."
    )
    return organisation


def test_untouched_organisations_verify(history: Organisation) -> None:
    assert verify_organisation_state() == []
    code, output = audit_verify()
    assert code == 0, output
    assert "Audit trail verified" in output


def _membership(organisation: Organisation, email: str) -> Any:
    return Membership.objects.filter(organisation=organisation, user__email=email)


def _statement(organisation: Organisation, version: int) -> Any:
    return CommitmentStatement.objects.filter(organisation=organisation, version=version)


def _insert_member(organisation: Organisation) -> None:
    user = User.objects.create_user("mallory@elsewhere.test", None, full_name="Mallory")
    Membership.objects.create(user=user, organisation=organisation, role="admin")


def _replace_membership(organisation: Organisation) -> None:
    membership = _membership(organisation, "lead@council.test").get()
    membership.delete()
    Membership.objects.create(user_id=membership.user_id, organisation=organisation, role="lead")


def _add_version(organisation: Organisation) -> None:
    CommitmentStatement.objects.create(
        organisation=organisation, version=3, text="We do as we like.", created_by=person("admin")
    )


def _clear_safeguarding(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(safeguarding_contact="")


# (tampering, where it is named, what is said)
TAMPERINGS: list[tuple[str, Callable[[Organisation], Any], str, str]] = [
    (
        "a role raised",
        lambda o: _membership(o, "viewer@council.test").update(role="admin"),
        "member viewer@council.test",
        "they are admin, but the trail last made them reviewer",
    ),
    (
        "a member deleted",
        lambda o: _membership(o, "approver@council.test").delete(),
        "member approver@council.test",
        "removed without an event",
    ),
    (
        "a removed member put back",
        lambda o: Membership.objects.create(user=person("contributor"), organisation=o, role="contributor"),
        "member contributor@council.test",
        "the trail says they were removed",
    ),
    (
        "a member added",
        _insert_member,
        "member mallory@elsewhere.test",
        "the trail never added them",
    ),
    (
        "a membership replaced",
        _replace_membership,
        "member lead@council.test",
        "replaced behind the service",
    ),
    (
        "a commitment text rewritten",
        lambda o: _statement(o, 1).update(text="We listen, sometimes."),
        "ethical commitments version 1",
        "its text is not the one that was recorded",
    ),
    (
        "a commitment note rewritten",
        lambda o: _statement(o, 2).update(change_note="Nothing much"),
        "ethical commitments version 2",
        "the note of what changed",
    ),
    (
        "a commitment's author changed",
        lambda o: _statement(o, 2).update(created_by=person("lead")),
        "ethical commitments version 2",
        "someone other than the person who recorded it",
    ),
    (
        "a commitment version deleted",
        lambda o: _statement(o, 2).delete(),
        "ethical commitments version 2",
        "has been deleted",
    ),
    (
        "a commitment version added",
        _add_version,
        "ethical commitments version 3",
        "added behind the service",
    ),
    (
        "the safeguarding line rewritten",
        lambda o: Organisation.objects.filter(pk=o.pk).update(safeguarding_contact="Call 0900 000 0000."),
        "the safeguarding line",
        "not the one the trail last recorded",
    ),
    (
        "the safeguarding line cleared",
        _clear_safeguarding,
        "the safeguarding line",
        "not the one the trail last recorded",
    ),
]


@pytest.mark.parametrize(("name", "tamper", "where", "message"), TAMPERINGS, ids=[t[0] for t in TAMPERINGS])
def test_a_change_behind_the_services_is_named(
    history: Organisation, name: str, tamper: Callable[[Organisation], Any], where: str, message: str
) -> None:
    tamper(history)
    scope = f"organisation {history.pk} (Northshire Council)"
    problems = [str(p) for p in verify_organisation_state()]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{scope}, {where}: "), problems
    assert message in problems[0]
    code, output = audit_verify()
    assert code == 1
    assert f"Audit check failed: {scope}, {where}" in output
    assert "Southvale" not in output  # the other organisation is untouched


def test_a_safeguarding_line_set_without_an_event_is_named(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(safeguarding_contact="Call 0900 000 0000.")
    problems = [str(p) for p in verify_organisation_state()]
    assert problems == [
        f"organisation {organisation.pk} (Northshire Council), the safeguarding line: "
        "it was set, but the trail has no event setting it"
    ]


def test_a_membership_made_before_its_event_would_be_named(db: None) -> None:
    """Nothing is trusted for having been there first: a member with no event is reported."""
    organisation = Organisation.objects.create(name="Westmoor Council", type="charity", region="wales")
    user = User.objects.create_user("old@westmoor.test", None, full_name="Old")
    Membership.objects.create(user=user, organisation=organisation, role="admin")
    problems = [str(p) for p in verify_organisation_state()]
    assert problems == [
        f"organisation {organisation.pk} (Westmoor Council), member old@westmoor.test: they are admin, "
        "but the trail never added them: they were added behind the service"
    ]


def test_an_event_that_cannot_be_replayed_is_named_not_a_crash(organisation: Organisation) -> None:
    with transaction.atomic():  # sealed like any event, but missing what a member event holds
        event = audit.append(organisation_id=organisation.pk, actor=None, action="member.added", after={})
    problems = [str(p) for p in verify_organisation_state()]
    assert problems == [
        f"organisation {organisation.pk} (Northshire Council), event {event.org_sequence} (member.added): "
        "it does not hold what an event of its kind holds"
    ]
