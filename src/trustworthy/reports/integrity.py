"""`trustworthy audit verify`: does what the database holds match what was recorded and signed?

Checked, in order, naming the first thing that does not hold in each place:
1. every organisation's chain of events, sealed, unbroken, ending at its recorded head;
2. events that name an appraisal that no longer exists (an approved one deleted outright);
3. every appraisal's own chain, ending at the head and count kept on the appraisal;
4. the status, and the attributed status changes, against the status events in the trail
   (an approved appraisal set back to draft, a status change rewritten);
5. every appraisal the trail says was approved: still approved, by the same person, with
   the signed content kept at approval matching its hash and the record rebuilt now;
6. what the record does not sign but the trail records: what is kept out of the public
   version (chosen after approval too), and what people told us (each response's words,
   group and way of gathering, the questions and themes it is linked to, and each theme);
7. every publication: the stored public document matches the hash the trail recorded, it
   is live or withdrawn as the trail says, on its organisation's register, published and
   withdrawn by the people, at the moments and for the reason the trail records.
Organisation-level state (members, commitments...) is checked by the checks registered in
`organisation_checks`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from trustworthy.appraisals.models import Appraisal
from trustworthy.core.audit import (
    AuditProblem,
    digest,
    verify_appraisal_chain,
    verify_organisation_chains,
)
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.integrity import verify_organisation_state
from trustworthy.reviews.models import StatusChange
from trustworthy.voices.models import Response, Theme
from trustworthy.voices.services import answers_digest

from .models import Publication, RecordSettings
from .signing import signed_content

# Further checks of organisation-level state, each returning the problems it finds.
organisation_checks: list[Callable[[], list[AuditProblem]]] = [verify_organisation_state]

PUBLISH_ACTIONS = ("record.published", "record.republished")
WITHDRAW_ACTIONS = ("record.withdrawn", "record.republished")
RESPONSE_ACTIONS = ("response.received", "response.entered")
THEME_ACTIONS = ("theme.added", "theme.changed")


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


def _latest(events: list[AuditEvent], actions: tuple[str, ...]) -> dict[str, Any]:
    """What the newest event of these kinds recorded, by target."""
    return {e.target: e.after for e in events if e.action in actions and isinstance(e.after, dict)}


def _check_exclusions(appraisal: Appraisal, events: list[AuditEvent]) -> AuditProblem | None:
    recorded = [e.after for e in events if e.action == "publication.exclusions"]
    settings = RecordSettings.objects.filter(appraisal=appraisal).first()
    kept = settings.not_for_publication if settings else []
    if sorted(kept) != sorted(recorded[-1] if recorded else []):
        return AuditProblem(
            f"appraisal {appraisal.pk}",
            "what is kept out of the public version",
            "it is not what the trail last recorded",
        )
    return None


def _check_voices(appraisal: Appraisal, events: list[AuditEvent]) -> AuditProblem | None:
    scope = f"appraisal {appraisal.pk}"
    received = _latest(events, RESPONSE_ACTIONS)
    linked = _latest(events, ("response.linked",))
    themes = _latest(events, THEME_ACTIONS)
    responses = Response.objects.filter(appraisal=appraisal).prefetch_related("themes").order_by("pk")
    for response in responses:
        target, where = f"response:{response.pk}", f"response {response.pk}"
        said = received.get(target)
        if said is None:
            return AuditProblem(scope, where, "it is not in the trail: it was added behind the service")
        if [said.get("group"), said.get("source"), said.get("answers_sha256")] != [
            response.group,
            response.source,
            answers_digest(response),
        ]:
            return AuditProblem(scope, where, "what it says is not what was received")
        links = linked.get(target, {"question_ids": [], "theme_ids": []})
        now = [list(response.question_ids), sorted(t.pk for t in response.themes.all())]
        if now != [links.get("question_ids"), links.get("theme_ids")]:
            return AuditProblem(
                scope, where, "it is not linked to the questions and themes the trail records"
            )
    kept = Theme.objects.filter(appraisal=appraisal).order_by("pk")
    for theme in kept:
        recorded = themes.get(f"theme:{theme.pk}")
        now_theme = {
            "name": theme.name,
            "description": theme.description,
            "question_ids": list(theme.question_ids),
            "decision_note": theme.decision_note,
        }
        if recorded != now_theme:
            return AuditProblem(
                scope,
                f"theme {theme.pk}",
                "it is not in the trail: it was added behind the service"
                if recorded is None
                else "it is not what the trail last recorded",
            )
    gone = (set(received) - {f"response:{r.pk}" for r in responses}) | (
        set(themes) - {f"theme:{t.pk}" for t in kept}
    )
    if gone:
        return AuditProblem(scope, min(gone).replace(":", " "), "it is in the trail but has been deleted")
    return None


def _moment(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _check_publications(appraisal: Appraisal, events: list[AuditEvent]) -> Iterator[AuditProblem]:
    scope = f"appraisal {appraisal.pk}"
    publishing = {
        e.after["publication"]: e for e in events if e.action in PUBLISH_ACTIONS and isinstance(e.after, dict)
    }
    published = {pk: e.after.get("document") for pk, e in publishing.items()}
    withdrawing = {
        e.before["publication"]: e
        for e in events
        if e.action in WITHDRAW_ACTIONS and isinstance(e.before, dict)
    }
    withdrawn = set(withdrawing)
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
        elif (
            publication.organisation_id != appraisal.organisation_id
            or publication.published_by_id != publishing[publication.pk].actor_id
            or _moment(publication.published_at) != publishing[publication.pk].after.get("published_at")
        ):
            yield AuditProblem(
                scope, where, "who published it, when, or on whose register, is not what the trail says"
            )
        elif publication.pk in withdrawing and (
            (publication.withdrawn_by_id, publication.withdrawn_reason)
            != (withdrawing[publication.pk].actor_id, withdrawing[publication.pk].reason)
            or _moment(publication.withdrawn_at) != withdrawing[publication.pk].before.get("withdrawn_at")
        ):
            yield AuditProblem(scope, where, "who withdrew it, when, or why, is not what the trail says")
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
            problem = (
                _check_status(appraisal, events)
                or _check_signature(appraisal, events)
                or _check_exclusions(appraisal, events)
                or _check_voices(appraisal, events)
            )
            problems.extend(_check_publications(appraisal, events))
        if problem:
            problems.append(problem)
    for check in organisation_checks:
        problems.extend(check())
    return problems
