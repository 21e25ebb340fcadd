"""The review workflow of an appraisal: the one place its states and transitions live.

    draft ──submit──▶ in-review ──request changes──▶ changes-requested ──submit──▶ in-review
                          │                                                        ...
                          └──approve (sign)──▶ approved   (locked: a change is a new version)
    draft | in-review | changes-requested ──withdraw──▶ withdrawn

Who may take each transition, and the conditions, are below; services apply them.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, IN_REVIEW, CHANGES_REQUESTED, APPROVED, WITHDRAWN = (
    "draft", "in-review", "changes-requested", "approved", "withdrawn",
)  # fmt: skip


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    role: str
    reason_required: bool


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit", "Submit for review", frozenset({DRAFT, CHANGES_REQUESTED}), IN_REVIEW, "lead", False
        ),
        Transition(
            "request-changes", "Request changes", frozenset({IN_REVIEW}), CHANGES_REQUESTED, "reviewer", True
        ),
        Transition(
            "approve", "Approve and sign the decision", frozenset({IN_REVIEW}), APPROVED, "approver", False
        ),
        Transition(
            "withdraw", "Withdraw", frozenset({DRAFT, IN_REVIEW, CHANGES_REQUESTED}), WITHDRAWN, "lead", True
        ),
    )
}

# Answers, registers and ratings change only while the appraisal is being written.
EDITABLE = frozenset({DRAFT, CHANGES_REQUESTED})
# The approver may record the decision until it is signed.
DECISION_OPEN = frozenset({DRAFT, IN_REVIEW, CHANGES_REQUESTED})
COMMENTS_OPEN = frozenset({DRAFT, IN_REVIEW, CHANGES_REQUESTED})


def available(status: str, role: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources and t.role == role]
