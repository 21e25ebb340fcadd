"""Actions in the decision record: every format (HTML, PDF, Word, JSON) shows them, the JSON
Schema takes them as an optional addition to decision-record-1, the public version leaves
out their owners, an approved record shows them as they stood at approval, and an import
recreates them."""

from __future__ import annotations

import copy
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from trustworthy.appraisals import actions
from trustworthy.appraisals.models import Action, Appraisal
from trustworthy.cli import main
from trustworthy.organisations.models import User
from trustworthy.reports import importer, render_docx, render_html, render_json, render_pdf
from trustworthy.reports.services import record_for, set_not_for_publication

from ..reviews.helpers import accept_all, person
from .test_formats import docx_headings, pdf_text

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 27)


def with_actions(appraisal: Appraisal) -> list[Action]:
    """A risk's mitigation owned by a member, a condition of the decision done, an enabler dropped."""
    lead = person("lead")
    risks = list(appraisal.register_rows.filter(register="risks").order_by("created_at", "id"))
    enabler = appraisal.register_rows.filter(register="enablers-and-barriers").order_by("id").first()
    assert enabler is not None
    made = [
        actions.add_action(
            appraisal=appraisal, user=lead, what="Urgent cases bypass the wait", due_on=DUE,
            owner_id=person("contributor").pk, source="risk", row_id=risks[1].pk,
        ),
        actions.add_action(
            appraisal=appraisal, user=lead, what="Sign the data-sharing agreement", due_on=DUE,
            owner_name="Director of Partnerships", source="decision",
        ),
        actions.add_action(
            appraisal=appraisal, user=lead, what="Train four coordinators", due_on=DUE,
            owner_name="Workforce lead", source="enabler", row_id=enabler.pk,
        ),
    ]  # fmt: skip
    actions.move_action(action=made[1], user=lead, status="done", evidence="Signed by both councils.")
    actions.move_action(action=made[2], user=lead, status="dropped", dropped_reason="Agency staff instead.")
    return made


def test_every_format_shows_the_actions(decided: Appraisal) -> None:
    with_actions(decided)
    record = record_for(decided)
    owner = str(person("contributor"))

    html = render_html.render_text(record)
    assert 'id="actions"' in html
    assert "Actions agreed" in html
    shown = (
        "Urgent cases bypass the wait", owner, "Risks, row 2", "2027-03-27", "Signed by both councils.",
        "Condition of the decision", "Agency staff instead.", "Enablers and barriers, row 1",
    )  # fmt: skip
    for text in shown:
        assert text in html, text

    pdf = pdf_text(render_pdf.render(record))
    for text in ("Actions agreed", "Urgent cases bypass the wait", owner, "Signed by both councils."):
        assert text in pdf, text

    content = render_docx.render(record)
    headings = docx_headings(content)
    assert ("Heading 1", "Actions agreed") in headings
    assert ("Heading 2", "2. Sign the data-sharing agreement") in headings
    words = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert f"Owner: {owner}" in words
    assert "What shows it was done: Signed by both councils." in words

    document = render_json.to_dict(record)
    assert render_json.schema_problems(document) == []
    listed = [
        (a["what"], a["source"], a["register_row"], a["owner"], a["status"]) for a in document["actions"]
    ]
    assert listed == [
        ("Urgent cases bypass the wait", "risk", 2, owner, "open"),
        ("Sign the data-sharing agreement", "decision", None, "Director of Partnerships", "done"),
        ("Train four coordinators", "enabler", 1, "Workforce lead", "dropped"),
    ]  # fmt: skip
    assert document["actions"][1]["closed_on"] == datetime.date.today().isoformat()
    read_back = render_json.from_dict(document)
    assert [(a.what, a.status_label, a.owner) for a in read_back.actions] == [
        (a.what, a.status_label, a.owner) for a in record.actions
    ]


def test_the_public_version_leaves_out_owners_and_what_the_lead_keeps_back(decided: Appraisal) -> None:
    made = with_actions(decided)
    set_not_for_publication(appraisal=decided, user=person("lead"), keys=[f"action.{made[1].pk}"])
    public = record_for(decided, public=True)
    document = render_json.to_dict(public)
    assert render_json.schema_problems(document) == []
    assert {a["owner"] for a in document["actions"]} == {None}
    assert document["actions"][1]["what"] == "Not published."
    assert document["actions"][1]["evidence"] == "Not published."
    assert document["actions"][0]["what"] == "Urgent cases bypass the wait"
    html = render_html.render_text(public)
    assert "Director of Partnerships" not in html
    assert str(person("contributor")) not in html
    assert "action.2" in render_json.from_dict(document).excluded  # a document's actions: by their place


