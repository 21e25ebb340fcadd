"""Small things that lose trust: money as people write it, stages in order (or a recorded
reason), the comparison with the previous stage, and the stage to start offered first."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from tests.api.conftest import ApiClient, make_token
from tests.reviews.helpers import approved, complete_appraisal, person
from trustworthy.api.routers.projects import project_out
from trustworthy.appraisals import services
from trustworthy.appraisals.forms import ProjectForm
from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.appraisals.presenters import money
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reports import importer, render_json
from trustworthy.reports.services import record_for

from .factories import make_project
from .test_views import PROJECT_POST

pytestmark = pytest.mark.django_db

Clients = Callable[[str], Client]
REASON = "The design was agreed with health partners before we used the framework."
NEEDS_REASON = "Enter why you are starting Development and design before the earlier stage is signed."


# --- money --------------------------------------------------------------------------------------


def test_money_is_shown_as_people_write_it() -> None:
    assert money(Decimal("250000.00")) == "£250,000"
    assert money(Decimal("250000.50")) == "£250,000.50"
    assert money("1250.5") == "£1,250.50"
    assert money(Decimal("0")) == "£0"
    assert money(None) == ""


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("£250,000", Decimal("250000")),
        ("250,000", Decimal("250000")),
        ("250000", Decimal("250000")),
        ("£250,000.50", Decimal("250000.50")),
        (" £ 1,250.5 ", Decimal("1250.5")),
        ("", None),
    ],
)
def test_the_funding_amount_is_accepted_as_people_type_it(typed: str, amount: Decimal | None) -> None:
    form = ProjectForm({**PROJECT_POST, "funding_amount": typed}, framework=current_framework())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["funding_amount"] == amount


@pytest.mark.parametrize("typed", ["250k", "2,50", "£25,00,000", "two hundred pounds", "£250,000.505", "-5"])
def test_other_text_is_refused_with_what_was_typed_kept(client_as: Clients, typed: str) -> None:
    response = client_as("lead").post("/projects/new/", {**PROJECT_POST, "funding_amount": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert re.search(r"Enter the funding amount in pounds(,| and pence,) like £", page)
    assert f'value="{typed}"' in page, "what was typed stays in the box"
    assert not Project.objects.filter(title=PROJECT_POST["title"]).exists()


def test_an_amount_with_pounds_and_commas_is_saved_and_shown_the_same_way(client_as: Clients) -> None:
    lead = client_as("lead")
    response = lead.post("/projects/new/", {**PROJECT_POST, "funding_amount": "£250,000.50"})
    assert response.status_code == 302
    project = Project.objects.get(title=PROJECT_POST["title"])
    assert project.funding_amount == Decimal("250000.50")
    assert "£250,000.50" in client_as("viewer").get(f"/projects/{project.pk}/").content.decode()
    # The edit form opens with the amount as it is written, and saves it back unchanged.
    edit = lead.get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'value="250,000.50"' in edit
    # The API stays numeric.
    assert project_out(project)["funding_amount"] == "250000.50"


def test_every_format_of_the_record_shows_the_amount_as_people_write_it(
    client_as: Clients, organisation: Organisation
) -> None:
    lead = person("lead")
    project = make_project(
        organisation, lead, funding_source="Council budget", funding_amount=Decimal("250000")
    )
    appraisal = services.start_appraisal(project=project, stage="inception", user=lead)
    base = f"/appraisals/{appraisal.pk}/record/"
    client = client_as("lead")

    assert "Council budget (£250,000)" in client.get(base).content.decode()
    docx = Document(io.BytesIO(client.get(base + "decision-record.docx").content))
    words = "\n".join(p.text for p in docx.paragraphs)
    assert "Funding: Council budget (£250,000)" in words
    pdf = client.get(base + "decision-record.pdf").content
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Council budget (£250,000)" in text
    for shown in (words, text):
        assert "250000.00" not in shown
    # The JSON document is data: the amount stays a plain number there.
    document = json.loads(client.get(base + "decision-record.json").content)
    assert document["project"]["funding_amount"] == "250000.00"


# --- stages in order, or a recorded reason ------------------------------------------------------


def test_a_stage_after_a_signed_one_needs_no_reason(organisation: Organisation) -> None:
    inception = approved(organisation)
    assert services.stage_order_problem(inception.project, "development") == ""
    development = services.start_appraisal(
        project=inception.project, stage="development", user=person("lead")
    )
    assert development.stage_reason == ""
    event = AuditEvent.objects.get(appraisal_id=development.pk, action="appraisal.started")
    assert "stage_order" not in event.after


@pytest.mark.parametrize(
    ("earlier", "problem"),
    [
        (
            "draft",
            "Inception of the idea, the stage before it, is not signed: its appraisal is still a draft.",
        ),
        ("none", "Inception of the idea, the stage before it, has not been appraised."),
    ],
)
def test_a_stage_whose_earlier_stage_is_not_signed_needs_a_reason(
    organisation: Organisation, earlier: str, problem: str
) -> None:
    lead = person("lead")
    project = (
        complete_appraisal(organisation).project if earlier == "draft" else make_project(organisation, lead)
    )
    assert services.stage_order_problem(project, "development") == problem
    with pytest.raises(services.ServiceError) as refused:
        services.start_appraisal(project=project, stage="development", user=lead)
    assert refused.value.field == "reason"
    assert str(refused.value) == f"{NEEDS_REASON} {problem}"
    assert not project.appraisals.filter(stage="development").exists()

    started = services.start_appraisal(project=project, stage="development", user=lead, reason=f"  {REASON} ")
    assert started.stage_reason == REASON
    event = AuditEvent.objects.get(appraisal_id=started.pk, action="appraisal.started")
    assert event.after["stage_order"] == problem
    assert event.after["stage_reason"] == REASON


def test_stages_go_in_the_frameworks_order(organisation: Organisation) -> None:
    """Each stage waits for the one before it in the framework's list, not just any earlier one."""
    inception = approved(organisation)
    project = inception.project
    names = [s.id for s in current_framework().stages]
    assert names[:3] == ["inception", "development", "testing"]
    problem = services.stage_order_problem(project, "testing")
    assert problem == "Development and design, the stage before it, has not been appraised."
    # A withdrawn appraisal is not a signed one.
    development = services.start_appraisal(project=project, stage="development", user=person("lead"))
    Appraisal.objects.filter(pk=development.pk).update(status="withdrawn")
    assert services.stage_order_problem(project, "testing").endswith("its appraisal is withdrawn.")


