"""The screening and route as part of the decision record, in every format and on import.

Built only for an appraisal that was screened, so a record without a screening (every
record signed before screening existed) reads, renders and signs exactly as it did.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from trustworthy.appraisals.models import Appraisal, Screening
from trustworthy.appraisals.screening import require_full_route, save_screening
from trustworthy.core import text as texts
from trustworthy.framework import Framework, recommend, route_problem, route_questions, screening_problems
from trustworthy.organisations.models import User

__all__ = [
    "ScreeningAnswer",
    "ScreeningPart",
    "build_screening",
    "import_full_required",
    "import_problems",
    "import_screening",
    "import_texts",
    "public_screening",
    "screening_dict",
    "screening_from_dict",
]

ROUTE_LABELS = {"light": "Light appraisal", "full": "Full appraisal"}
TITLE = "Screening and route"


@dataclass(frozen=True)
class ScreeningAnswer:
    question: str  # the screening question's id
    text: str
    answer: str  # the option's id
    label: str
    flags_risk: bool


@dataclass(frozen=True)
class ScreeningPart:
    route: str  # the route in force
    recommended_route: str
    chosen_route: str
    answers: tuple[ScreeningAnswer, ...]
    reasons: tuple[str, ...]
    screened_by: str | None
    screened_at: str | None
    # The question ids the route in force asks; empty for every question (the full route).
    questions: tuple[str, ...] = ()
    full_required_by: str | None = None
    full_required_reason: str = ""
    full_required_at: str | None = None

    @property
    def route_label(self) -> str:
        return ROUTE_LABELS.get(self.route, self.route)

    @property
    def recommended_label(self) -> str:
        return ROUTE_LABELS.get(self.recommended_route, self.recommended_route)

    @property
    def chosen_label(self) -> str:
        return ROUTE_LABELS.get(self.chosen_route, self.chosen_route)

    @property
    def full_required(self) -> bool:
        return bool(self.full_required_reason)

    def free_text(self) -> list[tuple[str, str, str]]:
        return [
            (
                "screening.full_required_reason",
                "Why the full appraisal was required",
                self.full_required_reason,
            )
        ]


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _name(user: Any) -> str | None:
    return None if user is None else (user.full_name or user.email)


def _answers(fw: Framework, answers: dict[str, str]) -> tuple[ScreeningAnswer, ...]:
    out = []
    for question in fw.screening.questions if fw.screening else ():
        option = question.option(answers.get(question.id, ""))
        if option is not None:
            out.append(
                ScreeningAnswer(question.id, question.text, option.id, option.label, option.flags_risk)
            )
    return tuple(out)


def build_screening(appraisal: Appraisal, fw: Framework) -> ScreeningPart | None:
    """The record's screening part; None for an appraisal never screened."""
    if Appraisal.screening.is_cached(appraisal):  # prefetched for many (signing.signed_contents)
        screening = getattr(appraisal, "screening", None)
    else:
        screening = (
            Screening.objects.filter(appraisal=appraisal)
            .select_related("screened_by", "full_required_by")
            .first()
        )
    if screening is None:
        return None
    return ScreeningPart(
        route=appraisal.route,
        recommended_route=screening.recommended_route,
        chosen_route=screening.chosen_route,
        answers=_answers(fw, screening.answers),
        reasons=tuple(screening.reasons),
        screened_by=_name(screening.screened_by),
        screened_at=_iso(screening.screened_at),
        questions=route_questions(fw, appraisal.route) or (),
        full_required_by=_name(screening.full_required_by),
        full_required_reason=screening.full_required_reason,
        full_required_at=_iso(screening.full_required_at),
    )


# --- JSON --------------------------------------------------------------------------------------


def screening_dict(part: ScreeningPart) -> dict[str, Any]:
    """The optional `screening` property of a decision-record document."""
    return {
        "route": part.route,
        "recommended_route": part.recommended_route,
        "chosen_route": part.chosen_route,
        "answers": [
            {
                "question": a.question,
                "text": a.text,
                "answer": a.answer,
                "label": a.label,
                "flags_risk": a.flags_risk,
            }
            for a in part.answers
        ],
        "reasons": list(part.reasons),
        "questions": list(part.questions),
        "screened_by": part.screened_by,
        "screened_at": part.screened_at,
        "full_required": {
            "by": part.full_required_by,
            "reason": part.full_required_reason,
            "at": part.full_required_at,
        }
        if part.full_required
        else None,
    }


