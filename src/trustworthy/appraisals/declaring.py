"""Writes for declared interests (the rules: appraisals/interests.py and policy.py).

A reviewer or an approver declares, once for each appraisal, that they have no interest in
it or what their interest is; they can change what they declared while the appraisal is
open. An admin can require a different approver where an approver declared an interest.
Each is one change through the appraisal's gate, with its one audit event.
"""

from __future__ import annotations

from typing import Any

from trustworthy.core.errors import NotPermitted
from trustworthy.organisations.changes import acting_as_operator, role_in
from trustworthy.organisations.models import User
from trustworthy.organisations.permissions import Action, role_may

from .models import Appraisal, InterestDeclaration
from .policy import Change, changing
from .services import ServiceError


def _values(found: InterestDeclaration | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "person": found.person_id,
        "name": found.person_name,
        "role": found.role,
        "has_interest": found.has_interest,
        "interest": found.interest,
        "stand_aside": found.stand_aside,
        "stand_aside_reason": found.stand_aside_reason,
    }


def declare_interests(
    *, appraisal: Appraisal, user: User, has_interest: bool, interest: str = "", person: User | None = None
) -> InterestDeclaration:
    """Record what this reviewer or approver declares about their interests in the appraisal.

    `person`: whose declaration it is, when not `user`'s own: only an operator's import brings
    back another's, and the audit names `user`, who ran it, as the actor."""
    person = person or user
    if person.pk != user.pk and not acting_as_operator():
        raise NotPermitted("You can only declare your own interests.")
    if has_interest and not interest.strip():
        error = ServiceError("Say what your interest is.")
        error.field = "interest"
        raise error
    with changing(appraisal, Change.INTEREST, actor=user) as change:
        found = (
            InterestDeclaration.objects.select_for_update().filter(appraisal=appraisal, person=person).first()
        )
        before = _values(found)
        record = found or InterestDeclaration(appraisal=change.appraisal, person=person)
        record.person_name = person.full_name or person.email
        record.role = role_in(person, appraisal.organisation_id) or ""
        record.has_interest = has_interest
        record.interest = interest.strip() if has_interest else ""
        # An admin's requirement of a different approver stands, whatever is declared after it.
        record.save()
        change.record("interest.declared", target=f"person:{person.pk}", before=before, after=_values(record))
    return record


def require_other_approver(*, declaration: InterestDeclaration, user: User, reason: str = "") -> None:
    """An admin requires a different approver: the approver who declared this interest may no
    longer decide the appraisal (policy.py refuses them)."""
    with changing(declaration.appraisal, Change.OTHER_APPROVER, actor=user) as change:
        current = InterestDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if not current.has_interest:
            raise ServiceError("This person declared no interest.")
        if not role_may(role_in(current.person, current.appraisal.organisation_id), Action.DECIDE):
            raise ServiceError("Only an approver can be asked to stand aside from deciding.")
        if current.stand_aside:
            raise ServiceError("A different approver is already required.")
        before = _values(current)
        current.stand_aside, current.stand_aside_reason = True, reason.strip()
        current.save(update_fields=["stand_aside", "stand_aside_reason"])
        change.record(
            "interest.other-approver-required",
            target=f"person:{current.person_id}",
            before=before,
            after=_values(current),
            reason=reason.strip(),
        )
    declaration.stand_aside, declaration.stand_aside_reason = current.stand_aside, current.stand_aside_reason


def import_declarations(*, appraisal: Appraisal, items: list[dict[str, Any]], user: User) -> None:
    """Bring the declarations of an imported record back (`items`: its `interests`): each is
    the declaration of the member of the organisation of that name, in the order given. A
    declaration by someone who is not a member here is left out: nobody here made it. Each
    write is audited as made by `user`, who runs the import, as every write of an import is."""
    members = {
        m.full_name: m for m in User.objects.filter(memberships__organisation_id=appraisal.organisation_id)
    }
    for item in items:
        person = members.get(item.get("person") or "")
        if person is None:
            continue
        found = declare_interests(
            appraisal=appraisal,
            user=user,
            person=person,
            has_interest=item["has_interest"],
            interest=item["interest"],
        )
        if item.get("other_approver_required"):
            require_other_approver(declaration=found, user=user, reason=item.get("other_approver_reason", ""))
