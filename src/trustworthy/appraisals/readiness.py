"""Readiness for innovation: "an honest assessment of whether the right resources, culture,
permissions and capabilities are in place to undertake innovation in ways that are ethical"
(Hampson, Goldsmith and Lefevre 2021, the key question for local services).

Each appraisal (a project at a stage) assesses every readiness dimension of its edition
(`Framework.readiness_dimensions`) as in place, partly in place or not in place, with what
shows it. The four are saved together, through the gate (`Change.READINESS`, one audit
event), while the appraisal is being written; they are carried forward to the next stage,
to confirm or change, as answers are. A dimension partly or not in place is a gap: the
decision page puts it among what the decision must weigh (`weighing.readiness_gaps`), and
the actions page offers it as an action with an owner (`actions`, source "readiness").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_delete, post_save

from trustworthy.core.text import NOTE, check
from trustworthy.framework import Framework

from .models import Appraisal, ReadinessAssessment, ReadinessStatus
from .policy import Change, changing

if TYPE_CHECKING:
    from trustworthy.organisations.models import User

    from .presenters import TaskGroup
    from .selectors import AppraisalData

IN_PLACE, PARTLY, NOT_IN_PLACE = (
    str(ReadinessStatus.IN_PLACE), str(ReadinessStatus.PARTLY), str(ReadinessStatus.NOT_IN_PLACE),
)  # fmt: skip
# A dimension not fully in place: it goes before the decision, and can become an action.
GAPS = frozenset({PARTLY, NOT_IN_PLACE})
STATUS_LABELS = dict(ReadinessStatus.choices)
TITLE = "Readiness for innovation"


def _error(message: str, field: str | None = None) -> Exception:
    # Imported here: services imports this module to carry the assessment forward.
    from .services import ServiceError

    error = ServiceError(message)
    error.field = field
    return error


def is_gap(status: str) -> bool:
    return status in GAPS


# --- reads ------------------------------------------------------------------------------------


def assessments_of(appraisal: Appraisal) -> dict[str, ReadinessAssessment]:
    """The appraisal's assessment of each dimension, by the dimension's id (one query)."""
    return {a.dimension: a for a in ReadinessAssessment.objects.filter(appraisal=appraisal).order_by("id")}


def assessments(data: AppraisalData) -> dict[str, ReadinessAssessment]:
    """As `assessments_of`, read once for each state of the appraisal (pages share it)."""
    found: dict[str, ReadinessAssessment] = data.once("readiness", lambda: assessments_of(data.appraisal))
    return found


def preload(loaded: Iterable[AppraisalData]) -> None:
    """Read the assessments of many appraisals in one query, for `assessments` to find (the
    records of a whole portfolio signed at once)."""
    by_id = {data.appraisal.pk: data for data in loaded}
    found: dict[int, dict[str, ReadinessAssessment]] = {pk: {} for pk in by_id}
    for a in ReadinessAssessment.objects.filter(appraisal_id__in=list(by_id)).order_by("id"):
        found[a.appraisal_id][a.dimension] = a
    for pk, data in by_id.items():
        data.derived["readiness"] = found[pk]


def version(found: Mapping[str, ReadinessAssessment]) -> int:
    """The version of the assessment as a whole (0 before the first save)."""
    return max((a.lock_version for a in found.values()), default=0)


def values(found: Mapping[str, ReadinessAssessment]) -> dict[str, list[str]]:
    """What the trail keeps: each dimension's status and evidence."""
    return {dimension: [a.status, a.evidence] for dimension, a in sorted(found.items())}


def facts(framework: Framework, found: Mapping[str, ReadinessAssessment]) -> list[dict[str, Any]]:
    """Each dimension assessed, in the edition's order, as the record and the pages show it.
    Empty when nothing has been assessed (an appraisal from before readiness was asked)."""
    return [
        {
            "dimension": d.id,
            "label": d.label,
            "status": a.status,
            "status_label": STATUS_LABELS.get(a.status, a.status),
            "evidence": a.evidence,
            "carried_forward": a.carried_forward,
        }
        for d in framework.readiness_dimensions
        if (a := found.get(d.id)) is not None
    ]


# --- writes -----------------------------------------------------------------------------------


