"""A project whose earlier stage is approved, and its post hoc evaluation, built through the
services as people would."""

from __future__ import annotations

from dataclasses import dataclass

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, RegisterRow
from trustworthy.organisations.models import Organisation
from trustworthy.reviews import services as reviews

from ..reviews.helpers import accept_all, person
from .factories import decide, fill_appraisal, make_project


@dataclass(frozen=True)
class Evaluation:
    baseline: Appraisal  # the approved earlier stage
    appraisal: Appraisal  # the evaluation, a draft
    benefits: list[RegisterRow]
    risks: list[RegisterRow]


def approved_inception(organisation: Organisation) -> Appraisal:
    """An approved inception appraisal, with two rows in each register."""
    lead = person("lead")
    inception = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(inception, lead, rows_each=2)
    reviews.transition(appraisal=inception, name="submit", user=lead)
    accept_all(inception)
    decide(inception, person("approver"))
    reviews.transition(appraisal=inception, name="approve", user=person("approver"))
    return Appraisal.objects.get(pk=inception.pk)


def start_evaluation(organisation: Organisation) -> Evaluation:
    """An approved inception appraisal (two rows in each register), and the evaluation
    stage started from it (carrying its answers forward, as every next stage does)."""
    baseline = approved_inception(organisation)
    appraisal = services.start_appraisal(project=baseline.project, stage="evaluation", user=person("lead"))
    rows = RegisterRow.objects.filter(appraisal=baseline).order_by("created_at", "id")
    return Evaluation(
        baseline=baseline,
        appraisal=appraisal,
        benefits=list(rows.filter(register="benefits")),
        risks=list(rows.filter(register="risks")),
    )


def record_outcomes(evaluation: Evaluation) -> None:
    """What happened to every benefit and risk, one thing nobody expected, and lessons."""
    contributor = person("contributor")
    for row in evaluation.benefits:
        services.save_outcome(
            appraisal=evaluation.appraisal, row_id=row.pk, user=contributor, result="partly-achieved",
            evidence="Care entries fell in one of the two areas.",
        )  # fmt: skip
    for row in evaluation.risks:
        services.save_outcome(
            appraisal=evaluation.appraisal, row_id=row.pk, user=contributor, result="partly",
            handling="Two urgent cases waited; the bypass was made automatic.",
        )  # fmt: skip
    services.add_unforeseen(
        appraisal=evaluation.appraisal, user=contributor, kind="benefit",
        description="Schools began asking for family meetings too.", who_affected="Schools",
        handling="We shared the model with the education team.",
    )  # fmt: skip
    services.save_lessons(
        appraisal=evaluation.appraisal, user=contributor,
        text="Start with the areas that asked for it. Measure waiting times from day one.",
    )  # fmt: skip


def approve_evaluation(evaluation: Evaluation) -> Appraisal:
    """Complete, review and approve the evaluation (its answers carried forward are confirmed)."""
    appraisal = evaluation.appraisal
    lead = person("lead")
    fill_appraisal(appraisal, lead, rows_each=0)
    reviews.transition(appraisal=appraisal, name="submit", user=lead)
    reviews.review_sections(
        appraisal=appraisal, user=person("reviewer"),
        verdicts=dict.fromkeys(("parameters", "principles", "tests"), ("acceptable", "")),
    )  # fmt: skip
    decide(appraisal, person("approver"), "proceed")
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    return appraisal
