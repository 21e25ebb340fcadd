"""A readable comparison of two versions of an appraisal: answers, registers, ratings, decision."""

from __future__ import annotations

from dataclasses import dataclass

from trustworthy.appraisals.presenters import row_summary
from trustworthy.appraisals.selectors import AppraisalData


@dataclass(frozen=True)
class Change:
    part: str
    kind: str  # "changed", "added" or "removed"
    before: str
    after: str


def _answer_text(data: AppraisalData, key: str) -> str:
    answer = data.answers.get(key)
    if answer is None:
        return ""
    label = next((a.label for a in data.framework.answer_scale if a.id == answer.value), "")
    return f"{label}: {answer.rationale}" if label else answer.rationale


def _row_text(data: AppraisalData, register: str, values: dict[str, object]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in row_summary(data, register, values))


def compare(old: AppraisalData, new: AppraisalData) -> list[Change]:
    changes: list[Change] = []
    for answer_key in sorted(set(old.answers) | set(new.answers)):
        before, after = _answer_text(old, answer_key), _answer_text(new, answer_key)
        if before != after:
            kind = "added" if not before else "removed" if not after else "changed"
            changes.append(Change(answer_key, kind, before, after))
    for register in new.framework.registers:
        old_rows = [_row_text(old, register.id, r.data) for r in old.rows.get(register.id, [])]
        new_rows = [_row_text(new, register.id, r.data) for r in new.rows.get(register.id, [])]
        for text in old_rows:
            if text not in new_rows:
                changes.append(Change(register.name, "removed", text, ""))
        for text in new_rows:
            if text not in old_rows:
                changes.append(Change(register.name, "added", "", text))
    for key in sorted(set(old.ratings) | set(new.ratings)):
        before_r, after_r = old.ratings.get(key), new.ratings.get(key)
        before = (
            f"{old.framework.label('principle_ratings', before_r.rating)} {before_r.note}".strip()
            if before_r
            else ""
        )
        after = (
            f"{new.framework.label('principle_ratings', after_r.rating)} {after_r.note}".strip()
            if after_r
            else ""
        )
        if before != after:
            name = next(p.name for p in new.framework.principles if p.id == key[1])
            changes.append(Change(f"{name} ({key[0]})", "changed", before, after))
    for stakeholder in sorted(set(old.participation) | set(new.participation)):
        b, a = old.participation.get(stakeholder), new.participation.get(stakeholder)
        before = f"{old.framework.label('participation_modes', b.mode)}: {b.summary}" if b else ""
        after = f"{new.framework.label('participation_modes', a.mode)}: {a.summary}" if a else ""
        if before != after:
            changes.append(Change(f"Participation: {stakeholder}", "changed", before, after))
    before = (
        f"{old.framework.label('decisions', old.decision.decision)}: {old.decision.reasoning}"
        if old.decision
        else ""
    )
    after = (
        f"{new.framework.label('decisions', new.decision.decision)}: {new.decision.reasoning}"
        if new.decision
        else ""
    )
    if before != after:
        changes.append(
            Change(
                "Decision", "changed" if before and after else "added" if after else "removed", before, after
            )
        )
    return changes
