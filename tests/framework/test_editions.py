"""Appraisals keep their framework edition, and no edition's wording is built into the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from trustworthy.appraisals import services
from trustworthy.appraisals.frameworks import framework_for, install_edition, uninstall_edition
from trustworthy.appraisals.models import Answer, Appraisal
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.framework import Framework, default_framework, load_framework_text
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import render_json
from trustworthy.reports.importer import import_record
from trustworthy.reports.services import record_for

from ..appraisals.factories import ROWS, make_project
from ..reports.conftest import make_decided

EDITION = Path(__file__).parent / "editions" / "extra-questions.yaml"
FW = default_framework()
VOCABULARIES = (
    "answer_scale", "aspects", "criterion_ratings", "cultural_characteristics", "motivations",
    "participation_modes", "principle_ratings", "readiness_dimensions", "stakeholders",
)  # fmt: skip


def _framework_words() -> tuple[set[str], list[set[str]]]:
    """Every label of the built-in edition's lists, and each list's ids."""
    labels = {s.name for s in FW.stages} | {d.name for d in FW.decisions}
    id_sets = [{s.id for s in FW.stages}, {d.id for d in FW.decisions}]
    for name in VOCABULARIES:
        items = getattr(FW, name)
        labels |= {c.label for c in items}
        id_sets.append({c.id for c in items})
    return labels, id_sets


def _framework_choices(fields: Iterator[tuple[str, object]]) -> list[str]:
    labels, id_sets = _framework_words()
    found = []
    for where, field in fields:
        choices = list(getattr(field, "choices", None) or [])
        if not choices:
            continue
        values = {str(value) for value, _ in choices}
        if {str(label) for _, label in choices} & labels or any(values <= ids for ids in id_sets):
            found.append(where)
    return found


OUR_APPS = {"core", "organisations", "appraisals", "reviews", "voices", "reports"}


def test_no_model_field_takes_its_choices_from_the_framework() -> None:
    fields = (
        (f"{model._meta.label}.{field.name}", field)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
    )
    assert _framework_choices(fields) == []


def test_the_schema_the_migrations_build_holds_no_framework_wording() -> None:
    """Older migrations may keep the choices they once had; the state they end in must not."""
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    assert {app for app, _ in state.models} >= OUR_APPS
    fields = (
        (f"{app}.{model}.{name}", field)
        for (app, model), model_state in state.models.items()
        if app in OUR_APPS
        for name, field in model_state.fields.items()
    )
    assert _framework_choices(fields) == []


def test_the_check_finds_a_field_that_takes_its_choices_from_the_framework() -> None:
    from django.db import models

    baked = models.CharField(max_length=20, choices=[(s.id, s.name) for s in FW.stages])
    ids_only = models.CharField(max_length=20, choices=[(a.id, a.id.upper()) for a in FW.answer_scale])
    status = models.CharField(max_length=20, choices=[("draft", "Draft"), ("approved", "Approved")])
    found = _framework_choices(iter([("stage", baked), ("value", ids_only), ("status", status)]))
    assert found == ["stage", "value"]


# -- services, importer and pages use the appraisal's own edition -------------------------


@pytest.fixture
def northshire() -> Iterator[Framework]:
    """A local edition: two questions of its own, a 1-4 likelihood and its own stage name."""
    text = EDITION.read_text("utf-8")
    text = text.replace("name: Inception of the idea", "name: A first idea")
    likelihood = (
        "        label: Likelihood (1 very unlikely to 5 almost certain)\n"
        "        type: integer\n        required: true\n        minimum: 1\n        maximum: 5\n"
    )
    assert likelihood in text
    text = text.replace(
        likelihood,
        "        label: How likely (1 to 4)\n"
        "        type: integer\n        required: true\n        minimum: 1\n        maximum: 4\n",
    )
    edition = load_framework_text(text, "northshire.yaml")
    install_edition(edition)
    yield edition
    uninstall_edition(edition)


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return User.objects.get(email="lead@council.test")


@pytest.mark.django_db  # (editions installed for every process are in the database)
def test_an_edition_is_found_only_once_installed(northshire: Framework) -> None:
    assert framework_for(northshire.id, northshire.version) is northshire
    assert framework_for(FW.id, FW.version) is FW
    uninstall_edition(northshire)
    with pytest.raises(LookupError, match=r"hgl-2021-northshire@1\.1\.0 is not installed"):
        framework_for(northshire.id, northshire.version)


@pytest.mark.django_db
def test_services_use_the_appraisals_own_edition(
    organisation: Organisation, lead: User, northshire: Framework
) -> None:
    local = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead, framework=northshire
    )
    standard = services.start_appraisal(
        project=make_project(organisation, lead, title="Another project"), stage="inception", user=lead
    )
    assert local.framework_key == "hgl-2021-northshire@1.1.0"
    assert standard.framework_key == FW.key

    # A question only the local edition asks.
    services.save_answer(appraisal=local, question_id="L1", user=lead, value="yes", rationale="Reviewed.")
    assert Answer.objects.get(appraisal=local, question_id="L1").value == "yes"
    with pytest.raises(KeyError):
        services.save_answer(appraisal=standard, question_id="L1", user=lead, value="yes", rationale="No.")

    # Register rows are checked against the edition's own fields.
    likely = {**ROWS["risks"], "likelihood": 5}
    with pytest.raises(services.ServiceError) as refused:
        services.add_register_row(appraisal=local, register_id="risks", data=likely, user=lead)
    assert str(refused.value) == "How likely (1 to 4): enter a number from 1 to 4."
    assert (
        services.add_register_row(appraisal=standard, register_id="risks", data=likely, user=lead).risk_score
        == 20
    )
    row = services.add_register_row(
        appraisal=local, register_id="risks", data={**likely, "likelihood": "4"}, user=lead
    )
    assert row.data["likelihood"] == 4
    with pytest.raises(services.ServiceError, match=r"^How likely \(1 to 4\): enter a number from 1 to 4\.$"):
        services.change_register_row(row=row, data=likely, user=lead)

    # Completeness and the wording shown follow the edition too.
    data = load_appraisal(local)
    assert "L2" in data.completeness.unanswered
    assert "L1" not in data.completeness.unanswered
    assert "L2" not in load_appraisal(standard).completeness.unanswered
    assert local.stage_name == "A first idea"
    assert standard.stage_name == FW.stage("inception").name == "Inception of the idea"
    assert str(local).endswith(": A first idea")


@pytest.mark.django_db
def test_the_next_stage_carries_forward_only_what_its_edition_has(
    organisation: Organisation, lead: User, northshire: Framework
) -> None:
    project = make_project(organisation, lead)
    local = services.start_appraisal(project=project, stage="inception", user=lead, framework=northshire)
    services.save_answer(appraisal=local, question_id="L1", user=lead, value="yes", rationale="Reviewed.")
    services.save_answer(appraisal=local, question_id="P1", user=lead, value="yes", rationale="Because.")
    following = services.start_appraisal(
        project=project, stage="development", user=lead, reason="Design began early."
    )
    assert following.framework_key == FW.key
    assert set(following.answers.values_list("question_id", flat=True)) == {"P1"}
    assert load_appraisal(following).carried_forward("P1")


@pytest.mark.django_db
def test_an_imported_record_keeps_its_edition(organisation: Organisation, northshire: Framework) -> None:
    doc = json.loads(render_json.render(record_for(make_decided(organisation))))
    doc["framework"].update(id=northshire.id, version=northshire.version)
    for question_id, value in (("L1", "yes"), ("L2", "")):
        question = northshire.question(question_id)
        doc["answers"].append(
            {
                "question_id": question_id, "aspect": "", "question_label": question.label,
                "question_text": question.text, "value": value, "value_label": "Yes" if value else "",
                "rationale": f"Our reasons for {question_id}.", "evidence": "",
            }
        )  # fmt: skip
    imported = import_record(json.dumps(doc)).appraisal
    assert imported.framework_key == "hgl-2021-northshire@1.1.0"
    assert set(imported.answers.values_list("question_id", flat=True)) >= {"L1", "L2"}
    assert imported.decision.decision == "proceed-with-mitigations"  # complete by its own edition
    assert Appraisal.objects.count() == 2
