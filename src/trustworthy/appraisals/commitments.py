"""Commitments in use: the organisation's statement of ethical commitments in force, shown on
each appraisal's decision page, and the decision's answer to how it is consistent with it.

The version in force is kept on the decision when it is recorded; approval signs the record
that names it, and is refused if the statement has changed since (or if the decision does
not say how it is consistent with it), so the version a decision answered is the version
signed.
"""

from __future__ import annotations

from trustworthy.organisations.changes import acting_as_operator
from trustworthy.organisations.models import CommitmentStatement, Organisation
from trustworthy.organisations.selectors import current_commitments

from .models import Decision

QUESTION = "How is this decision consistent with the organisation’s ethical commitments?"
NEEDS_ANSWER = "Say how the decision is consistent with the organisation’s ethical commitments."


def in_force(organisation: Organisation) -> CommitmentStatement | None:
    """The newest version of the organisation's commitments (None if it has written none)."""
    return current_commitments(organisation=organisation)


def answer_problem(statement: CommitmentStatement | None, answer: str) -> str:
    """A decision recorded while commitments are in force says how it is consistent with them.
    (A record imported from elsewhere keeps what it held: it was decided there.)"""
    if statement is None or answer.strip() or acting_as_operator():
        return ""
    return NEEDS_ANSWER


def approval_problem(organisation: Organisation, decision: Decision | None) -> str:
    """Why the decision cannot be signed against the commitments in force; "" if it can."""
    statement = in_force(organisation)
    if statement is None or decision is None:
        return ""
    if decision.commitments_version is None or not decision.commitments_answer.strip():
        return (
            f"{NEEDS_ANSWER} The commitments in force are version {statement.version}: "
            "record the decision again with your answer."
        )
    if decision.commitments_version != statement.version:
        return (
            f"The organisation’s ethical commitments have changed since the decision was recorded "
            f"(version {decision.commitments_version} then, version {statement.version} now). Record the "
            "decision again to say how it is consistent with the commitments in force."
        )
    return ""
