"""Fixtures for the organisation pages: members by role, and a first version of commitments."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trustworthy.organisations import services
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation, User


@pytest.fixture
def member_of(db: None) -> Callable[[Organisation, str], Membership]:
    """The membership of the fixture member with this role ('admin', 'viewer', ...) in an organisation."""

    def find(organisation: Organisation, role: str) -> Membership:
        return Membership.objects.select_related("user").get(organisation=organisation, role=role)

    return find


@pytest.fixture
def commitments(organisation: Organisation) -> CommitmentStatement:
    """Version 1 of the council's ethical commitments, written by its admin."""
    return services.record_commitments(
        organisation=organisation,
        text="We put children’s rights first.\n\nWe ask young people before we change their services.",
        change_note="",
        user=User.objects.get(email="admin@council.test"),
    )
