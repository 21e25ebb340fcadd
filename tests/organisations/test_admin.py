"""The admin site at /admin/: staff superusers only, read-only, and its one change audited."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD, ROLES
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/organisations/organisation/",
    "/admin/organisations/user/",
    "/admin/organisations/membership/",
    "/admin/organisations/commitmentstatement/",
    "/admin/core/auditevent/",
    "/admin/programmes/programme/",
]


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_superuser("op@example.org", PASSWORD, full_name="Olu Operator")


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def test_signed_out_people_are_sent_to_the_services_sign_in_page(client: Client) -> None:
    for url in ("/admin/", "/admin/organisations/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/admin/")
    login = client.get("/admin/login/?next=/admin/organisations/")
    assert login["Location"] == "/accounts/login/?next=/admin/organisations/"


@pytest.mark.parametrize("role", ROLES)
def test_members_of_organisations_find_nothing_there(
    client_as, organisation: Organisation, role: str
) -> None:
    client = client_as(role)
    for url in [*PAGES, "/admin/login/", "/admin/organisations/user/1/change/"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/organisations/user/", {"action": "deactivate"}).status_code == 404


@pytest.mark.parametrize(("staff", "superuser"), [(True, False), (False, True)])
def test_staff_and_superuser_are_both_needed(staff: bool, superuser: bool) -> None:
    user = User.objects.create_user(
        "half@example.org", PASSWORD, full_name="Half", is_staff=staff, is_superuser=superuser
    )
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 404


def test_an_operator_signs_in_on_the_sign_in_page_and_reaches_it(operator: User) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"email": "op@example.org", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_operator_sees_every_page(operator_client: Client, organisation: Organisation) -> None:
    for url in PAGES:
        response = operator_client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
    lead = User.objects.get(email="lead@council.test")
    page = operator_client.get(f"/admin/organisations/user/{lead.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "lead@council.test" in html
    assert lead.password not in html, "never the password's hash"
    assert "argon2" not in html
    assert "md5$" not in html


def test_nothing_can_be_added_changed_or_deleted(operator_client: Client, organisation: Organisation) -> None:
    lead = User.objects.get(email="lead@council.test")
    membership = Membership.objects.get(user=lead)
    assert operator_client.get("/admin/organisations/organisation/add/").status_code == 403
    assert operator_client.post("/admin/organisations/organisation/add/", {"name": "X"}).status_code == 403
    changed = operator_client.post(
        f"/admin/organisations/membership/{membership.pk}/change/",
        {"user": lead.pk, "organisation": organisation.pk, "role": "admin"},
    )
    assert changed.status_code == 403
    assert (
        operator_client.post(f"/admin/organisations/user/{lead.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    html = operator_client.get("/admin/organisations/user/").content.decode()
    assert "delete_selected" not in html
    assert Membership.objects.get(pk=membership.pk).role == "lead"
    assert User.objects.filter(pk=lead.pk).exists()


def test_deactivating_from_the_admin_site_is_audited(
    operator: User, operator_client: Client, organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    signed_in = Client()
    signed_in.force_login(lead)
    response = operator_client.post(
        "/admin/organisations/user/", {"action": "deactivate", "_selected_action": [lead.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Deactivated lead@council.test." in response.content.decode()
    lead.refresh_from_db()
    assert not lead.is_active
    [event] = AuditEvent.objects.filter(organisation=organisation, action="account.deactivated")
    assert event.actor_id == operator.pk
    assert event.actor_name == "Olu Operator"
    assert signed_in.get("/projects/").status_code == 302, "their session has ended"

    operator_client.post(
        "/admin/organisations/user/", {"action": "reactivate", "_selected_action": [lead.pk]}
    )
    lead.refresh_from_db()
    assert lead.is_active
    [event] = AuditEvent.objects.filter(organisation=organisation, action="account.reactivated")
    assert event.actor_id == operator.pk


def test_an_operator_cannot_deactivate_themselves(operator: User, operator_client: Client) -> None:
    response = operator_client.post(
        "/admin/organisations/user/", {"action": "deactivate", "_selected_action": [operator.pk]}, follow=True
    )
    assert "You cannot deactivate your own account" in response.content.decode()
    operator.refresh_from_db()
    assert operator.is_active
