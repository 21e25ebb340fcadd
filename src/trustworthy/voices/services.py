"""Writes for consultations, responses and themes. Each is one transaction.

Views call these with cleaned form data; the rules hold whichever way a change arrives.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.framework import Framework
from trustworthy.organisations.models import Organisation, User

from .models import Consultation, Response, Source, Theme
from .tokens import hash_token, new_token

# Size limits, enforced here and shown on the forms.
MAX_ANSWER_CHARS = 2000
MAX_DESCRIPTION_CHARS = 1500
MAX_CONSULTATION_DAYS = 180

# Per-link rate limit, as a token bucket: a burst of BURST submissions at once, refilled
# at REFILL_PER_MINUTE. A link shared with a whole school or a room full of people at an
# event stays usable (the bench sends 200 a minute for two minutes without a refusal);
# a script hammering one link is slowed to the refill rate.
BURST = 300
REFILL_PER_MINUTE = 600


class ServiceError(Exception):
    """A write was refused; the message is written for the person who asked for it."""


class RateLimited(ServiceError):
    """Too many submissions through one link just now."""


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


def _check_editable(appraisal: Appraisal) -> None:
    if appraisal.is_locked:
        raise ServiceError("This appraisal is approved and cannot be changed. Start a new version.")


@transaction.atomic
def open_consultation(
    *,
    appraisal: Appraisal,
    user: User,
    title: str,
    description: str,
    groups: Sequence[str],
    expires_on: datetime.date,
) -> NewConsultation:
    _check_editable(appraisal)
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
        organisation=appraisal.organisation,
        appraisal=appraisal,
        title=title,
        description=description,
        groups=_check_groups(appraisal, groups),
        token_hash=hash_token(token),
        expires_at=timezone.make_aware(end_of_day),
        created_by=user,
        bucket_tokens=BURST,
        bucket_updated_at=timezone.now(),
    )
    return NewConsultation(consultation=consultation, token=token)


@transaction.atomic
def close_consultation(*, consultation: Consultation) -> Consultation:
    if consultation.closed_at is None:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])
    return consultation


@transaction.atomic
def new_link(*, consultation: Consultation) -> str:
    """Replace the link (for example when the old one was lost); the old one stops working."""
    if not consultation.is_open:
        raise ServiceError("This consultation is closed.")
    token = new_token()
    consultation.token_hash = hash_token(token)
    consultation.save(update_fields=["token_hash"])
    return token


def _clean_answers(answers: Mapping[str, str]) -> dict[str, str]:
    cleaned = {f: (answers.get(f) or "").replace("\x00", "").strip() for f in Response.ANSWER_FIELDS}
    if not any(cleaned.values()):
        raise ServiceError("Write something in at least one box.")
    if any(len(v) > MAX_ANSWER_CHARS for v in cleaned.values()):
        raise ServiceError(f"Each answer must be {MAX_ANSWER_CHARS} characters or fewer.")
    return cleaned


def _take_from_bucket(consultation: Consultation) -> None:
    now = timezone.now()
    last = consultation.bucket_updated_at or now
    elapsed = max(0.0, (now - last).total_seconds())
    tokens = min(float(BURST), consultation.bucket_tokens + elapsed * REFILL_PER_MINUTE / 60)
    if tokens < 1:
        raise RateLimited("Lots of people are answering right now. Wait a minute, then send it again.")
    consultation.bucket_tokens = tokens - 1
    consultation.bucket_updated_at = now
    consultation.save(update_fields=["bucket_tokens", "bucket_updated_at"])


@transaction.atomic
def submit_online(*, consultation_id: int, group: str, answers: Mapping[str, str]) -> Response:
    """A response through the link. Nothing about the person or their device is kept."""
    consultation = (
        Consultation.objects.select_for_update().select_related("appraisal").get(pk=consultation_id)
    )
    if not consultation.is_open:
        raise ServiceError("This consultation has closed.")
    if group and group not in consultation.groups:
        raise ServiceError("Choose a group from the list, or leave it blank.")
    cleaned = _clean_answers(answers)
    _take_from_bucket(consultation)
    return Response.objects.create(
        appraisal=consultation.appraisal, consultation=consultation, group=group, source=Source.ONLINE,
        **cleaned,
    )  # fmt: skip


@transaction.atomic
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
    _check_editable(appraisal)
    if source not in Source.values or source == Source.ONLINE:
        raise ServiceError("Choose how the response was gathered.")
    if not gathered_how.strip():
        raise ServiceError("Say how the response was gathered, for example who ran the session.")
    if group:
        _check_groups(appraisal, [group])
    if gathered_on and gathered_on > timezone.localdate():
        raise ServiceError("The date it was gathered cannot be in the future.")
    return Response.objects.create(
        appraisal=appraisal, group=group, source=source, gathered_how=gathered_how.strip(),
        gathered_on=gathered_on, entered_by=user, **_clean_answers(answers),
    )  # fmt: skip


@transaction.atomic
def link_response(*, response: Response, question_ids: Sequence[str], theme_ids: Sequence[int]) -> Response:
    """Set the questions and themes a response bears on."""
    appraisal = response.appraisal
    _check_editable(appraisal)
    themes = list(Theme.objects.filter(appraisal=appraisal, pk__in=theme_ids))
    if len(themes) != len(set(theme_ids)):
        raise ServiceError("Choose themes from the list.")
    response.question_ids = _check_questions(appraisal, question_ids)
    response.save(update_fields=["question_ids"])
    response.themes.set(themes)
    return response


@transaction.atomic
def save_theme(
    *,
    appraisal: Appraisal,
    name: str,
    description: str,
    question_ids: Sequence[str],
    decision_note: str,
    theme: Theme | None = None,
) -> Theme:
    _check_editable(appraisal)
    name = name.strip()
    if not name:
        raise ServiceError("Give the theme a name.")
    clash = Theme.objects.filter(appraisal=appraisal, name__iexact=name)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise ServiceError("There is already a theme with that name.")
    theme = theme or Theme(appraisal=appraisal)
    theme.name = name
    theme.description = description.strip()
    theme.question_ids = _check_questions(appraisal, question_ids)
    theme.decision_note = decision_note.strip()
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def set_safeguarding_contact(*, organisation: Organisation, text: str) -> Organisation:
    organisation.safeguarding_contact = text.replace("\x00", "").strip()
    organisation.full_clean(validate_unique=False)
    organisation.save(update_fields=["safeguarding_contact"])
    return organisation
