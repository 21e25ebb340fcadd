"""Importing the record of a post hoc evaluation with realised outcomes: what happened to each
benefit and risk comes in, recorded against the imported appraisal's own carried-forward
rows (an imported project has no approved earlier stage here), through the one gate, each
write audited; export, import and export again give the same evaluation."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustworthy.appraisals import policy, services
from trustworthy.appraisals.evaluation import evaluation_completeness
from trustworthy.appraisals.models import Appraisal, Lessons, Outcome, RegisterRow, UnforeseenItem
from trustworthy.appraisals.selectors import evaluation_of
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reports import importer, render_json
from trustworthy.reports.services import record_for
from trustworthy.reviews import services as reviews

from ..reviews.helpers import accept_all, person
from .evaluation_factories import Evaluation
from .factories import ROWS, decide, fill_appraisal, make_project

pytestmark = pytest.mark.django_db

SECOND_BENEFIT = {**ROWS["benefits"], "description": "Fewer repeat referrals", "horizon": "long"}
SECOND_RISK = {**ROWS["risks"], "description": "Families feel watched", "likelihood": 3, "severity": 3}


def distinct_evaluation(organisation: Organisation) -> Evaluation:
    """An approved inception appraisal with two different benefits and two different risks,
    and its post hoc evaluation with a different result for each."""
    lead = person("lead")
    inception = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(inception, lead)
    services.add_register_row(appraisal=inception, register_id="benefits", data=SECOND_BENEFIT, user=lead)
    services.add_register_row(appraisal=inception, register_id="risks", data=SECOND_RISK, user=lead)
    reviews.transition(appraisal=inception, name="submit", user=lead)
    accept_all(inception)
    decide(inception, person("approver"))
    reviews.transition(appraisal=inception, name="approve", user=person("approver"))
    evaluation = services.start_appraisal(project=inception.project, stage="evaluation", user=lead)
    rows = RegisterRow.objects.filter(appraisal=inception).order_by("created_at", "id")
    ev = Evaluation(
        Appraisal.objects.get(pk=inception.pk),
        evaluation,
        list(rows.filter(register="benefits")),
        list(rows.filter(register="risks")),
    )
    given = [
        (ev.benefits[0], "achieved", "Care entries fell by a fifth.", ""),
        (ev.benefits[1], "too-early", "The pilot has run for six months only.", ""),
        (ev.risks[0], "no", "", "Urgent cases skipped the wait every time."),
        (ev.risks[1], "partly", "Two families said so.", "We explained the visits first."),
    ]
    for row, result, evidence, handling in given:
        services.save_outcome(
            appraisal=evaluation,
            row_id=row.pk,
            user=lead,
            result=result,
            evidence=evidence,
            handling=handling,
        )
    services.add_unforeseen(
        appraisal=evaluation, user=lead, kind="harm", description="Some families waited longer.",
        who_affected="Families who asked for help", handling="Their requests now go first.",
    )  # fmt: skip
    services.save_lessons(appraisal=evaluation, user=lead, text="Measure waiting times from day one.")
    return ev


def export(appraisal_id: int, target: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, ["export", str(appraisal_id), "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(target.read_text("utf-8"))


def without_baseline(document: dict[str, Any]) -> dict[str, Any]:
    """The evaluation section without its baseline: the approved stage it names is in the
    service it came from, so the imported evaluation names none (it carries its rows)."""
    section = copy.deepcopy(render_json.without_volatile(document)["evaluation"])
    section.pop("baseline")
    return section


def test_export_import_export_keeps_what_happened(organisation, tmp_path: Path) -> None:
    ev = distinct_evaluation(organisation)
    first = export(ev.appraisal.pk, tmp_path / "first.json")
    assert [b["result"] for b in first["evaluation"]["benefits"]] == ["achieved", "too-early"]
    assert first["evaluation"]["baseline"] is not None

    result = CliRunner().invoke(main, ["import", str(tmp_path / "first.json"), "--user", "lead@council.test"])
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=ev.appraisal.pk).get(stage="evaluation")
    second = export(imported.pk, tmp_path / "second.json")

    assert without_baseline(second) == without_baseline(first)
    assert second["evaluation"]["baseline"] is None
    # Everything else of the record is the same too, as for any import.
    rest = [render_json.without_volatile(d) for d in (first, second)]
    for document in rest:
        document.pop("evaluation")
    assert rest[0] == rest[1]

    # Each outcome is the imported appraisal's own row, and each came in as one audited change.
    outcomes = Outcome.objects.filter(appraisal=imported)
    assert outcomes.count() == 4
    assert set(outcomes.values_list("row__appraisal_id", flat=True)) == {imported.pk}
    saved = AuditEvent.objects.filter(appraisal_id=imported.pk, action="outcome.saved")
    assert saved.count() == 4
    assert set(saved.values_list("actor__email", flat=True)) == {"lead@council.test"}
    assert UnforeseenItem.objects.filter(appraisal=imported).count() == 1
    assert Lessons.objects.get(appraisal=imported).text == "Measure waiting times from day one."


def imported_from(document: dict[str, Any]) -> Appraisal:
    return importer.import_record(json.dumps(document), user_email="lead@council.test").appraisal


def test_outcomes_are_matched_by_what_was_expected_not_by_place(organisation) -> None:
    ev = distinct_evaluation(organisation)
    document = render_json.to_dict(record_for(ev.appraisal))
    section = document["evaluation"]
    section["benefits"].reverse()  # the second benefit first
    imported = imported_from(document)
    found = evaluation_of(imported)
    assert found is not None
    got = [(e.row.data["description"], e.outcome.result if e.outcome else None) for e in found.benefits]
    assert got == [("Fewer repeat referrals", "too-early"), ("More children stay safely at home", "achieved")]
    again = render_json.to_dict(record_for(imported))["evaluation"]
    assert again["benefits"] == section["benefits"]


def test_the_imported_evaluation_reads_and_changes_as_any_other(organisation, client_as) -> None:
    ev = distinct_evaluation(organisation)
    imported = imported_from(render_json.to_dict(record_for(ev.appraisal)))
    found = evaluation_of(imported)
    assert found is not None
    assert found.baseline is None
    assert found.recorded == len(found.expectations) == 4
    assert evaluation_completeness(found).is_complete
    assert not [p for p in reviews.submission_problems(imported) if "benefit" in p or "lessons" in p]

    client = client_as("lead")
    tasks = re.sub(r"\s+", " ", client.get(f"/appraisals/{imported.pk}/").content.decode())
    assert "4 of 4 benefits and risks recorded" in tasks
    page = re.sub(r"\s+", " ", client.get(f"/appraisals/{imported.pk}/evaluation/").content.decode())
    assert "imported from a decision record" in page
    assert "Fewer repeat referrals" in page
    assert "Too early to say" in page
    row = found.benefits[1].row
    assert f'href="/appraisals/{imported.pk}/evaluation/outcomes/{row.pk}/"' in page
    response = client.post(
        f"/appraisals/{imported.pk}/evaluation/outcomes/{row.pk}/",
        {"version": "1", "result": "partly-achieved", "evidence": "Repeat referrals fell a little."},
    )
    assert response.status_code == 302
    assert Outcome.objects.get(appraisal=imported, row=row).result == "partly-achieved"
    compare = re.sub(
        r"\s+", " ", client.get(f"/appraisals/{imported.pk}/expected-against-realised/").content.decode()
    )
    assert "Partly achieved" in compare
    assert "Repeat referrals fell a little." in compare


def test_items_not_recorded_yet_bring_nothing_but_their_rows(organisation) -> None:
    ev = distinct_evaluation(organisation)
    document = render_json.to_dict(record_for(ev.appraisal))
    for item in document["evaluation"]["risks"]:
        item.update(result=None, result_label="Not recorded yet", evidence="", handling="")
    imported = imported_from(document)
    assert Outcome.objects.filter(appraisal=imported, register="risks").count() == 0
    assert Outcome.objects.filter(appraisal=imported, register="benefits").count() == 2
    assert RegisterRow.objects.filter(appraisal=imported, register="risks").count() == 2


BROKEN: dict[str, tuple[Any, str]] = {
    "a risk's answer for a benefit": (
        lambda s: s["benefits"][0].update(result="yes"), "evaluation.benefits[0].result:"),
    "a benefit with no evidence": (
        lambda s: s["benefits"][0].update(evidence="  "), "evaluation.benefits[0].evidence:"),
    "a risk with no handling": (
        lambda s: s["risks"][0].update(handling=""), "evaluation.risks[0].handling:"),
    "evidence longer than a form takes": (
        lambda s: s["benefits"][1].update(evidence="x" * 2_001), "evaluation.benefits[1].evidence:"),
    "a benefit the record does not carry": (
        lambda s: s["benefits"][1]["expected"].update(description="Something else"),
        "evaluation.benefits[1].expected:"),
    "one row claimed twice": (
        lambda s: s["risks"].append(copy.deepcopy(s["risks"][1])), "evaluation.risks[2].expected:"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_evaluation_is_refused_and_nothing_is_written(organisation, case: str) -> None:
    ev = distinct_evaluation(organisation)
    document = render_json.to_dict(record_for(ev.appraisal))
    change, where = BROKEN[case]
    change(document["evaluation"])
    before = Appraisal.objects.count(), Outcome.objects.count(), AuditEvent.objects.count()
    with pytest.raises(importer.ImportRefused) as refused:
        imported_from(document)
    assert any(p.startswith(where) for p in refused.value.problems), refused.value.problems
    assert (Appraisal.objects.count(), Outcome.objects.count(), AuditEvent.objects.count()) == before


def test_outcomes_are_carried_only_where_no_approved_stage_is_looked_back_on(organisation) -> None:
    ev = distinct_evaluation(organisation)
    copy_row = RegisterRow.objects.filter(appraisal=ev.appraisal, register="benefits").first()
    assert copy_row is not None
    Outcome.objects.filter(appraisal=ev.appraisal).delete()
    with pytest.raises(services.ServiceError, match="approved stage"):
        services.carry_outcome(
            appraisal=ev.appraisal, row_id=copy_row.pk, user=person("lead"), result="achieved", evidence="x"
        )
    imported = imported_from(render_json.to_dict(record_for(Appraisal.objects.get(pk=ev.baseline.pk))))
    assert imported.stage == "inception"
    row = imported.register_rows.filter(register="benefits").order_by("pk")[0]
    with pytest.raises(services.ServiceError, match="only at the post hoc evaluation stage"):
        services.carry_outcome(
            appraisal=imported, row_id=row.pk, user=person("lead"), result="achieved", evidence="x"
        )


def test_carrying_an_outcome_goes_through_the_gate(organisation) -> None:
    ev = distinct_evaluation(organisation)
    document = render_json.to_dict(record_for(ev.appraisal))
    for part in ("benefits", "risks"):
        for item in document["evaluation"][part]:
            item["result"] = None
    imported = imported_from(document)
    row = imported.register_rows.get(register="benefits", data__description="Fewer repeat referrals")
    with pytest.raises(policy.NotPermitted):
        services.carry_outcome(
            appraisal=imported, row_id=row.pk, user=person("viewer"), result="achieved", evidence="x"
        )
    with pytest.raises(services.ServiceError, match="Enter the evidence"):
        services.carry_outcome(appraisal=imported, row_id=row.pk, user=person("lead"), result="achieved")
    services.carry_outcome(
        appraisal=imported, row_id=row.pk, user=person("lead"), result="achieved", evidence="It worked."
    )
    with pytest.raises(services.ServiceError, match="recorded already"):
        services.carry_outcome(
            appraisal=imported, row_id=row.pk, user=person("lead"), result="achieved", evidence="Again."
        )
    assert AuditEvent.objects.filter(appraisal_id=imported.pk, action="outcome.saved").count() == 1
