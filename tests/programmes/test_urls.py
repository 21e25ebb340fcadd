"""The programme URLs in the project-wide table of who may use what (tests/test_url_permissions.py),
checked on their own: every role, members of another organisation, signed out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from trustworthy.organisations.models import User

from ..conftest import ROLES
from ..test_url_permissions import EXPECTED, named_patterns, objects, url_for

pytestmark = pytest.mark.django_db
__all__ = ["objects"]  # the fixture, shared

MINE = {
    name: pattern for name, pattern in named_patterns() if name.startswith(("programme", "organisation-p"))
}


def test_the_programme_urls_are_all_in_the_table() -> None:
    assert set(MINE) == {
        "programme-list", "programme-dashboard", "programme-record", "programme-research",
        "organisation-portfolio", "organisation-programmes",
    }  # fmt: skip
    assert set(MINE) <= set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_as_each_role_and_from_another_organisation(
    objects: dict[str, Any], other_organisation, role: str
) -> None:
    for slug in ("council", "trust"):
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@{slug}.test"))
        for name, pattern in MINE.items():
            status = client.get(url_for(pattern, objects)).status_code
            assert status == EXPECTED[name][role], (slug, name, status)


def test_signed_out(objects: dict[str, Any]) -> None:
    for pattern in MINE.values():
        response = Client().get(url_for(pattern, objects))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
