"""Write and verify the audit trail.

`record` is called inside every service that changes an appraisal, in the same
transaction, so a change and its audit event are saved together or not at all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .models import AuditEvent

GENESIS = ""


def canonical_json(value: Any) -> str:
    """One stable text for a value: sorted keys, no spaces, dates as ISO 8601."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    *,
    appraisal_id: int,
    sequence: int,
    actor_id: int | None,
    at: datetime.datetime,
    action: str,
    target: str,
    before: Any,
    after: Any,
    reason: str,
    prev_hash: str,
) -> str:
    content = {
        "appraisal": appraisal_id,
        "sequence": sequence,
        "actor": actor_id,
        "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": action,
        "target": target,
        "before": before,
        "after": after,
        "reason": reason,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        appraisal_id=event.appraisal_id,
        sequence=event.sequence,
        actor_id=event.actor_id,
        at=event.at,
        action=event.action,
        target=event.target,
        before=event.before,
        after=event.after,
        reason=event.reason,
        prev_hash=event.prev_hash,
    )


def record(
    appraisal: Any,
    *,
    actor: Any,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append an event to the appraisal's chain and move the chain head on."""
    from trustworthy.appraisals.models import Appraisal

    assert transaction.get_connection().in_atomic_block, (
        "audit events are written inside the change's transaction"
    )
    # Lock the appraisal row so concurrent changes append one after another.
    locked = Appraisal.objects.select_for_update().only("id", "audit_head").get(pk=appraisal.pk)
    last = (
        AuditEvent.objects.filter(appraisal_id=appraisal.pk)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    sequence = (last or 0) + 1
    # Round-trip values through JSON so what is hashed is exactly what is stored.
    before = json.loads(canonical_json(before)) if before is not None else None
    after = json.loads(canonical_json(after)) if after is not None else None
    at = datetime.datetime.now(tz=datetime.UTC)
    actor_id = getattr(actor, "pk", None)
    prev_hash = locked.audit_head or GENESIS
    digest = event_hash(
        appraisal_id=appraisal.pk,
        sequence=sequence,
        actor_id=actor_id,
        at=at,
        action=action,
        target=target,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
    )
    event = AuditEvent.objects.create(
        appraisal_id=appraisal.pk,
        sequence=sequence,
        actor_id=actor_id,
        actor_name=str(actor or ""),
        at=at,
        action=action,
        target=target,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
        hash=digest,
    )
    Appraisal.objects.filter(pk=appraisal.pk).update(audit_head=digest)
    appraisal.audit_head = digest
    return event


@dataclass(frozen=True)
class AuditProblem:
    appraisal_id: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"appraisal {self.appraisal_id}, {self.where}: {self.message}"


def verify_chain(appraisal_id: int, head: str, events: Iterable[AuditEvent]) -> AuditProblem | None:
    """The first place where the chain of one appraisal does not hold, or None."""
    expected_prev = GENESIS
    expected_sequence = 1
    for event in events:
        where = f"event {event.sequence} ({event.action} {event.target})".rstrip()
        if event.sequence != expected_sequence:
            return AuditProblem(
                appraisal_id,
                where,
                f"expected event {expected_sequence} here: events are missing, added or out of order",
            )
        if event.prev_hash != expected_prev:
            return AuditProblem(appraisal_id, where, "does not follow on from the event before it")
        if _hash_of(event) != event.hash:
            return AuditProblem(
                appraisal_id, where, "its content does not match its hash: it has been changed"
            )
        expected_prev = event.hash
        expected_sequence += 1
    if head != expected_prev:
        return AuditProblem(
            appraisal_id,
            "the end of the trail",
            "the newest event does not match the appraisal's record of it: events have been removed or added",
        )
    return None


def verify_all(record_hash_of: Callable[[Any], str]) -> list[AuditProblem]:
    """Check every appraisal's chain, and every approved record against its stored hash."""
    from trustworthy.appraisals.models import Appraisal

    problems: list[AuditProblem] = []
    for appraisal in Appraisal.objects.order_by("pk").iterator():
        events = AuditEvent.objects.filter(appraisal_id=appraisal.pk).order_by("sequence", "pk")
        problem = verify_chain(appraisal.pk, appraisal.audit_head, events.iterator())
        if problem:
            problems.append(problem)
            continue
        if appraisal.status == "approved":
            if record_hash_of(appraisal) != appraisal.record_hash:
                problems.append(
                    AuditProblem(
                        appraisal.pk,
                        "the approved decision record",
                        "it no longer matches the hash stored when it was approved",
                    )
                )
            elif not events.filter(hash=appraisal.approved_audit_head).exists():
                problems.append(
                    AuditProblem(
                        appraisal.pk,
                        "the approved decision record",
                        "the audit trail it was signed against is not in the chain",
                    )
                )
    return problems
