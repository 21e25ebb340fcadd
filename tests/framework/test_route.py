"""The section-3 decision logic, checked against the rules of FRAMEWORK.md."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustworthy.framework import DECISION_ORDER, compute_route, is_departure

ANSWER_OR_MISSING = (None, "yes", "partly", "no", "unsure")
GO = {"proceed", "proceed-with-mitigations", "proceed-despite-concerns"}


def expected(answers: dict[str, str | None], risk: int | None) -> tuple[set[str], set[str], set[str]]:
    """FRAMEWORK.md's rules, written out step by step as the page states them.

    Returns (allowed, missing, not_applicable).
    """
    t = answers
    missing = {q for q in ("T1", "T2", "T3", "T6") if t.get(q) is None}
    na: set[str] = set()
    allowed = {"reframe", "do-not-proceed"}  # rule 0
    if all(t.get(q) == "yes" for q in ("T1", "T2", "T3")):  # rule 1
        na = {"T4", "T5"}
        allowed |= {"proceed-with-mitigations"}
        if not (risk is not None and risk >= 12):
            allowed.add("proceed")
    elif any(t.get(q) not in (None, "yes") for q in ("T1", "T2", "T3")):  # rule 2
        if t.get("T4") is None:
            missing.add("T4")
        elif t.get("T4") != "yes":
            na = {"T5"}
        elif t.get("T5") is None:
            missing.add("T5")
        elif t.get("T5") == "yes":
            allowed.add("proceed-with-mitigations")
        else:
            allowed.add("proceed-despite-concerns")
    if t.get("T6") not in (None, "yes"):  # rule 3
        allowed -= GO
    if missing:  # rule 4
        allowed = set()
    return allowed, missing, na


@pytest.mark.parametrize("risk", [None, 11, 12, 25])
def test_every_combination_of_answers_matches_the_framework(risk: int | None) -> None:
    for combo in itertools.product(ANSWER_OR_MISSING, repeat=6):
        answers = dict(zip(("T1", "T2", "T3", "T4", "T5", "T6"), combo, strict=True))
        route = compute_route(answers, risk)
        allowed, missing, na = expected(answers, risk)
        assert set(route.allowed) == allowed, (answers, risk)
        assert set(route.missing) == missing, (answers, risk)
        assert set(route.not_applicable) == na, (answers, risk)
        # Always in the order of the decisions table.
        assert list(route.allowed) == [d for d in DECISION_ORDER if d in allowed]
        assert route.reasons, "every route explains itself"


Y, P, N, U = "yes", "partly", "no", "unsure"
TABLE = [
    # T1..T6, risk, allowed, missing, not applicable
    (
        (Y, Y, Y, None, None, Y),
        None,
        ("proceed", "proceed-with-mitigations", "reframe", "do-not-proceed"),
        (),
        ("T4", "T5"),
    ),
    (
        (Y, Y, Y, N, N, Y),
        None,
        ("proceed", "proceed-with-mitigations", "reframe", "do-not-proceed"),
        (),
        ("T4", "T5"),
    ),
    (
        (Y, Y, Y, None, None, Y),
        12,
        ("proceed-with-mitigations", "reframe", "do-not-proceed"),
        (),
        ("T4", "T5"),
    ),
    (
        (Y, Y, Y, None, None, Y),
        11,
        ("proceed", "proceed-with-mitigations", "reframe", "do-not-proceed"),
        (),
        ("T4", "T5"),
    ),
    ((Y, Y, Y, None, None, P), None, ("reframe", "do-not-proceed"), (), ("T4", "T5")),
    ((Y, N, Y, None, None, Y), None, (), ("T4",), ()),
    ((Y, N, Y, N, None, Y), None, ("reframe", "do-not-proceed"), (), ("T5",)),
    ((Y, N, Y, U, Y, Y), None, ("reframe", "do-not-proceed"), (), ("T5",)),
    ((P, Y, Y, Y, None, Y), None, (), ("T5",), ()),
    ((P, Y, Y, Y, Y, Y), None, ("proceed-with-mitigations", "reframe", "do-not-proceed"), (), ()),
    ((P, Y, Y, Y, N, Y), None, ("proceed-despite-concerns", "reframe", "do-not-proceed"), (), ()),
    ((P, Y, Y, Y, N, Y), 25, ("proceed-despite-concerns", "reframe", "do-not-proceed"), (), ()),
    ((P, Y, Y, Y, N, N), None, ("reframe", "do-not-proceed"), (), ()),
    ((None, None, None, None, None, None), None, (), ("T1", "T2", "T3", "T6"), ()),
    ((Y, Y, Y, None, None, None), None, (), ("T6",), ("T4", "T5")),
    ((None, N, Y, None, None, Y), None, (), ("T1", "T4"), ()),
    ((None, Y, Y, Y, Y, Y), None, (), ("T1",), ()),
]


@pytest.mark.parametrize(("answers", "risk", "allowed", "missing", "na"), TABLE)
def test_worked_examples(answers, risk, allowed, missing, na) -> None:
    route = compute_route(dict(zip(("T1", "T2", "T3", "T4", "T5", "T6"), answers, strict=True)), risk)
    assert route.allowed == allowed
    assert route.missing == missing
    assert route.not_applicable == na


def test_reasons_explain_the_high_risk_restriction() -> None:
    route = compute_route(dict.fromkeys(("T1", "T2", "T3", "T6"), "yes"), 16)
    assert any("16" in r and "12" in r for r in route.reasons)


def _risk_reasons(route_reasons: tuple[str, ...]) -> list[str]:
    return [r for r in route_reasons if r.startswith("An open risk scores")]


@pytest.mark.parametrize(
    "answers",
    [
        (Y, Y, Y, None, None, Y),  # the only thing that rules out "proceed"
        (P, Y, Y, Y, Y, Y),  # T1 is in doubt too: mitigations only
        (P, Y, Y, Y, N, Y),  # proceed despite concerns
        (Y, N, Y, N, None, Y),  # T4 is not "yes": nothing goes ahead
        (Y, Y, Y, None, None, N),  # T6 rules every going ahead out as well
        (Y, None, Y, None, None, Y),  # not all answered yet
    ],
)
def test_a_high_open_risk_is_always_among_the_reasons(answers) -> None:
    """Where other answers also rule out "proceed", the risk still says it does too."""
    route = compute_route(dict(zip(("T1", "T2", "T3", "T4", "T5", "T6"), answers, strict=True)), 16)
    assert len(_risk_reasons(route.reasons)) == 1, route.reasons
    assert "16" in _risk_reasons(route.reasons)[0]
    assert "proceed" not in route.allowed


def test_the_risk_reason_says_mitigations_are_allowed_only_when_they_are() -> None:
    allowed = compute_route(dict(zip(("T1", "T2", "T3", "T6"), (Y, Y, Y, Y), strict=True)), 16)
    (reason,) = _risk_reasons(allowed.reasons)
    assert reason.endswith("'proceed with mitigations' is.")
    assert "proceed-with-mitigations" in allowed.allowed
    ruled_out = compute_route(dict(zip(("T1", "T2", "T3", "T6"), (Y, Y, Y, N), strict=True)), 16)
    (reason,) = _risk_reasons(ruled_out.reasons)
    assert "proceed with mitigations" not in reason
    assert "proceed-with-mitigations" not in ruled_out.allowed
    # The risk comes after the answers' own reasons and before T6's.
    assert ruled_out.reasons.index(reason) == len(ruled_out.reasons) - 2


def test_reasons_say_what_to_answer_when_incomplete() -> None:
    route = compute_route({"T1": "no"})
    assert route.reasons[0] == "Answer T2, T3, T4, T6 to see which decisions the framework allows."


def test_unknown_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        compute_route({"T1": "maybe"})


answer_maps = st.fixed_dictionaries(
    {q: st.sampled_from(ANSWER_OR_MISSING) for q in ("T1", "T2", "T3", "T4", "T5", "T6")}
)
risks = st.one_of(st.none(), st.integers(1, 25))


@given(answer_maps, risks)
def test_reframe_and_stop_are_always_allowed_once_complete(answers, risk) -> None:
    route = compute_route(answers, risk)
    if route.complete:
        assert {"reframe", "do-not-proceed"} <= set(route.allowed)
    else:
        assert route.allowed == ()


@given(answer_maps, risks)
def test_t6_not_yes_never_allows_going_ahead(answers, risk) -> None:
    if answers["T6"] not in (None, "yes"):
        assert not set(compute_route(answers, risk).allowed) & GO


@given(answer_maps, risks, st.sampled_from(ANSWER_OR_MISSING), st.sampled_from(ANSWER_OR_MISSING))
def test_t4_t5_ignored_when_confident(answers, risk, t4, t5) -> None:
    answers = {**answers, "T1": "yes", "T2": "yes", "T3": "yes"}
    assert compute_route(answers, risk) == compute_route({**answers, "T4": t4, "T5": t5}, risk)


@given(answer_maps, risks)
def test_at_most_one_kind_of_going_ahead_when_in_doubt(answers, risk) -> None:
    route = compute_route(answers, risk)
    if any(answers[q] not in (None, "yes") for q in ("T1", "T2", "T3")):
        assert "proceed" not in route.allowed
        assert len(set(route.allowed) & GO) <= 1


@given(answer_maps)
def test_a_high_open_risk_never_allows_plain_proceed(answers) -> None:
    assert "proceed" not in compute_route(answers, 12).allowed


def test_departure_is_a_decision_outside_a_complete_route() -> None:
    route = compute_route({"T1": "no", "T2": "yes", "T3": "yes", "T4": "no", "T6": "yes"})
    assert is_departure("proceed", route)
    assert not is_departure("reframe", route)
    assert not is_departure("proceed", compute_route({}))


@given(answer_maps, risks)
def test_the_risk_is_a_reason_exactly_when_it_scores_12_or_more(answers, risk) -> None:
    reasons = _risk_reasons(compute_route(answers, risk).reasons)
    assert len(reasons) == (1 if risk is not None and risk >= 12 else 0)
