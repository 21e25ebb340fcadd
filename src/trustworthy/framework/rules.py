"""Rules over what an appraisal records: register rows and the scores of risks.

Pure functions of plain values, so the web, the command line, the importer and the
reports apply the same rule in the same way. The route through section 3, when T4 and
T5 apply and what counts as a departure live in :mod:`trustworthy.framework.route`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import RegisterRowError
from .model import Field, Framework, Register

__all__ = [
    "RISK_QUESTION",
    "clean_register_row",
    "open_risk_score",
    "risk_rating",
    "risk_register",
    "risk_score",
    "whole_number",
]

# The question whose register lists the risks; its open risks feed the route.
RISK_QUESTION = "P7"


def whole_number(value: object) -> int | None:
    """``value`` as a whole number, or None: 3, 3.0 and " 3 " (as sent by a form) are 3.

    True, 3.5 and "three" are not whole numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def risk_register(framework: Framework) -> str:
    """The id of the register that lists the risks (the loader ensures P7 has one)."""
    register = framework.question(RISK_QUESTION).register
    if register is None:  # pragma: no cover - rejected when the framework file is loaded
        raise LookupError(f"{framework.key}: {RISK_QUESTION} has no register")
    return register


def risk_rating(row: Mapping[str, Any]) -> tuple[int, int] | None:
    """A risk's (likelihood, severity), or None while either is missing or not a whole number."""
    likelihood, severity = whole_number(row.get("likelihood")), whole_number(row.get("severity"))
    if likelihood is None or severity is None:
        return None
    return likelihood, severity


def risk_score(row: Mapping[str, Any]) -> int | None:
    """Likelihood times severity, or None while either is missing or not a whole number."""
    rating = risk_rating(row)
    return None if rating is None else rating[0] * rating[1]


def open_risk_score(rows: Iterable[Mapping[str, Any]]) -> int | None:
    """The highest score among the risks whose status is ``open``, or None if none is scored.

    This is the score :func:`~trustworthy.framework.route.compute_route` weighs against
    ``HIGH_RISK_SCORE``. ``rows`` are the data of the risk register's rows.
    """
    scores = (risk_score(row) for row in rows if row.get("status") == "open")
    return max((score for score in scores if score is not None), default=None)


def _clean_field(f: Field, value: Any) -> Any:
    if f.type == "integer":
        number = whole_number(value)
        if number is None:
            raise RegisterRowError(f.id, f"{f.label}: enter a whole number.")
        lowest = f.minimum if f.minimum is not None else 0
        if number < lowest or (f.maximum is not None and number > f.maximum):
            if f.maximum is None:
                raise RegisterRowError(f.id, f"{f.label}: enter a number of {lowest} or more.")
            raise RegisterRowError(f.id, f"{f.label}: enter a number from {lowest} to {f.maximum}.")
        return number
    if f.type == "multichoice":
        values = list(value or [])
        allowed = {c.id for c in f.choices}
        if any(v not in allowed for v in values) or (f.required and not values):
            raise RegisterRowError(f.id, f"{f.label}: choose at least one from the list.")
        return values
    if f.type == "choice":
        if value not in {c.id for c in f.choices}:
            raise RegisterRowError(f.id, f"{f.label}: choose one from the list.")
        return value
    text = str(value or "").strip()
    if f.required and not text:
        raise RegisterRowError(f.id, f"{f.label}: enter this.")
    return text


def clean_register_row(register: Register, data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the register's own fields, each checked against the edition's definition.

    Raises :class:`RegisterRowError` for the first field, in the register's order, that
    does not fit; its message says what to enter.
    """
    return {f.id: _clean_field(f, data.get(f.id)) for f in register.fields}
