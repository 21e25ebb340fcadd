"""The screening and route are part of the decision record in every format, are absent from
records of appraisals never screened, and survive export and import."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, Screening
from trustworthy.appraisals.screening import require_full_route, save_screening
from trustworthy.cli import main
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import importer, render_docx, render_html, render_json, render_pdf
from trustworthy.reports.document import make_public
from trustworthy.reports.services import record_for

from ..appraisals.factories import decide, fill_appraisal, make_project
from .test_formats import pdf_text

pytestmark = pytest.mark.django_db

SAFE = {
    "scale": "one-team",
    "who-affected": "staff-only",
    "childrens-data": "no",
    "rights": "no",
    "statutory-duties": "no",
    "reversibility": "easily",
}
LIGHT_REASON = "No screening answer points to a risk, so a light appraisal is proportionate."
FULL_REASON = "Families will see their plans change."


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return squash(" ".join([p.text for p in doc.paragraphs] + cells))


def _user(role: str) -> User:
    return User.objects.get(email=f"{role}@council.test")


@pytest.fixture
def screened(organisation: Organisation) -> Appraisal:
    """Screened for the light route by the lead, decided, then turned back to full by an approver."""
    lead, approver = _user("lead"), _user("approver")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    fill_appraisal(appraisal, lead)
    decide(appraisal, approver)
    require_full_route(appraisal=appraisal, user=approver, reason=FULL_REASON)
    appraisal.refresh_from_db()
    return appraisal


def test_no_screening_part_without_a_screening(organisation: Organisation) -> None:
    lead = _user("lead")
    appraisal = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    record = record_for(appraisal)
    assert record.screening is None
    assert "screening" not in render_json.to_dict(record)
    assert "Screening and route" not in render_html.render_text(record)
    assert "Screening and route" not in docx_text(render_docx.render(record))


def test_every_format_shows_the_screening_its_reasons_and_who_required_full(screened: Appraisal) -> None:
    record = record_for(screened)
    assert record.screening is not None
    html = squash(render_html.render_text(record))
    pdf = pdf_text(render_pdf.render(record))
    docx = docx_text(render_docx.render(record))
    approver = _user("approver")
    for name, text in (("HTML", html), ("PDF", pdf), ("Word", docx)):
        assert "Screening and route" in text, name
        assert LIGHT_REASON in text, name
        assert FULL_REASON in text, name
        assert "The full appraisal was required" in text, name
        assert approver.full_name in text, name
        assert "How widely will the change be used?" in text, name
        assert "In one team or a small trial" in text, name
    assert '<h2 class="govuk-heading-l" id="screening">' in html


def test_the_json_holds_the_screening_and_validates(screened: Appraisal) -> None:
    document = render_json.to_dict(record_for(screened))
    assert render_json.schema_problems(document) == []
    part = document["screening"]
    assert (part["route"], part["recommended_route"], part["chosen_route"]) == ("full", "light", "light")
    assert part["reasons"] == [LIGHT_REASON]
    assert {a["question"]: a["answer"] for a in part["answers"]} == SAFE
    assert not any(a["flags_risk"] for a in part["answers"])
    assert part["questions"] == []  # the full route asks every question
    assert part["screened_by"] == _user("lead").full_name
    assert part["full_required"]["by"] == _user("approver").full_name
    assert part["full_required"]["reason"] == FULL_REASON
    assert render_json.from_dict(document).screening == record_for(screened).screening


def test_a_light_record_names_the_questions_its_route_asks(organisation: Organisation) -> None:
    lead = _user("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    save_screening(appraisal=appraisal, user=lead, answers=SAFE | {"scale": "several-teams"}, route="light")
    appraisal.refresh_from_db()
    document = render_json.to_dict(record_for(appraisal))
    assert document["screening"]["route"] == "light"
    assert document["screening"]["questions"] == ["P1", "P2", "P3", "P7", "T1", "T2", "T3", "T4", "T5", "T6"]
    assert document["screening"]["full_required"] is None
    assert render_json.schema_problems(document) == []


def test_the_public_version_leaves_out_names(screened: Appraisal) -> None:
    public = make_public(record_for(screened))
    assert public.screening is not None
    assert public.screening.screened_by is None
    assert public.screening.full_required_by is None
    assert public.screening.reasons == (LIGHT_REASON,)


def test_the_screening_survives_export_and_import(screened: Appraisal, tmp_path: Path) -> None:
    first = render_json.to_dict(record_for(screened))
    target = tmp_path / "first.json"
    target.write_text(json.dumps(first), "utf-8")
    result = CliRunner().invoke(main, ["import", str(target), "--user", "approver@council.test"])
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=screened.pk).get()
    assert imported.route == "full"
    screening = Screening.objects.get(appraisal=imported)
    assert (screening.chosen_route, screening.full_required_reason) == ("light", FULL_REASON)
    second = render_json.to_dict(record_for(imported))
    # The import acts for the person named on the command line (as for the decision).
    assert second["screening"].pop("screened_by") == _user("approver").full_name
    first["screening"].pop("screened_by")
    assert (
        render_json.without_volatile(second)["screening"] == render_json.without_volatile(first)["screening"]
    )
    assert second["decision"]["decision"] == first["decision"]["decision"]


def test_an_import_whose_screening_flags_risk_cannot_take_the_light_route(screened: Appraisal) -> None:
    document = render_json.to_dict(record_for(screened))
    for answer in document["screening"]["answers"]:
        if answer["question"] == "rights":
            answer["answer"] = "yes"
    problems, _ = importer.check(document)
    assert (
        "screening.chosen_route: A screening answer points to a risk, so the full appraisal is needed."
        in problems
    )
    document["screening"]["answers"][0]["answer"] = "galaxy-wide"
    problems, _ = importer.check(document)
    assert "screening.answers: scale: Select an answer to “How widely will the change be used?”" in problems
