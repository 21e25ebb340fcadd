"""A programme with two member organisations, an overseer and a researcher who belong to no
organisation, and a small portfolio of signed and unsigned appraisals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client

from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.organisations.models import Organisation, User
from trustworthy.programmes import services
from trustworthy.programmes.models import Programme

from ..conftest import PASSWORD
from .factories import appraise, people, project, sign


@dataclass
class Portfolio:
    programme: Programme
    council: Organisation
    trust: Organisation
    shared: list[Project] = field(default_factory=list)
    private: Project = field(init=False)
    signed: dict[str, Appraisal] = field(default_factory=dict)
    draft: Appraisal = field(init=False)


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def programme(organisation: Organisation, other_organisation: Organisation) -> Programme:
    found = services.create_programme(name="National Innovation Fund")
    for org in (organisation, other_organisation):
        services.add_organisation(programme=found, organisation=org)
    for role in ("overseer", "researcher"):
        user = User.objects.create_user(f"{role}@national.test", PASSWORD, full_name=f"Pat {role.title()}")
        services.add_member(programme=found, user=user, role=role)
    return found


@pytest.fixture
def portfolio(
    programme: Programme, organisation: Organisation, other_organisation: Organisation
) -> Portfolio:
    """Council: a shared project signed at two stages (one a departure, with a high open risk),
    a shared project with only a draft, and a project it keeps to itself. Trust: one shared
    project, led by funding, signed with a reframe."""
    lead, trust_lead = people("council")["lead"], people("trust")["lead"]
    result = Portfolio(programme, organisation, other_organisation)
    hub = project(organisation, "council", "Residential hub", funding="250000")
    first = appraise(
        hub, "council", at_risk=("HR2", "SJ1"), not_involved=("young-people",), risk=(4, 4, "open")
    )
    result.signed["hub-inception"] = sign(first, "council", "proceed-with-mitigations")
    second = appraise(
        hub, "council", stage="development",
        tests={"T1": "no", "T2": "unsure", "T3": "yes", "T4": "no", "T6": "yes"},
        at_risk=("HR2",), risk=(3, 3, "open"),
    )  # fmt: skip
    result.signed["hub-development"] = sign(
        second, "council", "proceed", departure="A statutory duty left us no choice.",
        decided_on=datetime.date(2026, 11, 15),
    )  # fmt: skip
    drafts = project(organisation, "council", "Family group conferencing", funding="40000")
    result.draft = appraise(
        drafts, "council", tests={"T1": "no", "T2": "no", "T3": "no", "T4": "no", "T6": "no"}
    )
    private = project(organisation, "council", "Predictive analytics", motivation="efficiency-and-cost")
    result.signed["private"] = sign(appraise(private, "council", at_risk=("PI1",)), "council", "proceed")
    kinship = project(other_organisation, "trust", "Kinship care network", motivation="access-to-funding",
                      funding="90000")  # fmt: skip
    result.signed["kinship"] = sign(
        appraise(kinship, "trust", tests={"T1": "unsure", "T2": "yes", "T3": "yes", "T4": "no", "T6": "yes"},
                 not_involved=("young-people", "carers"), risk=(5, 3, "mitigated")),
        "trust", "reframe",
    )  # fmt: skip
    for shared, user in ((hub, lead), (drafts, lead), (kinship, trust_lead)):
        services.share_project(programme=programme, project=shared, user=user)
        result.shared.append(shared)
    result.private = private
    return result
