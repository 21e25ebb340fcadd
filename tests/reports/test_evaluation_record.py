"""“Expected against realised” in the decision record of a post hoc evaluation: in every
format, in the JSON schema (an optional addition to decision-record-1), read back from a
stored document, imported, and inside what approval signs, so changing it afterwards is found."""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

import pytest
from docx import Document

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, Lessons, Outcome, RegisterRow, UnforeseenItem
from trustworthy.reports import importer, render_docx, render_html, render_json, render_pdf
from trustworthy.reports.document import NOT_PUBLISHED
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.services import publish, record_for, set_not_for_publication
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews

from ..appraisals.evaluation_factories import (
    Evaluation,
    approve_evaluation,
    record_outcomes,
    start_evaluation,
)
from ..appraisals.factories import decide
from ..reviews.helpers import person
from .test_formats import docx_headings, pdf_text

pytestmark = pytest.mark.django_db

TITLE = "Expected against realised"
BENEFIT_EVIDENCE = "Care entries fell in one of the two areas."
RISK_HANDLING = "Two urgent cases waited; the bypass was made automatic."
UNFORESEEN = "Schools began asking for family meetings too."
LESSON = "Measure waiting times from day one."


@pytest.fixture
def evaluated(organisation) -> Evaluation:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    return ev


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return squash(" ".join([p.text for p in doc.paragraphs] + cells))


# --- every format -------------------------------------------------------------------------------------


def test_every_format_shows_expected_against_realised(evaluated: Evaluation) -> None:
    record = record_for(evaluated.appraisal)
    assert record.evaluation is not None
    html = squash(render_html.render_text(record))
    pdf = pdf_text(render_pdf.render(record))
    docx = docx_text(render_docx.render(record))
    document = render_json.to_dict(record)
    for name, text in (("HTML", html), ("PDF", pdf), ("Word", docx)):
        assert TITLE in text, name
        assert "Partly achieved" in text, name
        assert BENEFIT_EVIDENCE in text, name
        assert RISK_HANDLING in text, name
        assert "How it will be measured: Care entries" in text, name  # what was expected
        assert "Mitigation: Urgent cases bypass" in text, name
        assert UNFORESEEN in text, name
        assert LESSON in text, name
        assert "approved inception of the idea appraisal" in text, name
    assert '<h2 class="govuk-heading-l" id="expected-against-realised">' in html
    assert ("Heading 1", TITLE) in docx_headings(render_docx.render(record))
    section = document["evaluation"]
    assert section["title"] == TITLE
    baseline = section["baseline"]
    assert (baseline["stage"], baseline["stage_name"], baseline["version"]) == (
        "inception",
        "Inception of the idea",
        1,
    )
    assert baseline["record_hash"] == evaluated.baseline.record_hash
    assert evaluated.baseline.approved_at is not None
    assert baseline["approved_at"][:19] == evaluated.baseline.approved_at.isoformat()[:19]
    assert [b["result"] for b in section["benefits"]] == ["partly-achieved", "partly-achieved"]
    assert [r["result"] for r in section["risks"]] == ["partly", "partly"]
    assert section["benefits"][0]["expected"] == evaluated.benefits[0].data
    assert section["risks"][0]["handling"] == RISK_HANDLING
    assert section["unforeseen"][0]["kind"] == "benefit"
    assert section["lessons"].endswith(LESSON)


def test_an_expectation_without_an_outcome_says_so(organisation) -> None:
    ev = start_evaluation(organisation)
    document = render_json.to_dict(record_for(ev.appraisal))
    assert [b["result"] for b in document["evaluation"]["benefits"]] == [None, None]
    assert {b["result_label"] for b in document["evaluation"]["benefits"]} == {"Not recorded yet"}
    assert render_json.schema_problems(document) == []
    assert "Not recorded yet" in squash(render_html.render_text(record_for(ev.appraisal)))


def test_other_stages_have_no_such_section_and_read_as_before(evaluated: Evaluation) -> None:
    """decision-record-1 is unchanged for every record that is not a post hoc evaluation."""
    document = render_json.to_dict(record_for(evaluated.baseline))
    assert "evaluation" not in document
    assert TITLE not in render_html.render_text(record_for(evaluated.baseline))


# --- the schema and reading documents back --------------------------------------------------------------