def save_readiness(
    *,
    appraisal: Appraisal,
    user: User,
    entries: Mapping[str, tuple[str, str]],
    expected_version: int | None = None,
) -> None:
    """Assess every readiness dimension of the appraisal's edition at once: `entries` maps
    each dimension's id to (status, evidence). Saving confirms what was carried forward.

    `expected_version` is the version the person started from: if someone else saved in
    between, ConflictError carries what they saved."""
    framework = appraisal.edition
    dimensions = framework.readiness_dimensions
    if set(entries) != {d.id for d in dimensions}:
        raise _error("Assess every dimension of readiness.")
    cleaned: dict[str, tuple[str, str]] = {}
    for d in dimensions:
        status, evidence = entries[d.id]
        if status not in STATUS_LABELS:
            raise _error(f"Select in place, partly or not in place for {d.label.lower()}", f"status_{d.id}")
        evidence = check(evidence.strip(), NOTE, field=f"evidence_{d.id}")
        if not evidence:
            raise _error(f"Enter the evidence for {d.label.lower()}", f"evidence_{d.id}")
        cleaned[d.id] = (status, evidence)
    with changing(appraisal, Change.READINESS, actor=user) as change:
        existing = {
            a.dimension: a
            for a in ReadinessAssessment.objects.select_for_update().filter(appraisal=appraisal)
        }
        current = version(existing)
        from .services import _check_version

        _check_version(current, expected_version, values(existing))
        for dimension, (status, evidence) in cleaned.items():
            ReadinessAssessment.objects.update_or_create(
                appraisal=appraisal,
                dimension=dimension,
                defaults={
                    "status": status,
                    "evidence": evidence,
                    "carried_forward": False,
                    "lock_version": current + 1,
                    "updated_by": user,
                },
            )
        after = {dimension: [status, evidence] for dimension, (status, evidence) in sorted(cleaned.items())}
        change.record("readiness.saved", target="readiness", before=values(existing) or None, after=after)
        from .services import _touch

        _touch(appraisal)


def copy_readiness(source: Appraisal, target: Appraisal, *, carried_forward: bool) -> None:
    """Inside the change that starts `target`: copy the assessment of `source` (for the next
    stage, marked carried forward to confirm or change; for a new version, as it stands).
    Only the dimensions the target's edition has are copied."""
    dimensions = {d.id for d in target.edition.readiness_dimensions}
    ReadinessAssessment.objects.bulk_create(
        ReadinessAssessment(
            appraisal=target,
            dimension=a.dimension,
            status=a.status,
            evidence=a.evidence,
            carried_forward=carried_forward,
            lock_version=1,
            updated_by_id=a.updated_by_id,
        )
        for a in ReadinessAssessment.objects.filter(appraisal=source).order_by("id")
        if a.dimension in dimensions
    )


# --- the task list ----------------------------------------------------------------------------


def task_status(framework: Framework, found: Mapping[str, ReadinessAssessment]) -> str:
    """Not started, carried forward to confirm, in progress or completed."""
    if not found:
        return "not-started"
    if any(a.carried_forward for a in found.values()):
        return "to-confirm"
    if all(d.id in found for d in framework.readiness_dimensions):
        return "completed"
    return "in-progress"


def gaps_hint(framework: Framework, found: Mapping[str, ReadinessAssessment]) -> str:
    """The gaps in a few words: "Gaps: culture (partly in place), resources (not in place)"."""
    gaps = [
        f"{d.label.lower()} ({STATUS_LABELS[a.status].lower()})"
        for d in framework.readiness_dimensions
        if (a := found.get(d.id)) is not None and is_gap(a.status)
    ]
    if not found:
        return ""
    return "Gaps: " + ", ".join(gaps) if gaps else "Every dimension is in place"


def task_group(data: AppraisalData) -> TaskGroup:
    """The task list's group: one task, assessing readiness, with its gaps as a hint."""
    from trustworthy.core.urls import reverse

    from .presenters import Task, TaskGroup  # (presenters imports this module)

    found = assessments(data)
    status: Any = task_status(data.framework, found)
    url = reverse("appraisal-readiness", args=[data.appraisal.pk])
    task = Task("readiness", "Assess readiness for innovation", url, status, gaps_hint(data.framework, found))
    return TaskGroup(TITLE, (task,))


# Pages keep an appraisal's content between requests (selectors.page_data); a change saved
# without the gate (a test, a shell) must drop it too, as for answers.
def _forget(sender: type[ReadinessAssessment], instance: ReadinessAssessment, **kwargs: Any) -> None:
    from .selectors import forget_page_data

    forget_page_data(instance.appraisal_id)


post_save.connect(_forget, sender=ReadinessAssessment, dispatch_uid="page-data-readiness")
post_delete.connect(_forget, sender=ReadinessAssessment, dispatch_uid="page-data-del-readiness")
