"""Who may open each organisation page: without signing in, in each role, and from elsewhere.

Anonymous people are sent to sign in; members whose role does not allow a page get 403;
an object of another organisation answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import ROLES
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation, User

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
ADMINS = frozenset({"admin"})

# (url, roles that may open it); {member} is the council viewer's membership id.
PAGES = [
    ("/organisations/switch/", EVERYONE),
    ("/organisation/", EVERYONE),
    ("/organisation/commitments/", EVERYONE),
    ("/organisation/commitments/1/", EVERYONE),
    ("/organisation/commitments/edit/", ADMINS),
    ("/organisation/members/", ADMINS),
    ("/organisation/members/invite/", ADMINS),
    ("/organisation/members/{member}/", ADMINS),
    ("/organisation/members/{member}/remove/", ADMINS),
    ("/organisation/members/{member}/resend-invitation/", ADMINS),
]
# Pages about one thing that belongs to the council.
OBJECT_PAGES = [
    "/organisation/commitments/1/",
    "/organisation/members/{member}/",
    "/organisation/members/{member}/remove/",
    "/organisation/members/{member}/resend-invitation/",
]
# Forms that change something, with valid data.
WRITES = [
    ("/organisation/commitments/edit/", {"text": "New commitments", "change_note": "Rewritten"}),
    (
        "/organisation/members/invite/",
        {"email": "someone@council.test", "full_name": "Someone", "role": "viewer"},
    ),
    ("/organisation/members/{member}/", {"role": "lead"}),
    ("/organisation/members/{member}/remove/", {}),
    ("/organisation/members/{member}/resend-invitation/", {}),
]


@pytest.fixture
def url_for(organisation: Organisation, commitments: CommitmentStatement) -> Callable[[str], str]:
    viewer = Membership.objects.get(organisation=organisation, role="viewer")
    return lambda pattern: pattern.format(member=viewer.pk)


def state(organisation: Organisation) -> tuple[object, ...]:
    """Everything the writes above could change."""
    return (
        sorted(Membership.objects.filter(organisation=organisation).values_list("user__email", "role")),
        CommitmentStatement.objects.filter(organisation=organisation).count(),
        User.objects.count(),
    )


@pytest.mark.parametrize(("pattern", "allowed"), PAGES, ids=[p for p, _ in PAGES])
def test_anonymous_people_are_sent_to_sign_in(
    client: Client, url_for: Callable[[str], str], pattern: str, allowed: frozenset[str]
) -> None:
    url = url_for(pattern)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(("pattern", "data"), WRITES, ids=[p for p, _ in WRITES])
def test_anonymous_people_change_nothing(
    client: Client,
    organisation: Organisation,
    url_for: Callable[[str], str],
    pattern: str,
    data: dict[str, str],
) -> None:
    before = state(organisation)
    response = client.post(url_for(pattern), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert state(organisation) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("pattern", "allowed"), PAGES, ids=[p for p, _ in PAGES])
def test_each_role_sees_only_its_pages(
    client_as: Callable[[str], Client],
    url_for: Callable[[str], str],
    pattern: str,
    allowed: frozenset[str],
    role: str,
) -> None:
    response = client_as(role).get(url_for(pattern))
    assert response.status_code == (200 if role in allowed else 403)
    if response.status_code == 403:
        assert "You cannot do that" in response.content.decode()


@pytest.mark.parametrize("role", sorted(set(ROLES) - ADMINS))
@pytest.mark.parametrize(("pattern", "data"), WRITES, ids=[p for p, _ in WRITES])
def test_other_roles_cannot_change_anything(
    client_as: Callable[[str], Client],
    organisation: Organisation,
    url_for: Callable[[str], str],
    pattern: str,
    data: dict[str, str],
    role: str,
) -> None:
    before = state(organisation)
    assert client_as(role).post(url_for(pattern), data).status_code == 403
    assert state(organisation) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", OBJECT_PAGES)
def test_another_organisations_things_are_not_found(
    client_as: Callable[[str, str], Client],
    other_organisation: Organisation,
    organisation: Organisation,
    url_for: Callable[[str], str],
    pattern: str,
    role: str,
) -> None:
    """Members of the trust, in any role, find nothing of the council's: not even a 403."""
    client = client_as(role, "trust")
    before = state(organisation)
    assert client.get(url_for(pattern)).status_code == 404
    assert client.post(url_for(pattern), {"role": "lead"}).status_code == 404
    assert state(organisation) == before


@pytest.mark.parametrize(("pattern", "allowed"), PAGES[1:], ids=[p for p, _ in PAGES[1:]])
def test_someone_in_no_organisation_finds_nothing(
    client: Client, url_for: Callable[[str], str], pattern: str, allowed: frozenset[str]
) -> None:
    client.force_login(
        User.objects.create_user("loner@example.org", "a long enough password", full_name="Lo")
    )
    assert client.get(url_for(pattern)).status_code == 404
