"""The ethical framework as versioned data, and the rules that read it.

Pure Python with no web framework, so the rules can be tested, reused by the command
line and the API, and read on their own. An import-linter contract keeps Django out.
"""

from .completeness import AnswerState, AppraisalState, Completeness, Gap, check_completeness
from .errors import FrameworkError, Problem, RegisterRowError
from .loader import (
    default_framework,
    framework_to_dict,
    load_framework,
    load_framework_text,
    schema,
)
from .model import Framework, Question, Register
from .route import (
    ANSWERS,
    CONDITIONAL_TESTS,
    DECISION_ORDER,
    HIGH_RISK_SCORE,
    ROUTE_QUESTIONS,
    Applies,
    Route,
    compute_route,
    departure_problem,
    is_departure,
    t4_t5_apply,
)
from .rules import (
    RISK_QUESTION,
    clean_register_row,
    open_risk_score,
    risk_rating,
    risk_register,
    risk_score,
    whole_number,
)

__all__ = [
    "ANSWERS",
    "CONDITIONAL_TESTS",
    "DECISION_ORDER",
    "HIGH_RISK_SCORE",
    "RISK_QUESTION",
    "ROUTE_QUESTIONS",
    "AnswerState",
    "Applies",
    "AppraisalState",
    "Completeness",
    "Framework",
    "FrameworkError",
    "Gap",
    "Problem",
    "Question",
    "Register",
    "RegisterRowError",
    "Route",
    "check_completeness",
    "clean_register_row",
    "compute_route",
    "default_framework",
    "departure_problem",
    "framework_to_dict",
    "is_departure",
    "load_framework",
    "load_framework_text",
    "open_risk_score",
    "risk_rating",
    "risk_register",
    "risk_score",
    "schema",
    "t4_t5_apply",
    "whole_number",
]
