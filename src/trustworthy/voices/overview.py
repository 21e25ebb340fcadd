"""The organisation's consultations on one page, each linking to its appraisal's voices page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone

from trustworthy.core.pagination import pagination
from trustworthy.core.urls import reverse

from .models import Consultation

PER_PAGE = 25


def consultations_for(organisation_id: int) -> QuerySet[Consultation]:
    """Newest first, each with its appraisal and project (one query) and how many answered."""
    return (
        Consultation.objects.filter(organisation_id=organisation_id)
        .select_related("appraisal__project")
        .defer("appraisal__signed_content", "appraisal__approved_snapshot")
        .annotate(response_count=Count("responses"))
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Row:
    title: str
    url: str
    project: str
    stage: str
    state: str
    is_open: bool
    responses: int
    opened: str


def _state(consultation: Consultation) -> str:
    if consultation.is_closed:
        return "Closed"
    if not consultation.appraisal_takes_responses:
        return "Closed: the appraisal no longer takes responses"
    if consultation.is_expired:
        return "Link expired"
    return f"Open until {timezone.localtime(consultation.expires_at):%-d %B %Y}"


def row(consultation: Consultation) -> Row:
    appraisal = consultation.appraisal
    return Row(
        title=consultation.title,
        url=reverse("voices-summary", args=[appraisal.pk]),
        project=appraisal.project.title,
        stage=appraisal.stage_name,
        state=_state(consultation),
        is_open=consultation.is_open,
        responses=consultation.response_count,
        opened=f"{timezone.localtime(consultation.created_at):%-d %B %Y}",
    )


def page(organisation_id: int, page_number: Any) -> dict[str, Any]:
    found = Paginator(consultations_for(organisation_id), PER_PAGE).get_page(page_number)
    return {
        "rows": [row(c) for c in found.object_list],
        "total": found.paginator.count,
        "pagination": pagination(found),
        "title": "Voices",
    }
