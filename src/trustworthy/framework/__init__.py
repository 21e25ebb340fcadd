"""The ethical framework as versioned data, and the rules that read it.

Pure Python with no web framework, so the rules can be tested, reused by the command
line and the API, and read on their own. An import-linter contract keeps Django out.
"""

from .completeness import AnswerState, AppraisalState, Completeness, Gap, check_completeness
from .errors import FrameworkError, Problem
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
    DECISION_ORDER,
    HIGH_RISK_SCORE,
    ROUTE_QUESTIONS,
    Route,
    compute_route,
    is_departure,
)

__all__ = [
    "ANSWERS",
    "DECISION_ORDER",
    "HIGH_RISK_SCORE",
    "ROUTE_QUESTIONS",
    "AnswerState",
    "AppraisalState",
    "Completeness",
    "Framework",
    "FrameworkError",
    "Gap",
    "Problem",
    "Question",
    "Register",
    "Route",
    "check_completeness",
    "compute_route",
    "default_framework",
    "framework_to_dict",
    "is_departure",
    "load_framework",
    "load_framework_text",
    "schema",
]
