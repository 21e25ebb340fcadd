"""Two parts of a decision record: the interests reviewers and approvers declared, and the
organisation's commitments the decision answered (their version and the answer).

Each part is there only when there is something for it (a declaration; a decision recorded
while commitments were in force), so records signed before they existed rebuild exactly as
they were signed. Every format reads these from the one `DecisionRecord` (document.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from trustworthy.organisations.models import Role

INTERESTS_TITLE = "Interests declared"
COMMITMENTS_TITLE = "Our ethical commitments"
NO_INTEREST = "No interest declared"


@dataclass(frozen=True)
class InterestItem:
    person: str | None  # None in the public version
    role: str
    role_label: str
    has_interest: bool
    interest: str
    stand_aside: bool  # an admin required a different approver
    stand_aside_reason: str

    @property
    def said(self) -> str:
        return self.interest if self.has_interest else NO_INTEREST


@dataclass(frozen=True)
class CommitmentsPart:
    version: int
    answer: str


def interests_part(appraisal: Any) -> tuple[InterestItem, ...]:
    if appraisal.pk is None:
        return ()
    roles = dict(Role.choices)
    return tuple(
        InterestItem(
            person=d.person_name,
            role=d.role,
            role_label=str(roles.get(d.role, d.role)),
            has_interest=d.has_interest,
            interest=d.interest,
            stand_aside=d.stand_aside,
            stand_aside_reason=d.stand_aside_reason,
        )
        # `.all()`: read once for many appraisals when prefetched (signing.signed_contents);
        # the model's ordering is the order they were declared.
        for d in appraisal.interests.all()
    )


def commitments_part(decision: Any) -> CommitmentsPart | None:
    version = getattr(decision, "commitments_version", None)
    if decision is None or version is None:
        return None
    return CommitmentsPart(version=version, answer=decision.commitments_answer)


def public_interests(items: Sequence[InterestItem]) -> tuple[InterestItem, ...]:
    """The public version names nobody."""
    return tuple(replace(i, person=None) for i in items)


# --- JSON ----------------------------------------------------------------------------------


def interests_json(items: Sequence[InterestItem]) -> list[dict[str, Any]]:
    return [
        {
            "person": i.person,
            "role": i.role,
            "has_interest": i.has_interest,
            "interest": i.interest,
            "other_approver_required": i.stand_aside,
            "other_approver_reason": i.stand_aside_reason,
        }
        for i in items
    ]


def interests_from_json(given: list[dict[str, Any]] | None) -> tuple[InterestItem, ...]:
    roles = dict(Role.choices)
    return tuple(
        InterestItem(
            person=i["person"],
            role=i["role"],
            role_label=str(roles.get(i["role"], i["role"])),
            has_interest=i["has_interest"],
            interest=i["interest"],
            stand_aside=i["other_approver_required"],
            stand_aside_reason=i["other_approver_reason"],
        )
        for i in given or []
    )


def commitments_json(part: CommitmentsPart) -> dict[str, Any]:
    return {"version": part.version, "answer": part.answer}


def commitments_from_json(given: dict[str, Any] | None) -> CommitmentsPart | None:
    return None if given is None else CommitmentsPart(version=given["version"], answer=given["answer"])


# --- Word ----------------------------------------------------------------------------------


def docx_parts(doc: Any, interests: Sequence[InterestItem], commitments: CommitmentsPart | None) -> None:
    """The two parts in a Word document (python-docx `Document`), after the decision."""
    if commitments is not None:
        doc.add_heading(COMMITMENTS_TITLE, level=2)
        _labelled(doc, "Version in force when the decision was made", str(commitments.version))
        _labelled(doc, "How the decision is consistent with them", commitments.answer)
    if interests:
        doc.add_heading(INTERESTS_TITLE, level=2)
        for i in interests:
            who = f"{i.person} ({i.role_label})" if i.person else i.role_label
            _labelled(doc, who, i.said)
            if i.stand_aside:
                _labelled(doc, "A different approver was required", i.stand_aside_reason or "Yes")


def _labelled(doc: Any, label: str, value: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value or "Not given")