def test_a_record_without_actions_reads_as_it_always_did(decided: Appraisal) -> None:
    document = render_json.to_dict(record_for(decided))
    assert "actions" not in document  # so records signed before actions existed rebuild the same
    assert render_json.schema_problems(document) == []
    assert "Actions agreed" not in render_html.render_text(record_for(decided))


def test_the_schema_checks_each_action(decided: Appraisal) -> None:
    with_actions(decided)
    document = render_json.to_dict(record_for(decided))
    for change, expected in (
        (lambda a: a.update(status="finished"), "actions[0].status"),
        (lambda a: a.pop("owner"), "actions[0]: 'owner' is a required property"),
        (lambda a: a.update(due_on="next spring"), "actions[0].due_on"),
        (lambda a: a.update(colour="red"), "Additional properties are not allowed"),
        (lambda a: a.update(register_row=0), "actions[0].register_row"),
    ):
        broken = copy.deepcopy(document)
        change(broken["actions"][0])
        problems = render_json.schema_problems(broken)
        assert any(expected in p for p in problems), (expected, problems)


def test_an_approved_record_shows_its_actions_as_they_stood_at_approval(decided: Appraisal) -> None:
    from trustworthy.reviews import services as reviews

    made = with_actions(decided)
    reviews.transition(appraisal=decided, name="submit", user=person("lead"))
    accept_all(decided)
    reviews.transition(appraisal=decided, name="approve", user=person("approver"))
    decided.refresh_from_db()
    signed = render_json.to_dict(record_for(decided))
    actions.move_action(action=made[0], user=person("contributor"), status="done", evidence="In the rota.")
    actions.add_action(
        appraisal=decided, user=person("lead"), what="Added after approval", due_on=DUE, owner_name="Lead"
    )
    decided.refresh_from_db()
    now = render_json.to_dict(record_for(decided))
    assert now["actions"] == signed["actions"]
    assert now["actions"][0]["status"] == "open"
    assert "Added after approval" not in json.dumps(now)
    assert "As they stood when the decision was approved" in render_html.render_text(record_for(decided))
    assert render_json.schema_problems(now) == []


# --- import ----------------------------------------------------------------------------------------


def _exported(appraisal: Appraisal, tmp_path: Path) -> Path:
    target = tmp_path / "record.json"
    result = CliRunner().invoke(
        main, ["export", str(appraisal.pk), "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    return target


def test_import_recreates_the_actions(decided: Appraisal, tmp_path: Path) -> None:
    with_actions(decided)
    first = json.loads(_exported(decided, tmp_path).read_text("utf-8"))
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "record.json"), "--user", "lead@council.test"]
    )
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=decided.pk).get()
    made = list(Action.objects.filter(appraisal=imported).order_by("pk"))
    assert [(a.what, a.status, a.owner_name, a.owner_id) for a in made] == [
        ("Urgent cases bypass the wait", "open", str(person("contributor")), None),  # named, in words
        ("Sign the data-sharing agreement", "done", "Director of Partnerships", None),
        ("Train four coordinators", "dropped", "Workforce lead", None),
    ]
    risks = list(imported.register_rows.filter(register="risks").order_by("pk"))
    assert made[0].row == risks[1]
    assert made[1].closed_on == datetime.date.fromisoformat(first["actions"][1]["closed_on"])
    second = render_json.to_dict(record_for(imported))
    assert second["actions"] == first["actions"]


def test_import_refuses_actions_the_services_would_refuse(decided: Appraisal, tmp_path: Path) -> None:
    with_actions(decided)
    document: dict[str, Any] = json.loads(_exported(decided, tmp_path).read_text("utf-8"))
    document["actions"][0] |= {"register_row": 9}
    document["actions"][1] |= {"evidence": ""}
    document["actions"][2] |= {"dropped_reason": " ", "owner": None}
    before = Action.objects.count()
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_record(json.dumps(document), user_email="lead@council.test")
    assert refused.value.problems == [
        "actions[0].register_row: there is no row 9 in the record's risks",
        "actions[1].evidence: say what shows it is done",
        "actions[2].owner: name who owns it",
        "actions[2].dropped_reason: say why it was dropped",
    ]
    assert Action.objects.count() == before
    assert User.objects.filter(email="lead@council.test").exists()
