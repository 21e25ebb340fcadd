"""Emails about reviews and decisions. Each links to the page it is about.

Who is told is decided by the one permissions table: the people whose role allows the
next thing to be done (reviewing, sending it back for review, acting on a signed record),
never by a list of role names kept here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from trustworthy.appraisals.models import Action as AgreedAction
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import RULES, Change
from trustworthy.organisations.models import Membership, Role, User
from trustworthy.organisations.permissions import Action, role_may


def _may(*changes: Change) -> list[Action]:
    """The actions the permissions table requires for these changes."""
    return [action for change in changes if (action := RULES[change].action) is not None]


def people_who_may(appraisal: Appraisal, actions: list[Action]) -> list[str]:
    """Active members of the appraisal's organisation whose role allows any of these actions."""
    roles = [role for role in Role.values if any(role_may(role, action) for action in actions)]
    members = Membership.objects.filter(organisation_id=appraisal.organisation_id, role__in=roles)
    return sorted({m.user.email for m in members.select_related("user") if m.user.is_active})


def _url(name: str, *args: object) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name, args=args)}"


def _send(subject: str, body: str, to: list[str], exclude: User | None = None) -> None:
    recipients = [email for email in to if exclude is None or email != exclude.email]
    if recipients:
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients], fail_silently=True
        )


def _title(appraisal: Appraisal) -> str:
    return f"{appraisal.project.title} ({appraisal.stage_name})"


def review_requested(appraisal: Appraisal, by: User) -> None:
    """To the people who may review it or approve it."""
    _send(
        f"Review requested: {_title(appraisal)}",
        f"{by} has sent the appraisal of {_title(appraisal)} for review.\n\n"
        f"Review it here: {_url('appraisal-review', appraisal.pk)}\n",
        people_who_may(appraisal, _may(Change.REVIEW, Change.APPROVE)),
        exclude=by,
    )


def changes_requested(appraisal: Appraisal, by: User, reason: str) -> None:
    """To the people who may send it back for review once it is changed."""
    _send(
        f"Changes requested: {_title(appraisal)}",
        f"{by} has asked for changes to the appraisal of {_title(appraisal)}:\n\n{reason}\n\n"
        f"See the comments and make the changes here: {_url('appraisal-tasks', appraisal.pk)}\n",
        people_who_may(appraisal, _may(Change.SUBMIT)),
        exclude=by,
    )


def _comment_link(appraisal: Appraisal, target: str) -> str:
    """The page a comment is on: its question, the decision, or (for a register row) the appraisal."""
    if target == "decision":
        return _url("appraisal-decision", appraisal.pk)
    if target.startswith("row:"):
        return _url("appraisal-tasks", appraisal.pk)
    return _url("appraisal-question", appraisal.pk, target.split(":")[0])


def comment_on_your_part(appraisal: Appraisal, by: User, target: str, text: str, owner: User | None) -> None:
    if owner is None or owner == by:
        return
    _send(
        f"New comment on {target}: {_title(appraisal)}",
        f"{by} commented on {target}, which you answered:\n\n{text}\n\n"
        f"Reply here: {_comment_link(appraisal, target)}\n",
        [owner.email],
    )


def decision_approved(appraisal: Appraisal, by: User) -> None:
    """To whoever started it, the people who may act on the signed record (publish it or
    start a new version) and the organisation's admins."""
    _send(
        f"Decision approved: {_title(appraisal)}",
        f"{by} has approved and signed the decision for {_title(appraisal)}.\n\n"
        f"See the decision record here: {_url('appraisal-tasks', appraisal.pk)}\n",
        sorted(
            {
                *people_who_may(
                    appraisal, [*_may(Change.PUBLICATION, Change.NEW_VERSION), Action.MANAGE_MEMBERS]
                ),
                appraisal.created_by.email,
            }
        ),
        exclude=by,
    )


def review_due(appraisal: Appraisal) -> None:
    """To the people accountable for the decision: whoever started the appraisal, whoever
    signed it, and the people who may start the next stage or a new version."""
    owners = {appraisal.created_by.email, *people_who_may(appraisal, _may(Change.NEW_VERSION))}
    if appraisal.approved_by:
        owners.add(appraisal.approved_by.email)
    _send(
        f"Decision review due: {_title(appraisal)}",
        f"The decision for {_title(appraisal)} was due for review on "
        f"{appraisal.review_date:%-d %B %Y}.\n\nStart the next stage or a new version here: "
        f"{_url('project-detail', appraisal.project_id)}\n",
        sorted(owners),
    )


def actions_overdue(owner: User, overdue: list[AgreedAction]) -> None:
    """To the owner of overdue actions: what each is, where, when it was due and where to update it."""
    count = len(overdue)
    lines = [
        f"- {a.what}\n  {_title(a.appraisal)}, due by {a.due_on:%-d %B %Y}.\n"
        f"  Update it here: {_url('action-progress', a.appraisal_id, a.pk)}"
        for a in overdue
    ]
    _send(
        f"{count} {'action is' if count == 1 else 'actions are'} overdue",
        f"You own {'an action' if count == 1 else 'actions'} whose date has passed:\n\n"
        + "\n\n".join(lines)
        + "\n\nIf one is done, say what shows it. If the date needs to move, ask the project's lead.\n",
        [owner.email],
    )
