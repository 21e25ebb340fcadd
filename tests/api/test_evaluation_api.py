"""Post hoc evaluation through the API: what happened to each benefit and risk is saved
through the same service and audited; a stale version gets 409 with the current record;
only the evaluation stage has one; an approved evaluation refuses every change. And the
read-only history and voices summary."""

from __future__ import annotations

from typing import Any

import pytest

from tests.appraisals.evaluation_factories import approve_evaluation, record_outcomes, start_evaluation
from trustworthy.appraisals.models import Appraisal, Lessons, Outcome, UnforeseenItem
from trustworthy.core.models import AuditEvent

from .conftest import ApiClient, make_token

pytestmark = pytest.mark.django_db

BENEFIT = {"result": "achieved", "evidence": "Care entries fell by a fifth in the pilot area."}
RISK = {"result": "yes", "handling": "Two urgent cases waited; the bypass was made automatic."}
UNFORESEEN = {"kind": "harm", "description": "Some families waited longer.", "who_affected": "Families"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _audit(appraisal_id: int) -> tuple[int, str]:
    appraisal = Appraisal.objects.get(pk=appraisal_id)
    return appraisal.audit_count, appraisal.audit_head


def test_reading_the_evaluation_shows_every_expectation_of_the_approved_stage(organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    body = ApiClient(make_token("viewer")).get(f"/appraisals/{evaluation.appraisal.pk}/evaluation").json()
    assert body["baseline_id"] == evaluation.baseline.pk
    assert [e["row_id"] for e in body["benefits"]] == [r.pk for r in evaluation.benefits]
    assert [e["row_id"] for e in body["risks"]] == [r.pk for r in evaluation.risks]
    first = body["benefits"][0]
    assert first["kind"] == "benefit"
    assert first["outcome"] is None
    assert first["version"] == 0
    assert {"achieved", "too-early"} <= {r["id"] for r in first["results"]}
    assert first["expected"]
    assert {r["id"] for r in body["risks"][0]["results"]} == {"yes", "partly", "no"}
    assert (body["recorded"], body["unforeseen"], body["lessons"]) == (0, [], {"text": "", "version": 0})


def test_an_outcome_is_saved_through_the_service_and_audited(organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    pk, row = evaluation.appraisal.pk, evaluation.benefits[0]
    count, _ = _audit(pk)
    contributor = ApiClient(make_token("contributor"))

    saved = contributor.put(f"/appraisals/{pk}/evaluation/outcomes/{row.pk}", BENEFIT | {"version": 0})

    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["outcome"] == {
        "result": "achieved", "result_label": "Achieved", "evidence": BENEFIT["evidence"], "handling": "",
    }  # fmt: skip
    assert body["version"] == 1
    outcome = Outcome.objects.get(appraisal_id=pk, row=row)
    assert (outcome.result, outcome.lock_version) == ("achieved", 1)
    assert _audit(pk)[0] == count + 1
    event = AuditEvent.objects.filter(appraisal_id=pk).order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.target, event.actor_name != "") == (
        "outcome.saved",
        f"benefits:{row.pk}",
        True,
    )
    assert event.after == {"result": "achieved", "evidence": BENEFIT["evidence"], "handling": ""}
    # ... the history shows it last, and the evaluation counts it.
    history = contributor.get(f"/appraisals/{pk}/history?limit=100").json()["items"]
    assert (history[-1]["action"], history[-1]["target"]) == ("outcome.saved", f"benefits:{row.pk}")
    assert contributor.get(f"/appraisals/{pk}/evaluation").json()["recorded"] == 1
    # A risk takes whether it happened and how it was handled.
    risk = contributor.put(f"/appraisals/{pk}/evaluation/outcomes/{evaluation.risks[0].pk}", RISK)
    assert risk.status_code == 200, risk.content
    assert risk.json()["outcome"]["handling"] == RISK["handling"]


def test_a_stale_version_gets_409_with_the_current_record(organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    pk, row = evaluation.appraisal.pk, evaluation.benefits[0].pk
    lead, contributor = ApiClient(make_token("lead")), ApiClient(make_token("contributor"))
    url = f"/appraisals/{pk}/evaluation/outcomes/{row}"
    assert lead.put(url, BENEFIT | {"version": 0}).status_code == 200
    count = _audit(pk)

    body = _problem(contributor.put(url, BENEFIT | {"result": "not-achieved", "version": 0}), 409)

    assert "saved this" in body["detail"]
    assert body["version"] == 1
    assert body["current"]["result"] == "achieved"
    assert Outcome.objects.get(appraisal_id=pk, row_id=row).result == "achieved"
    # Lessons and unforeseen items are checked the same way.
    lessons = f"/appraisals/{pk}/evaluation/lessons"
    assert lead.put(lessons, {"text": "Start small.", "version": 0}).json() == {
        "text": "Start small.",
        "version": 1,
    }
    stale = _problem(contributor.put(lessons, {"text": "Go big.", "version": 0}), 409)
    assert (stale["current"], stale["version"]) == ({"text": "Start small."}, 1)
    item = lead.post(f"/appraisals/{pk}/evaluation/unforeseen", UNFORESEEN).json()
    assert item["version"] == 1
    changed = lead.put(f"/appraisals/{pk}/evaluation/unforeseen/{item['id']}", UNFORESEEN | {"version": 1})
    assert changed.json()["version"] == 2
    old = contributor.put(
        f"/appraisals/{pk}/evaluation/unforeseen/{item['id']}", UNFORESEEN | {"kind": "benefit", "version": 1}
    )
    assert _problem(old, 409)["current"]["kind"] == "harm"
    assert Lessons.objects.get(appraisal_id=pk).text == "Start small."
    assert UnforeseenItem.objects.get(pk=item["id"]).kind == "harm"
    assert _audit(pk)[0] == count[0] + 3  # lessons, item added, item changed: nothing for the refusals


def test_unforeseen_items_are_added_changed_and_removed(organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    pk = evaluation.appraisal.pk
    lead = ApiClient(make_token("lead"))
    added = lead.post(f"/appraisals/{pk}/evaluation/unforeseen", UNFORESEEN)
    assert added.status_code == 201, added.content
    item = added.json()
    assert (item["kind"], item["kind_label"], item["who_affected"]) == (
        "harm",
        "A harm nobody expected",
        "Families",
    )
    assert lead.get(f"/appraisals/{pk}/evaluation").json()["unforeseen"] == [item]
    assert lead.delete(f"/appraisals/{pk}/evaluation/unforeseen/{item['id']}").status_code == 204
    assert not UnforeseenItem.objects.filter(pk=item["id"]).exists()
    actions = list(AuditEvent.objects.filter(appraisal_id=pk).values_list("action", flat=True))
    assert actions[-2:] == ["unforeseen.added", "unforeseen.removed"]
    _problem(lead.delete(f"/appraisals/{pk}/evaluation/unforeseen/{item['id']}"), 404)


def test_what_cannot_be_saved_is_a_problem_not_a_change(organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    pk = evaluation.appraisal.pk
    lead = ApiClient(make_token("lead"))
    before = _audit(pk)
    benefit = f"/appraisals/{pk}/evaluation/outcomes/{evaluation.benefits[0].pk}"
    risk = f"/appraisals/{pk}/evaluation/outcomes/{evaluation.risks[0].pk}"
    assert "evidence" in _problem(lead.put(benefit, {"result": "achieved"}), 422)["detail"]
    assert "Choose" in _problem(lead.put(benefit, {"result": "yes", "evidence": "Seen."}), 422)["detail"]
    assert "handled" in _problem(lead.put(risk, {"result": "no"}), 422)["detail"]
    _problem(lead.put(f"/appraisals/{pk}/evaluation/lessons", {"text": "   "}), 422)
    _problem(lead.post(f"/appraisals/{pk}/evaluation/unforeseen", UNFORESEEN | {"description": ""}), 422)
    named = lead.put(benefit, {"result": "achieved", "evidence": "Jane Smith, born 01/02/2015, did well."})
    assert _problem(named, 422)["personal_data"]
    # A row that is not one of the approved stage's benefits or risks is not found.
    own_row = evaluation.appraisal.register_rows.first()
    for row_id in (own_row.pk if own_row else 999_999, 999_999):
        _problem(lead.put(f"/appraisals/{pk}/evaluation/outcomes/{row_id}", BENEFIT), 404)
    assert _audit(pk) == before
    assert not Outcome.objects.filter(appraisal_id=pk).exists()


def test_other_stages_have_no_evaluation(world: dict[str, int]) -> None:
    lead = ApiClient(make_token("lead"))
    draft = world["draft"]
    before = _audit(draft)
    for method, path, sent in (
        ("get", "/evaluation", None),
        ("put", f"/evaluation/outcomes/{world['expectation']}", BENEFIT),
        ("post", "/evaluation/unforeseen", UNFORESEEN),
        ("put", f"/evaluation/unforeseen/{world['unforeseen']}", UNFORESEEN),
        ("delete", f"/evaluation/unforeseen/{world['unforeseen']}", None),
        ("put", "/evaluation/lessons", {"text": "Start small."}),
    ):
        _problem(lead.call(method, f"/appraisals/{draft}{path}", sent), 404)
    assert _audit(draft) == before
    # ... and the evaluation's own unforeseen item is not reachable through another appraisal.
    assert UnforeseenItem.objects.filter(pk=world["unforeseen"]).exists()


@pytest.mark.parametrize("role", ["lead", "contributor"])
def test_an_approved_evaluation_refuses_every_change_with_409(organisation: Any, role: str) -> None:
    evaluation = start_evaluation(organisation)
    record_outcomes(evaluation)
    approved = approve_evaluation(evaluation)
    pk = approved.pk
    item = UnforeseenItem.objects.get(appraisal=approved)
    before = _audit(pk)
    client = ApiClient(make_token(role))
    for method, path, sent in (
        ("put", f"/evaluation/outcomes/{evaluation.benefits[0].pk}", BENEFIT | {"version": 1}),
        ("post", "/evaluation/unforeseen", UNFORESEEN),
        ("put", f"/evaluation/unforeseen/{item.pk}", UNFORESEEN | {"version": 1}),
        ("delete", f"/evaluation/unforeseen/{item.pk}", None),
        ("put", "/evaluation/lessons", {"text": "Something else.", "version": 1}),
    ):
        detail = _problem(client.call(method, f"/appraisals/{pk}{path}", sent), 409)["detail"]
        assert "approved" in detail or "cannot" in detail
    assert _audit(pk) == before
    # What it recorded can still be read.
    read = client.get(f"/appraisals/{pk}/evaluation").json()
    assert read["recorded"] == len(evaluation.benefits) + len(evaluation.risks)
    assert read["lessons"]["text"].startswith("Start with the areas")
    assert [u["id"] for u in read["unforeseen"]] == [item.pk]


def test_the_history_lists_every_event_oldest_first_in_pages(world: dict[str, int]) -> None:
    viewer = ApiClient(make_token("viewer"))
    draft = world["draft"]
    events = list(AuditEvent.objects.filter(appraisal_id=draft).order_by("sequence"))
    assert len(events) > 3
    seen: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = viewer.get(f"/appraisals/{draft}/history?limit=3&cursor={cursor}").json()
        assert len(body["items"]) <= 3
        seen += body["items"]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert [e["sequence"] for e in seen] == [e.sequence for e in events]
    assert [e["hash"] for e in seen] == [e.hash for e in events]
    assert seen[0]["action"] == "appraisal.started"
    assert seen[0]["actor"] == events[0].actor_name != ""
    added = next(e for e in seen if e["action"] == "comment.added")
    assert (added["target"], added["after"]["text"]) == ("P1", "Is this right?")


def test_the_voices_summary_counts_responses_and_lists_themes(world: dict[str, int]) -> None:
    body = ApiClient(make_token("viewer")).get(f"/appraisals/{world['draft']}/voices").json()
    assert body["title"] == "What young people and families told us, and what we did about it"
    assert (body["consultation_count"], body["response_count"]) == (1, 1)
    assert [(c["group"], c["source"], c["count"]) for c in body["counts"]] == [
        ("young-people", "workshop", 1)
    ]
    assert body["counts"][0]["group_label"]
    assert body["themes"] == [
        {"name": "Being heard", "description": "", "decision_note": "We kept family meetings.",
         "question_ids": [], "response_count": 0}
    ]  # fmt: skip
