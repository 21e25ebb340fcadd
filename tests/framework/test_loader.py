"""Loading, validating and dumping framework files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trustworthy.framework import (
    FrameworkError,
    default_framework,
    framework_to_dict,
    load_framework,
    load_framework_text,
)

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))


def test_the_shipped_framework_has_everything_framework_md_fixes() -> None:
    fw = default_framework()
    assert fw.key == "hgl-2021@1.0.0"
    assert [s.id for s in fw.stages] == [
        "inception", "development", "testing", "implementation", "scale", "evaluation",
    ]  # fmt: skip
    assert {s.id: [q.id for q in s.questions] for s in fw.sections} == {
        "parameters": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "principles": ["E1", "E2", "E3"],
        "tests": ["T1", "T2", "T3", "T4", "T5", "T6"],
    }
    assert [a.id for a in fw.answer_scale] == ["yes", "partly", "no", "unsure"]
    assert len(fw.principles) == 15
    assert {c.id: len(fw.principles_in(c.id)) for c in fw.principle_clusters} == {
        "human-rights": 5, "social-justice": 5, "professional-integrity": 5,
    }  # fmt: skip
    assert [d.id for d in fw.decisions] == [
        "proceed", "proceed-with-mitigations", "proceed-despite-concerns", "reframe", "do-not-proceed",
    ]  # fmt: skip
    assert [c.id for c in fw.criteria] == ["D1", "D2", "D3", "D4", "D5"]
    assert [p.id for p in fw.criteria[2].parts] == ["D3a", "D3b", "D3c"]
    assert {r.question for r in fw.registers} == {"P3", "P5", "P6", "P7"}
    assert [s.id for s in fw.stakeholders] == [
        "young-people", "parents-and-families", "carers", "practitioners", "partner-agencies", "community",
    ]  # fmt: skip
    assert [m.id for m in fw.participation_modes] == [
        "co-produced", "consulted", "represented", "informed", "not-involved",
    ]  # fmt: skip
    assert len(fw.motivations) == 8
    assert [lens.id for lens in fw.lenses] == ["consequentialism", "deontology", "justice", "virtue", "care"]
    assert [r.id for r in fw.readiness_dimensions] == ["resources", "culture", "permissions", "capabilities"]
    assert [c.id for c in fw.context_dimensions] == ["organisational", "local", "national"]
    assert "10.1108/JCS-12-2020-0080" in (fw.source.doi or "")


PUBLISHED = {
    "P1": "Is innovation, rather than other forms of development or practice improvement, the best way of "
    "achieving beneficial change for this problem or context?",
    "P7": "How likely are detrimental or other unforeseen impacts and can they be mitigated?",
    "E2": "Will both the innovation process and the innovation itself result in changes or outcomes that "
    "promote social justice, both in relation to the young people and families who are directly affected "
    "by the innovation and to the community or society more widely?",
    "T4": "If no to any of the above, are any ethical concerns outweighed by broader requirements to act "
    "(for example, if financial imperatives make it absolutely necessary to go ahead despite knowledge of "
    "negative impact)?",
    "T6": "Can all of these decisions be adequately explained and justified to young people, families, "
    "carers and practitioners?",
}


@pytest.mark.parametrize("question_id", sorted(PUBLISHED))
def test_question_wording_is_the_published_wording(question_id: str) -> None:
    assert default_framework().question(question_id).text == PUBLISHED[question_id]


def test_every_question_has_guidance_of_two_to_five_sentences() -> None:
    for q in default_framework().questions():
        text = f"{q.guidance.why} {q.guidance.covers}"
        sentences = len(re.findall(r"[.?!](\s|$)", text))
        assert 2 <= sentences <= 5, (q.id, sentences)


def test_round_trip_through_json_gives_an_equal_model() -> None:
    fw = default_framework()
    again = load_framework_text(json.dumps(framework_to_dict(fw)), "dumped.json")
    assert again == fw
    assert framework_to_dict(again) == framework_to_dict(fw)


def test_an_edition_with_extra_questions_loads() -> None:
    fw = load_framework(HERE / "editions" / "extra-questions.yaml")
    assert fw.key == "hgl-2021-northshire@1.1.0"
    assert [q.id for q in fw.section("local").questions] == ["L1", "L2"]
    assert fw.question("L1").source == "Northshire Council innovation board, 2026"


def _expectation(path: Path) -> tuple[str, str]:
    header = dict(
        line[2:].split(": ", 1) for line in path.read_text().splitlines() if line.startswith("# expect-")
    )
    return header["expect-path"], header["expect-message"]


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_files_fail_with_the_right_message(path: Path) -> None:
    expect_path, expect_message = _expectation(path)
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    rendered = [str(p) for p in caught.value.problems]
    assert any(
        p.path == expect_path or (expect_path == "(top level)" and not p.path) for p in caught.value.problems
    ), rendered
    assert any(expect_message in p.message for p in caught.value.problems), rendered
    assert all(p.file == str(path) for p in caught.value.problems)


def test_there_are_at_least_ten_broken_files() -> None:
    assert len(BROKEN) >= 10


def test_problems_carry_the_line_number() -> None:
    path = HERE / "broken" / "duplicate-question.yaml"
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    problem = next(p for p in caught.value.problems if "duplicate" in p.message)
    line = path.read_text().splitlines()[problem.line - 1] if problem.line else ""
    assert line.strip() == "- id: P1"
    assert str(problem).startswith(f"{path}:{problem.line}: sections[0].questions[1].id: duplicate")


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = (HERE / "editions" / "extra-questions.yaml").read_text()
    text = text.replace("version: 1.1.0", "version: one").replace("kind: open", "kind: essay")
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "two-faults.yaml")
    assert {p.path for p in caught.value.problems} == {"version", "sections[3].questions[1].kind"}


def test_an_unreadable_file_is_a_framework_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="cannot read the file"):
        load_framework(tmp_path / "absent.yaml")