def screening_from_dict(document: dict[str, Any] | None) -> ScreeningPart | None:
    if document is None:
        return None
    full = document.get("full_required") or {}
    return ScreeningPart(
        route=document["route"],
        recommended_route=document["recommended_route"],
        chosen_route=document["chosen_route"],
        answers=tuple(
            ScreeningAnswer(a["question"], a["text"], a["answer"], a["label"], a["flags_risk"])
            for a in document["answers"]
        ),
        reasons=tuple(document["reasons"]),
        screened_by=document.get("screened_by"),
        screened_at=document.get("screened_at"),
        questions=tuple(document.get("questions") or ()),
        full_required_by=full.get("by"),
        full_required_reason=full.get("reason") or "",
        full_required_at=full.get("at"),
    )


# --- import ------------------------------------------------------------------------------------


def _answer_map(document: dict[str, Any]) -> dict[str, str]:
    return {a["question"]: a["answer"] for a in document["answers"]}


def import_texts(doc: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """Free text of the screening, with its limit, for the importer's text checks."""
    screening = doc.get("screening")
    if screening and screening.get("full_required"):
        yield "screening.full_required.reason", screening["full_required"]["reason"] or "", texts.NOTE


def import_problems(doc: dict[str, Any], fw: Framework) -> list[str]:
    """The screening checked as the services would check it."""
    screening = doc.get("screening")
    if screening is None:
        return []
    answers = _answer_map(screening)
    problems = [
        f"screening.answers: {question or 'screening'}: {message}"
        for question, message in screening_problems(fw, answers).items()
    ]
    if problems:
        return problems
    if problem := route_problem(recommend(fw, answers), screening["chosen_route"]):
        problems.append(f"screening.chosen_route: {problem}")
    full = screening.get("full_required")
    if full and not (full.get("reason") or "").strip():
        problems.append("screening.full_required.reason: say why the full appraisal was required")
    return problems


def import_screening(doc: dict[str, Any], appraisal: Appraisal, user: User) -> None:
    """The screening as the lead chose it (before the answers, so the route applies to them)."""
    if screening := doc.get("screening"):
        save_screening(
            appraisal=appraisal, user=user, answers=_answer_map(screening), route=screening["chosen_route"]
        )


def import_full_required(doc: dict[str, Any], appraisal: Appraisal, user: User) -> None:
    """An approver's requirement of the full route, last, as it came after the lead's choice."""
    screening = doc.get("screening")
    full = screening.get("full_required") if screening else None
    if full and appraisal.route == "light":
        require_full_route(appraisal=appraisal, user=user, reason=full["reason"])


def public_screening(part: ScreeningPart | None) -> ScreeningPart | None:
    """The public version leaves out people's names, as it does everywhere else."""
    return None if part is None else replace(part, screened_by=None, full_required_by=None)


# --- Word --------------------------------------------------------------------------------------


def docx_part(doc: Any, part: ScreeningPart) -> None:
    """The screening and route in the Word record (python-docx `Document`)."""
    doc.add_heading(TITLE, level=1)
    route = ROUTE_LABELS.get(part.route, part.route)
    if part.questions:
        route += ": questions " + ", ".join(part.questions)
    for label, value in (
        ("Route followed", route),
        ("Route the screening recommended", part.recommended_label),
        ("Route the lead chose", part.chosen_label),
        ("Screened by", part.screened_by or ""),
    ):
        if value:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    doc.add_heading("Why", level=2)
    for reason in part.reasons:
        doc.add_paragraph(reason, style="List Bullet")
    if part.full_required:
        doc.add_heading("The full appraisal was required", level=2)
        by = f"Required by {part.full_required_by}. " if part.full_required_by else ""
        doc.add_paragraph(by + part.full_required_reason)
    doc.add_heading("Screening answers", level=2)
    for a in part.answers:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{a.text} ").bold = True
        paragraph.add_run(a.label + (" (points to a risk)" if a.flags_risk else ""))