def test_the_json_validates_and_the_section_is_an_optional_part_of_format_1(evaluated: Evaluation) -> None:
    for public in (False, True):
        document = json.loads(render_json.render(record_for(evaluated.appraisal, public=public)))
        assert document["format"] == "decision-record-1"
        assert render_json.schema_problems(document) == [], public
    schema = json.loads(render_json.schema_text())
    assert "evaluation" in schema["properties"]
    assert "evaluation" not in schema["required"]
    document = render_json.to_dict(record_for(evaluated.appraisal))
    broken = copy.deepcopy(document)
    broken["evaluation"]["benefits"][0]["surprise"] = True
    assert any(p.startswith("evaluation.benefits[0]") for p in render_json.schema_problems(broken))
    broken = copy.deepcopy(document)
    broken["evaluation"]["unforeseen"][0]["kind"] = "neutral"
    assert any(p.startswith("evaluation.unforeseen[0].kind") for p in render_json.schema_problems(broken))
    del document["evaluation"]["lessons"]
    assert render_json.schema_problems(document) == ["evaluation: 'lessons' is a required property"]


def test_a_stored_document_reads_back_with_the_section(evaluated: Evaluation) -> None:
    record = record_for(evaluated.appraisal)
    back = render_json.from_dict(json.loads(render_json.render(record)))
    assert render_json.to_dict(back) == render_json.to_dict(record)
    assert render_html.render_text(back) == render_html.render_text(record)
    assert back.evaluation is not None
    assert back.evaluation.benefits[0].result_label == "Partly achieved"


def test_the_public_version_leaves_out_what_the_lead_chose(evaluated: Evaluation) -> None:
    appraisal = evaluated.appraisal
    keys = [key for key, _, _ in record_for(appraisal).free_text() if key.startswith("evaluation.")]
    assert f"evaluation.row.{evaluated.risks[0].pk}" in keys
    assert "evaluation.lessons" in keys
    set_not_for_publication(
        appraisal=appraisal,
        user=person("lead"),
        keys=[f"evaluation.row.{evaluated.risks[0].pk}", "evaluation.lessons"],
    )
    public = record_for(appraisal, public=True)
    assert public.evaluation is not None
    hidden, shown = public.evaluation.risks
    assert hidden.handling == NOT_PUBLISHED
    assert hidden.expected["mitigation"] == NOT_PUBLISHED
    assert shown.handling == RISK_HANDLING
    assert public.evaluation.lessons == NOT_PUBLISHED
    document = render_json.to_dict(public)
    assert render_json.schema_problems(document) == []
    back = render_json.from_dict(document)
    assert back.excluded >= {"evaluation.risk.1", "evaluation.lessons"}


# --- signing and tampering -------------------------------------------------------------------------------


@pytest.fixture
def signed(evaluated: Evaluation) -> Appraisal:
    appraisal = approve_evaluation(evaluated)
    assert appraisal.signed_content is not None
    assert appraisal.signed_content["record"]["evaluation"]["lessons"].endswith(LESSON)
    assert record_hash(appraisal) == appraisal.record_hash
    assert verify_everything() == []
    return appraisal


def named(appraisal: Appraisal) -> list[str]:
    return [str(p) for p in verify_everything() if str(p).startswith(f"appraisal {appraisal.pk}, ")]


