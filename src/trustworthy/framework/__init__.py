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
from .model import Framework, Question, Register, ScreeningQuestion
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
from .screening import (
    Recommendation,
    RouteName,
    recommend,
    route_problem,
    route_questions,
    screening_problems,
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
    "Recommendation",
    "Register",
    "RegisterRowError",
    "Route",
    "RouteName",
    "ScreeningQuestion",
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
    "recommend",
    "risk_rating",
    "risk_register",
    "risk_score",
    "route_problem",
    "route_questions",
    "schema",
    "screening_problems",
    "t4_t5_apply",
    "whole_number",
]
