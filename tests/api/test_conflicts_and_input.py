"""A stale version gets 409 with the current record; bad input is a 4xx problem, never a
500; lists come in pages with a cursor; personal data is caught before it is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trustworthy.appraisals.models import Answer, Participation, RegisterRow

from .conftest import ApiClient, make_token
from .endpoints import DECISION, PRINCIPLES, PROJECT, READS, WRITES

pytestmark = pytest.mark.django_db


def _conflict(response: Any) -> dict[str, Any]:
    assert response.status_code == 409, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert "saved this" in body["detail"]
    return body


def test_a_stale_version_gets_409_with_the_current_record(world: dict[str, int]) -> None:
    lead, approver = ApiClient(make_token("lead")), ApiClient(make_token("approver"))
    draft = world["draft"]

    answer = Answer.objects.get(appraisal_id=draft, question_id="P1")
    fresh = lead.put(
        f"/appraisals/{draft}/answers/P1",
        {"value": "no", "rationale": "Mine.", "version": answer.lock_version},
    )
    assert fresh.status_code == 200
    assert fresh.json()["version"] == answer.lock_version + 1
    body = _conflict(
        lead.put(
            f"/appraisals/{draft}/answers/P1",
            {"value": "yes", "rationale": "Stale.", "version": answer.lock_version},
        )
    )
    assert body["current"]["rationale"] == "Mine."
    assert body["version"] == answer.lock_version + 1

    e1 = Answer.objects.get(appraisal_id=draft, question_id="E1", aspect="process")
    assert (
        lead.put(
            f"/appraisals/{draft}/principles/E1/process", {**PRINCIPLES, "version": e1.lock_version}
        ).status_code
        == 200
    )
    _conflict(
        lead.put(f"/appraisals/{draft}/principles/E1/process", {**PRINCIPLES, "version": e1.lock_version})
    )

    row = RegisterRow.objects.get(pk=world["row"])
    changed = {"data": {**row.data, "description": "Changed first"}, "version": row.lock_version}
    assert lead.put(f"/appraisals/{draft}/registers/risks/rows/{row.pk}", changed).status_code == 200
    body = _conflict(lead.put(f"/appraisals/{draft}/registers/risks/rows/{row.pk}", changed))
    assert body["current"]["description"] == "Changed first"

    part = Participation.objects.get(appraisal_id=draft, stakeholder="carers")
    sent = {"mode": "informed", "summary": "Told them.", "version": part.lock_version}
    assert lead.put(f"/appraisals/{draft}/participation/carers", sent).status_code == 200
    assert (
        _conflict(lead.put(f"/appraisals/{draft}/participation/carers", sent))["current"]["mode"]
        == "informed"
    )

    assert approver.put(f"/appraisals/{draft}/decision", {**DECISION, "version": 0}).status_code == 200
    body = _conflict(
        approver.put(f"/appraisals/{draft}/decision", {**DECISION, "reasoning": "Other.", "version": 0})
    )
    assert body["current"]["reasoning"] == "We weighed it all."
    assert body["version"] == 1

    project = lead.get(f"/projects/{world['project']}").json()
    assert (
        lead.put(
            f"/projects/{world['project']}", {**PROJECT, "title": "New title", "version": project["version"]}
        ).status_code
        == 200
    )
    body = _conflict(lead.put(f"/projects/{world['project']}", {**PROJECT, "version": project["version"]}))
    assert body["current"]["title"] == "New title"


BAD_TEXTS = ["nul \x00 byte", "bell \x07", "x" * 100_000, "\ud800 lone surrogate"]


@pytest.mark.parametrize("text", BAD_TEXTS, ids=["nul", "control", "huge", "surrogate"])
def test_bad_text_in_every_write_is_a_422_problem(world: dict[str, int], text: str) -> None:
    lead = ApiClient(make_token("lead"))
    for endpoint in WRITES:
        body = endpoint.payload()
        if not isinstance(body, dict):
            continue
        for key, value in body.items():
            if isinstance(value, str):
                response = lead.call(endpoint.method, endpoint.url(world), {**body, key: text})
                assert response.status_code == 422, (
                    endpoint.path,
                    key,
                    response.status_code,
                    response.content[:200],
                )
                assert response["Content-Type"] == "application/problem+json"


def test_wrong_types_missing_objects_and_unreadable_bodies_are_problems_not_500s(
    world: dict[str, int],
) -> None:
    lead = ApiClient(make_token("lead"))
    draft = world["draft"]
    cases = [
        ("put", f"/appraisals/{draft}/answers/P1", {"value": 3, "rationale": ["a"]}, 422),
        ("put", f"/appraisals/{draft}/answers/NOPE", {"value": "yes", "rationale": "r"}, 404),
        ("put", f"/appraisals/{draft}/answers/E1", {"value": "yes", "rationale": "r"}, 422),
        ("put", f"/appraisals/{draft}/principles/P1/process", PRINCIPLES, 404),
        ("put", f"/appraisals/{draft}/principles/E1/nowhere", PRINCIPLES, 404),
        (
            "post",
            f"/appraisals/{draft}/registers/risks/rows",
            {"data": {"likelihood": "two", "severity": [1]}},
            422,
        ),
        ("post", f"/appraisals/{draft}/registers/risks/rows", {"data": {"status": ["open"]}}, 422),
        ("post", f"/appraisals/{draft}/registers/nothing/rows", {"data": {}}, 404),
        ("put", f"/appraisals/{draft}/participation/aliens", {"mode": "consulted"}, 404),
        ("put", f"/appraisals/{draft}/criteria", {"ratings": {"D1": {"rating": "met"}}}, 422),
        ("post", f"/appraisals/{draft}/comments", {"target": "P1", "text": "hi", "parent": 999999}, 404),
        ("post", f"/appraisals/{draft}/transitions/fly", {}, 404),
        ("post", f"/appraisals/{draft}/transitions/withdraw", {}, 422),
        ("get", "/appraisals/99999999999999999999", None, 422),
        ("get", "/appraisals/0", None, 422),
        ("get", "/appraisals/999999", None, 404),
        ("get", "/projects?cursor=not-ours", None, 400),
        ("get", "/projects?limit=100000", None, 422),
        ("post", "/projects", {**PROJECT, "funding_amount": "lots"}, 422),
        ("post", "/projects", {**PROJECT, "current_stage": "moon"}, 422),
        ("post", "/projects", {**PROJECT, "motivations": []}, 422),
        ("post", f"/projects/{world['project']}/appraisals", {"stage": "inception"}, 422),
    ]
    for method, path, body, expected in cases:
        response = lead.call(method, path, body)
        assert response.status_code == expected, (method, path, response.status_code, response.content[:300])
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"]
    malformed = lead.client.post(
        "/api/v1/projects", data=b"{not json", content_type="application/json", **lead.headers
    )
    assert malformed.status_code in (400, 422)
    assert malformed["Content-Type"] == "application/problem+json"


def test_personal_data_is_refused_unless_confirmed(world: dict[str, int]) -> None:
    lead = ApiClient(make_token("lead"))
    said = {"value": "yes", "rationale": "Mrs Patel said call 07700 900123."}
    refused = lead.put(f"/appraisals/{world['draft']}/answers/P1", said)
    assert refused.status_code == 422
    assert {f["field"] for f in refused.json()["personal_data"]} == {"rationale"}
    assert Answer.objects.get(appraisal_id=world["draft"], question_id="P1").rationale != said["rationale"]
    kept = lead.put(f"/appraisals/{world['draft']}/answers/P1", {**said, "confirm_personal_data": True})
    assert kept.status_code == 200
    assert kept.json()["rationale"] == said["rationale"]


def test_lists_come_in_pages_with_a_cursor(world: dict[str, int]) -> None:
    lead = ApiClient(make_token("lead"))
    for n in range(5):
        assert (
            lead.post(
                f"/appraisals/{world['draft']}/comments", {"target": "P2", "text": f"Note {n}"}
            ).status_code
            == 201
        )
    seen, cursor = [], None
    while True:
        page = lead.get(
            f"/appraisals/{world['draft']}/comments?limit=2" + (f"&cursor={cursor}" if cursor else "")
        ).json()
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 6
    assert seen == sorted(seen)
    assert len(set(seen)) == 6


def test_reads_change_nothing_and_answer_in_their_formats(world: dict[str, int]) -> None:
    from trustworthy.core.models import AuditEvent
    from trustworthy.reports.render_json import schema_problems

    # Each read as a viewer, or (for the few only some roles read) as one of those roles.
    roles = {e.path: "viewer" if "viewer" in e.roles else min(e.roles) for e in READS}
    callers = {role: ApiClient(make_token(role)) for role in set(roles.values())}
    viewer = callers["viewer"]
    events = AuditEvent.objects.count()
    for endpoint in READS:
        response = callers[roles[endpoint.path]].get(endpoint.url(world))
        assert response.status_code == 200, endpoint.path
        if endpoint.path.endswith(".pdf"):
            assert response.content.startswith(b"%PDF")
            assert response["Content-Type"] == "application/pdf"
        elif endpoint.path.endswith(".docx"):
            assert response.content.startswith(b"PK")
        else:
            assert response["Content-Type"].startswith("application/json")
            json.loads(response.content)
    assert AuditEvent.objects.count() == events
    record = viewer.get(f"/appraisals/{world['approved']}/record").json()
    assert schema_problems(record) == []


def test_a_decision_needs_an_accountable_person(world: dict[str, int]) -> None:
    approver = ApiClient(make_token("approver"))
    response = approver.put(
        f"/appraisals/{world['draft']}/decision", {**DECISION, "accountable_person": "  "}
    )
    assert response.status_code == 422
    assert "accountable person" in response.json()["detail"]
