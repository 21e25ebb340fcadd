"""Declared interests and the commitments a decision answered, in the decision record: in
every format, in the public version without names, and absent where there are none."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from pypdf import PdfReader

from trustworthy.appraisals import declaring
from trustworthy.organisations import services as organisations
from trustworthy.reports import render_docx, render_html, render_json, render_pdf
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.services import record_for
from trustworthy.reviews import services as reviews

from ..appraisals.factories import COMMITMENTS_ANSWER, decide
from ..reviews.helpers import accept_all, in_review, person

pytestmark = pytest.mark.django_db
INTEREST = "I sit on the board of the charity that runs it."


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def signed(organisation):
    """Approved, with commitments in force, a reviewer who declared nothing and an approver
    who declared an interest."""
    organisations.record_commitments(
        organisation=organisation, text="We put children first.", change_note="", user=person("admin")
    )
    appraisal = in_review(organisation)
    accept_all(appraisal)  # the reviewer declares no interest first
    declaring.declare_interests(
        appraisal=appraisal, user=person("approver"), has_interest=True, interest=INTEREST
    )
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    return appraisal


def test_every_format_names_the_commitments_version_the_answer_and_the_interests(signed) -> None:
    record = record_for(signed)
    reviewer, approver = person("reviewer").full_name, person("approver").full_name

    document = json.loads(render_json.render(record))
    assert render_json.schema_problems(document) == []
    assert document["commitments"] == {"version": 1, "answer": COMMITMENTS_ANSWER}
    assert [(i["person"], i["role"], i["has_interest"], i["interest"]) for i in document["interests"]] == [
        (reviewer, "reviewer", False, ""),
        (approver, "approver", True, INTEREST),
    ]
    # Read back, it is the same record (import and re-export keep it).
    assert render_json.to_dict(render_json.from_dict(document)) == document

    html = _squash(render_html.render(record).decode())
    assert "Our ethical commitments" in html
    assert 'Version in force when the decision was made</dt><dd class="govuk-summary-list__value">1' in html
    assert COMMITMENTS_ANSWER in html
    assert f"{approver} (Approver)" in html
    assert INTEREST in html
    assert "No interest declared" in html

    pdf = _squash(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(render_pdf.render(record))).pages)
    )
    for words in ("Our ethical commitments", COMMITMENTS_ANSWER, "Interests declared", INTEREST):
        assert words in pdf, words

    word = "\n".join(p.text for p in Document(io.BytesIO(render_docx.render(record))).paragraphs)
    assert "Version in force when the decision was made: 1" in word
    assert f"How the decision is consistent with them: {COMMITMENTS_ANSWER}" in word
    assert f"{approver} (Approver): {INTEREST}" in word
    assert f"{reviewer} (Reviewer): No interest declared" in word


def test_the_signed_record_holds_them_and_verifies(signed) -> None:
    assert signed.signed_content["record"]["commitments"]["version"] == 1
    assert len(signed.signed_content["record"]["interests"]) == 2
    assert verify_everything() == []


def test_the_public_version_names_nobody(signed) -> None:
    document = json.loads(render_json.render(record_for(signed, public=True)))
    assert [i["person"] for i in document["interests"]] == [None, None]
    assert document["interests"][1]["interest"] == INTEREST
    assert render_json.schema_problems(document) == []


def test_a_record_with_neither_reads_as_it_always_did(organisation) -> None:
    """No declarations and no commitments: no new keys, so records signed before stay as signed."""
    appraisal = in_review(organisation)
    document = render_json.to_dict(record_for(appraisal))
    assert "interests" not in document
    assert "commitments" not in document
    assert "Interests declared" not in render_html.render(record_for(appraisal)).decode()
