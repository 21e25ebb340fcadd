"""`trustworthy audit verify`: does what the database holds match what was recorded and signed?

Checked, in order, naming the first thing that does not hold in each place:
1. every organisation's chain of events, sealed, unbroken, ending at its recorded head;
2. events that name an appraisal that no longer exists (an approved one deleted outright);
3. every appraisal's own chain, ending at the head and count kept on the appraisal;
4. the status, and the attributed status changes, against the status events in the trail
   (an approved appraisal set back to draft, a status change rewritten);
5. every appraisal the trail says was approved: still approved, by the same person, with
   the signed content kept at approval matching its hash and the record rebuilt now;
6. every publication: the stored public document matches the hash the trail recorded, and
   it is live or withdrawn as the trail says.
Organisation-level state (members, commitments...) is checked by the checks registered in
`organisation_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import signed_content
from trustworthy.core.audit import (
    AuditProblem,
    digest,
    verify_appraisal_chain,
    verify_organisation_chains,
)
from trustworthy.core.models import AuditEvent
from trustworthy.reviews.models import StatusChange

from .models import Publication

# Further checks of organisation-level state, each returning the problems it finds.
organisation_checks: list[Callable[[], list[AuditProblem]]] = []

PUBLISH_ACTIONS = ("record.published", "record.republished")


def first_difference(signed: Any, now: Any, path: str = "") -> str | None:
    """The first place (as a dotted path) where two JSON values differ, or None."""
    if isinstance(signed, dict) and isinstance(now, dict):
        for key in sorted(set(signed) | set(now), key=str):
            if key not in now:
                return f"{path}{key} (removed)"
            if key not in signed:
                return f"{path}{key} (added)"
            found = first_difference(signed[key], now[key], f"{path}{key}.")
            if found:
                return found
        return None
    if isinstance(signed, list) and isinstance(now, list):
        for index, (a, b) in enumerate(zip(signed, now, strict=False)):
            found = first_difference(a, b, f"{path}{index}.")
            if found:
                return found
        if len(signed) != len(now):
            return f"{path.rstrip('.')} ({len(signed)} items signed, {len(now)} now)"
        return None
    return None if signed == now else path.rstrip(".") or "the whole record"


def _status_of(after: Any) -> str | None:
    return after.get("status") if isinstance(after, dict) else after


def _check_status(appraisal: Appraisal, events: list[AuditEvent]) -> AuditProblem | None:
    scope = f"appraisal {appraisal.pk}"
    status_events = [e for e in events if e.action == "status.changed"]
    trail_status = _status_of(status_events[-1].after) if status_events else "draft"
    if appraisal.status != trail_status:
        return AuditProblem(
            scope,
            "its status",
            f"it is {appraisal.status!r} but the trail last moved it to {trail_status!r}",
        )
    recorded = [(_status_of(e.before), _status_of(e.after), e.actor_id, e.reason) for e in status_events]
    changes = [
        (c.from_status, c.to_status, c.by_id, c.reason)
        for c in StatusChange.objects.filter(appraisal=appraisal).order_by("at", "id")
    ]
    if changes != recorded:
        number = next(
            (i for i, (a, b) in enumerate(zip(changes, recorded, strict=False), 1) if a != b),
            min(len(changes), len(recorded)) + 1,
        )
        return AuditProblem(
            scope, f"status change {number}", "the history of status changes does not match the trail"
        )
    return None


def _check_signature(appraisal: Appraisal, events: list[AuditEvent]) -> AuditProblem | None:
    scope = f"appraisal {appraisal.pk}"
    approvals = [e for e in events if e.action == "status.changed" and _status_of(e.after) == "approved"]
    if not approvals:
        return None
    approval = approvals[-1]
    signed_hash = approval.after.get("record_hash") if isinstance(approval.after, dict) else None
    where = "the approved decision record"
    if signed_hash is None:  # approved before records were signed this way
        signed_hash = appraisal.record_hash
    if appraisal.record_hash != signed_hash or appraisal.approved_audit_head != approval.hash:
        return AuditProblem(scope, where, "its signature is not the one recorded in the trail at approval")
    if appraisal.approved_by_id != approval.actor_id:
        return AuditProblem(scope, where, "the approver is not the person the trail says signed it")
    if appraisal.signed_content is not None and digest(appraisal.signed_content) != signed_hash:
        return AuditProblem(scope, where, "the copy kept at approval has been changed since it was signed")
    now = signed_content(appraisal)
    if digest(now) != signed_hash:
        changed = (
            first_difference(appraisal.signed_content, now) if appraisal.signed_content is not None else None
        )
        return AuditProblem(
            scope,
            where,
            "it no longer matches what was signed at approval"
            + (f": the first difference is at {changed}" if changed else ""),
        )
    return None


def _check_publications(appraisal: Appraisal, events: list[AuditEvent]) -> Iterator[AuditProblem]:
    scope = f"appraisal {appraisal.pk}"
    published = {
        e.after["publication"]: e.after.get("document")
        for e in events
        if e.action in PUBLISH_ACTIONS and isinstance(e.after, dict)
    }
    withdrawn = {
        e.before["publication"]
        for e in events
        if e.action in ("record.withdrawn", "record.republished") and isinstance(e.before, dict)
    }
    for publication in Publication.objects.filter(appraisal=appraisal).order_by("id"):
        where = f"publication {publication.pk}"
        if publication.pk not in published:
            yield AuditProblem(scope, where, "it is not in the trail: it was published behind the service")
        elif digest(publication.document) != published[publication.pk] or (
            publication.document_hash != published[publication.pk]
        ):
            yield AuditProblem(scope, where, "the public document is not the one that was published")
        elif (publication.pk in withdrawn) != (not publication.is_live):
            state = "withdrawn" if publication.pk in withdrawn else "live"
            yield AuditProblem(scope, where, f"the trail says it is {state}, the register says otherwise")
    missing = set(published) - set(
        Publication.objects.filter(appraisal=appraisal).values_list("pk", flat=True)
    )
    for pk in sorted(missing):
        yield AuditProblem(scope, f"publication {pk}", "it is in the trail but has been deleted")


def verify_everything() -> list[AuditProblem]:
    problems = verify_organisation_chains()
    appraisals = {a.pk: a for a in Appraisal.objects.order_by("pk")}
    named = AuditEvent.objects.filter(appraisal_id__isnull=False).values_list("appraisal_id", flat=True)
    for appraisal_id in sorted(set(named) - set(appraisals)):
        problems.append(
            AuditProblem(
                f"appraisal {appraisal_id}",
                "the appraisal",
                "it has been deleted, but its events are still in the trail",
            )
        )
    for appraisal in appraisals.values():
        problem = verify_appraisal_chain(appraisal.pk, head=appraisal.audit_head, count=appraisal.audit_count)
        if problem is None:
            events = list(AuditEvent.objects.filter(appraisal=appraisal).order_by("sequence"))
            problem = _check_status(appraisal, events) or _check_signature(appraisal, events)
            problems.extend(_check_publications(appraisal, events))
        if problem:
            problems.append(problem)
    for check in organisation_checks:
        problems.extend(check())
    return problems
