"""`trustworthy organisation ...` and `trustworthy user ...`: what operators run on the server."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner, Result
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.api import tokens
from trustworthy.cli import main
from trustworthy.core.audit import verify_organisation_chains
from trustworthy.core.models import AuditEvent
from trustworthy.organisations import services
from trustworthy.organisations.integrity import verify_organisation_state
from trustworthy.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, code: int = 1) -> str:
    """The one line a refusal prints: no traceback, no usage."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def events(organisation: Organisation, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organisation=organisation, action=action).order_by("org_sequence"))


def trail_holds() -> None:
    assert verify_organisation_chains() == []
    assert verify_organisation_state() == []


def link_in(text: str) -> str:
    found = re.search(r"http://\S+/accounts/\S+/", text)
    assert found, text
    return found.group(0)


# Organisations ------------------------------------------------------------------------


def test_an_operator_creates_an_organisation_and_it_is_audited() -> None:
    result = run(
        "organisation",
        "create",
        "Eastmarsh Council",
        "--type",
        "local-authority",
        "--region",
        "east-of-england",
    )
    assert result.exit_code == 0, result.output
    assert "Created Eastmarsh Council (Local authority, East of England)" in result.output
    organisation = Organisation.objects.get(name="Eastmarsh Council")
    assert (organisation.type, organisation.region) == ("local-authority", "east-of-england")
    [event] = events(organisation, "organisation.created")
    assert event.actor_id is None
    assert event.after == {
        "name": "Eastmarsh Council",
        "type": "local-authority",
        "region": "east-of-england",
    }
    trail_holds()


def test_types_and_regions_may_be_given_by_their_names() -> None:
    result = run(
        "organisation", "create", "Fenland Trust", "--type", "Children's services trust", "--region", "LONDON"
    )
    assert result.exit_code == 0, result.output
    assert Organisation.objects.filter(type="childrens-services-trust", region="london").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["X", "--type", "council", "--region", "london"],
            "There is no organisation type 'council'. Use one of: local-authority, childrens-services-trust",
        ),
        (["X", "--type", "charity", "--region", "mars"], "Use one of: north-east, north-west"),
        (["   ", "--type", "charity", "--region", "london"], "Enter the organisation’s name"),
        (["x" * 201, "--type", "charity", "--region", "london"], "200 characters or fewer"),
        (
            ["northshire council", "--type", "charity", "--region", "london"],
            "There is already an organisation called",
        ),
    ],
    ids=["type", "region", "blank", "long", "taken"],
)
def test_a_wrong_organisation_is_refused_in_one_line(
    organisation: Organisation, args: list[str], message: str
) -> None:
    line = refused(run("organisation", "create", *args))
    assert line.startswith("Error: ")
    assert message in line
    assert Organisation.objects.count() == 1


