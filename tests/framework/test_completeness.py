"""Which questions are still unanswered or lack a rationale."""

from __future__ import annotations

from trustworthy.framework import AnswerState, AppraisalState, check_completeness, default_framework

FW = default_framework()


def full_state(**changes: object) -> AppraisalState:
    """A complete appraisal where T1-T3 are all 'yes'."""
    answers = {q: AnswerState("yes", f"Why {q}") for q in ("P1", "P2", "P4", "T1", "T2", "T3", "T6")}
    answers |= {q: AnswerState(None, f"Summary of {q}") for q in ("P3", "P5", "P6", "P7")}
    for e in ("E1", "E2", "E3"):
        for aspect in ("process", "innovation"):
            answers[f"{e}:{aspect}"] = AnswerState("partly", "Because")
    ratings = {(a, p.id): ("supports", "") for a in ("process", "innovation") for p in FW.principles}
    participation = {s.id: ("consulted", "") for s in FW.stakeholders}
    base = {
        "answers": answers,
        "register_rows": {"P3": 1, "P5": 2, "P6": 1, "P7": 3},
        "principle_ratings": ratings,
        "participation": participation,
    }
    return AppraisalState(**(base | changes))  # type: ignore[arg-type]


def test_a_full_appraisal_is_complete() -> None:
    result = check_completeness(FW, full_state())
    assert result.is_complete, result.gaps


def test_an_empty_appraisal_lists_every_question_that_applies() -> None:
    result = check_completeness(FW, AppraisalState())
    # T4 and T5 are not required until the route asks for them.
    assert result.unanswered == (
        "P1", "P2", "P3", "P4", "P5", "P6", "P7", "E1", "E2", "E3", "T1", "T2", "T3", "T6",
    )  # fmt: skip


def test_an_answer_without_rationale_is_incomplete() -> None:
    state = full_state()
    answers = dict(state.answers) | {"P2": AnswerState("yes", "   ")}
    result = check_completeness(FW, full_state(answers=answers))
    assert result.missing_rationale == ("P2",)
    assert result.unanswered == ()


def test_register_questions_need_rows_and_a_summary() -> None:
    state = full_state()
    answers = {k: v for k, v in state.answers.items() if k != "P5"}
    result = check_completeness(FW, full_state(answers=answers, register_rows={"P3": 1, "P6": 1, "P7": 1}))
    kinds = {(g.question_id, g.kind) for g in result.gaps}
    assert kinds == {("P5", "no-rows"), ("P5", "no-rationale")}


def test_at_risk_principles_need_a_note_and_every_principle_a_rating() -> None:
    state = full_state()
    ratings = dict(state.principle_ratings)
    ratings[("innovation", "SJ3")] = ("at-risk", "")
    del ratings[("process", "PI2")]
    result = check_completeness(FW, full_state(principle_ratings=ratings))
    assert {(g.question_id, g.kind, g.part) for g in result.gaps} == {
        ("E2", "principle-note-missing", "innovation:SJ3"),
        ("E3", "principle-unrated", "process:PI2"),
    }


def test_each_aspect_of_an_e_question_is_answered() -> None:
    answers = {k: v for k, v in full_state().answers.items() if k != "E1:innovation"}
    result = check_completeness(FW, full_state(answers=answers))
    assert [(g.question_id, g.part) for g in result.gaps] == [("E1", "innovation")]


def test_participation_needs_every_group_and_a_reason_when_not_involved() -> None:
    participation = {s.id: ("consulted", "") for s in FW.stakeholders if s.id != "carers"}
    participation["community"] = ("not-involved", "")
    result = check_completeness(FW, full_state(participation=participation))
    assert {(g.kind, g.part) for g in result.gaps} == {
        ("participation-missing", "carers"),
        ("participation-reason-missing", "community"),
    }


def test_t4_and_t5_become_required_when_the_route_needs_them() -> None:
    answers = dict(full_state().answers) | {"T2": AnswerState("no", "Not sure it helps the system")}
    assert check_completeness(FW, full_state(answers=answers)).unanswered == ("T4",)
    answers["T4"] = AnswerState("yes", "Statutory duty")
    assert check_completeness(FW, full_state(answers=answers)).unanswered == ("T5",)
    answers["T5"] = AnswerState("no", "Cannot be fully mitigated")
    assert check_completeness(FW, full_state(answers=answers)).is_complete


def test_not_applicable_answers_are_not_checked() -> None:
    answers = dict(full_state().answers) | {"T4": AnswerState("yes", "")}
    assert check_completeness(FW, full_state(answers=answers)).is_complete
