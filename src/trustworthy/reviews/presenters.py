"""What the review pages show, kept out of views and templates: the review of each section,
the next step once a review is saved, and what each step of the workflow does. Which steps
a person is offered follows the change policy (`appraisals.policy`), never a role's name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustworthy.appraisals import policy
from trustworthy.appraisals import selectors as appraisal_selectors
from trustworthy.appraisals.interest_pages import interests_parts
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change, Transition
from trustworthy.appraisals.presenters import STEP_WORDS, StepOffer, StepWords
from trustworthy.framework import Framework

from . import services
from .feedback import step_problems
from .models import SectionReview, Verdict
from .selectors import reviews_by_round

# The steps a review leads to, in the order offered.
AFTER_REVIEW = (Change.REQUEST_CHANGES, Change.APPROVE)


@dataclass(frozen=True)
class NextSteps:
    """Where a saved review leads: the steps this person may take now, and what to say."""

    offers: tuple[StepOffer, ...]
    record_decision: bool  # the decision is still to record, and this person may record it
    needs_work: int  # sections this person did not find acceptable in this round

    @property
    def ready(self) -> tuple[StepOffer, ...]:
        return tuple(o for o in self.offers if o.ready)

    @property
    def blocked(self) -> tuple[StepOffer, ...]:
        return tuple(o for o in self.offers if not o.ready)


def next_steps(appraisal: Appraisal, role: str | None, mine: list[SectionReview]) -> NextSteps | None:
    """The steps that follow a review, for someone who has saved one in this round or who
    may act on the reviews without giving one (an approver); None when there are none."""
    status = appraisal.status
    steps = [policy.TRANSITIONS[c.value] for c in AFTER_REVIEW if policy.may(role, status, c)]
    may_decide = policy.may(role, status, Change.DECISION)
    if not steps or (not mine and policy.may(role, status, Change.REVIEW)):
        return None  # nothing to do next, or the review comes first
    data = appraisal_selectors.page_data(appraisal)
    offers = tuple(StepOffer(s, tuple(step_problems(appraisal, s.name, data))) for s in steps)
    return NextSteps(
        offers=offers,
        record_decision=may_decide and data.decision is None,
        needs_work=sum(r.verdict != Verdict.ACCEPTABLE for r in mine),
    )


def review_page(
    appraisal: Appraisal, role: str | None, user: Any, framework: Framework, **extra: Any
) -> dict[str, Any]:
    """The review page: the form for those who review, their own verdicts once saved and
    where they lead, and every round's verdicts."""
    rounds = reviews_by_round(appraisal)
    current = services.current_round(appraisal)
    mine = [r for r in rounds.get(current, []) if r.reviewer_id == getattr(user, "pk", None)]
    return {
        "appraisal": appraisal,
        "framework": framework,
        **interests_parts(appraisal, role, user, Change.REVIEW),
        # A reviewer gives their verdict once they have declared their interests (policy.py).
        "can_review": policy.may(role, appraisal.status, Change.REVIEW)
        and not policy.declaration_problem(appraisal, user, Change.REVIEW),
        "rounds": rounds,
        "current_round": current,
        "mine": mine,
        "next_steps": next_steps(appraisal, role, mine) if current else None,
        "title": "Review",
        **extra,
    }


def review_initial(appraisal: Appraisal, user: Any) -> dict[str, str]:
    """The review form as this person last saved it in this round, to change it."""
    mine = SectionReview.objects.filter(
        appraisal=appraisal, round=services.current_round(appraisal), reviewer_id=getattr(user, "pk", None)
    )
    initial: dict[str, str] = {}
    for review in mine:
        section = review.section_id
        initial |= {f"verdict_{section}": review.verdict, f"comment_{section}": review.comment}
    return initial


def step_page(appraisal: Appraisal, step: Transition, **extra: Any) -> dict[str, Any]:
    words: StepWords = STEP_WORDS[step.change]
    return {"appraisal": appraisal, "step": step, "words": words, "title": step.label, **extra}
