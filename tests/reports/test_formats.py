"""The decision record in every format: content, schema, the public version and sign-off."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from docx import Document
from pypdf import PdfReader

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import render_docx, render_html, render_json, render_pdf
from trustworthy.reports.charts import all_charts
from trustworthy.reports.document import (
    VOICES_TITLE,
    DecisionRecord,
    Summary,
    VoiceCount,
    VoiceItem,
    VoicesSection,
    build_record,
    make_public,
)
from trustworthy.reports.services import record_for

from ..appraisals.factories import make_project
from .conftest import approve, make_decided

pytestmark = pytest.mark.django_db
FW = default_framework()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_text(content: bytes) -> str:
    return _squash(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def docx_headings(content: bytes) -> list[tuple[str, str]]:
    doc = Document(io.BytesIO(content))
    return [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]


def test_every_export_validates_against_the_schema(
    decided: Appraisal, lead: User, organisation: Organisation
) -> None:
    empty = services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)
    for appraisal in (decided, empty):
        for public in (False, True):
            document = json.loads(render_json.render(record_for(appraisal, public=public)))
            assert render_json.schema_problems(document) == [], (appraisal, public)
    approve(decided)
    document = render_json.to_dict(record_for(decided))
    assert render_json.schema_problems(document) == []
    assert document["sign_off"]["record_hash"] == "a" * 64


def test_json_uses_the_framework_ids_and_holds_every_answer(decided: Appraisal) -> None:
    document = render_json.to_dict(record_for(decided))
    data = load_appraisal(decided)
    assert {(a["question_id"], a["aspect"]) for a in document["answers"]} == {
        (a.question_id, a.aspect) for a in data.answers.values()
    }
    assert document["framework"] == {"id": FW.id, "version": FW.version, "title": FW.title}
    assert {r["id"]: len(r["rows"]) for r in document["registers"]} == {r.id: 2 for r in FW.registers}
    assert len(document["principles"]) == 2 * len(FW.principles)
    assert {p["stakeholder"] for p in document["participation"]} == {s.id for s in FW.stakeholders}
    assert document["decision"]["decision"] == "proceed-with-mitigations"
    assert document["route"]["allowed"]
    answer = next(a for a in document["answers"] if a["question_id"] == "P1")
    assert answer["question_text"] == FW.question("P1").text
    assert answer["rationale"] == "Our reasons for P1."


def test_html_holds_every_question_and_answer(decided: Appraisal) -> None:
    html = render_html.render(record_for(decided)).decode()
    for q in FW.questions():
        assert f'id="question-{q.id}"' in html
    for q in FW.section("parameters").questions:
        assert f"Our reasons for {q.id}." in html
    assert "Delay in urgent cases" in html
    assert "We weighed it all." in html
    assert html.count("<svg") == 3  # risk matrix, principles and the D1-D5 profile
    assert "Not yet on D3b." in html
    assert "@page" in html  # print styles


def test_pdf_text_holds_every_question_and_answer(decided: Appraisal) -> None:
    text = pdf_text(render_pdf.render(record_for(decided)))
    for q in FW.questions():
        assert f"{q.id} {q.label}" in text, q.id
    for q in FW.section("parameters").questions:
        assert f"Our reasons for {q.id}." in text
    for phrase in (
        "The decision",
        "Proceed with mitigations",
        "We weighed it all.",
        "Risk matrix",
        "Page 1 of",
    ):
        assert phrase in text


def test_docx_has_real_headings_and_tables(decided: Appraisal) -> None:
    content = render_docx.render(record_for(decided))
    headings = docx_headings(content)
    texts = [text for _, text in headings]
    assert headings[0][0] == "Title"
    assert ("Heading 1", "The decision") in headings
    assert ("Heading 1", "Accountability and sign-off") in headings
    for section in FW.sections:
        assert ("Heading 1", f"Section {section.number}: {section.title}") in headings
    for q in FW.questions():
        assert ("Heading 2", f"{q.id} {q.label}") in headings
    assert texts.index("The decision") < texts.index("Section 1: " + FW.section("parameters").title)
    doc = Document(io.BytesIO(content))
    risk_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Risk" and len(t.columns) == 8)
    assert risk_table.rows[1].cells[1].text == "Delay in urgent cases"
    body = " ".join(p.text for p in doc.paragraphs)
    for q in FW.section("parameters").questions:
        assert f"Our reasons for {q.id}." in body


def test_voices_section_is_rendered_in_every_format(decided: Appraisal) -> None:
    voices = VoicesSection(
        items=(
            VoiceItem(
                said="Meetings at school felt unsafe.",
                response="We moved them to the family centre.",
                heading="Where we meet",
            ),
        ),
        introduction="12 responses from 2 consultations.",
        counts=(VoiceCount("Young people", "Workshop", 12),),
    )
    record = build_record(load_appraisal(decided), voices=lambda appraisal: voices)
    assert record.voices is not None
    for text in (
        render_html.render(record).decode(),
        pdf_text(render_pdf.render(record)),
        " ".join(p.text for p in Document(io.BytesIO(render_docx.render(record))).paragraphs),
    ):
        assert VOICES_TITLE in text
        assert "We moved them to the family centre." in text
    document = render_json.to_dict(record)
    assert document["voices"]["items"][0]["response"] == "We moved them to the family centre."
    assert render_json.schema_problems(document) == []
    assert ("Heading 1", VOICES_TITLE) in docx_headings(render_docx.render(record))


def test_no_voices_section_without_consultations(decided: Appraisal) -> None:
    assert record_for(decided).voices is None


def test_sign_off_and_audit_hashes_only_when_approved(decided: Appraisal) -> None:
    record = record_for(decided)
    assert record.sign_off.approved is False
    assert record.sign_off.record_hash is None
    approve(decided)
    record = record_for(Appraisal.objects.get(pk=decided.pk))
    assert record.sign_off.approved_by == "Approver of Northshire Council"
    assert record.sign_off.record_hash == "a" * 64
    assert record.sign_off.approved_audit_head == "b" * 64
    text = pdf_text(render_pdf.render(record))
    assert "a" * 64 in text.replace(" ", "")
    assert "Approver of Northshire Council" in text


def test_public_version_leaves_out_names_and_excluded_items(decided: Appraisal) -> None:
    from trustworthy.reports.models import RecordSettings

    approve(decided)
    RecordSettings.objects.create(appraisal=decided, not_for_publication=["answer.P2", "decision.reasoning"])
    public = record_for(decided, public=True)
    document = json.dumps(render_json.to_dict(public))
    for name in (
        "Approver of Northshire Council",
        "Lead of Northshire Council",
        "Director of Children's Services",
    ):
        assert name not in document
        assert name not in render_html.render(public).decode()
    assert public.decision is not None
    assert public.decision.reasoning == "Not published."
    assert "Our reasons for P2." not in document
    assert "Our reasons for P1." in document


def test_charts_keep_to_the_content_security_policy(decided: Appraisal) -> None:
    charts = all_charts(record_for(decided))
    drawn = [c for c in charts if c.svg]
    assert [c.id for c in drawn] == ["risk-matrix", "principles", "profile"]
    for chart in drawn:
        assert "style=" not in chart.svg
        assert "<style" not in chart.svg
        assert 'role="img"' in chart.svg
        assert chart.rows
    profile = charts[2]
    assert [row[0] for row in profile.rows] == ["D1", "D2", "D3a", "D3b", "D3c", "D4", "D5"]


def test_the_profile_chart_says_so_when_nothing_is_rated(organisation) -> None:
    from trustworthy.appraisals.models import CriterionRating

    appraisal = make_decided(organisation)
    CriterionRating.objects.filter(appraisal=appraisal).delete()
    profile = all_charts(record_for(appraisal))[2]
    assert profile.svg == ""
    assert "not been rated" in profile.empty


def _full_record(decided: Appraisal) -> DecisionRecord:
    """Approved, with a summary, a departure, what people said and every register filled."""
    approve(decided)
    voices = VoicesSection(
        items=(VoiceItem(said="Meetings felt rushed.", response="We made them longer.", heading="Time"),),
        introduction="3 responses from 1 consultation.",
        counts=(VoiceCount("Young people", "Online", 3),),
    )
    record = build_record(load_appraisal(decided), voices=lambda appraisal: voices)
    assert record.decision is not None
    return replace(
        record,
        summary=Summary("We said yes.\n\nYoung people helped us decide.", True),
        decision=replace(record.decision, is_departure=True, departure_reason="The team was ready."),
    )


def test_a_document_reads_back_as_the_record_it_was_written_from(decided: Appraisal) -> None:
    record = _full_record(decided)
    rows = [r for r in record.registers if r.rows]
    hidden = ["answer.P2", "decision.reasoning", "project.context.local", rows[0].rows[1].key]
    for version in (record, make_public(record, hidden)):
        document = render_json.to_dict(version)
        back = render_json.from_dict(document)
        assert render_json.to_dict(back) == document
        # Everything the renderers read comes back: labels, register fields and cells,
        # the sections and their questions, so every format renders the same.
        assert render_html.render(back) == render_html.render(version)
        assert [p.text for p in Document(io.BytesIO(render_docx.render(back))).paragraphs] == [
            p.text for p in Document(io.BytesIO(render_docx.render(version))).paragraphs
        ]
        assert all_charts(back) == all_charts(version)
    public = render_json.from_dict(render_json.to_dict(make_public(record, hidden)))
    assert {"answer.P2", "decision.reasoning", "project.context.local"} <= public.excluded
    assert [row.published for row in public.registers[0].rows] == [True, False]
    assert render_json.from_dict(render_json.to_dict(record)).excluded == frozenset()


def test_a_document_of_an_unknown_framework_is_refused(decided: Appraisal) -> None:
    document = render_json.to_dict(record_for(decided))
    document["framework"]["version"] = "9.9.9"
    with pytest.raises(render_json.DocumentError, match=r"9\.9\.9"):
        render_json.from_dict(document)
