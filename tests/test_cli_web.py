"""The `trustworthy` verbs that work on the web application's database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trustworthy.cli import main
from trustworthy.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_createuser_makes_a_member_who_can_sign_in() -> None:
    Organisation.objects.create(name="Eastmarsh Council", type="local-authority", region="east-of-england")
    result = CliRunner().invoke(
        main,
        ["createuser", "--email", "Lead@Eastmarsh.example", "--name", "Sam Lead", "--organisation",
         "Eastmarsh Council", "--role", "lead", "--password", "a long enough passphrase"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = User.objects.get(email="lead@eastmarsh.example")
    assert user.check_password("a long enough passphrase")
    assert Membership.objects.get(user=user).role == "lead"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "Nowhere"], "There is no organisation called 'Nowhere'"),
        (["--password", "short"], "too short"),
    ],
)
def test_createuser_explains_what_is_wrong(args: list[str], message: str) -> None:
    base = {"--email": "x@example.org", "--name": "X", "--password": "a long enough passphrase"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = CliRunner().invoke(main, ["createuser", *[p for kv in base.items() for p in kv]])
    assert result.exit_code == 1
    assert message in result.output
    assert not User.objects.exists(), "nothing is created when the command fails"


def test_serve_help_names_its_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output
    assert "--port" in result.output
