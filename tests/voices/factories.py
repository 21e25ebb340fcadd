"""Appraisals with consultations, built through the services."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone

from tests.appraisals.factories import make_project
from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User
from trustworthy.voices import services
from trustworthy.voices.services import NewConsultation

ANSWERS = {
    "good": "I could talk to someone I know.",
    "worries": "It might take longer.",
    "who_else": "My foster carer.",
    "understand": "Yes, I think so.",
    "anything_else": "",
}


def lead_of(organisation: Organisation) -> User:
    return User.objects.get(memberships__organisation=organisation, memberships__role="lead")


def make_appraisal(organisation: Organisation) -> Appraisal:
    lead = lead_of(organisation)
    project = make_project(organisation, lead)
    return appraisal_services.start_appraisal(project=project, stage="inception", user=lead)


def open_for(
    appraisal: Appraisal, *, days: int = 14, groups: tuple[str, ...] = ("young-people",)
) -> NewConsultation:
    return services.open_consultation(
        appraisal=appraisal,
        user=lead_of(appraisal.organisation),
        title="Family meetings before big decisions",
        description="We want to try a family meeting before any big decision about a child.",
        groups=list(groups),
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def voices_object(objects: dict[str, Any], kind: str) -> Any:
    """A consultation, response, theme or link token on the permission test's appraisal (made once)."""
    if "voices" not in objects:
        appraisal = Appraisal.objects.get(pk=objects["appraisal"])
        new = open_for(appraisal)
        response = services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
        theme = services.save_theme(
            appraisal=appraisal, user=lead_of(appraisal.organisation), name="Waiting", description="",
            question_ids=[], decision_note="",
        )  # fmt: skip
        objects["voices"] = {
            "consultation": new.consultation.pk,
            "response": response.pk,
            "theme": theme.pk,
            "token": new.token,
        }
    return objects["voices"][kind]


def post_past_the_warning(client: Any, url: str, data: dict[str, Any]) -> Any:
    """Post text the personal-data check warns about, then keep it as it is: the second post
    sends back the digest of exactly the text the warning was about."""

    warned = client.post(url, data)
    assert warned.status_code == 200, warned.status_code
    digest = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', warned.content.decode())
    assert digest, "the personal-data check did not warn"
    return client.post(url, {**data, "personal_data_checked": digest.group(1)})
