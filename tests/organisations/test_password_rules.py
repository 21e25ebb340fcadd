"""Passwords that are long enough but trivial are refused, wherever a password is set."""

from __future__ import annotations

import secrets

import pytest
from click.testing import CliRunner
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.cli import main
from trustworthy.organisations import services
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.passwords import is_trivial, runs

TRIVIAL = [
    "aaaaaaaaaaaa",
    "AAAAAAAAAAAAAAAAAAAA",
    "abababababab",
    "abcabcabcabc",
    "abcdefghijkl",
    "ABCDEFGHIJKLMNOP",
    "zyxwvutsrqpo",
    "123456789012",
    "987654321098",
    "qwertyuiopasdf",
    "abcdefgh1234",
    "111111222222",
    "sunflowersunflower",
]
FINE = [PASSWORD, "a long enough passphrase", "Plum-lantern-42-orbit", "tide marsh copper fern"]


@pytest.mark.parametrize("password", TRIVIAL)
def test_trivial_passwords_are_found(password: str) -> None:
    assert is_trivial(password)


@pytest.mark.parametrize("password", FINE)
def test_ordinary_passphrases_are_not(password: str) -> None:
    assert not is_trivial(password)


def test_random_passwords_are_never_taken_for_trivial() -> None:
    for _ in range(2000):
        assert not is_trivial(secrets.token_urlsafe(12))


def test_runs_count_repeats_and_walks_along_sequences() -> None:
    assert runs("aaaa") == 1
    assert runs("abcd4321") == 2
    assert runs("qwerasdf") == 2
    assert runs("a1b2") == 4


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "123456789012", "qwertyuiopas"])
def test_the_settings_refuse_them_with_the_length_and_common_password_checks(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "password_too_simple" in [e.code for e in refused.value.error_list]
    validate_password(PASSWORD)  # and a good one passes every check


@pytest.mark.django_db
def test_the_service_says_what_to_do(organisation: Organisation) -> None:
    user = User.objects.get(email="lead@council.test")
    with pytest.raises(services.ServiceError) as refused:
        services.set_password(user=user, password="aaaaaaaaaaaa")
    assert refused.value.field == "password"
    assert "harder to guess" in refused.value.message
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_set_password_page_refuses_it(client: Client, organisation: Organisation) -> None:
    user = User.objects.get(email="viewer@council.test")
    link = services.set_password_link(user=user, site_url="http://testserver/")
    page = client.get(link, follow=True)
    response = client.post(
        page.request["PATH_INFO"], {"password": "aaaaaaaaaaaa", "password_confirm": "aaaaaaaaaaaa"}
    )
    assert response.status_code == 200
    assert "Enter a password that is harder to guess" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["createuser", "user add"])
def test_the_command_line_refuses_it(command: str) -> None:
    args = [*command.split(), "--email", "x@example.org", "--name", "X Person", "--password", "abcdefghijkl"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "easy to guess" in result.output or "harder to guess" in result.output
    assert not User.objects.exists()
