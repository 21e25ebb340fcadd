# ruff: noqa: E501  (the table of broken files reads best one case to a line)
"""Import: export -> import -> export gives the same record; bad files are refused, whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    Decision,
    Participation,
    PrincipleRating,
    Project,
    RegisterRow,
)
from trustworthy.cli import main
from trustworthy.organisations.models import Organisation
from trustworthy.reports import render_json
from trustworthy.reports.services import record_for

pytestmark = pytest.mark.django_db

MODELS = (Project, Appraisal, Answer, RegisterRow, PrincipleRating, Participation, Decision)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _export(appraisal_id: int, tmp_path: Path, name: str) -> dict[str, Any]:
    target = tmp_path / name
    result = CliRunner().invoke(
        main, ["export", str(appraisal_id), "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(target.read_text("utf-8"))


def test_export_import_export_gives_the_same_record(decided: Appraisal, tmp_path: Path) -> None:
    first = _export(decided.pk, tmp_path, "first.json")
    assert render_json.schema_problems(first) == []
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "first.json"), "--user", "approver@council.test"]
    )
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=decided.pk).get()
    assert f"as appraisal {imported.pk}" in result.output
    second = _export(imported.pk, tmp_path, "second.json")
    assert second["appraisal"]["id"] == imported.pk != first["appraisal"]["id"]
    assert render_json.without_volatile(second) == render_json.without_volatile(first)


def test_export_to_standard_output_in_every_format(decided: Appraisal) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(decided.pk)])
    assert result.exit_code == 0
    assert json.loads(result.stdout_bytes)["project"]["title"] == decided.project.title
    for fmt, start in (("pdf", b"%PDF"), ("docx", b"PK"), ("html", b"<!DOCTYPE html>")):
        result = runner.invoke(main, ["export", str(decided.pk), "--format", fmt])
        assert result.exit_code == 0
        assert result.stdout_bytes.startswith(start), fmt
    assert runner.invoke(main, ["export", "999999"]).exit_code == 1


def test_import_into_another_organisation(
    decided: Appraisal, other_organisation: Organisation, tmp_path: Path
) -> None:
    _export(decided.pk, tmp_path, "record.json")
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "record.json"), "--organisation", other_organisation.name]
    )
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.get(organisation=other_organisation)
    assert imported.status == "draft"
    assert imported.decision.decision == "proceed-with-mitigations"
    assert imported.project.created_by.email == "lead@trust.test"


def _change(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is DELETE:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return apply


DELETE = object()


def _answer(doc: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(a for a in doc["answers"] if a["question_id"] == question_id)


def _second_primary(doc: dict[str, Any]) -> None:
    doc["project"]["motivations"].append(
        {"id": "efficiency-and-cost", "label": "", "explanation": "Cheaper.", "primary": True}
    )


def _at_risk_without_note(doc: dict[str, Any]) -> None:
    doc["principles"][0].update(rating="at-risk", note="")


def _not_involved_without_reason(doc: dict[str, Any]) -> None:
    doc["participation"][0].update(mode="not-involved", reason="")


def _departure_without_reason(doc: dict[str, Any]) -> None:
    doc["decision"].update(decision="proceed-despite-concerns", departure_reason="")


def _missing_rating(doc: dict[str, Any]) -> None:
    doc["principles"] = [r for r in doc["principles"] if r["principle_id"] != "HR3"]


def _incomplete_but_decided(doc: dict[str, Any]) -> None:
    doc["answers"] = [a for a in doc["answers"] if a["question_id"] != "T1"]


def _two_problems(doc: dict[str, Any]) -> None:
    _answer(doc, "P1")["value"] = "maybe"
    doc["registers"][3]["rows"][0]["likelihood"] = 9


BROKEN: list[tuple[str, Any, list[str]]] = [
    ("not JSON", "{ this is not json", ["the file is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 3)"]),
    ("a list, not a record", [], ["the file: [] is not of type 'object'"]),
    ("no decision key", _change("decision", DELETE), ["the file: 'decision' is a required property"]),
    ("another format", _change("format", "decision-record-2"), ["format: 'decision-record-1' was expected"]),
    ("an unknown field", _change("colour", "blue"), ["the file: Additional properties are not allowed ('colour' was unexpected)"]),
    ("an impossible date", _change("decision.decided_on", "2026-13-45"), ["decision.decided_on: '2026-13-45' is not a 'date'"]),
    ("framework not installed", _change("framework.version", "9.0.0"), ["framework: hgl-2021@9.0.0 is not installed here"]),
    ("public version", _change("public", True), ["public: this is the public version, with names left out; import the full record instead"]),
    ("unknown question", _change("answers.0.question_id", "Q9"), ["answers[0].question_id: “Q9” is not a question of hgl-2021@1.0.0"]),
    ("unknown stage", _change("appraisal.stage", "launch"), ["appraisal.stage: “launch” is not a stage of hgl-2021@1.0.0"]),
    ("unknown register", _change("registers.0.id", "hopes"), ["registers[0].id: “hopes” is not a register of hgl-2021@1.0.0"]),
    ("two primary motivations", _second_primary, ["project.motivations: exactly one motivation must be the primary one"]),
    ("at risk without a note", _at_risk_without_note, ["principles[0].note: explain why HR1 is at risk"]),
    ("not involved without a reason", _not_involved_without_reason, ["participation[0].reason: explain why this group was not involved"]),
    ("departure without a reason", _departure_without_reason, ["decision.departure_reason: the decision departs from the framework, so it needs a reason"]),
    ("a principle not rated", _missing_rating, ["principles: E1 (process) must rate every principle of its group; missing HR3", "principles: E1 (innovation) must rate every principle of its group; missing HR3"]),
    ("decided before it was complete", _incomplete_but_decided, ["Complete every part of the appraisal before recording a decision."]),
    ("two problems at once", _two_problems, ["answers[0].value: “maybe” is not on the answer scale (no, partly, unsure, yes)", "registers[3].rows[0]: Likelihood (1 very unlikely to 5 almost certain): enter a number from 1 to 5."]),
    ("no such organisation", _change("organisation.name", "Nowhere Council"), ["organisation: there is no organisation called “Nowhere Council” here; choose one with --organisation"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "breakage", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_are_refused_with_every_problem_and_nothing_written(
    decided: Appraisal, tmp_path: Path, case: str, breakage: Any, expected: list[str]
) -> None:
    good = render_json.to_dict(record_for(decided))
    if isinstance(breakage, str):
        text = breakage
    elif callable(breakage):
        doc = copy.deepcopy(good)
        breakage(doc)
        text = json.dumps(doc)
    else:
        text = json.dumps(breakage)
    path = tmp_path / "broken.json"
    path.write_text(text, "utf-8")
    before = _counts()
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert "cannot be imported. Nothing was written." in result.output
    listed = [line.removeprefix("  - ") for line in result.output.splitlines() if line.startswith("  - ")]
    assert listed == expected
    assert _counts() == before
