"""Tokens for members of both organisations, and a client that sends them."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from trustworthy.api import tokens
from trustworthy.organisations.models import Organisation, User

API = "/api/v1"


class ApiClient:
    """The test client with a bearer token, sending and reading JSON."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {**self.headers, **extra}
        if body is not None:
            kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method)(API + path, **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self.call("get", path, **extra)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("post", path, {} if body is None else body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.call("put", path, {} if body is None else body)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


def make_token(role: str, slug: str = "council", token_role: str | None = None, **kwargs: Any) -> str:
    user = User.objects.get(email=f"{role}@{slug}.test")
    organisation = user.memberships.get().organisation
    _, secret = tokens.create_token(
        user=user, organisation=organisation, name=f"{role} tool", role=token_role, **kwargs
    )
    return secret


@pytest.fixture
def api_as(organisation: Organisation) -> Callable[..., ApiClient]:
    """An API client with a token of the member with this role ('lead', 'viewer', ...)."""

    def make(role: str, slug: str = "council", token_role: str | None = None) -> ApiClient:
        return ApiClient(make_token(role, slug, token_role))

    return make


# --- a world of objects in one organisation, built through the services ------------------


def world_in(organisation: Organisation, slug: str = "council") -> dict[str, int]:
    """A draft (complete, with a row, comment, consultation, response and theme), a second
    complete draft to submit, one in review, one ready to approve and one approved (with
    its own row, comment, closed consultation, response and theme) whose project has a
    post hoc evaluation being written (`evaluation_in`); the organisation's
    first ethical commitments, and a member invited who has not yet created a password."""
    from tests.appraisals.factories import ROWS, decide, fill_appraisal, make_project
    from tests.voices.factories import open_for
    from trustworthy.appraisals import actions
    from trustworthy.appraisals import services as appraisals
    from trustworthy.appraisals.models import Appraisal
    from trustworthy.organisations import services as organisations
    from trustworthy.reviews import services as reviews
    from trustworthy.voices import services as voices

    def person(role: str) -> User:
        return User.objects.get(email=f"{role}@{slug}.test")

    lead = person("lead")

    def complete() -> Any:
        project = make_project(organisation, lead)
        return fill_appraisal(appraisals.start_appraisal(project=project, stage="inception", user=lead), lead)

    def with_voices(appraisal: Any) -> dict[str, int]:
        consultation = open_for(appraisal).consultation
        response = voices.enter_offline(
            appraisal=appraisal, user=lead, group="young-people", source="workshop",
            gathered_how="A workshop at the youth centre.", gathered_on=None,
            answers={"good": "It sounds helpful."},
        )  # fmt: skip
        theme = voices.save_theme(
            appraisal=appraisal, user=lead, name="Being heard", description="", question_ids=[],
            decision_note="We kept family meetings.",
        )  # fmt: skip
        comment = reviews.add_comment(appraisal=appraisal, user=lead, target="P1", text="Is this right?")
        row = appraisals.add_register_row(
            appraisal=appraisal, register_id="risks", data=ROWS["risks"], user=lead
        )
        return {"consultation": consultation.pk, "response": response.pk, "theme": theme.pk,
                "comment": comment.pk, "row": row.pk}  # fmt: skip

    draft = complete()
    ids = {"project": draft.project_id, "draft": draft.pk, **with_voices(draft)}
    ids["to_submit"] = complete().pk
    in_review = complete()
    reviews.transition(appraisal=in_review, name="submit", user=lead)
    ids["in_review"] = in_review.pk
    ready = complete()
    reviews.transition(appraisal=ready, name="submit", user=lead)
    reviews.review_sections(
        appraisal=ready, user=person("reviewer"),
        verdicts=dict.fromkeys(("parameters", "principles", "tests"), ("acceptable", "")),
    )  # fmt: skip
    decide(ready, person("approver"))
    ids["ready"] = ready.pk
    approved = complete()
    approved_ids = with_voices(approved)
    voices.close_consultation(
        consultation=voices.Consultation.objects.get(pk=approved_ids["consultation"]), user=lead
    )
    reviews.transition(appraisal=approved, name="submit", user=lead)
    reviews.review_sections(
        appraisal=approved, user=person("reviewer"),
        verdicts=dict.fromkeys(("parameters", "principles", "tests"), ("acceptable", "")),
    )  # fmt: skip
    decide(approved, person("approver"))
    reviews.transition(appraisal=approved, name="approve", user=person("approver"))
    ids["approved"] = approved.pk
    ids["approved_project"] = approved.project_id
    ids |= {f"approved_{k}": v for k, v in approved_ids.items()}
    ids |= evaluation_in(approved, lead)
    # An action on the evaluation: its project starts no later stage here (which would carry it on).
    ids["action"] = actions.add_action(
        appraisal=Appraisal.objects.get(pk=ids["evaluation"]), user=lead,
        what="Urgent cases bypass the wait.", due_on=datetime.date(2027, 3, 27), owner_name="Team manager",
    ).pk  # fmt: skip
    admin = person("admin")
    ids["commitments"] = organisations.record_commitments(
        organisation=organisation, text="We put children and families first.", change_note="", user=admin
    ).version
    # With commitments now in force, the decision waiting to be signed says how it keeps to them.
    decide(ready, person("approver"))
    ids["member"] = organisations.invite_member(
        organisation=organisation, email=f"invited@{slug}.test", full_name="Invited Person", role="viewer",
        invited_by=admin, site_url="http://testserver/",
    ).membership.pk  # fmt: skip
    return ids


def evaluation_in(approved: Any, lead: User) -> dict[str, int]:
    """The post hoc evaluation of an approved appraisal's project, a draft with one thing
    nobody expected: its id, the first expected benefit's row and the unforeseen item."""
    from trustworthy.appraisals import selectors
    from trustworthy.appraisals import services as appraisals

    evaluation = appraisals.start_appraisal(project=approved.project, stage="evaluation", user=lead)
    item = appraisals.add_unforeseen(
        appraisal=evaluation, user=lead, kind="benefit", description="Schools asked for it too."
    )
    found = selectors.evaluation_of(evaluation)
    assert found is not None
    assert found.benefits
    return {"evaluation": evaluation.pk, "expectation": found.benefits[0].row.pk, "unforeseen": item.pk}


@pytest.fixture
def world(organisation: Organisation) -> dict[str, int]:
    return world_in(organisation)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no requests counted against any token."""
    from django.core.cache import caches

    caches["api"].clear()
