"""Moving a draft to the organisation's newer edition: shown first, moved on confirmation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from trustworthy.appraisals import editions as moves
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import LockedError, NotPermitted
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.framework import default_framework
from trustworthy.organisations import editions
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports.integrity import verify_everything

from .factories import make_project

pytestmark = pytest.mark.django_db
FW = default_framework()
ASKED = "Has the data protection officer seen the plan?"


@pytest.fixture(autouse=True)
def _fresh_editions() -> Iterator[None]:
    editions.forget_parsed()
    yield
    editions.forget_parsed()


def add_local(organisation: Organisation, text: str = ASKED) -> None:
    editions.add_local_question(
        organisation=organisation,
        question=editions.LocalQuestion(text=text, why="Our board asks it.", covers="When.", kind="closed"),
        user=User.objects.get(email="admin@council.test"),
    )


@pytest.fixture
def draft(organisation: Organisation) -> Appraisal:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    services.save_answer(appraisal=appraisal, question_id="P1", user=lead, value="yes", rationale="Because.")
    return appraisal


def test_the_task_list_offers_the_move_and_the_page_shows_what_changes_before_moving(
    draft: Appraisal, organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    tasks = lead.get(f"/appraisals/{draft.pk}/").content.decode()
    assert "app-newer-edition" not in tasks
    add_local(organisation)
    target = editions.current_edition(organisation)
    tasks = lead.get(f"/appraisals/{draft.pk}/").content.decode()
    assert f"/appraisals/{draft.pk}/edition/" in tasks
    assert target.key in tasks
    assert (
        "app-newer-edition" not in client_as("contributor").get(f"/appraisals/{draft.pk}/").content.decode()
    )

    page = lead.get(f"/appraisals/{draft.pk}/edition/")
    assert page.status_code == 200
    shown = page.content.decode()
    assert "Questions added" in shown
    assert f"<strong>L1</strong> {ASKED}" in shown
    assert "Questions removed" not in shown
    draft.refresh_from_db()
    assert draft.framework_key == FW.key  # showing moves nothing

    moved = lead.post(f"/appraisals/{draft.pk}/edition/", {"edition": target.key})
    assert moved.status_code == 302
    draft.refresh_from_db()
    assert draft.framework_key == target.key
    assert "L1" in load_appraisal(draft).completeness.unanswered
    event = AuditEvent.objects.get(action="appraisal.edition-moved")
    assert event.appraisal_id == draft.pk
    assert event.before == {"framework": FW.key}
    assert event.after["added"] == ["L1"]
    assert event.after["removed"] == []
    assert verify_everything() == []
    assert "There is no" not in lead.get(f"/appraisals/{draft.pk}/edition/").content.decode()
    assert "already uses the edition" in lead.get(f"/appraisals/{draft.pk}/edition/").content.decode()


def test_removed_and_reworded_questions_and_answers_that_stop_counting_are_shown(
    draft: Appraisal, organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    add_local(organisation)
    on_first = services.start_appraisal(
        project=make_project(organisation, lead, title="On the first"), stage="inception", user=lead
    )
    services.save_answer(appraisal=on_first, question_id="L1", user=lead, value="no", rationale="Not yet.")
    # The organisation goes back to the built-in edition: L1 is no longer asked.
    editions.choose_edition(
        organisation=organisation, key=FW.key, user=User.objects.get(email="admin@council.test")
    )
    changes = moves.edition_changes(on_first, moves.newer_edition(on_first))  # type: ignore[arg-type]
    assert [q.id for q in changes.removed] == ["L1"]
    assert [q.id for q in changes.not_counted] == ["L1"]
    assert changes.added == ()
    assert changes.reworded == ()
    moves.move_to_edition(appraisal=on_first, target_key=FW.key, user=lead)
    assert on_first.framework_key == FW.key
    assert "L1" not in load_appraisal(on_first).completeness.unanswered
    assert on_first.answers.filter(question_id="L1").exists()  # kept, not counted


def test_only_the_lead_moves_a_draft_and_only_while_it_is_written(
    draft: Appraisal, organisation: Organisation
) -> None:
    add_local(organisation)
    key = editions.current_edition(organisation).key
    with pytest.raises(NotPermitted):
        moves.move_to_edition(
            appraisal=draft, target_key=key, user=User.objects.get(email="contributor@council.test")
        )
    Appraisal.objects.filter(pk=draft.pk).update(status="in-review")
    with pytest.raises(LockedError):
        moves.move_to_edition(
            appraisal=draft, target_key=key, user=User.objects.get(email="lead@council.test")
        )
    Appraisal.objects.filter(pk=draft.pk).update(status="draft")
    with pytest.raises(services.ServiceError, match="The edition to move to has changed"):
        moves.move_to_edition(
            appraisal=draft, target_key="hgl-2021@0.9.0", user=User.objects.get(email="lead@council.test")
        )
    draft.refresh_from_db()
    assert draft.framework_key == FW.key
