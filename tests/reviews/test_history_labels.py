"""The history page shows labels, not stored ids, codes or Python values, for every kind of
event an appraisal's trail holds (reviews/history.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client

from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reviews.history import ACTIONS

from ..appraisals.evaluation_factories import approve_evaluation, record_outcomes, start_evaluation

pytestmark = pytest.mark.django_db

# What raw values look like: a Python list or dict, a register row's id, a stored code.
RAW = [
    re.compile(r"\['|\{'|': "),  # Python's repr of a list or dict
    re.compile(r"\b(?:benefits|risks|enablers|resources|unforeseen):\d+"),  # row ids
    re.compile(r"\b(?:at-risk|partly-achieved|proceed-with-mitigations|in-review|co-produced)\b"),
    re.compile(r">\s*(?:submit|approve|request_changes|withdraw)\s*<"),
]


def test_every_event_of_a_whole_appraisal_reads_in_words(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    evaluation = start_evaluation(organisation)
    record_outcomes(evaluation)
    appraisal = approve_evaluation(evaluation)
    client = client_as("viewer")

    for shown in (evaluation.baseline, appraisal):
        page = html.unescape(client.get(f"/appraisals/{shown.pk}/history/").content.decode())
        table = page[page.index("<table") : page.index("</table>")]
        for pattern in RAW:
            assert not pattern.search(table), (pattern.pattern, pattern.search(table))
        actions = set(AuditEvent.objects.filter(appraisal=shown).values_list("action", flat=True))
        assert actions <= set(ACTIONS), actions - set(ACTIONS)  # every kind of event has a label
        for action in actions:
            assert ACTIONS[action] in table

    baseline = html.unescape(client.get(f"/appraisals/{evaluation.baseline.pk}/history/").content.decode())
    assert "Row added: Risks: " in baseline  # the register's name and the row's own words
    assert "Status changed: Approve and sign the decision" in baseline
    assert "Review recorded: Review round 1" in baseline
    evaluated = html.unescape(client.get(f"/appraisals/{appraisal.pk}/history/").content.decode())
    assert "What happened</span>: Partly achieved" in evaluated
    assert "What happened: saved: Risks: " in evaluated  # the row named though it is an earlier stage's
    assert "Something nobody expected: added: Schools began asking for family meetings too." in evaluated
    assert "Appraisal started: Post hoc evaluation" in evaluated
