"""The `trustworthy` command's framework and route verbs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustworthy.cli import main

HERE = Path(__file__).parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_framework_show_json_has_the_whole_framework() -> None:
    code, out, _ = run("framework", "show", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"id", "version", "stages", "sections", "principles", "decisions"} <= data.keys()
    assert (data["id"], data["version"]) == ("hgl-2021", "1.0.0")
    assert len(data["stages"]) == 6
    assert [(s["id"], len(s["questions"])) for s in data["sections"]] == [
        ("parameters", 7), ("principles", 3), ("tests", 6),
    ]  # fmt: skip
    assert len(data["principles"]) == 15
    assert len(data["decisions"]) == 5


def test_framework_show_text_lists_every_question() -> None:
    code, out, _ = run("framework", "show")
    assert code == 0
    for question_id in ("P1", "P7", "E3", "T6"):
        assert f"  {question_id} " in out
    assert "Hampson" in out


def test_validate_a_good_file() -> None:
    code, out, _ = run("framework", "validate", str(HERE / "framework" / "editions" / "extra-questions.yaml"))
    assert code == 0
    assert out.count("\n") == 1
    assert "valid framework hgl-2021-northshire@1.1.0" in out
    assert "18 questions" in out


def test_validate_a_broken_file_lists_every_problem() -> None:
    path = HERE / "framework" / "broken" / "duplicate-question.yaml"
    code, out, err = run("framework", "validate", str(path))
    assert code == 1
    assert out == ""
    assert "duplicate question id 'P1'" in err
    assert "missing question 'P2'" in err


def test_route_json() -> None:
    code, out, _ = run("route", "--answers", "T1=yes,T2=no,T3=yes,T4=yes,T5=no,T6=yes", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["allowed"] == ["proceed-despite-concerns", "reframe", "do-not-proceed"]
    assert data["missing"] == []
    assert data["not_applicable"] == []
    assert data["reasons"]


def test_route_with_high_open_risk() -> None:
    code, out, _ = run(
        "route", "--answers", "T1=yes,T2=yes,T3=yes,T6=yes", "--open-risk-score", "15", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["allowed"] == ["proceed-with-mitigations", "reframe", "do-not-proceed"]


def test_route_text_names_decisions_and_reasons() -> None:
    code, out, _ = run("route", "--answers", "T1=no")
    assert code == 0
    assert "Still to answer: T2, T3, T4, T6" in out


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("T1=maybe", "'maybe' is not an accepted answer for T1. Accepted: yes|partly|no|unsure."),
        ("T9=yes", "unknown question 'T9'. Accepted: T1, T2, T3, T4, T5, T6."),
        ("T1yes", "'T1yes' is not of the form ID=ANSWER"),
        ("T1=yes=no", "'T1=yes=no' is not of the form ID=ANSWER"),
        ("T1=yes,T1=no", "T1 is given more than once"),
    ],
)
def test_route_refuses_bad_answers(answers: str, message: str) -> None:
    code, _, err = run("route", "--answers", answers)
    assert code == 2
    assert message in " ".join(err.split())


def test_route_refuses_a_risk_score_out_of_range() -> None:
    code, _, err = run("route", "--answers", "T1=yes", "--open-risk-score", "30")
    assert code == 2
    assert "--open-risk-score" in err
