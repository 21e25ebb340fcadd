"""The framework's rules as pure functions: risk scores, register rows, T4/T5, departures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustworthy.framework import (
    CONDITIONAL_TESTS,
    HIGH_RISK_SCORE,
    RegisterRowError,
    clean_register_row,
    compute_route,
    default_framework,
    departure_problem,
    is_departure,
    open_risk_score,
    risk_rating,
    risk_register,
    risk_score,
    t4_t5_apply,
    whole_number,
)

FW = default_framework()
RISKS = FW.register(risk_register(FW))
ANSWER_OR_MISSING = (None, "yes", "partly", "no", "unsure")
LIKELIHOOD = "Likelihood (1 very unlikely to 5 almost certain)"
DEPARTURE = (
    "This decision is outside what the framework allows for your answers. "
    "Explain why you are departing from the framework."
)


def risk(likelihood: Any, severity: Any, status: str = "open") -> dict[str, Any]:
    return {"description": "Delay", "likelihood": likelihood, "severity": severity, "status": status}


# -- whole numbers and risk scores --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("3", 3), (" 4 ", 4), (5.0, 5), (0, 0), (-2, -2)],
)
def test_whole_numbers_from_data_and_forms(value: object, expected: int) -> None:
    assert whole_number(value) == expected


@pytest.mark.parametrize("value", [None, "", "three", "3.5", 3.5, True, False, [3], {"n": 3}])
def test_what_is_not_a_whole_number(value: object) -> None:
    assert whole_number(value) is None


def test_the_risk_register_is_p7s() -> None:
    assert risk_register(FW) == "risks"
    assert FW.register("risks").question == "P7"


@pytest.mark.parametrize(
    ("row", "score"),
    [
        (risk(3, 4), 12),
        (risk("3", "4"), 12),  # as a form sends them
        (risk(" 2", "5 "), 10),
        (risk(1, 1), 1),
        (risk(5, 5), 25),
    ],
)
def test_a_risk_scores_likelihood_times_severity(row: dict[str, Any], score: int) -> None:
    assert risk_score(row) == score
    assert risk_rating(row) == (int(str(row["likelihood"])), int(str(row["severity"])))


@pytest.mark.parametrize(
    "row",
    [
        {"severity": 4, "status": "open"},  # no likelihood
        {"likelihood": 4, "status": "open"},  # no severity
        risk(None, 4),
        risk("", 4),
        risk("high", 4),
        risk(3, 2.5),
        risk(True, 4),
        {},
    ],
)
def test_a_risk_without_a_whole_likelihood_and_severity_has_no_score(row: dict[str, Any]) -> None:
    assert risk_score(row) is None
    assert risk_rating(row) is None


def test_the_open_risk_score_is_the_highest_among_open_risks() -> None:
    rows = [risk(2, 2), risk(5, 5, "mitigated"), risk("3", "4"), risk(5, 5, "closed"), risk(1, 5)]
    assert open_risk_score(rows) == 12


def test_only_open_risks_count_and_unscored_ones_are_skipped() -> None:
    assert open_risk_score([]) is None
    assert open_risk_score([risk(5, 5, "accepted"), risk(5, 5, "mitigated")]) is None
    assert open_risk_score([risk(None, 5), {"status": "open"}]) is None
    assert open_risk_score([risk(None, 5), risk(2, 3)]) == 6
    assert open_risk_score(iter([risk(2, 3), risk(1, 1)])) == 6  # any iterable, read once


@pytest.mark.parametrize(
    ("likelihood", "severity", "proceed_allowed"),
    [
        (3, 4, False),
        (4, 3, False),
        ("3", "4", False),
        (2, 6, False),
        (11, 1, True),
        (2, 5, True),
        (5, 5, False),
    ],
)
def test_the_boundary_of_12_decides_plain_proceed(
    likelihood: Any, severity: Any, proceed_allowed: bool
) -> None:
    confident = {"T1": "yes", "T2": "yes", "T3": "yes", "T6": "yes"}
    score = open_risk_score([risk(likelihood, severity), risk(5, 5, "closed")])
    route = compute_route(confident, score)
    assert ("proceed" in route.allowed) is proceed_allowed
    assert "proceed-with-mitigations" in route.allowed
    assert (score is not None and score >= HIGH_RISK_SCORE) is not proceed_allowed


# -- register rows ------------------------------------------------------------------------

GOOD_RISK = {
    "description": "  Delay in urgent cases ",
    "who_harmed": ["young-people", "families"],
    "likelihood": "2",
    "severity": 4,
    "mitigation": "Urgent cases bypass",
    "owner": "Team manager",
    "status": "open",
}


def test_a_clean_row_keeps_only_the_registers_fields_with_numbers_and_trimmed_text() -> None:
    clean = clean_register_row(RISKS, {**GOOD_RISK, "colour": "red", "id": 7})
    assert clean == {
        "description": "Delay in urgent cases",
        "who_harmed": ["young-people", "families"],
        "likelihood": 2,
        "severity": 4,
        "mitigation": "Urgent cases bypass",
        "owner": "Team manager",
        "status": "open",
    }
    assert list(clean) == [f.id for f in RISKS.fields]


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"likelihood": 9}, "likelihood", f"{LIKELIHOOD}: enter a number from 1 to 5."),
        ({"likelihood": 0}, "likelihood", f"{LIKELIHOOD}: enter a number from 1 to 5."),
        ({"likelihood": "often"}, "likelihood", f"{LIKELIHOOD}: enter a whole number."),
        ({"likelihood": None}, "likelihood", f"{LIKELIHOOD}: enter a whole number."),
        ({"severity": 2.5}, "severity", "Severity (1 minor to 5 very serious): enter a whole number."),
        ({"status": "forgotten"}, "status", "Status: choose one from the list."),
        ({"who_harmed": []}, "who_harmed", "Who could be harmed: choose at least one from the list."),
        ({"who_harmed": ["pets"]}, "who_harmed", "Who could be harmed: choose at least one from the list."),
        ({"description": "   "}, "description", "Risk: enter this."),
    ],
)  # fmt: skip
def test_a_row_that_does_not_fit_says_what_to_enter(
    change: dict[str, Any], field_id: str, message: str
) -> None:
    with pytest.raises(RegisterRowError) as caught:
        clean_register_row(RISKS, {**GOOD_RISK, **change})
    assert caught.value.field_id == field_id
    assert str(caught.value) == message


def test_the_first_field_in_the_registers_order_is_reported() -> None:
    with pytest.raises(RegisterRowError) as caught:
        clean_register_row(RISKS, {**GOOD_RISK, "status": "forgotten", "description": ""})
    assert caught.value.field_id == RISKS.fields[0].id == "description"


def test_an_empty_row_is_refused_in_every_register_naming_its_first_field() -> None:
    for register in FW.registers:
        with pytest.raises(RegisterRowError) as caught:
            clean_register_row(register, {})
        first = register.fields[0]  # every register opens with a required field
        assert first.required, register.id
        assert caught.value.field_id == first.id, register.id
        assert str(caught.value).startswith(f"{first.label}: "), register.id


# -- when T4 and T5 apply -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "t4", "t5"),
    [
        ({}, "pending", "pending"),
        ({"T1": "yes", "T2": "yes"}, "pending", "pending"),
        ({"T1": "yes", "T2": "yes", "T3": "yes"}, "not-applicable", "not-applicable"),
        ({"T1": "yes", "T2": "yes", "T3": "yes", "T4": "yes", "T5": "no"}, "not-applicable",
         "not-applicable"),
        ({"T2": "unsure"}, "applies", "pending"),
        ({"T1": "no", "T4": "yes"}, "applies", "applies"),
        ({"T1": "no", "T4": "partly"}, "applies", "not-applicable"),
        ({"T1": "yes", "T2": "yes", "T3": "partly", "T4": "no", "T5": "yes"}, "applies", "not-applicable"),
    ],
)  # fmt: skip
def test_when_t4_and_t5_apply(answers: dict[str, str], t4: str, t5: str) -> None:
    assert t4_t5_apply(answers) == {"T4": t4, "T5": t5}


answer_maps = st.fixed_dictionaries(
    {q: st.sampled_from(ANSWER_OR_MISSING) for q in ("T1", "T2", "T3", "T4", "T5", "T6")}
)


@given(answer_maps, st.sampled_from((None, 4, 12, 25)))
def test_the_route_follows_when_t4_and_t5_apply(answers: dict[str, str | None], risk: int | None) -> None:
    applies = t4_t5_apply(answers)
    route = compute_route(answers, risk)
    for q in CONDITIONAL_TESTS:
        assert (q in route.not_applicable) == (applies[q] == "not-applicable")
        assert (q in route.pending) == (applies[q] == "pending")
        assert (q in route.missing) == (applies[q] == "applies" and answers[q] is None)


# -- departures ---------------------------------------------------------------------------

DOUBTED = {"T1": "no", "T2": "yes", "T3": "yes", "T4": "no", "T6": "yes"}  # allows no going ahead


def test_a_decision_outside_the_route_needs_a_reason() -> None:
    route = compute_route(DOUBTED)
    assert route.complete
    assert "proceed" not in route.allowed
    assert departure_problem("proceed", route, "") == DEPARTURE
    assert departure_problem("proceed", route, "   \n ") == DEPARTURE
    assert departure_problem("proceed", route, "A court order requires it.") is None
    assert is_departure("proceed", route)


def test_a_decision_inside_the_route_needs_no_reason() -> None:
    route = compute_route(DOUBTED)
    for decision in route.allowed:
        assert departure_problem(decision, route, "") is None
        assert not is_departure(decision, route)


def test_there_is_no_departure_from_a_route_not_yet_known() -> None:
    route = compute_route({"T1": "no"})
    assert not route.complete
    assert departure_problem("proceed", route, "") is None


# -- the wording of stored ids ------------------------------------------------------------


def test_an_edition_words_the_ids_the_database_stores() -> None:
    assert FW.label("stages", "inception") == FW.stage("inception").name
    assert FW.label("decisions", "proceed-with-mitigations") == FW.decision("proceed-with-mitigations").name
    assert FW.label("answer_scale", "unsure") == next(a.label for a in FW.answer_scale if a.id == "unsure")
    assert FW.label("participation_modes", "not-involved") == next(
        m.label for m in FW.participation_modes if m.id == "not-involved"
    )
    assert FW.label("stages", "launch") == "launch"  # an id this edition does not have