TAMPERINGS: dict[str, Any] = {
    "an outcome's result": lambda a, ev: Outcome.objects.filter(appraisal=a).update(result="achieved"),
    "an outcome's evidence": lambda a, ev: Outcome.objects.filter(appraisal=a, register="benefits").update(
        evidence="It all worked."
    ),
    "a risk's handling": lambda a, ev: Outcome.objects.filter(appraisal=a, register="risks").update(
        handling=""
    ),
    "an outcome deleted": lambda a, ev: Outcome.objects.filter(appraisal=a, row=ev.risks[0]).delete(),
    "an outcome moved to another row": lambda a, ev: (
        Outcome.objects.filter(appraisal=a, row=ev.benefits[0]).update(row=ev.benefits[1])
        if not Outcome.objects.filter(appraisal=a, row=ev.benefits[1]).delete()
        else None
    ),
    "an unforeseen item rewritten": lambda a, ev: UnforeseenItem.objects.filter(appraisal=a).update(
        kind="harm"
    ),
    "an unforeseen item deleted": lambda a, ev: UnforeseenItem.objects.filter(appraisal=a).delete(),
    "an unforeseen item inserted": lambda a, ev: UnforeseenItem.objects.create(
        appraisal=a, kind="benefit", description="It was all good."
    ),
    "the lessons rewritten": lambda a, ev: Lessons.objects.filter(appraisal=a).update(text="None."),
    "the expectation rewritten in the approved stage": lambda a, ev: RegisterRow.objects.filter(
        pk=ev.benefits[0].pk
    ).update(data={**ev.benefits[0].data, "measure": "Whatever we find"}),
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_changing_the_evaluation_behind_the_services_is_detected(
    signed: Appraisal, evaluated: Evaluation, case: str
) -> None:
    TAMPERINGS[case](signed, evaluated)
    problems = named(Appraisal.objects.get(pk=signed.pk))
    assert problems, case
    assert any("evaluation" in p for p in problems), problems


def test_a_later_approval_of_an_earlier_stage_does_not_move_the_signed_evaluation(
    signed: Appraisal, evaluated: Evaluation
) -> None:
    """The evaluation looks back on what was approved before it was; a new version of the
    inception appraisal approved later does not change what was signed."""
    lead = person("lead")
    newer = reviews.start_new_version(appraisal=evaluated.baseline, user=lead, reason="Funding changed.")
    services.add_register_row(
        appraisal=newer,
        register_id="benefits",
        data={**evaluated.benefits[0].data, "description": "A new benefit"},
        user=lead,
    )
    services.save_answer(appraisal=newer, question_id="P3", user=lead, rationale="Three benefits now.")
    reviews.transition(appraisal=newer, name="submit", user=lead)
    reviews.review_sections(
        appraisal=newer, user=person("reviewer"),
        verdicts=dict.fromkeys(("parameters", "principles", "tests"), ("acceptable", "")),
    )  # fmt: skip
    decide(newer, person("approver"))
    reviews.transition(appraisal=newer, name="approve", user=person("approver"))
    assert Appraisal.objects.get(pk=newer.pk).status == "approved"
    assert record_hash(Appraisal.objects.get(pk=signed.pk)) == signed.record_hash
    assert verify_everything() == []


def test_publishing_checks_the_evaluation_for_personal_data(signed: Appraisal) -> None:
    keys = {key for key, _, _ in record_for(signed).free_text()}
    assert "evaluation.lessons" in keys
    publication = publish(appraisal=signed, user=person("lead"))
    assert publication.document["evaluation"]["lessons"].endswith(LESSON)
    assert render_json.from_dict(publication.document).evaluation is not None


# --- import ------------------------------------------------------------------------------------------


def test_importing_an_evaluation_carries_what_nobody_expected_and_the_lessons(organisation) -> None:
    lead = person("lead")
    ev = start_evaluation(organisation)
    services.add_unforeseen(appraisal=ev.appraisal, user=lead, kind="harm", description="Waits grew.")
    services.save_lessons(appraisal=ev.appraisal, user=lead, text="Ask families first.")
    document = render_json.to_dict(record_for(ev.appraisal))
    imported = importer.import_record(json.dumps(document)).appraisal
    assert imported.stage == "evaluation"
    assert imported.pk != ev.appraisal.pk
    assert list(UnforeseenItem.objects.filter(appraisal=imported).values_list("kind", "description")) == [
        ("harm", "Waits grew.")
    ]
    assert Lessons.objects.get(appraisal=imported).text == "Ask families first."


def test_importing_an_outcome_for_a_benefit_the_record_does_not_carry_is_refused(
    evaluated: Evaluation,
) -> None:
    """What happened is recorded against the record's own carried-forward rows (the round
    trip is in tests/appraisals/test_evaluation_import.py): one that is not there is refused."""
    document = render_json.to_dict(record_for(evaluated.appraisal))
    document["evaluation"]["benefits"][0]["expected"]["description"] = "A benefit nobody carried forward"
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_record(json.dumps(document))
    assert any(p.startswith("evaluation.benefits[0].expected:") for p in refused.value.problems), (
        refused.value.problems
    )
    assert Appraisal.objects.filter(stage="evaluation").count() == 1, "nothing was written"
