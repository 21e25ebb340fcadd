"""Shared fixtures: organisations with a member in every role, and signed-in clients."""

from __future__ import annotations

import os

os.environ.setdefault("TRUSTWORTHY_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright beside live_server

from collections.abc import Callable

import pytest
from django.test import Client

ROLES = ("admin", "lead", "contributor", "reviewer", "approver", "viewer")
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
