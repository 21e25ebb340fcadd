"""Declared interests in tests that are about something else.

A reviewer gives a verdict, and an approver decides, only once they have declared their
interests (appraisals/policy.py). Tests written before that rule give verdicts and decide
through the services, the pages and the API directly; `declare_first` makes the person
declare "no interest" through the real service, the way a real reviewer or approver would,
just before their first verdict or decision on each appraisal (one audited change, as on
the declaration page). Tests of the rule itself opt out with `@pytest.mark.undeclared`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from trustworthy.appraisals import declaring, interests, policy
from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.changes import acting_as_operator, role_in
from trustworthy.reviews import services as review_services

VERDICTS = {"approve", "request-changes"}
# Off for a test marked `undeclared` (set by tests/conftest.py before each test).
ON = {"declare": True}


def declare_none_if_needed(appraisal: Appraisal, user: Any) -> None:
    """Declare "no interest" for this person, if they may and have not declared yet."""
    if acting_as_operator() or getattr(user, "pk", None) is None:
        return
    current = Appraisal.objects.get(pk=appraisal.pk)
    role = role_in(user, current.organisation_id)
    if not policy.may(role, current.status, policy.Change.INTEREST):
        return  # let the real call refuse them, as it always did
    if interests.declaration_of(current, user) is None:
        declaring.declare_interests(appraisal=current, user=user, has_interest=False)


def _first(service: Callable[..., Any], *, only: Callable[[dict[str, Any]], bool] = lambda kw: True) -> Any:
    @functools.wraps(service)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if ON["declare"] and only(kwargs) and kwargs.get("appraisal") is not None:
            declare_none_if_needed(kwargs["appraisal"], kwargs.get("user"))
        return service(*args, **kwargs)

    return wrapped


def declare_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_services, "review_sections", _first(review_services.review_sections))
    monkeypatch.setattr(
        review_services,
        "transition",
        _first(review_services.transition, only=lambda kw: kw.get("name") in VERDICTS),
    )
    monkeypatch.setattr(appraisal_services, "record_decision", _first(appraisal_services.record_decision))
