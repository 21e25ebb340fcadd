"""Writes for consultations, responses and themes.

Each runs inside the one change gate (`appraisals.policy.changing`, or for the safeguarding
line `organisations.changes.changing_organisation`): the appraisal row is locked, the
actor's role and the appraisal's status are checked against the one table, and exactly one
audit event is written. Nothing here decides on its own whether a change is allowed now.
What people wrote and the link's token never go into an audit event: the event holds a
SHA-256 digest of the answers, and only the fact that a link was replaced.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from trustworthy.appraisals import policy
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change, changing
from trustworthy.core.audit import digest
from trustworthy.core.errors import Invalid
from trustworthy.framework import Framework
from trustworthy.organisations.changes import NotPermitted, changing_organisation, role_in
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.permissions import Action

from . import ratelimit
from .models import Consultation, Response, Source, Theme
from .tokens import hash_token, new_token

# Size limits, enforced here and shown on the forms.
MAX_ANSWER_CHARS = 2000
MAX_DESCRIPTION_CHARS = 1500
MAX_CONSULTATION_DAYS = 180

# Per-link rate limit, as a token bucket: a burst of BURST submissions at once, refilled
# at REFILL_PER_MINUTE. It is the backstop behind each sender's own, much smaller, bucket
# (ratelimit.py, ADR 0007), which stops a script from one address long before it could
# empty this one: only many senders at once reach it. A link shared with a whole school or
# a room full of people at an event stays usable (the bench sends 200 a minute for two
# minutes without a refusal).
BURST = 600
REFILL_PER_MINUTE = 1200


class ServiceError(Invalid):
    """A write was refused; the message is written for the person who asked for it."""


class RateLimited(ServiceError):
    """Too many submissions through one link, or from one sender, just now."""


BUSY = gettext_noop("Lots of people are answering right now. Wait a minute, then send it again.")


class ConsultationClosed(ServiceError):
    """The consultation was closed, or passed its closing date, before the answer arrived."""


class _Unchanged(Exception):
    """Raised inside a gate when, under the lock, there turns out to be nothing to change:
    the transaction rolls back and no event is written."""


@dataclass(frozen=True)
class NewConsultation:
    consultation: Consultation
    token: str  # shown once, to the lead; never stored


def _framework(appraisal: Appraisal) -> Framework:
    return framework_for(appraisal.framework_id, appraisal.framework_version)


def _check_groups(appraisal: Appraisal, groups: Iterable[str]) -> list[str]:
    known = [s.id for s in _framework(appraisal).stakeholders]
    chosen = list(dict.fromkeys(groups))
    if not chosen:
        raise ServiceError("Choose at least one group the consultation is for.")
    if any(g not in known for g in chosen):
        raise ServiceError("Choose groups from the list.")
    return [g for g in known if g in chosen]


def _check_questions(appraisal: Appraisal, question_ids: Iterable[str]) -> list[str]:
    known = [q.id for q in _framework(appraisal).questions()]
    chosen = set(question_ids)
    if chosen - set(known):
        raise ServiceError("Choose questions from the list.")
    return [q for q in known if q in chosen]


def _locked_consultation(consultation_id: int) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation_id)


def _consultation_values(consultation: Consultation) -> dict[str, Any]:
    return {
        "title": consultation.title,
        "description": consultation.description,
        "groups": consultation.groups,
        "expires_at": consultation.expires_at.isoformat(),
    }


def open_consultation(
    *,
    appraisal: Appraisal,
    user: User,
    title: str,
    description: str,
    groups: Sequence[str],
    expires_on: datetime.date,
) -> NewConsultation:
    with changing(appraisal, Change.CONSULTATION, actor=user) as change:
        current = change.appraisal
        title, description = title.strip(), description.strip()
        if not title:
            raise ServiceError("Enter a title.")
        if not description:
            raise ServiceError("Describe the idea in plain words.")
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise ServiceError(f"The description must be {MAX_DESCRIPTION_CHARS} characters or fewer.")
        today = timezone.localdate()
        if expires_on <= today:
            raise ServiceError("The closing date must be in the future.")
        if expires_on > today + datetime.timedelta(days=MAX_CONSULTATION_DAYS):
            raise ServiceError(f"The closing date must be within {MAX_CONSULTATION_DAYS} days.")
        token = new_token()
        # Open until the end of the closing day, UK time.
        end_of_day = datetime.datetime.combine(expires_on, datetime.time(23, 59, 59))
        consultation = Consultation.objects.create(
            organisation_id=current.organisation_id,
            appraisal=current,
            title=title,
            description=description,
            groups=_check_groups(current, groups),
            token_hash=hash_token(token),
            expires_at=timezone.make_aware(end_of_day),
            created_by=user,
            bucket_tokens=BURST,
            bucket_updated_at=timezone.now(),
        )
        change.record(
            "consultation.opened",
            target=f"consultation:{consultation.pk}",
            after=_consultation_values(consultation),
        )
    return NewConsultation(consultation=consultation, token=token)


def close_consultation(*, consultation: Consultation, user: User) -> Consultation:
    """Stop the link taking answers. Closing one that is already closed changes nothing."""
    if Consultation.objects.filter(pk=consultation.pk, closed_at__isnull=False).exists():
        # Nothing to change, but only for someone who could have closed it.
        if not policy.role_allows(role_in(user, consultation.organisation_id), Change.CONSULTATION):
            raise NotPermitted("Your role does not allow this change.")
        consultation.refresh_from_db(fields=["closed_at"])
        return consultation
    try:
        with changing(consultation.appraisal, Change.CONSULTATION, actor=user) as change:
            current = _locked_consultation(consultation.pk)
            if current.closed_at is not None:
                raise _Unchanged  # closed by someone else a moment ago
            current.closed_at = timezone.now()
            current.save(update_fields=["closed_at"])
            change.record(
                "consultation.closed",
                target=f"consultation:{current.pk}",
                before={"closed_at": None},
                after={"closed_at": current.closed_at.isoformat()},
            )
    except _Unchanged:
        pass
    consultation.refresh_from_db(fields=["closed_at"])
    return consultation


def new_link(*, consultation: Consultation, user: User) -> str:
    """Replace the link (for example when the old one was lost); the old one stops working."""
    with changing(consultation.appraisal, Change.CONSULTATION, actor=user) as change:
        current = _locked_consultation(consultation.pk)
        if current.is_closed or current.is_expired:
            raise ServiceError("This consultation is closed.")
        token = new_token()
        current.token_hash = hash_token(token)
        current.save(update_fields=["token_hash"])
        # Only that the link was replaced: never the token, nor its hash.
        change.record(
            "consultation.new-link", target=f"consultation:{current.pk}", after={"link": "replaced"}
        )
    consultation.token_hash = current.token_hash
    return token


def _clean_answers(answers: Mapping[str, str]) -> dict[str, str]:
    cleaned = {f: (answers.get(f) or "").replace("\x00", "").strip() for f in Response.ANSWER_FIELDS}
    if not any(cleaned.values()):
        raise ServiceError("Write something in at least one box.")
    if any(len(v) > MAX_ANSWER_CHARS for v in cleaned.values()):
        raise ServiceError(f"Each answer must be {MAX_ANSWER_CHARS} characters or fewer.")
    return cleaned


def answers_digest(response: Response) -> str:
    """SHA-256 of what the person wrote: the audit trail can show it is unchanged without
    holding the words themselves."""
    return digest({f: getattr(response, f) for f in Response.ANSWER_FIELDS})


def _response_values(response: Response) -> dict[str, Any]:
    return {
        "id": response.pk,
        "consultation": response.consultation_id,
        "group": response.group,
        "source": response.source,
        "gathered_on": response.gathered_on.isoformat() if response.gathered_on else None,
        "answers_sha256": answers_digest(response),
    }


def _take_from_bucket(consultation: Consultation) -> None:
    now = timezone.now()
    last = consultation.bucket_updated_at or now
    elapsed = max(0.0, (now - last).total_seconds())
    tokens = min(float(BURST), consultation.bucket_tokens + elapsed * REFILL_PER_MINUTE / 60)
    if tokens < 1:
        raise RateLimited(BUSY)
    consultation.bucket_tokens = tokens - 1
    consultation.bucket_updated_at = now
    consultation.save(update_fields=["bucket_tokens", "bucket_updated_at"])


def submit_online(
    *, consultation_id: int, group: str, answers: Mapping[str, str], sender: str | None = None
) -> Response:
    """A response through the link. Nothing about the person or their device is kept.

    `sender` is the sender's key for this link (`ratelimit.client_key`, a 24-bit keyed
    hash): their own share of the rate limit is taken first, so one address sending too
    much is refused (RateLimited) without using up the link's budget for everyone else.
    Refused with LockedError once the appraisal is no longer taking responses (in review,
    approved or withdrawn), and with ConsultationClosed once the link itself has closed.
    """
    if sender is not None:
        try:
            ratelimit.take(consultation_id, sender)
        except ratelimit.ClientLimited:
            raise RateLimited(BUSY) from None
    appraisal = Appraisal.objects.get(consultations__pk=consultation_id)
    with changing(appraisal, Change.ONLINE_RESPONSE, actor=None) as change:
        consultation = _locked_consultation(consultation_id)
        if consultation.is_closed or consultation.is_expired:
            raise ConsultationClosed("This consultation has closed.")
        if group and group not in consultation.groups:
            raise ServiceError("Choose a group from the list, or leave it blank.")
        cleaned = _clean_answers(answers)
        _take_from_bucket(consultation)
        response = Response.objects.create(
            appraisal=change.appraisal, consultation=consultation, group=group, source=Source.ONLINE,
            **cleaned,
        )  # fmt: skip
        change.record("response.received", target=f"response:{response.pk}", after=_response_values(response))
    return response


def enter_offline(
    *,
    appraisal: Appraisal,
    user: User,
    group: str,
    source: str,
    gathered_how: str,
    gathered_on: datetime.date | None,
    answers: Mapping[str, str],
) -> Response:
    """A response gathered in a workshop, on paper or by an advocate, typed in by staff."""
    with changing(appraisal, Change.RESPONSE, actor=user) as change:
        if source not in Source.values or source == Source.ONLINE:
            raise ServiceError("Choose how the response was gathered.")
        if not gathered_how.strip():
            raise ServiceError("Say how the response was gathered, for example who ran the session.")
        if group:
            _check_groups(change.appraisal, [group])
        if gathered_on and gathered_on > timezone.localdate():
            raise ServiceError("The date it was gathered cannot be in the future.")
        response = Response.objects.create(
            appraisal=change.appraisal, group=group, source=source, gathered_how=gathered_how.strip(),
            gathered_on=gathered_on, entered_by=user, **_clean_answers(answers),
        )  # fmt: skip
        change.record("response.entered", target=f"response:{response.pk}", after=_response_values(response))
    return response


def _links(response: Response) -> dict[str, list[Any]]:
    return {
        "question_ids": list(response.question_ids),
        "theme_ids": sorted(response.themes.values_list("pk", flat=True)),
    }


def link_response(
    *, response: Response, user: User, question_ids: Sequence[str], theme_ids: Sequence[int]
) -> Response:
    """Set the questions and themes a response bears on."""
    # Linking is the lead's reading of what people said (the themes and what they bear on),
    # not a response in itself: it is a THEME change, made by whoever manages the project,
    # not by everyone who may type in a response (Change.RESPONSE).
    with changing(response.appraisal, Change.THEME, actor=user) as change:
        current = change.appraisal
        themes = list(Theme.objects.filter(appraisal=current, pk__in=theme_ids))
        if len(themes) != len(set(theme_ids)):
            raise ServiceError("Choose themes from the list.")
        locked = Response.objects.select_for_update().get(pk=response.pk)
        before = _links(locked)
        locked.question_ids = _check_questions(current, question_ids)
        locked.save(update_fields=["question_ids"])
        locked.themes.set(themes)
        change.record("response.linked", target=f"response:{locked.pk}", before=before, after=_links(locked))
    response.question_ids = locked.question_ids
    return response


def _theme_values(theme: Theme) -> dict[str, Any]:
    return {
        "name": theme.name,
        "description": theme.description,
        "question_ids": list(theme.question_ids),
        "decision_note": theme.decision_note,
    }


def save_theme(
    *,
    appraisal: Appraisal,
    user: User,
    name: str,
    description: str,
    question_ids: Sequence[str],
    decision_note: str,
    theme: Theme | None = None,
) -> Theme:
    with changing(appraisal, Change.THEME, actor=user) as change:
        current = change.appraisal
        if theme is not None and theme.appraisal_id != current.pk:
            raise ServiceError("That theme belongs to another appraisal.")
        name = name.strip()
        if not name:
            raise ServiceError("Give the theme a name.")
        clash = Theme.objects.filter(appraisal=current, name__iexact=name)
        if theme is not None:
            clash = clash.exclude(pk=theme.pk)
        if clash.exists():
            raise ServiceError("There is already a theme with that name.")
        saved = Theme.objects.select_for_update().get(pk=theme.pk) if theme else Theme(appraisal=current)
        before = _theme_values(saved) if theme else None
        saved.name = name
        saved.description = description.strip()
        saved.question_ids = _check_questions(current, question_ids)
        saved.decision_note = decision_note.strip()
        saved.full_clean()
        saved.save()
        change.record(
            "theme.changed" if theme else "theme.added",
            target=f"theme:{saved.pk}",
            before=before,
            after=_theme_values(saved),
        )
    return saved


def set_safeguarding_contact(*, organisation: Organisation, user: User, text: str) -> Organisation:
    """The safeguarding line shown on every consultation page (an organisation-level change)."""
    text = text.replace("\x00", "").strip()
    try:
        with changing_organisation(organisation, Action.MANAGE_MEMBERS, actor=user) as change:
            locked = change.organisation
            before = locked.safeguarding_contact
            if before == text:
                raise _Unchanged
            locked.safeguarding_contact = text
            locked.full_clean(validate_unique=False)
            locked.save(update_fields=["safeguarding_contact"])
            change.record(
                "safeguarding.changed", target="safeguarding", before={"text": before}, after={"text": text}
            )
    except _Unchanged:
        pass
    organisation.safeguarding_contact = text
    return organisation
