"""What the voices pages show, kept out of the views: each page's context, the link and its
QR code, and the questions the confirmation pages ask. Whether a change may be offered
comes from the change policy (`policy.may`); nothing here decides it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from trustworthy.appraisals import policy
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.organisations.models import Organisation

from . import selectors, wording
from .models import Consultation, Response, Source
from .records import voices_section

# The summary lists the newest responses; the counts cover them all.
RESPONSES_SHOWN = 200


def groups(appraisal: Appraisal) -> dict[str, str]:
    """Stakeholder groups of the appraisal's framework edition, by id."""
    return {s.id: s.label for s in appraisal.edition.stakeholders}


def summary_page(appraisal: Appraisal, role: str | None) -> dict[str, Any]:
    status = appraisal.status
    return {
        "appraisal": appraisal,
        "consultations": selectors.consultations_of(appraisal),
        "responses": list(selectors.responses_of(appraisal)[:RESPONSES_SHOWN]),
        "section": voices_section(appraisal),
        "themes": selectors.themes_of(appraisal),
        "sources": dict(Source.choices),
        "groups": groups(appraisal),
        "can_consult": policy.may(role, status, Change.CONSULTATION),
        "can_theme": policy.may(role, status, Change.THEME),
        "can_enter": policy.may(role, status, Change.RESPONSE),
        "locked_message": policy.refusal(status, Change.RESPONSE),
        "title": "Voices of young people and families",
    }


def response_links(response: Response) -> dict[str, Any]:
    """What the form linking a response to questions and themes holds when it opens."""
    return {"question_ids": response.question_ids, "theme_ids": [t.pk for t in response.themes.all()]}


def response_page(response: Response, appraisal: Appraisal, role: str | None, form: Any) -> dict[str, Any]:
    return {
        "response": response,
        "appraisal": appraisal,
        "form": form,
        "can_manage": policy.may(role, appraisal.status, Change.THEME),
        "questions": wording.QUESTIONS,
        "groups": groups(appraisal),
        "title": "A response",
    }


def theme_initial(theme: Any) -> dict[str, Any]:
    if theme is None:
        return {}
    return {
        "name": theme.name, "description": theme.description,
        "question_ids": theme.question_ids, "decision_note": theme.decision_note,
    }  # fmt: skip


def link_page(
    request: HttpRequest, consultation: Consultation, appraisal: Appraisal, token: str | None
) -> dict[str, Any]:
    """The link and its QR code when it has just been made (`token`); otherwise only the
    consultation, since only a hash of the token is kept."""
    link = qr = None
    if token is not None:
        link = request.build_absolute_uri(reverse("voices-participate", args=[token]))
        qr = segno.make(link, error="m").svg_data_uri(scale=6, border=2)
    return {
        "consultation": consultation,
        "appraisal": appraisal,
        "link": link,
        "qr": qr,
        "title": f"Link for “{consultation.title}”",
    }


@dataclass(frozen=True)
class Confirm:
    """A question a page asks before a change that cannot be undone."""

    heading: str
    body: str
    action: str
    done: str = ""


def new_link_question(consultation: Consultation) -> Confirm:
    return Confirm(
        heading="Make a new link?",
        body="The old link and its QR code will stop working. Anyone who has it will need the new one.",
        action="Make a new link",
    )


def close_question(consultation: Consultation) -> Confirm:
    return Confirm(
        heading=f"Close “{consultation.title}”?",
        body="The link will stop taking answers. People who open it will see that it has finished.",
        action="Close the consultation",
        done=f"“{consultation.title}” is closed. Its link no longer takes answers.",
    )


def confirm_page(consultation: Consultation, appraisal: Appraisal, question: Confirm) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "appraisal": appraisal,
        "heading": question.heading,
        "body": question.body,
        "action": question.action,
        "title": question.heading,
    }


def safeguarding_line(organisation: Organisation) -> str:
    return organisation.safeguarding_contact or gettext(wording.DEFAULT_SAFEGUARDING)


def participant_page(consultation: Consultation, form: Any, form_token: str) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "form": form,
        "form_token": form_token,
        "about_answers": gettext(wording.ABOUT_ANSWERS),
        "no_names": gettext(wording.NO_NAMES),
        "safeguarding": safeguarding_line(consultation.organisation),
        "title": consultation.title,
    }


def closed_page(consultation: Consultation) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "safeguarding": safeguarding_line(consultation.organisation),
        "title": gettext("This has finished"),
    }


def thanks_page(consultation: Consultation) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "safeguarding": safeguarding_line(consultation.organisation),
        "title": gettext("Thank you"),
    }


def safeguarding_page(organisation: Organisation, form: Any) -> dict[str, Any]:
    return {
        "form": form,
        "organisation": organisation,
        "default_line": wording.DEFAULT_SAFEGUARDING,
        "title": "Safeguarding line for consultations",
    }
