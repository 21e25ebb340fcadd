"""Editions installed in the database, an organisation's choice and its local questions:
used by that organisation's new appraisals only, in every record format, and through
export and import."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from trustworthy.appraisals import services
from trustworthy.appraisals.frameworks import current_framework, framework_for
from trustworthy.appraisals.models import Answer
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent
from trustworthy.framework import default_framework
from trustworthy.organisations import editions
from trustworthy.organisations.changes import NotPermitted
from trustworthy.organisations.models import ChosenEdition, Edition, Organisation, User
from trustworthy.organisations.services import ServiceError
from trustworthy.reports import render_docx, render_html, render_json, render_pdf
from trustworthy.reports.importer import ImportRefused, import_record
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.services import record_for

from ..appraisals.factories import make_project
from ..reports.test_formats import pdf_text

pytestmark = pytest.mark.django_db
FILE = Path(__file__).parents[1] / "framework" / "editions" / "extra-questions.yaml"
FW = default_framework()
ASKED = "Has the data protection officer seen the plan?"


@pytest.fixture(autouse=True)
def _fresh_editions() -> Iterator[None]:
    """Each test's database starts empty: so must this process's parsed editions."""
    editions.forget_parsed()
    yield
    editions.forget_parsed()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def user(email: str) -> User:
    return User.objects.get(email=email)


def add_local(organisation: Organisation, text: str = ASKED, kind: str = "closed") -> Edition:
    question = editions.LocalQuestion(text=text, why="Our board asks it.", covers="When and what.", kind=kind)
    return editions.add_local_question(
        organisation=organisation, question=question, user=user("admin@council.test")
    )


# -- installing a file ------------------------------------------------------------------------


def test_install_for_one_organisation_checks_stores_and_audits(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    code, out, _ = run("framework", "install", str(FILE), "--organisation", organisation.name)
    assert code == 0
    assert out == "Installed hgl-2021-northshire@1.1.0 for Northshire Council.\n"
    edition = Edition.objects.get()
    assert edition.content == FILE.read_text("utf-8")
    assert edition.organisation == organisation
    event = AuditEvent.objects.get(action="framework.installed")
    assert event.organisation_id == organisation.pk
    assert event.after["digest"] == edition.digest
    assert verify_everything() == []

    # Another process (nothing parsed yet) finds it in the database.
    editions.forget_parsed()
    assert framework_for("hgl-2021-northshire", "1.1.0").question("L1").kind == "closed"

    # The same file again changes nothing; other content under the same id and version is refused.
    code, out, _ = run("framework", "install", str(FILE), "--organisation", organisation.name)
    assert (code, out) == (0, "hgl-2021-northshire@1.1.0 is already installed for Northshire Council, "
                              "with the same content: nothing to do.\n")  # fmt: skip
    code, _, err = run("framework", "install", str(FILE), "--organisation", other_organisation.name)
    assert code == 1
    assert "already installed with different content or for other organisations" in err
    assert Edition.objects.count() == 1


def test_install_refuses_changed_content_under_an_installed_version(
    organisation: Organisation, tmp_path: Path
) -> None:
    assert run("framework", "install", str(FILE))[0] == 0
    assert AuditEvent.objects.filter(action="framework.installed", organisation=organisation).exists()
    changed = tmp_path / "changed.yaml"
    changed.write_text(FILE.read_text("utf-8").replace("Members are accountable", "Members answer"))
    code, _, err = run("framework", "install", str(changed))
    assert code == 1
    assert "An installed edition never changes: give the new file a new version" in err
    assert Edition.objects.count() == 1


def test_install_lists_every_problem_as_validate_does(tmp_path: Path, organisation: Organisation) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(FILE.read_text("utf-8").replace("id: L2", "id: L1"))
    validated = run("framework", "validate", str(broken))
    installed = run("framework", "install", str(broken))
    assert installed[0] == validated[0] == 1
    assert installed[2] == validated[2]
    assert "duplicate question id 'L1'" in installed[2]
    assert not Edition.objects.exists()


def test_install_refuses_the_built_in_edition_and_unknown_organisations(organisation: Organisation) -> None:
    builtin = Path(__file__).parents[2] / "src/trustworthy/framework/data/hgl-2021-1.0.0.yaml"
    code, _, err = run("framework", "install", str(builtin))
    assert code == 1
    assert "hgl-2021@1.0.0 is the built-in edition" in err
    code, _, err = run("framework", "install", str(FILE), "--organisation", "Nowhere")
    assert code == 1
    assert "There is no organisation called “Nowhere”" in err


# -- choosing an edition and adding local questions -------------------------------------------


def test_an_admin_chooses_from_the_editions_offered_to_the_organisation(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    editions.install(FILE.read_text("utf-8"), organisation=other_organisation)
    admin = user("admin@council.test")
    with pytest.raises(ServiceError, match="Choose an edition from the list"):
        editions.choose_edition(organisation=organisation, key="hgl-2021-northshire@1.1.0", user=admin)
    with pytest.raises(NotPermitted):
        editions.choose_edition(organisation=organisation, key=FW.key, user=user("lead@council.test"))
    editions.choose_edition(
        organisation=other_organisation, key="hgl-2021-northshire@1.1.0", user=user("admin@trust.test")
    )
    assert current_framework(other_organisation.pk).key == "hgl-2021-northshire@1.1.0"
    assert current_framework(organisation.pk) is FW
    assert AuditEvent.objects.get(action="framework.chosen").after == {"edition": "hgl-2021-northshire@1.1.0"}


def test_local_questions_make_a_new_edition_that_keeps_the_published_framework(
    organisation: Organisation,
) -> None:
    first = add_local(organisation)
    second = add_local(organisation, "How will elected members be briefed?", kind="open")
    assert (first.key, second.key) == (
        "hgl-2021-northshire-council@1.0.1",
        "hgl-2021-northshire-council@1.0.2",
    )
    assert (second.base_id, second.base_version) == (FW.id, FW.version)
    edition = current_framework(organisation.pk)
    assert edition.key == second.key
    local = [(q.id, q.kind, q.text) for q in editions.local_questions(edition)]
    assert local == [("L1", "closed", ASKED), ("L2", "open", "How will elected members be briefed?")]
    assert edition.question("L1").guidance.why == "Our board asks it."
    # Every published question, its wording and the decisions are the base edition's.
    for section in FW.sections:
        assert edition.section(section.id) == section
    assert edition.decisions == FW.decisions
    # The first edition is kept as it was: appraisals started on it keep their wording.
    assert [q.id for q in editions.local_questions(framework_for(first.framework_id, first.version))] == [
        "L1"
    ]
    events = AuditEvent.objects.filter(action="framework.local-question").order_by("org_sequence")
    assert [e.after["question"]["id"] for e in events] == ["L1", "L2"]
    assert verify_everything() == []


def test_a_local_question_needs_its_wording_and_guidance(organisation: Organisation) -> None:
    with pytest.raises(ServiceError, match="Enter the question") as refused:
        add_local(organisation, text="   ")
    assert refused.value.field == "text"
    with pytest.raises(ServiceError, match="Choose how it is answered"):
        add_local(organisation, kind="register")
    assert not Edition.objects.exists()
    assert not ChosenEdition.objects.exists()


# -- new appraisals, records and import ---------------------------------------------------------


def test_new_appraisals_of_that_organisation_only_use_its_edition_in_every_record_format(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = user("lead@council.test")
    started_before = services.start_appraisal(
        project=make_project(organisation, lead, title="Started before"), stage="inception", user=lead
    )
    edition = add_local(organisation)
    ours = services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)
    other_lead = user("lead@trust.test")
    theirs = services.start_appraisal(
        project=make_project(other_organisation, other_lead), stage="inception", user=other_lead
    )
    assert ours.framework_key == edition.key
    assert theirs.framework_key == started_before.framework_key == FW.key

    services.save_answer(appraisal=ours, question_id="L1", user=lead, value="yes", rationale="Seen in May.")
    record = record_for(ours)
    doc = json.loads(render_json.render(record))
    assert (doc["framework"]["id"], doc["framework"]["version"]) == (edition.framework_id, edition.version)
    answer = next(a for a in doc["answers"] if a["question_id"] == "L1")
    assert (answer["question_text"], answer["value"], answer["rationale"]) == (ASKED, "yes", "Seen in May.")
    html = render_html.render(record).decode()
    assert ASKED in html
    assert "Local questions" in html
    word = " ".join(p.text for p in Document(io.BytesIO(render_docx.render(record))).paragraphs)
    word += " ".join(
        c.text for t in Document(io.BytesIO(render_docx.render(record))).tables for c in t._cells
    )
    assert ASKED in word
    assert "Seen in May." in word
    assert ASKED in pdf_text(render_pdf.render(record))
    assert ASKED not in render_html.render(record_for(theirs)).decode()


def test_a_record_with_local_questions_survives_export_and_import(organisation: Organisation) -> None:
    lead = user("lead@council.test")
    add_local(organisation)
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    services.save_answer(appraisal=appraisal, question_id="L1", user=lead, value="no", rationale="Not yet.")
    exported = render_json.render(record_for(appraisal)).decode()
    editions.forget_parsed()  # as another process of the service would read it
    imported = import_record(exported).appraisal
    assert imported.pk != appraisal.pk
    assert imported.framework_key == appraisal.framework_key
    assert Answer.objects.get(appraisal=imported, question_id="L1").rationale == "Not yet."
    back = json.loads(render_json.render(record_for(imported)))
    assert next(a for a in back["answers"] if a["question_id"] == "L1")["question_text"] == ASKED


def test_an_import_names_an_edition_this_service_does_not_have(organisation: Organisation) -> None:
    lead = user("lead@council.test")
    add_local(organisation)
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    doc = json.loads(render_json.render(record_for(appraisal)))
    doc["framework"]["version"] = "9.9.9"
    with pytest.raises(ImportRefused, match=r"hgl-2021-northshire-council@9\.9\.9 is not installed here"):
        import_record(json.dumps(doc))
