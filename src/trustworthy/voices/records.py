"""The decision record's section "What young people and families told us, and what we did
about it".

`voices_section(appraisal)` returns plain frozen data (no models, no HTML) so the
format-neutral decision-record document can render it as HTML, PDF, Word or JSON. Every
theme carries the lead's note on how it shaped the decision; counts are per group and
per way of gathering; nothing that people wrote word for word is included.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.framework import default_framework

from .models import Consultation, Response, Source
from .selectors import themes_of

TITLE = "What young people and families told us, and what we did about it"

__all__ = ["TITLE", "CountRow", "ThemeRecord", "VoicesSection", "count_rows", "voices_section"]


@dataclass(frozen=True)
class ThemeRecord:
    name: str
    description: str
    decision_note: str  # the lead's note on how this shaped the decision ("" if missing)
    question_ids: tuple[str, ...]
    response_count: int


@dataclass(frozen=True)
class CountRow:
    group: str  # stakeholder id, or "" when people did not say
    group_label: str
    source: str  # how it was gathered: "online", "workshop", "paper", "advocate", ...
    source_label: str
    count: int


@dataclass(frozen=True)
class VoicesSection:
    title: str
    consultation_count: int
    response_count: int
    counts: tuple[CountRow, ...]
    themes: tuple[ThemeRecord, ...]
    question_ids: tuple[str, ...]  # every question a theme or a response was linked to

    @property
    def is_empty(self) -> bool:
        return self.response_count == 0 and not self.themes


def count_rows(responses: QuerySet[Response]) -> tuple[CountRow, ...]:
    """Responses per group and way of gathering, in the framework's order of groups."""
    framework = default_framework()
    group_labels = {s.id: s.label for s in framework.stakeholders}
    source_labels = dict(Source.choices)
    group_order = {g: i for i, g in enumerate([*group_labels, ""])}
    source_order = {s: i for i, s in enumerate(source_labels)}
    rows = responses.order_by().values_list("group", "source").annotate(n=Count("id"))
    cells = sorted(rows, key=lambda r: (group_order.get(r[0], 99), source_order.get(r[1], 99)))
    return tuple(
        CountRow(
            group=group,
            group_label=group_labels.get(group, "Did not say"),
            source=source,
            source_label=source_labels.get(source, source),
            count=n,
        )
        for group, source, n in cells
    )


def voices_section(appraisal: Appraisal) -> VoicesSection:
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    order = [q.id for q in framework.questions()]
    responses = Response.objects.filter(appraisal=appraisal)
    rows = count_rows(responses)
    themes = themes_of(appraisal)
    linked: set[str] = set()
    for theme in themes:
        linked.update(theme.question_ids)
    for ids in responses.values_list("question_ids", flat=True):
        linked.update(ids or [])
    return VoicesSection(
        title=TITLE,
        consultation_count=Consultation.objects.filter(appraisal=appraisal).count(),
        response_count=sum(r.count for r in rows),
        counts=rows,
        themes=tuple(
            ThemeRecord(
                name=t.name,
                description=t.description,
                decision_note=t.decision_note,
                question_ids=tuple(t.question_ids),
                response_count=len(t.responses.all()),
            )
            for t in themes
        ),
        question_ids=tuple(q for q in order if q in linked),
    )
