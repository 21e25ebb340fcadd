"""A decided appraisal with something in every part, for the decision-record tests."""

from __future__ import annotations

from typing import Any

import pytest

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation, User

from ..appraisals.factories import decide, fill_appraisal, make_project


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return User.objects.get(email="lead@council.test")


@pytest.fixture
def decided(organisation: Organisation, lead: User) -> Appraisal:
    return make_decided(organisation)


def make_decided(organisation: Organisation) -> Appraisal:
    """An inception appraisal with two rows in each register and a recorded decision."""
    lead = User.objects.get(email="lead@council.test")
    project = make_project(
        organisation,
        lead,
        context_local="Two neighbourhoods with high need.",
        funding_amount="125000.00",
    )
    appraisal = fill_appraisal(
        services.start_appraisal(project=project, stage="inception", user=lead), lead, rows_each=2
    )
    services.save_criteria(
        appraisal=appraisal,
        user=lead,
        ratings={c.id: ("partly", f"Not yet on {c.id}.") for c in default_framework().rateable_criteria()},
    )
    approver = User.objects.get(email="approver@council.test")
    decide(appraisal, approver)
    # The services change a locked copy of the row: read it again, as a request would, or
    # this object keeps the `updated_at` of before the decision.
    appraisal.refresh_from_db()
    return appraisal


def approve(appraisal: Appraisal, **extra: Any) -> Appraisal:
    """Approval itself belongs to the review workflow; these tests only need its result."""
    import datetime

    appraisal.status = "approved"
    appraisal.approved_at = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
    appraisal.approved_by = User.objects.get(email="approver@council.test")
    appraisal.record_hash = "a" * 64
    appraisal.approved_audit_head = "b" * 64
    for key, value in extra.items():
        setattr(appraisal, key, value)
    appraisal.save()
    return appraisal
