"""Demonstration data: two fictional organisations, their people, commitments and appraisals.

The content is in `demo_data.yaml`; this module only walks it, through the same services
as people's own work, so the demo passes the same rules. Loading is idempotent: an
organisation that already exists (by name) is left exactly as it is.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from trustworthy.appraisals import declaring, services
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import evaluation_of
from trustworthy.framework import default_framework
from trustworthy.organisations import services as organisation_services
from trustworthy.organisations.models import Organisation, Role, User
from trustworthy.reviews import services as reviews

__all__ = ["DATA_FILE", "PASSWORD_ENV", "DemoResult", "load_demo"]

DATA_FILE = Path(__file__).with_name("demo_data.yaml")
PASSWORD_ENV = "TRUSTWORTHY_DEMO_PASSWORD"
# How a demo decision keeps to the organisation's ethical commitments, unless its spec says.
DEMO_COMMITMENTS_ANSWER = (
    "It keeps to our commitments: the children and families affected were asked and heard, the risks "
    "to them are managed and reviewed, and we will stop if the harms outweigh the benefits."
)


@dataclass
class DemoResult:
    """What `load_demo` did. `password` is set only when it created someone with it."""

    organisations_created: list[str] = field(default_factory=list)
    organisations_existing: list[str] = field(default_factory=list)
    projects_created: list[tuple[str, str]] = field(default_factory=list)  # (organisation, title)
    projects_existing: list[tuple[str, str]] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    users_existing: list[str] = field(default_factory=list)
    email_patterns: list[str] = field(default_factory=list)  # "<role>@council.example.org"
    programme_people: list[str] = field(default_factory=list)  # overseer and researcher, if created
    password: str | None = None


@transaction.atomic
def load_demo(password: str | None = None) -> DemoResult:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    chosen = password or os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12)
    result = DemoResult()
    for spec in data["organisations"]:
        result.email_patterns.append(f"<role>@{spec['email_domain']}")
        organisation = Organisation.objects.filter(name=spec["name"]).first()
        if organisation is None:
            _load_organisation(spec, chosen, result)
            continue
        result.organisations_existing.append(organisation.name)
        emails = [f"{role}@{spec['email_domain']}" for role in Role.values]
        result.users_existing += User.objects.filter(email__in=emails).values_list("email", flat=True)
        titles = set(organisation.projects.values_list("title", flat=True))
        result.projects_existing += [
            (organisation.name, p["title"]) for p in spec["projects"] if p["title"] in titles
        ]
    from .national import load_demo_programme

    result.programme_people = load_demo_programme(chosen, [spec["name"] for spec in data["organisations"]])
    result.password = chosen if result.users_created or result.programme_people else None
    return result


def _load_organisation(spec: dict[str, Any], password: str, result: DemoResult) -> None:
    # No service creates organisations yet (they are made by maintainers); validate as one would.
    organisation = Organisation(name=spec["name"], type=spec["type"], region=spec["region"])
    organisation.full_clean()
    organisation.save()
    result.organisations_created.append(organisation.name)
    people: dict[str, User] = {}
    for role in Role.values:
        email = f"{role}@{spec['email_domain']}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = organisation_services.create_user(
                email=email, full_name=spec["people"][role], password=password
            )
            result.users_created.append(email)
        else:
            result.users_existing.append(email)
        organisation_services.add_member(organisation=organisation, user=user, role=role)
        people[role] = user
    for version in spec["commitments"]:
        organisation_services.record_commitments(
            organisation=organisation,
            text=version["text"],
            change_note=version["change_note"],
            user=people["admin"],
        )
    for project in spec["projects"]:
        _load_project(organisation, people, project)
        result.projects_created.append((organisation.name, project["title"]))


def _load_project(organisation: Organisation, people: dict[str, User], spec: dict[str, Any]) -> None:
    fields = {k: spec[k] for k in services.PROJECT_FIELDS if k in spec}
    fields["funding_amount"] = Decimal(spec["funding_amount"])
    project = services.create_project(
        organisation=organisation,
        user=people[spec["created_by"]],
        fields=fields,
        motivations=[services.MotivationInput(m["id"], m["explanation"]) for m in spec["motivations"]],
        primary_motivation=next(m["id"] for m in spec["motivations"] if m.get("primary")),
    )
    for stage in spec["appraisals"]:
        appraisal = services.start_appraisal(
            project=project, stage=stage["stage"], user=people[stage["by"]], reason=stage.get("reason", "")
        )
        _fill(appraisal, people, stage)


def _fill(appraisal: Appraisal, people: dict[str, User], spec: dict[str, Any]) -> None:
    """Answer what the spec answers, in the order a person would: registers, then answers."""
    user = people[spec["by"]]
    for register_id, rows in spec.get("registers", {}).items():
        for row in rows:
            services.add_register_row(appraisal=appraisal, register_id=register_id, data=row, user=user)
    for stakeholder, record in spec.get("participation", {}).items():
        services.save_participation(
            appraisal=appraisal, stakeholder=stakeholder, mode=record["mode"],
            reason=record.get("reason", ""), summary=record.get("summary", ""), user=user,
        )  # fmt: skip
    for question_id, answer in spec.get("answers", {}).items():
        services.save_answer(
            appraisal=appraisal, question_id=question_id, user=user,
            value=answer.get("value", ""), rationale=answer["rationale"],
        )  # fmt: skip
    for question_id, aspects in spec.get("principles", {}).items():
        for aspect, given in aspects.items():
            services.save_principles(
                appraisal=appraisal, question_id=question_id, aspect=aspect, user=user,
                value=given["value"], rationale=given["rationale"],
                ratings={pid: _rating(r) for pid, r in given["ratings"].items()},
            )  # fmt: skip
    if evaluation := spec.get("evaluation"):
        _evaluate(appraisal, user, evaluation)
    if decision := spec.get("decision"):
        # A decision goes through review and is signed, as it would in real use.
        reviews.transition(appraisal=appraisal, name="submit", user=people["lead"])
        # The reviewer and the approver declare their interests first, as they must (policy.py).
        for role in ("reviewer", decision["by"]):
            declaring.declare_interests(appraisal=appraisal, user=people[role], has_interest=False)
        reviews.review_sections(
            appraisal=appraisal, user=people["reviewer"],
            verdicts={s.id: ("acceptable", "") for s in default_framework().sections},
        )  # fmt: skip
        services.record_decision(
            appraisal=appraisal, user=people[decision["by"]], decision=decision["decision"],
            reasoning=decision["reasoning"], departure_reason=decision.get("departure_reason", ""),
            accountable_person=decision["accountable_person"], decided_on=decision["decided_on"],
            commitments_answer=decision.get("commitments_answer", DEMO_COMMITMENTS_ANSWER),
        )  # fmt: skip
        reviews.transition(appraisal=appraisal, name="approve", user=people[decision["by"]])


def _evaluate(appraisal: Appraisal, user: User, spec: dict[str, Any]) -> None:
    """What happened to each benefit and risk of the approved stage (in its registers' order),
    what nobody expected, and the lessons for others."""
    found = evaluation_of(appraisal)
    assert found is not None, "an evaluation is recorded only at the evaluation stage"
    for part in ("benefits", "risks"):
        for expectation, given in zip(getattr(found, part), spec.get(part, []), strict=False):
            services.save_outcome(
                appraisal=appraisal, row_id=expectation.row.pk, user=user, result=str(given["result"]),
                evidence=given.get("evidence", ""), handling=given.get("handling", ""),
            )  # fmt: skip
    for item in spec.get("unforeseen", []):
        services.add_unforeseen(
            appraisal=appraisal, user=user, kind=item["kind"], description=item["description"],
            who_affected=item.get("who_affected", ""), handling=item.get("handling", ""),
        )  # fmt: skip
    if spec.get("lessons"):
        services.save_lessons(appraisal=appraisal, user=user, text=spec["lessons"])


def _rating(given: str | dict[str, str]) -> tuple[str, str]:
    """A rating id on its own, or {rating, note}."""
    return (given, "") if isinstance(given, str) else (given["rating"], given["note"])
