"""Reads for the voices app, always scoped to the signed-in person's organisations.

The participant's page finds its consultation by the hash of the token in the link, and
answers 404 for a token that matches nothing, exactly as for any page that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from trustworthy.appraisals.models import Appraisal

from .models import Consultation, Response, Theme
from .tokens import hash_token, looks_like_token


def consultation_for_token(token: str) -> Consultation:
    if not looks_like_token(token):
        raise Http404
    return get_object_or_404(
        Consultation.objects.select_related("organisation", "appraisal"), token_hash=hash_token(token)
    )


def consultation_in(*, organisation_ids: list[int], consultation_id: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related("appraisal__project", "organisation"),
        pk=consultation_id,
        organisation_id__in=organisation_ids,
    )


def response_in(*, organisation_ids: list[int], response_id: int) -> Response:
    return get_object_or_404(
        Response.objects.select_related("appraisal__project", "consultation").prefetch_related("themes"),
        pk=response_id,
        appraisal__organisation_id__in=organisation_ids,
    )


def theme_in(*, organisation_ids: list[int], theme_id: int) -> Theme:
    return get_object_or_404(
        Theme.objects.select_related("appraisal__project"),
        pk=theme_id,
        appraisal__organisation_id__in=organisation_ids,
    )


def themes_of(appraisal: Appraisal) -> list[Theme]:
    return list(Theme.objects.filter(appraisal=appraisal).prefetch_related("responses"))


def responses_of(appraisal: Appraisal) -> QuerySet[Response]:
    return (
        Response.objects.filter(appraisal=appraisal)
        .select_related("consultation")
        .prefetch_related("themes")
        .order_by("-created_at", "-id")
    )


def consultations_of(appraisal: Appraisal) -> QuerySet[Consultation]:
    # Through the appraisal, so each consultation knows it without a query (is_open asks).
    return appraisal.consultations.order_by("-created_at")
