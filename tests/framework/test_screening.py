"""A proportionate route: the screening in the edition file, the rule that recommends a route,
and completeness that counts only the route's questions."""

from __future__ import annotations

import json

import pytest

from trustworthy.framework import (
    ROUTE_QUESTIONS,
    AnswerState,
    AppraisalState,
    FrameworkError,
    check_completeness,
    default_framework,
    framework_to_dict,
    load_framework_text,
    recommend,
    route_problem,
    route_questions,
    screening_problems,
)

FW = default_framework()
SAFE = {
    "scale": "one-team",
    "who-affected": "staff-only",
    "childrens-data": "no",
    "rights": "no",
    "statutory-duties": "no",
    "reversibility": "easily",
}


def test_the_edition_has_a_screening_of_the_issue_s_questions_and_a_light_route() -> None:
    assert FW.screening is not None
    assert [q.id for q in FW.screening.questions] == list(SAFE)
    for question in FW.screening.questions:
        flagged = [o for o in question.options if o.flags_risk]
        assert flagged, f"{question.id} has no answer that flags a risk"
        assert all(o.reason for o in flagged), "every flagging answer says why in plain words"
        assert any(not o.flags_risk for o in question.options)
    light = FW.screening.light_route.questions
    # The decision logic still has what it reads, so a light decision is as defensible.
    assert set(ROUTE_QUESTIONS) <= set(light)
    assert "P7" in light
    assert {"E1", "E2", "E3", "P4", "P5", "P6"}.isdisjoint(light)


def test_the_published_questions_are_untouched_by_the_screening() -> None:
    assert [q.id for q in FW.questions()] == [
        "P1", "P2", "P3", "P4", "P5", "P6", "P7", "E1", "E2", "E3", "T1", "T2", "T3", "T4", "T5", "T6",
    ]  # fmt: skip
    assert FW.question("T1").text.startswith("Are we confident that this innovation")


def test_no_answer_flagging_risk_recommends_the_light_route() -> None:
    result = recommend(FW, SAFE)
    assert result.route == "light"
    assert result.flagged == ()
    assert result.reasons == ("No screening answer points to a risk, so a light appraisal is proportionate.",)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("scale", "whole-service"),
        ("who-affected", "directly"),
        ("childrens-data", "yes"),
        ("childrens-data", "unsure"),
        ("rights", "yes"),
        ("statutory-duties", "unsure"),
        ("reversibility", "hard"),
    ],
)
def test_any_answer_that_flags_risk_requires_the_full_route(question: str, answer: str) -> None:
    result = recommend(FW, SAFE | {question: answer})
    assert result.route == "full"
    assert result.flagged == (question,)
    option = FW.screening.question(question).option(answer)  # type: ignore[union-attr]
    assert result.reasons == (option.reason,)  # type: ignore[union-attr]
    assert (
        route_problem(result, "light")
        == "A screening answer points to a risk, so the full appraisal is needed."
    )
    assert route_problem(result, "full") is None


def test_every_flagged_answer_gives_its_reason_in_plain_words() -> None:
    result = recommend(FW, SAFE | {"rights": "yes", "reversibility": "hard"})
    assert result.flagged == ("rights", "reversibility")
    assert result.reasons == (
        "The change could affect people's rights.",
        "The change could not easily be undone without a lasting effect on someone.",
    )


def test_an_unanswered_screening_requires_the_full_route() -> None:
    answers = {k: v for k, v in SAFE.items() if k != "rights"}
    result = recommend(FW, answers)
    assert result.route == "full"
    assert "Not every screening question is answered" in result.reasons[0]
    assert FW.screening is not None
    rights = FW.screening.question("rights")
    assert rights is not None
    unanswered = {"rights": f"Select an answer to “{rights.text}”"}
    assert screening_problems(FW, answers) == unanswered
    assert screening_problems(FW, SAFE | {"rights": "maybe"}) == unanswered
    assert screening_problems(FW, SAFE) == {}


def test_the_light_route_is_chosen_only_where_recommended() -> None:
    light = recommend(FW, SAFE)
    assert route_problem(light, "light") is None
    assert route_problem(light, "full") is None  # the full route can always be chosen
    assert route_problem(light, "quick") == "Choose the light or the full appraisal."


def test_route_questions() -> None:
    assert route_questions(FW, "full") is None
    assert route_questions(FW, "light") == ("P1", "P2", "P3", "P7", "T1", "T2", "T3", "T4", "T5", "T6")


def _light_state(**answers: AnswerState) -> AppraisalState:
    base = {q: AnswerState("yes", f"Why {q}") for q in ("P1", "P2", "T1", "T2", "T3", "T6")}
    base |= {q: AnswerState(None, f"Summary of {q}") for q in ("P3", "P7")}
    return AppraisalState(answers=base | answers, register_rows={"P3": 1, "P7": 1})


def test_light_route_completeness_counts_only_the_route_s_questions() -> None:
    state = _light_state()
    light = route_questions(FW, "light")
    assert check_completeness(FW, state, light).is_complete
    full = check_completeness(FW, state)
    assert not full.is_complete
    assert set(full.unanswered) == {"P4", "P5", "P6", "E1", "E2", "E3"}


def test_light_route_completeness_still_follows_the_decision_logic() -> None:
    light = route_questions(FW, "light")
    # T1 not "yes": T4 becomes required on the light route too.
    result = check_completeness(FW, _light_state(T1=AnswerState("no", "Not sure it is right")), light)
    assert result.unanswered == ("T4",)
    missing_risk = AppraisalState(answers=_light_state().answers, register_rows={"P3": 1})
    assert check_completeness(FW, missing_risk, light).unanswered == ("P7",)


def test_an_edition_without_a_screening_has_only_the_full_route() -> None:
    data = framework_to_dict(FW)
    del data["screening"]
    fw = load_framework_text(json.dumps(data))
    assert fw.screening is None
    assert recommend(fw, SAFE).route == "full"
    assert route_questions(fw, "light") is None


def test_the_screening_survives_a_dump_and_load() -> None:
    assert load_framework_text(json.dumps(framework_to_dict(FW))).screening == FW.screening


def _broken(change: object) -> FrameworkError:
    data = framework_to_dict(FW)
    change(data["screening"])  # type: ignore[operator]
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(json.dumps(data))
    return caught.value


def test_a_light_route_without_what_the_decision_logic_reads_is_refused() -> None:
    error = _broken(lambda s: s["light_route"].update(questions=["P1", "T1", "T2", "T3", "T4", "T5", "T6"]))
    assert "the light route must include 'P7': the decision logic reads its answer" in str(error)


def test_a_light_route_naming_an_unknown_question_is_refused() -> None:
    error = _broken(lambda s: s["light_route"]["questions"].append("P99"))
    assert "unknown question 'P99'" in str(error)


def test_a_flagging_answer_without_a_reason_is_refused() -> None:
    error = _broken(lambda s: s["questions"][0]["options"][2].pop("reason"))
    assert "screening.questions[0].options[2]" in str(error)
    assert "reason" in str(error)


def test_repeated_screening_ids_are_refused() -> None:
    error = _broken(lambda s: s["questions"].append(dict(s["questions"][0])))
    assert "duplicate screening question id 'scale'" in str(error)
