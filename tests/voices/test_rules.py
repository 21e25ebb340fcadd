"""The guard the review workflow asks before an appraisal is sent for review."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.voices.factories import lead_of, make_appraisal, open_for
from trustworthy.appraisals import services as appraisal_services
from trustworthy.voices import services
from trustworthy.voices.models import Consultation
from trustworthy.voices.rules import submission_blockers

pytestmark = pytest.mark.django_db


def test_nothing_blocks_an_appraisal_without_consultations(organisation):
    assert submission_blockers(make_appraisal(organisation)) == []


def test_an_open_consultation_blocks_until_it_is_closed(organisation):
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    assert submission_blockers(appraisal) == [
        "The consultation “Family meetings before big decisions” is still open. "
        "Close it before sending the appraisal for review."
    ]
    services.close_consultation(consultation=new.consultation, user=lead_of(organisation))
    assert submission_blockers(appraisal) == []


def test_an_expired_consultation_does_not_block(organisation):
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    Consultation.objects.filter(pk=new.consultation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert submission_blockers(appraisal) == []


def test_a_theme_without_a_note_blocks_until_it_has_one(organisation):
    appraisal = make_appraisal(organisation)
    theme = services.save_theme(
        appraisal=appraisal,
        user=lead_of(organisation),
        name="Waiting",
        description="",
        question_ids=["P4"],
        decision_note="",
    )
    assert submission_blockers(appraisal) == [
        "The theme “Waiting” has no note on how it shaped the decision. Add one to the theme."
    ]
    services.save_theme(
        appraisal=appraisal, user=lead_of(organisation), theme=theme, name="Waiting", description="",
        question_ids=["P4"],
        decision_note="We added a time limit of two weeks.",
    )  # fmt: skip
    assert submission_blockers(appraisal) == []


def test_other_appraisals_do_not_block(organisation):
    first = make_appraisal(organisation)
    open_for(first)
    second = appraisal_services.start_appraisal(
        project=first.project, stage="development", user=lead_of(organisation), reason="Design began early."
    )
    assert submission_blockers(second) == []
    assert len(submission_blockers(first)) == 1
