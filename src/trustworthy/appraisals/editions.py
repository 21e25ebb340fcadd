"""Moving a draft appraisal to its organisation's newer framework edition.

An appraisal keeps the edition it was started on. While it is being written (draft, or
changes requested) its lead may move it to the edition the organisation now uses for new
appraisals: an explicit step that first shows what changes (questions added, removed or
reworded, and the answers that will no longer count), then moves on confirmation. Answers
to questions the new edition does not ask are kept, not deleted: they stop counting (the
record, completeness and decision logic read the appraisal's edition), and moving back
would count them again. The one audit event lists every change.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustworthy.framework import Framework, default_framework
from trustworthy.framework.model import Question
from trustworthy.organisations.models import Organisation, User

from .frameworks import current_framework, framework_for
from .models import Answer, Appraisal
from .policy import Change, changing
from .services import ServiceError

__all__ = ["EditionChanges", "edition_changes", "move_to_edition", "newer_edition"]


@dataclass(frozen=True)
class EditionChanges:
    current: Framework
    target: Framework
    added: tuple[Question, ...]
    removed: tuple[Question, ...]
    reworded: tuple[tuple[Question, Question], ...]  # (as now, as it will read)
    not_counted: tuple[Question, ...]  # answered here, not asked (or not the same kind) there

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.reworded)

    def as_dict(self) -> dict[str, list[str]]:
        """For the audit event: question ids only."""
        return {
            "added": [q.id for q in self.added],
            "removed": [q.id for q in self.removed],
            "reworded": [new.id for _, new in self.reworded],
            "answers_not_counted": [q.id for q in self.not_counted],
        }


def _chosen_for(appraisal: Appraisal) -> Framework:
    """The edition the appraisal's organisation now chooses: read with the appraisal on its
    pages (`selectors.appraisal_in`), so the task list pays no query of its own for it."""
    organisation = appraisal.organisation
    if Organisation.chosen_edition.is_cached(organisation):
        chosen = getattr(organisation, "chosen_edition", None)
        return framework_for(chosen.framework_id, chosen.version) if chosen else default_framework()
    return current_framework(appraisal.organisation_id)


def newer_edition(appraisal: Appraisal) -> Framework | None:
    """The edition the appraisal's organisation now starts appraisals on, when it differs."""
    target = _chosen_for(appraisal)
    if target.key == appraisal.framework_key or appraisal.stage not in {s.id for s in target.stages}:
        return None
    return target


def edition_changes(appraisal: Appraisal, target: Framework) -> EditionChanges:
    current = appraisal.edition
    before = {q.id: q for q in current.questions()}
    after = {q.id: q for q in target.questions()}
    answered = set(
        Answer.objects.filter(appraisal=appraisal)
        .exclude(value="", rationale="")
        .values_list("question_id", flat=True)
    )
    reworded = tuple(
        (q, after[q.id])
        for q in before.values()
        if q.id in after
        and (q.text, q.guidance, q.kind) != (after[q.id].text, after[q.id].guidance, after[q.id].kind)
    )
    return EditionChanges(
        current=current,
        target=target,
        added=tuple(q for q in after.values() if q.id not in before),
        removed=tuple(q for q in before.values() if q.id not in after),
        reworded=reworded,
        not_counted=tuple(
            q
            for q in before.values()
            if q.id in answered and (q.id not in after or after[q.id].kind != q.kind)
        ),
    )


def move_to_edition(*, appraisal: Appraisal, target_key: str, user: User) -> EditionChanges:
    """Move a draft to the organisation's current edition; `target_key` is the edition the
    person was shown (refused if the organisation has chosen another since)."""
    with changing(appraisal, Change.MOVE_EDITION, actor=user) as change:
        locked = change.appraisal
        target = newer_edition(locked)
        if target is None or target.key != target_key:
            raise ServiceError(
                "The edition to move to has changed. Check what changes now and confirm again."
            )
        changes = edition_changes(locked, target)
        before = locked.framework_key
        locked.framework_id, locked.framework_version = target.id, target.version
        locked.save(update_fields=["framework_id", "framework_version", "updated_at"])
        change.record(
            "appraisal.edition-moved",
            target=target.key,
            before={"framework": before},
            after={"framework": target.key, **changes.as_dict()},
        )
    appraisal.framework_id, appraisal.framework_version = target.id, target.version
    return changes


def move_offer(appraisal: Appraisal, role: str | None) -> Framework | None:
    """The newer edition to offer on the task list, to whoever may move the appraisal now."""
    from . import policy

    if not policy.may(role, appraisal.status, Change.MOVE_EDITION):
        return None
    return newer_edition(appraisal)
