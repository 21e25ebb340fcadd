"""The organisation overview: every project with where it stands, searchable and filtered.

One query finds a page of projects with everything the table shows (each column is a
subquery of the project's row), and one more counts them; the CSV download is one query
for the whole filtered list. What each column means:

- stage: the project's current stage;
- status: the status of its newest appraisal ("Not started" if it has none);
- decision: the newest decision recorded for it, in any appraisal;
- departures: how many of its decisions went outside what the framework allows;
- open high risks: open risks scoring 12 or more in its newest appraisal;
- review date: when its newest signed decision is due for review;
- actions overdue: its current actions still to do whose due date has passed, at any stage.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from trustworthy.core.pagination import pagination
from trustworthy.core.urls import reverse
from trustworthy.framework import HIGH_RISK_SCORE, risk_register

from . import actions
from .frameworks import current_framework
from .models import Appraisal, Decision, Project, RegisterRow, Status

PER_PAGE = 25
NOT_STARTED = "not-started"
NO_DECISION = "none"
# A signed decision shows as due for review this long before its review date.
REVIEW_NOTICE = datetime.timedelta(days=30)
CSV_HEADERS = ("Project", "Stage", "Status", "Decision", "Departures", "Open high risks", "Review date",
               "Actions overdue", "Last updated", "Link")  # fmt: skip


class OverviewForm(forms.Form):
    """The search and filters: a GET form, so it works without JavaScript and can be linked."""

    q = forms.CharField(label="Search by title", required=False, max_length=200, strip=True)
    stage = forms.ChoiceField(label="Stage", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    decision = forms.ChoiceField(label="Decision", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = current_framework()
        self.fields["stage"].choices = [("", "Any stage"), *((s.id, s.name) for s in framework.stages)]
        self.fields["status"].choices = [("", "Any status"), (NOT_STARTED, "Not started"), *Status.choices]
        self.fields["decision"].choices = [
            ("", "Any decision"),
            (NO_DECISION, "No decision yet"),
            *((d.id, d.name) for d in framework.decisions),
        ]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (a value that is not a choice is left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


def _score() -> Any:
    return Cast(KT("data__likelihood"), IntegerField()) * Cast(KT("data__severity"), IntegerField())


def _count(query: QuerySet[Any], by: str) -> Any:
    counted = query.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def projects(
    organisation_id: int, filters: dict[str, str] | None = None, today: datetime.date | None = None
) -> QuerySet[Project]:
    """The organisation's projects with the overview's columns, filtered, newest change first."""
    filters = filters or {}
    # What `actions.overdue_by_project` counts, as a column of each project's row.
    overdue = actions.overdue(today).filter(appraisal__project_id=OuterRef("pk"))
    newest = Appraisal.objects.filter(project=OuterRef("pk")).order_by("-created_at", "-pk")
    decided = Decision.objects.filter(appraisal__project=OuterRef("pk")).order_by(
        "-appraisal__created_at", "-appraisal_id"
    )
    signed = Appraisal.objects.filter(project=OuterRef("pk"), status=Status.APPROVED).order_by(
        "-approved_at", "-pk"
    )
    high = (
        RegisterRow.objects.filter(
            appraisal_id=OuterRef("latest_id"),
            register=risk_register(current_framework()),
            data__status="open",
        )
        .annotate(score=_score())
        .filter(score__gte=HIGH_RISK_SCORE)
    )
    departures = Decision.objects.filter(appraisal__project=OuterRef("pk"), is_departure=True)
    found = (
        Project.objects.filter(organisation_id=organisation_id)
        .only("pk", "title", "current_stage", "updated_at")
        .annotate(
            latest_id=Subquery(newest.values("pk")[:1]),
            latest_status=Subquery(newest.values("status")[:1]),
            decision=Subquery(decided.values("decision")[:1]),
            signed_id=Subquery(signed.values("pk")[:1]),
            review_date=Subquery(signed.values("review_date")[:1]),
            departures=_count(departures, "appraisal__project"),
            overdue_actions=_count(overdue, "appraisal__project"),
        )
        .annotate(high_risks=_count(high, "appraisal_id"))
        .order_by("-updated_at", "-pk")
    )
    if search := filters.get("q"):
        found = found.filter(title__icontains=search)
    if stage := filters.get("stage"):
        found = found.filter(current_stage=stage)
    if status := filters.get("status"):
        found = (
            found.filter(latest_id__isnull=True)
            if status == NOT_STARTED
            else found.filter(latest_status=status)
        )
    if decision := filters.get("decision"):
        found = (
            found.filter(decision__isnull=True)
            if decision == NO_DECISION
            else found.filter(decision=decision)
        )
    return found


@dataclass(frozen=True)
class Row:
    pk: int
    title: str
    url: str
    stage: str
    status: str
    decision: str
    departures: int
    high_risks: int
    overdue_actions: int
    review_date: datetime.date | None
    review_due: bool  # the review date is within REVIEW_NOTICE and nothing newer was started
    review_overdue: bool
    updated: datetime.datetime

    @property
    def review(self) -> str:
        return f"{self.review_date:%-d %B %Y}" if self.review_date else ""


def rows(found: Iterable[Project], today: datetime.date | None = None) -> list[Row]:
    today = today or timezone.localdate()
    framework = current_framework()
    statuses = dict(Status.choices)
    out = []
    for p in found:
        review_date: datetime.date | None = p.review_date
        current = review_date is not None and p.signed_id == p.latest_id
        out.append(
            Row(
                pk=p.pk,
                title=p.title,
                url=reverse("project-detail", args=[p.pk]),
                stage=framework.label("stages", p.current_stage),
                status=str(statuses.get(p.latest_status, "Not started")),
                decision=framework.label("decisions", p.decision) if p.decision else "",
                departures=p.departures,
                high_risks=p.high_risks,
                overdue_actions=p.overdue_actions,
                review_date=review_date,
                review_due=current and review_date is not None and review_date <= today + REVIEW_NOTICE,
                review_overdue=current and review_date is not None and review_date < today,
                updated=p.updated_at,
            )
        )
    return out


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(found: Iterable[Row], site: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for r in found:
        writer.writerow(
            [_cell(v) for v in (r.title, r.stage, r.status, r.decision, r.departures, r.high_risks,
                                r.review_date.isoformat() if r.review_date else "", r.overdue_actions,
                                timezone.localtime(r.updated).date().isoformat(), site + r.url)]
        )  # fmt: skip
    return out.getvalue()


def page(organisation_id: int, query: Any) -> dict[str, Any]:
    """The overview's context for the GET parameters `query`."""
    filters = OverviewForm(query).filters()
    found = Paginator(projects(organisation_id, filters), PER_PAGE).get_page(query.get("page"))
    return {
        # Shown unbound, with what was chosen: a value that is not a choice is simply left out.
        "form": OverviewForm(initial=filters),
        "filters": filters,
        "rows": rows(found.object_list),
        "page": found,
        "total": found.paginator.count,
        "pagination": pagination(found, filters),
        "download": "?" + urlencode({**filters, "format": "csv"}),
        "high_risk_score": HIGH_RISK_SCORE,
    }


def download(organisation_id: int, query: Any, site: str = "") -> str:
    """Every project matching the filters (not only one page), as CSV."""
    return csv_text(rows(projects(organisation_id, OverviewForm(query).filters())), site)
