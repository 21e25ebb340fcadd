"""Readiness for innovation in the decision record: every format (HTML, PDF, Word, JSON) shows
each dimension, how far it is in place and what shows it; the JSON Schema takes it as an
optional addition to decision-record-1; a record with no assessment reads as it always did
(so records signed before readiness was asked still verify); the public version leaves out
evidence the lead keeps back; and approval signs it."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from trustworthy.appraisals import readiness
from trustworthy.appraisals.models import Appraisal
from trustworthy.cli import main
from trustworthy.core.audit import digest
from trustworthy.reports import importer, integrity, render_docx, render_html, render_json, render_pdf
from trustworthy.reports.services import record_for, set_not_for_publication
from trustworthy.reports.signing import signed_content

from ..appraisals.test_readiness import ENTRIES
from ..reviews.helpers import accept_all, person
from .test_actions_in_records import _exported
from .test_formats import docx_headings, pdf_text

pytestmark = pytest.mark.django_db


def assessed(appraisal: Appraisal) -> Appraisal:
    readiness.save_readiness(appraisal=appraisal, user=person("lead"), entries=ENTRIES)
    appraisal.refresh_from_db()
    return appraisal


def test_every_format_shows_readiness(decided: Appraisal) -> None:
    record = record_for(assessed(decided))

    html = render_html.render_text(record)
    assert 'id="readiness"' in html
    part = html.split('id="readiness"', 1)[1]
    shown = ("Resources", "In place", "Culture", "Partly in place", "Permissions", "Not in place",
             "Cabinet approval is due in March.", "Managers support it; two teams are wary")  # fmt: skip
    for text in shown:
        assert text in part, text

    pdf = pdf_text(render_pdf.render(record))
    for text in ("Readiness for innovation", "Permissions Not in place", "Cabinet approval is due in March."):
        assert text in pdf, text

    content = render_docx.render(record)
    headings = docx_headings(content)
    assert ("Heading 1", "Readiness for innovation") in headings
    assert ("Heading 2", "Culture: Partly in place") in headings
    words = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Four coordinators trained in family group conferencing." in words

    document = render_json.to_dict(record)
    assert render_json.schema_problems(document) == []
    assert [(d["dimension"], d["status"], d["evidence"]) for d in document["readiness"]["dimensions"]] == [
        (dimension, status, evidence) for dimension, (status, evidence) in ENTRIES.items()
    ]
    read_back = render_json.from_dict(document)
    assert read_back.readiness == record.readiness


def test_a_record_without_an_assessment_reads_as_it_always_did(decided: Appraisal) -> None:
    record = record_for(decided)
    assert record.readiness is None
    document = render_json.to_dict(record)
    assert "readiness" not in document  # so records signed before readiness was asked rebuild the same
    assert render_json.schema_problems(document) == []
    assert 'id="readiness"' not in render_html.render_text(record)
    headings = docx_headings(render_docx.render(record))
    assert ("Heading 1", "Readiness for innovation") not in headings


def test_the_schema_checks_the_readiness_part(decided: Appraisal) -> None:
    document = render_json.to_dict(record_for(assessed(decided)))
    for change, expected in (
        (lambda r: r["dimensions"][0].update(status="mostly"), "readiness.dimensions[0].status"),
        (lambda r: r["dimensions"][1].pop("evidence"), "'evidence' is a required property"),
        (lambda r: r.update(colour="red"), "Additional properties are not allowed"),
    ):
        broken = copy.deepcopy(document)
        change(broken["readiness"])
        problems = render_json.schema_problems(broken)
        assert any(expected in p for p in problems), (expected, problems)


def test_the_public_version_leaves_out_evidence_the_lead_keeps_back(decided: Appraisal) -> None:
    assessed(decided)
    set_not_for_publication(appraisal=decided, user=person("lead"), keys=["readiness.permissions"])
    public = record_for(decided, public=True)
    document = render_json.to_dict(public)
    assert render_json.schema_problems(document) == []
    shown = {d["dimension"]: (d["status"], d["evidence"]) for d in document["readiness"]["dimensions"]}
    assert shown["permissions"] == ("not-in-place", "Not published.")
    assert shown["culture"] == ENTRIES["culture"]
    assert "Cabinet approval is due in March." not in render_html.render_text(public)
    assert "readiness.permissions" in render_json.from_dict(document).excluded


def test_approval_signs_the_assessment_and_the_record_still_verifies(decided: Appraisal) -> None:
    from trustworthy.reviews import services as reviews

    assessed(decided)
    reviews.transition(appraisal=decided, name="submit", user=person("lead"))
    accept_all(decided)
    reviews.transition(appraisal=decided, name="approve", user=person("approver"))
    decided.refresh_from_db()
    signed = signed_content(decided)
    assert signed["record"]["readiness"]["dimensions"][2]["evidence"] == "Cabinet approval is due in March."
    assert digest(signed) == decided.record_hash
    assert [str(p) for p in integrity.verify_everything() if p.scope == f"appraisal {decided.pk}"] == []


def test_import_recreates_the_assessment(decided: Appraisal, tmp_path: Path) -> None:
    first = json.loads(_exported(assessed(decided), tmp_path).read_text("utf-8"))
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "record.json"), "--user", "lead@council.test"]
    )
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=decided.pk).get()
    again = render_json.to_dict(record_for(imported))
    assert again["readiness"] == first["readiness"]


def test_import_refuses_an_assessment_the_service_would_refuse(decided: Appraisal, tmp_path: Path) -> None:
    document = json.loads(_exported(assessed(decided), tmp_path).read_text("utf-8"))
    document["readiness"]["dimensions"].pop()
    document["readiness"]["dimensions"][0]["evidence"] = " "
    problems, _ = importer.check(document)
    assert "readiness.dimensions[0].evidence: say what shows it" in problems
    assert any(p.startswith("readiness.dimensions: assess each of") for p in problems), problems
