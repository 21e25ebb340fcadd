"""The record a page or download shows is built once per state of the record by each worker
(reports/services.py `record_to_show`), and never shown stale.

"Another worker" is this one with the save signals switched off: such a worker hears
nothing of a change, and only the state it reads with the appraisal tells it the record moved.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save
from django.test import Client

from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import files, services
from trustworthy.reports.services import record_for
from trustworthy.reviews import services as reviews

from ..appraisals.evaluation_factories import start_evaluation
from ..appraisals.factories import ROWS, decide, fill_appraisal
from ..reviews.helpers import accept_all, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each record built for a page or download (the appraisal's id)."""
    services.forget_records()
    built: list[int] = []
    real = services.record_for

    def counting(appraisal: Appraisal, **kwargs: Any) -> Any:
        built.append(appraisal.pk)
        return real(appraisal, **kwargs)

    monkeypatch.setattr(services, "record_for", counting)
    return built


@contextmanager
def in_another_worker() -> Iterator[None]:
    receivers = {
        "reports-forget-records-on-save": post_save,
        "reports-forget-records-on-delete": post_delete,
    }
    for uid, signal in receivers.items():
        assert signal.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        post_save.connect(services._forget_on_save, dispatch_uid="reports-forget-records-on-save")
        post_delete.connect(services._forget_on_save, dispatch_uid="reports-forget-records-on-delete")


def _edit_project(appraisal: Appraisal, **fields: str) -> None:
    project = appraisal.project
    project.refresh_from_db()
    appraisal_services.update_project(
        project=project,
        user=User.objects.get(email="lead@council.test"),
        fields=fields,
        motivations=[
            appraisal_services.MotivationInput(m.motivation, m.explanation) for m in project.motivations.all()
        ],
        primary_motivation=project.motivations.get(is_primary=True).motivation,
    )


def test_pages_and_downloads_build_the_record_once_while_it_does_not_change(
    client_as: Callable[[str], Client], decided: Appraisal, builds: list[int]
) -> None:
    base = f"/appraisals/{decided.pk}/record/"
    lead, viewer = client_as("lead"), client_as("viewer")
    for client, suffix in ((lead, ""), (viewer, ""), (lead, "decision-record.json"), (viewer, "summary.pdf")):
        assert client.get(base + suffix).status_code == 200
    assert builds == [decided.pk]


def _rename_organisation(appraisal: Appraisal) -> None:
    Organisation.objects.filter(pk=appraisal.organisation_id).update(name="Northshire County Council")


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda a: _edit_project(a, title="Restorative family meetings"), "Restorative family meetings"),
        (_rename_organisation, "Northshire County Council"),
    ],
    ids=["project details", "organisation name"],
)
def test_a_change_made_in_another_worker_is_shown_at_once(
    client_as: Callable[[str], Client],
    decided: Appraisal,
    builds: list[int],
    change: Callable[[Appraisal], object],
    shown: str,
) -> None:
    page = f"/appraisals/{decided.pk}/record/"
    lead = client_as("lead")
    assert shown not in lead.get(page).text
    with in_another_worker():
        change(decided)
        assert shown in lead.get(page).text
    assert len(builds) == 2


def test_a_change_saved_in_this_worker_without_the_gate_is_shown(
    client_as: Callable[[str], Client], decided: Appraisal, builds: list[int]
) -> None:
    page = f"/appraisals/{decided.pk}/record/"
    lead = client_as("lead")
    lead.get(page)
    answer = decided.answers.get(question_id="P1", aspect="")
    answer.rationale = "Reasons written again in a shell."
    answer.save()
    assert "Reasons written again in a shell." in lead.get(page).text
    assert len(builds) == 2


def test_the_record_shown_is_the_record_built_afresh(
    client_as: Callable[[str], Client], decided: Appraisal, builds: list[int]
) -> None:
    shown = services.record_to_show(decided)
    again = services.record_to_show(decided)
    fresh = files.rendered(record_for(Appraisal.objects.get(pk=decided.pk)))
    assert builds == [decided.pk]
    assert again.document_hash == shown.document_hash == fresh.document_hash
    assert again.record.generated_at is not None


def test_a_copy_produced_later_says_so_and_keeps_its_keys(decided: Appraisal) -> None:
    shown = files.rendered(record_for(decided))
    later = shown.produced(datetime.datetime(2027, 1, 5, 9, 30, tzinfo=datetime.UTC))
    assert later.record.generated_at == later.document["generated_at"] == "2027-01-05T09:30:00+00:00"
    assert later.key("pdf") == shown.key("pdf")
    assert later.record == dataclasses.replace(shown.record, generated_at=later.record.generated_at)


def test_an_evaluation_shows_a_newer_approval_of_another_stage_made_in_another_worker(
    organisation: Organisation, client_as: Callable[[str], Client], builds: list[int]
) -> None:
    evaluation = start_evaluation(organisation)
    page = f"/appraisals/{evaluation.appraisal.pk}/record/"
    lead = client_as("lead")
    assert "Risk seen only in implementation" not in lead.get(page).text
    with in_another_worker():
        pilot = appraisal_services.start_appraisal(
            project=evaluation.baseline.project,
            stage="implementation",
            user=person("lead"),
            reason="Piloted elsewhere.",
        )
        fill_appraisal(pilot, person("lead"))
        appraisal_services.add_register_row(
            appraisal=pilot, register_id="risks", user=person("lead"),
            data={**ROWS["risks"], "description": "Risk seen only in implementation"},
        )  # fmt: skip
        reviews.transition(appraisal=pilot, name="submit", user=person("lead"))
        accept_all(pilot)
        decide(pilot, person("approver"))
        reviews.transition(appraisal=pilot, name="approve", user=person("approver"))
        assert "Risk seen only in implementation" in lead.get(page).text