def test_the_evaluation_looks_back_on_any_signed_stage(organisation: Organisation) -> None:
    draft = complete_appraisal(organisation)
    assert services.stage_order_problem(draft.project, "evaluation") == (
        "No earlier stage has a signed appraisal to look back on."
    )
    signed = approved(organisation)
    assert services.stage_order_problem(signed.project, "evaluation") == ""


def test_the_start_page_asks_for_the_reason_and_shows_it_afterwards(
    client_as: Clients, organisation: Organisation
) -> None:
    draft = complete_appraisal(organisation)
    url = f"/projects/{draft.project_id}/appraisals/new/"
    lead = client_as("lead")
    page = lead.get(url).content.decode()
    assert "Why start this stage before the earlier one is signed?" in page
    assert "is not signed: its appraisal is still a draft. You will need to say why" in page

    response = lead.post(url, {"stage": "development", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_reason"' in page
    assert NEEDS_REASON in page
    assert not Appraisal.objects.filter(stage="development").exists()

    response = lead.post(url, {"stage": "development", "reason": REASON})
    development = Appraisal.objects.get(stage="development")
    assert response["Location"] == f"/appraisals/{development.pk}/"
    tasks = lead.get(f"/appraisals/{development.pk}/").content.decode()
    assert "Why it started before the earlier stage was signed" in tasks
    assert REASON in tasks
    history = lead.get(f"/appraisals/{development.pk}/history/").content.decode()
    assert "Started before the earlier stage was signed" in history
    assert "Why it was started now" in history
    assert REASON in history
    record = lead.get(f"/appraisals/{development.pk}/record/").content.decode()
    assert "Why this stage started before the earlier one was signed" in record
    assert REASON in record
    document = json.loads(lead.get(f"/appraisals/{development.pk}/record/decision-record.json").content)
    assert document["appraisal"]["stage_reason"] == REASON
    assert render_json.schema_problems(document) == []
    docx = Document(io.BytesIO(lead.get(f"/appraisals/{development.pk}/record/decision-record.docx").content))
    assert REASON in "\n".join(p.text for p in docx.paragraphs)


def test_the_api_asks_for_the_reason_too(organisation: Organisation) -> None:
    draft = complete_appraisal(organisation)
    api = ApiClient(make_token("lead"))
    path = f"/projects/{draft.project_id}/appraisals"
    refused = api.post(path, {"stage": "development"})
    assert refused.status_code == 422
    assert NEEDS_REASON in refused.content.decode()
    started = api.post(path, {"stage": "development", "reason": REASON})
    assert started.status_code == 201, started.content
    assert Appraisal.objects.get(pk=started.json()["id"]).stage_reason == REASON


def test_an_import_keeps_the_records_reason_and_the_import_is_the_reason_otherwise(
    organisation: Organisation,
) -> None:
    draft = complete_appraisal(organisation)
    development = services.start_appraisal(
        project=draft.project, stage="development", user=person("lead"), reason=REASON
    )
    document = render_json.to_dict(record_for(development))
    imported = importer.import_record(json.dumps(document), user_email="lead@council.test").appraisal
    assert imported.stage_reason == REASON
    assert render_json.without_volatile(render_json.to_dict(record_for(imported))) == (
        render_json.without_volatile(document)
    )

    document["appraisal"].pop("stage_reason")
    imported = importer.import_record(json.dumps(document), user_email="lead@council.test").appraisal
    assert imported.stage_reason == "", "the record reads as it did"
    event = AuditEvent.objects.get(appraisal_id=imported.pk, action="appraisal.started")
    assert event.after["stage_reason"] == services.IMPORTED_STAGE_REASON


# --- the comparison with the previous stage -----------------------------------------------------


def test_the_task_list_links_to_the_comparison_with_the_previous_stage(
    client_as: Clients, organisation: Organisation
) -> None:
    inception = approved(organisation)
    lead = client_as("lead")
    assert "Compare with the previous stage" not in lead.get(f"/appraisals/{inception.pk}/").content.decode()
    development = services.start_appraisal(
        project=inception.project, stage="development", user=person("lead")
    )
    tasks = lead.get(f"/appraisals/{development.pk}/").content.decode()
    link = f'<a class="govuk-link" href="/appraisals/{development.pk}/changes/">'
    assert (
        f"{link}Compare with the previous stage: what changed since the Inception of the idea appraisal"
        in tasks
    )
    page = lead.get(f"/appraisals/{development.pk}/changes/").content.decode()
    assert "What changed since the Inception of the idea appraisal" in page
    assert "See the Inception of the idea appraisal" in page


# --- the stage offered first --------------------------------------------------------------------


def checked_stage(page: str) -> str | None:
    found = re.search(r'name="stage" type="radio" value="([a-z-]+)" checked', page)
    return found[1] if found else None


def test_the_projects_current_stage_is_offered_first(client_as: Clients, organisation: Organisation) -> None:
    project = make_project(organisation, person("lead"), current_stage="testing")
    page = client_as("lead").get(f"/projects/{project.pk}/appraisals/new/").content.decode()
    assert checked_stage(page) == "testing"


def test_after_a_signed_stage_the_next_one_is_offered_first(
    client_as: Clients, organisation: Organisation
) -> None:
    inception = approved(organisation)
    page = client_as("lead").get(f"/projects/{inception.project_id}/appraisals/new/").content.decode()
    assert checked_stage(page) == "development"


def test_nothing_is_offered_first_while_the_stage_is_a_draft(
    client_as: Clients, organisation: Organisation
) -> None:
    draft = complete_appraisal(organisation)
    page = client_as("lead").get(f"/projects/{draft.project_id}/appraisals/new/").content.decode()
    assert checked_stage(page) is None
