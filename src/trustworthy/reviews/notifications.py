"""Emails about reviews and decisions. Each links to the page it is about."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail

from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Membership, User


def _people(appraisal: Appraisal, roles: Iterable[str]) -> list[str]:
    members = Membership.objects.filter(organisation_id=appraisal.organisation_id, role__in=list(roles))
    return sorted({m.user.email for m in members.select_related("user") if m.user.is_active})


def _url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send(subject: str, body: str, to: list[str], exclude: User | None = None) -> None:
    recipients = [email for email in to if exclude is None or email != exclude.email]
    if recipients:
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients], fail_silently=True
        )


def _title(appraisal: Appraisal) -> str:
    return f"{appraisal.project.title} ({appraisal.stage_name})"


def review_requested(appraisal: Appraisal, by: User) -> None:
    _send(
        f"Review requested: {_title(appraisal)}",
        f"{by} has sent the appraisal of {_title(appraisal)} for review.\n\n"
        f"Review it here: {_url(f'/appraisals/{appraisal.pk}/review/')}\n",
        _people(appraisal, ["reviewer", "approver"]),
        exclude=by,
    )


def changes_requested(appraisal: Appraisal, by: User, reason: str) -> None:
    _send(
        f"Changes requested: {_title(appraisal)}",
        f"{by} has asked for changes to the appraisal of {_title(appraisal)}:\n\n{reason}\n\n"
        f"See the comments and make the changes here: {_url(f'/appraisals/{appraisal.pk}/')}\n",
        _people(appraisal, ["lead"]),
        exclude=by,
    )


def comment_on_your_part(appraisal: Appraisal, by: User, target: str, text: str, owner: User | None) -> None:
    if owner is None or owner == by:
        return
    link = (
        f"/appraisals/{appraisal.pk}/questions/{target}/"
        if not target.startswith(("row:", "decision"))
        else (
            f"/appraisals/{appraisal.pk}/decision/"
            if target == "decision"
            else f"/appraisals/{appraisal.pk}/"
        )
    )
    _send(
        f"New comment on {target}: {_title(appraisal)}",
        f"{by} commented on {target}, which you answered:\n\n{text}\n\nReply here: {_url(link)}\n",
        [owner.email],
    )


def decision_approved(appraisal: Appraisal, by: User) -> None:
    _send(
        f"Decision approved: {_title(appraisal)}",
        f"{by} has approved and signed the decision for {_title(appraisal)}.\n\n"
        f"See the decision record here: {_url(f'/appraisals/{appraisal.pk}/')}\n",
        [*_people(appraisal, ["lead", "admin"]), appraisal.created_by.email],
        exclude=by,
    )


def review_due(appraisal: Appraisal, to: list[str]) -> None:
    _send(
        f"Decision review due: {_title(appraisal)}",
        f"The decision for {_title(appraisal)} was due for review on "
        f"{appraisal.review_date:%-d %B %Y}.\n\nStart the next stage or a new version here: "
        f"{_url(f'/projects/{appraisal.project_id}/')}\n",
        to,
    )