def test_the_list_shows_name_type_region_and_members(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    run("organisation", "create", "Eastmarsh Council", "--type", "charity", "--region", "wales")
    text = run("organisation", "list")
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert lines[0].split() == ["Name", "Type", "Region", "Members"]
    assert re.match(r"Eastmarsh Council +Charity +Wales +0$", lines[1])
    assert re.match(r"Northshire Council +Local authority +North West +6$", lines[2])
    as_json = json.loads(run("organisation", "list", "--format", "json").output)
    assert as_json[0] == {"name": "Eastmarsh Council", "type": "charity", "region": "wales", "members": 0}
    assert [o["name"] for o in as_json] == [
        "Eastmarsh Council",
        "Northshire Council",
        "Southvale Children's Trust",
    ]
    assert [o["members"] for o in as_json] == [0, 6, 6]


def test_an_empty_list_says_what_to_do() -> None:
    assert "trustworthy organisation create" in run("organisation", "list").output
    assert json.loads(run("organisation", "list", "--format", "json").output) == []


def test_renaming_keeps_everything_else_and_is_audited(organisation: Organisation) -> None:
    result = run("organisation", "rename", "Northshire Council", "North Shire Council")
    assert result.exit_code == 0, result.output
    organisation.refresh_from_db()
    assert organisation.name == "North Shire Council"
    assert organisation.memberships.count() == 6
    [event] = events(organisation, "organisation.renamed")
    assert (event.before, event.after) == ({"name": "Northshire Council"}, {"name": "North Shire Council"})
    trail_holds()


def test_renaming_refuses_what_cannot_be(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    assert "There is no organisation called 'Nowhere'" in refused(
        run("organisation", "rename", "Nowhere", "X")
    )
    line = refused(run("organisation", "rename", "Northshire Council", "Southvale Children's Trust"))
    assert "There is already an organisation called" in line
    assert "already called" in refused(
        run("organisation", "rename", "Northshire Council", "Northshire Council")
    )
    assert not AuditEvent.objects.filter(action="organisation.renamed").exists()


# People -------------------------------------------------------------------------------


def test_adding_a_person_prints_a_link_to_set_their_password(
    client: Client, organisation: Organisation
) -> None:
    result = run(
        "user",
        "add",
        "--email",
        "Sam@Council.test",
        "--name",
        "Sam Okafor",
        "--organisation",
        "Northshire Council",
        "--role",
        "lead",
    )
    assert result.exit_code == 0, result.output
    assert "Created sam@council.test as lead of Northshire Council." in result.output
    sam = User.objects.get(email="sam@council.test")
    assert not sam.has_usable_password()
    assert Membership.objects.get(user=sam).role == "lead"
    assert [e.after["email"] for e in events(organisation, "member.added")][-1] == "sam@council.test"
    assert events(organisation, "account.password-link")[-1].target == f"member:{sam.pk}"
    link = link_in(result.output)
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert "Create a password" in page.content.decode()
    assert not mail.outbox
    trail_holds()


def test_adding_a_person_can_email_the_link_instead() -> None:
    result = run("user", "add", "--email", "loner@example.org", "--name", "Lo Ner", "--email-link")
    assert result.exit_code == 0, result.output
    assert "Emailed Lo Ner a link" in result.output
    assert "http" not in result.output
    [sent] = mail.outbox
    assert sent.to == ["loner@example.org"]
    assert "/accounts/set-password/" in sent.body


def test_adding_a_person_with_a_password(client: Client) -> None:
    result = run("user", "add", "--email", "op@example.org", "--name", "Op Erator", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "http" not in result.output
    assert client.login(username="op@example.org", password=PASSWORD)


def test_a_superuser_is_an_operator() -> None:
    result = run(
        "user",
        "add",
        "--email",
        "op@example.org",
        "--name",
        "Op Erator",
        "--superuser",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert "an operator who may use /admin/" in result.output
    op = User.objects.get(email="op@example.org")
    assert op.is_staff
    assert op.is_superuser
    plain = run("user", "add", "--email", "plain@example.org", "--name", "Plain", "--password", PASSWORD)
    assert plain.exit_code == 0
    assert not User.objects.get(email="plain@example.org").is_superuser


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--email", "lead@council.test", "--name", "Again"],
            "There is already an account for lead@council.test",
        ),
        (["--email", "not-an-address", "--name", "X"], "Enter an email address in the correct format"),
        (
            ["--email", "x@example.org", "--name", "X", "--organisation", "Nowhere"],
            "There is no organisation called 'Nowhere'",
        ),
        (["--email", "x@example.org", "--name", "X", "--password", "short"], "12 characters or more"),
    ],
    ids=["taken", "email", "organisation", "password"],
)
def test_adding_a_person_explains_what_is_wrong(
    organisation: Organisation, args: list[str], message: str
) -> None:
    assert message in refused(run("user", "add", *args))
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_wrong_role_is_a_usage_error() -> None:
    result = run("user", "add", "--email", "x@example.org", "--name", "X", "--role", "boss")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_deactivating_someone_stops_them_everywhere(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    services.add_member(organisation=other_organisation, user=lead, role="viewer")
    _, secret = tokens.create_token(user=lead, organisation=organisation, name="Reports", operator=True)
    assert tokens.authenticate(secret) is not None
    signed_in = Client()
    signed_in.force_login(lead)
    assert signed_in.get("/projects/").status_code == 200

    result = run("user", "deactivate", "--email", "Lead@Council.test")
    assert result.exit_code == 0, result.output
    assert "Deactivated Lead of Northshire Council" in result.output

    assert signed_in.get("/projects/").status_code == 302, "their session has ended"
    assert tokens.authenticate(secret) is None, "their API token no longer works"
    assert not Client().login(username="lead@council.test", password=PASSWORD)
    response = Client().post("/accounts/login/", {"email": "lead@council.test", "password": PASSWORD})
    assert "Enter a correct email address and password" in response.content.decode()
    for each in (organisation, other_organisation):
        [event] = events(each, "account.deactivated")
        assert event.target == f"member:{lead.pk}"
        assert event.after == {"user": lead.pk, "email": "lead@council.test", "is_active": False}
    assert Membership.objects.filter(user=lead).count() == 2, "memberships stay"
    trail_holds()

    again = run("user", "deactivate", "--email", "lead@council.test")
    assert again.exit_code == 0
    assert "was already deactivated" in again.output
    assert len(events(organisation, "account.deactivated")) == 1


def test_reactivating_lets_them_back_in(client: Client, organisation: Organisation) -> None:
    run("user", "deactivate", "--email", "lead@council.test")
    result = run("user", "reactivate", "--email", "lead@council.test")
    assert result.exit_code == 0
    assert "can sign in again" in result.output
    assert client.login(username="lead@council.test", password=PASSWORD)
    assert len(events(organisation, "account.reactivated")) == 1
    trail_holds()


def test_only_sessions_of_that_person_end(organisation: Organisation) -> None:
    others = Client()
    others.force_login(User.objects.get(email="viewer@council.test"))
    run("user", "deactivate", "--email", "lead@council.test")
    assert others.get("/projects/").status_code == 200


def test_resetting_prints_a_one_use_link(client: Client, organisation: Organisation) -> None:
    result = run("user", "reset", "--email", "viewer@council.test")
    assert result.exit_code == 0, result.output
    link = link_in(result.output).replace("http://127.0.0.1:8000", "")
    viewer = User.objects.get(email="viewer@council.test")
    assert viewer.check_password(PASSWORD), "the old password works until a new one is set"
    [event] = events(organisation, "account.password-link")
    assert event.after == {"user": viewer.pk, "email": "viewer@council.test", "emailed": False}
    assert link not in json.dumps(event.after), "the link itself is not kept"
    response = client.post(
        link, {"password": "a brand new passphrase", "password_confirm": "a brand new passphrase"}
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("a brand new passphrase")
    assert "This link does not work" in client.get(link).content.decode(), "it works once"


def test_resetting_can_email_the_link(organisation: Organisation) -> None:
    result = run("user", "reset", "--email", "viewer@council.test", "--email-link")
    assert result.exit_code == 0, result.output
    [sent] = mail.outbox
    assert sent.to == ["viewer@council.test"]
    assert "/accounts/set-password/" in sent.body
    assert events(organisation, "account.password-link")[0].after["emailed"] is True


def test_resetting_refuses_unknown_and_deactivated_people(organisation: Organisation) -> None:
    assert (
        refused(run("user", "reset", "--email", "nobody@council.test"))
        == "Error: There is no account for nobody@council.test."
    )
    run("user", "deactivate", "--email", "viewer@council.test")
    assert "reactivate them first" in refused(run("user", "reset", "--email", "viewer@council.test"))
    assert "There is no account" in refused(run("user", "deactivate", "--email", "nobody@council.test"))


def test_createuser_still_works_as_before(organisation: Organisation) -> None:
    result = run(
        "createuser",
        "--email",
        "sam@council.test",
        "--name",
        "Sam",
        "--organisation",
        "Northshire Council",
        "--role",
        "viewer",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert Membership.objects.get(user__email="sam@council.test").role == "viewer"


def test_a_database_that_is_not_set_up_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    def broken(**kwargs: object) -> None:
        raise OperationalError("no such table: organisations_organisation")

    monkeypatch.setattr(services, "create_organisation", broken)
    line = refused(run("organisation", "create", "X", "--type", "charity", "--region", "wales"))
    assert "run `trustworthy migrate` first" in line


def test_the_password_can_be_asked_for_rather_than_typed_on_the_command_line(client: Client) -> None:
    result = CliRunner().invoke(
        main,
        ["user", "add", "--email", "op@example.org", "--name", "Op Erator", "--password"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert client.login(username="op@example.org", password=PASSWORD)
