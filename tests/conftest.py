"""Shared fixtures: organisations with a member in every role, and signed-in clients."""

from __future__ import annotations

import os

os.environ.setdefault("TRUSTWORTHY_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright beside live_server

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

ROLES = ("admin", "lead", "contributor", "reviewer", "approver", "viewer")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "undeclared: reviewers and approvers are not made to declare first")


@pytest.fixture(autouse=True, scope="session")
def interests_declared_first() -> Iterator[None]:
    """Reviewers and approvers declare "no interest" before their first verdict or decision,
    as they must (tests/interests_support.py), unless the test is marked `undeclared`.
    For the whole session, so module-scoped scenes are built the same way."""
    from .interests_support import declare_first

    with pytest.MonkeyPatch.context() as patch:
        declare_first(patch)
        yield


@pytest.fixture(autouse=True)
def interests_undeclared(request: pytest.FixtureRequest) -> Iterator[None]:
    from .interests_support import ON

    ON["declare"] = request.node.get_closest_marker("undeclared") is None
    yield
    ON["declare"] = True


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_organisation(db: None) -> Callable[..., object]:
    from trustworthy.organisations.models import Organisation, User
    from trustworthy.organisations.services import add_member

    def make(name: str = "Northshire Council", slug: str = "council") -> Organisation:
        org = Organisation.objects.create(name=name, type="local-authority", region="north-west")
        for role in ROLES:
            user = User.objects.create_user(
                f"{role}@{slug}.test", PASSWORD, full_name=f"{role.title()} of {name}"
            )
            # Through the service, as an operator would: each membership is in the
            # organisation's audit chain, so `audit verify` holds for the fixtures.
            add_member(organisation=org, user=user, role=role)
        return org

    return make


@pytest.fixture
def organisation(make_organisation: Callable[..., object]) -> object:
    return make_organisation()


@pytest.fixture
def other_organisation(make_organisation: Callable[..., object]) -> object:
    return make_organisation("Southvale Children's Trust", "trust")


@pytest.fixture
def client_as(organisation: object) -> Callable[[str], Client]:
    """A test client signed in as the member with this role ('admin', 'lead', ...)."""
    from trustworthy.organisations.models import User

    def sign_in(role: str, slug: str = "council") -> Client:
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@{slug}.test"))
        return client

    return sign_in
