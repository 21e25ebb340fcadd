"""The dashboard's figures as tables: each has a name (for its CSV download), a caption,
headers and rows. Labels come from the framework edition; counts from `selectors`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse

from trustworthy.appraisals.evaluation import BENEFIT_RESULTS, RISK_RESULTS
from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.organisations.models import Organisation
from trustworthy.organisations.permissions import Action, role_may

from . import selectors
from .forms import FiltersForm
from .models import Programme, SharedProject
from .selectors import Filters

LISTED = 50  # rows of a list shown on the page; the CSV has them all

Cell = str | int


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    links: list[str] = field(default_factory=list)  # a link for each row's first cell, if any
    total: int | None = None  # for lists: how many there are in all

    @property
    def shown(self) -> list[tuple[list[Cell], str]]:
        rows = self.rows[:LISTED] if self.total is not None else self.rows
        return [(row, self.links[i] if i < len(self.links) else "") for i, row in enumerate(rows)]


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return out.getvalue()


def _pounds(amount: Decimal | None) -> str:
    return f"{amount:.0f}" if amount is not None else "0"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _region(value: str) -> str:
    return str(Organisation.Region(value).label) if value in Organisation.Region.values else value


def _type(value: str) -> str:
    return str(Organisation.Type(value).label) if value in Organisation.Type.values else value


def stage_table(appraisals: QuerySet[Appraisal]) -> Table:
    fw = current_framework()
    counts = {(r["stage"], r["decided"]): r["count"] for r in selectors.by_stage_and_decision(appraisals)}
    decisions = [d.id for d in fw.decisions]
    rows: list[list[Cell]] = []
    for stage in fw.stages:
        row = [counts.get((stage.id, d), 0) for d in decisions]
        undecided = counts.get((stage.id, None), 0)
        if sum(row) or undecided:
            rows.append([stage.name, *row, sum(row) + undecided])
    return Table(
        "stages",
        "Signed appraisals by stage and decision",
        ["Stage", *[d.name for d in fw.decisions], "All"],
        rows,
    )


def _appraisal_row(a: Appraisal) -> list[Cell]:
    return [a.project.title, a.organisation.name, a.stage_name]


def _some(query: QuerySet[Any], limit: int | None) -> tuple[list[Any], int]:
    """The first `limit` rows (all of them with None) and how many there are in all."""
    if limit is None:
        found = list(query)
        return found, len(found)
    return list(query[:limit]), query.count()


def departure_table(
    appraisals: QuerySet[Appraisal], link: Callable[[Appraisal], str] | None, limit: int | None = None
) -> Table:
    fw = current_framework()
    found, total = _some(selectors.departures(appraisals), limit)
    rows: list[list[Cell]] = [
        [
            *_appraisal_row(a),
            fw.label("decisions", a.decision.decision),
            "; ".join(fw.label("decisions", d) for d in a.decision.route_allowed),
            a.decision.decided_on.isoformat(),
        ]
        for a in found
    ]
    headers = ["Project", "Organisation", "Stage", "Decision", "What the framework allowed", "Decided on"]
    links = [link(a) for a in found] if link else []
    return Table("departures", "Decisions that depart from the framework", headers, rows, links, total)


def principle_table(appraisals: QuerySet[Appraisal]) -> Table:
    names = {p.id: f"{p.id} {p.name}" for p in current_framework().principles}
    rows: list[list[Cell]] = [
        [names.get(r["principle_id"], r["principle_id"]), r["process"], r["innovation"], r["total"]]
        for r in selectors.principles_at_risk(appraisals)
    ]
    return Table(
        "principles",
        "Principles most often at risk",
        ["Principle", "At risk in the process", "At risk in the innovation", "All"],
        rows,
    )


def answer_table(appraisals: QuerySet[Appraisal]) -> Table:
    fw = current_framework()
    rows: list[list[Cell]] = [
        [
            f"{r['question_id']} {fw.question(r['question_id']).title}"
            if fw.has_question(r["question_id"])
            else r["question_id"],
            r["no"],
            r["unsure"],
            r["total"],
        ]
        for r in selectors.doubtful_answers(appraisals)
    ]
    return Table(
        "answers", "Questions most often answered no or not sure", ["Question", "No", "Not sure", "All"], rows
    )


def participation_table(appraisals: QuerySet[Appraisal], total: int) -> Table:
    fw = current_framework()
    counts = {(r["stakeholder"], r["mode"]): r["count"] for r in selectors.participation(appraisals)}
    modes = [m.id for m in fw.participation_modes]
    rows: list[list[Cell]] = []
    for group in fw.stakeholders:
        row = [counts.get((group.id, m), 0) for m in modes]
        recorded = sum(row)
        never = total - recorded + counts.get((group.id, "not-involved"), 0)
        rows.append([group.label, *row, total - recorded, never, _percent(total - never, total)])
    headers = [
        "Group",
        *[m.label for m in fw.participation_modes],
        "No record",
        "Not asked (not involved or no record)",
        "Took part",
    ]
    return Table(
        "participation",
        f"Participation in {total} signed appraisals, by group and way of taking part",
        headers,
        rows,
    )


def motivation_table(appraisals: QuerySet[Appraisal]) -> tuple[Table, dict[str, Any]]:
    fw = current_framework()
    found = selectors.main_motivations(appraisals)
    total = sum(r["projects"] for r in found)  # each project has one main motivation
    rows: list[list[Cell]] = [
        [fw.label("motivations", r["motivation"]), r["projects"], _percent(r["projects"], total)]
        for r in found
    ]
    not_outcomes = sum(r["projects"] for r in found if r["motivation"] in selectors.NOT_OUTCOMES_FIRST)
    summary = {"total": total, "not_outcomes": not_outcomes, "share": _percent(not_outcomes, total)}
    return Table(
        "motivations", "Main motivations of projects", ["Main motivation", "Projects", "Share"], rows
    ), summary


def funding_table(appraisals: QuerySet[Appraisal]) -> Table:
    rows: list[list[Cell]] = [
        [
            _region(r["region"]),
            _type(r["organisation_type"]),
            r.get("organisations", 0),
            r.get("projects", 0),
            _pounds(r.get("funding")),
            r.get("decisions", 0),
            r.get("going_ahead", 0),
            r.get("evaluated", 0),
            r.get("benefits_evaluated", 0),
            r.get("benefits_achieved", 0),
        ]
        for r in selectors.funding_by_area(appraisals)
    ]
    headers = [
        "Region",
        "Type of organisation",
        "Organisations",
        "Projects",
        "Funding (£)",
        "Signed decisions",
        "Decisions to go ahead",
        "Post hoc evaluations",
        "Expected benefits evaluated",
        "Benefits achieved",
    ]
    return Table(
        "funding",
        "Funding by region and type of organisation, beside decisions and realised outcomes",
        headers,
        rows,
    )


def realised_table(appraisals: QuerySet[Appraisal]) -> Table:
    counts = {(r["register"], r["result"]): r["count"] for r in selectors.realised(appraisals)}
    rows: list[list[Cell]] = []
    for register, what, results in (
        ("benefits", "Expected benefit", BENEFIT_RESULTS),
        ("risks", "Expected risk", RISK_RESULTS),
    ):
        rows += [[f"{what}: {label}", counts.get((register, result), 0)] for result, label in results]
    return Table(
        "realised",
        "Expected against realised, in signed post hoc evaluations",
        ["What happened", "Count"],
        rows,
    )


def risk_table(appraisals: QuerySet[Appraisal], limit: int | None = None) -> Table:
    found, total = _some(selectors.high_open_risks(appraisals), limit)
    rows: list[list[Cell]] = [
        [*_appraisal_row(r.appraisal), str(r.data.get("description", "")), r.score] for r in found
    ]
    headers = ["Project", "Organisation", "Stage", "Risk", "Score (likelihood × severity)"]
    return Table("risks", "Open risks scoring 12 or more", headers, rows, total=total)


def review_table(appraisals: QuerySet[Appraisal], limit: int | None = None) -> Table:
    found, total = _some(selectors.reviews_overdue(appraisals), limit)
    rows: list[list[Cell]] = [
        [*_appraisal_row(a), a.review_date.isoformat() if a.review_date else ""] for a in found
    ]
    return Table(
        "reviews",
        "Reviews overdue",
        ["Project", "Organisation", "Stage", "Review was due"],
        rows,
        total=total,
    )


# --- charts ------------------------------------------------------------------------------------
# Each chart draws figures of the table beside it (no query of its own), so the two always
# agree and the table is the chart's full alternative. Labels and numbers are HTML text;
# each bar is a small SVG stretched to the width of the page, drawn with presentation
# attributes only (the Content Security Policy allows no inline styles), so the page stays
# light and needs no script and no image file.

CHARTED = 10  # bars drawn per chart; the table beside it has every row

# GOV.UK colours, each at least 3:1 against white; parts of a bar are parted by a white gap
# and named in the legend and in the text, so no figure is told by colour alone.
DECISION_COLOURS = {
    "proceed": "#00703c",
    "proceed-with-mitigations": "#1d70b8",
    "proceed-despite-concerns": "#b58840",
    "reframe": "#4c2c92",
    "do-not-proceed": "#d4351c",
}
NO_DECISION_COLOUR = "#505a5f"
BLUE, PURPLE, RED, OCHRE, GREEN = "#1d70b8", "#4c2c92", "#d4351c", "#b58840", "#00703c"


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    colour: str
    start: float  # where it begins, in percent of the longest bar
    width: float  # in percent of the longest bar


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: tuple[Segment, ...]
    parts_in_words: bool

    @property
    def text(self) -> str:
        parts = ", ".join(f"{s.label} {s.value}" for s in self.segments if s.value)
        return f"{self.label}: {self.total}" + (f" ({parts})" if self.parts_in_words and parts else "")


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]  # (label, colour) of each part, when there are parts
    left_out: int  # rows of the table that are not drawn

    @property
    def alt(self) -> str:
        """The chart's text alternative: every figure it draws, in words."""
        n = self.left_out
        more = f" {n} more {'is' if n == 1 else 'are'} in the table." if n else ""
        return f"Bar chart of {self.title.lower()}. " + "; ".join(b.text for b in self.bars) + "." + more


def bar_chart(
    name: str,
    title: str,
    rows: list[tuple[str, list[int]]],
    series: list[tuple[str, str]],
    *,
    limit: int | None = None,
    colours: list[str] | None = None,
    parts_in_words: bool | None = None,
) -> Chart | None:
    """Bars of `rows` (a label and one value per series), the longest the full width; None
    when there is nothing to draw. `colours` gives each row one colour of its own instead."""
    drawn = rows[:limit] if limit is not None else rows
    longest = max((sum(values) for _, values in drawn), default=0)
    if longest == 0:
        return None
    bars = []
    for i, (label, values) in enumerate(drawn):
        segments, start = [], 0.0
        for (part, colour), value in zip(series, values, strict=True):
            width = 100 * value / longest
            segments.append(
                Segment(part, value, colours[i] if colours else colour, round(start, 2), round(width, 2))
            )
            start += width
        words = len(series) > 1 if parts_in_words is None else parts_in_words
        bars.append(Bar(label, sum(values), tuple(segments), words))
    used = [i for i in range(len(series)) if any(values[i] for _, values in drawn)]
    legend = tuple(series[i] for i in used) if len(series) > 1 else ()
    return Chart(name, title, tuple(bars), legend, len(rows) - len(drawn))


def stage_chart(table: Table) -> Chart | None:
    fw = current_framework()
    series = [(d.name, DECISION_COLOURS.get(d.id, NO_DECISION_COLOUR)) for d in fw.decisions]
    series.append(("No decision recorded", NO_DECISION_COLOUR))
    rows = []
    for row in table.rows:
        decided = [int(v) for v in row[1:-1]]
        rows.append((str(row[0]), [*decided, int(row[-1]) - sum(decided)]))
    return bar_chart("stages", table.caption, rows, series)


def principle_chart(table: Table) -> Chart | None:
    rows = [(str(r[0]), [int(r[1]), int(r[2])]) for r in table.rows]
    series = [("In the process", BLUE), ("In the innovation", PURPLE)]
    return bar_chart("principles", table.caption, rows, series, limit=CHARTED)


def answer_chart(table: Table) -> Chart | None:
    rows = [(str(r[0]), [int(r[1]), int(r[2])]) for r in table.rows]
    return bar_chart("answers", table.caption, rows, [("No", RED), ("Not sure", OCHRE)], limit=CHARTED)


def motivation_chart(table: Table) -> Chart | None:
    rows = [(str(r[0]), [int(r[1])]) for r in table.rows]
    return bar_chart("motivations", table.caption, rows, [("Projects", BLUE)])


def realised_chart(table: Table) -> Chart | None:
    rows = [(str(r[0]), [int(r[1])]) for r in table.rows]
    colours = [GREEN if str(r[0]).startswith("Expected benefit") else RED for r in table.rows]
    chart = bar_chart("realised", table.caption, rows, [("Count", BLUE)], colours=colours)
    if chart is None:
        return None
    drawn = {bar.segments[0].colour for bar in chart.bars if bar.total}
    legend = tuple(
        (label, c) for label, c in (("Expected benefits", GREEN), ("Expected risks", RED)) if c in drawn
    )
    return Chart(chart.name, chart.title, chart.bars, legend, chart.left_out)


CHARTS: dict[str, Callable[[Table], Chart | None]] = {
    "stages": stage_chart,
    "principles": principle_chart,
    "answers": answer_chart,
    "motivations": motivation_chart,
    "realised": realised_chart,
}


TABLES = (
    "stages",
    "departures",
    "principles",
    "answers",
    "participation",
    "motivations",
    "funding",
    "realised",
    "readiness",
    "risks",
    "reviews",
)


def dashboard(
    projects: QuerySet[Project],
    filters: Filters,
    *,
    link: Callable[[Appraisal], str] | None = None,
    only: str | None = None,
) -> dict[str, Any]:
    """Every figure of the portfolio over these projects, filtered (lists cut at LISTED rows);
    with `only`, that one table in full (for its download)."""
    appraisals = selectors.signed_appraisals(projects, filters)
    totals = selectors.totals(appraisals)
    limit = None if only else LISTED
    builders: dict[str, Callable[[], Table]] = {
        "stages": lambda: stage_table(appraisals),
        "departures": lambda: departure_table(appraisals, link, limit),
        "principles": lambda: principle_table(appraisals),
        "answers": lambda: answer_table(appraisals),
        "participation": lambda: participation_table(appraisals, totals["appraisals"]),
        "motivations": lambda: motivation_table(appraisals)[0],
        "funding": lambda: funding_table(appraisals),
        "realised": lambda: realised_table(appraisals),
        "readiness": lambda: _readiness_table(appraisals, totals["appraisals"]),
        "risks": lambda: risk_table(appraisals, limit),
        "reviews": lambda: review_table(appraisals, limit),
    }
    if only is not None:
        if only not in builders:
            raise Http404
        return {"totals": totals, "tables": {only: builders[only]()}}
    motivations, summary = motivation_table(appraisals)
    tables = {name: motivations if name == "motivations" else build() for name, build in builders.items()}
    charts = {name: draw(tables[name]) for name, draw in CHARTS.items()}
    return {"totals": totals, "tables": tables, "charts": charts, "motivation_summary": summary}


def _readiness_table(appraisals: QuerySet[Appraisal], total: int) -> Table:
    from .readiness import readiness_table  # (it builds on this module's tables)

    return readiness_table(appraisals, total)


def programme_record_link(programme_slug: str) -> Callable[[Appraisal], str]:
    return lambda a: reverse("programme-record", args=[programme_slug, a.pk])


def filters_from(form: Any) -> Filters:
    """The filters asked for; none when the form has errors (shown beside the fields)."""
    if not form.is_valid():
        return Filters()
    data = form.cleaned_data
    return Filters(
        stage=data.get("stage") or "",
        region=data.get("region") or "",
        organisation_type=data.get("organisation_type") or "",
        motivation=data.get("motivation") or "",
        decision=data.get("decision") or "",
        decided_from=data.get("decided_from"),
        decided_to=data.get("decided_to"),
    )


def portfolio_page(
    request: Any, projects: QuerySet[Project], *, link: Callable[[Appraisal], str] | None, file_prefix: str
) -> dict[str, Any] | HttpResponse:
    """The dashboard's context, or one of its tables as CSV (`?format=csv&table=NAME`)."""
    form = FiltersForm(request.GET or None)
    filters = filters_from(form) if request.GET else Filters()
    if request.GET.get("format") == "csv":
        name = request.GET.get("table", "")
        table = dashboard(projects, filters, link=link, only=name)["tables"][name]
        response = HttpResponse(csv_text(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{file_prefix}-{table.name}.csv"'
        return response
    page = dashboard(projects, filters, link=link)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    downloads = {}
    for name in page["tables"]:
        query["format"], query["table"] = "csv", name
        downloads[name] = "?" + query.urlencode()
    page.update(form=form if request.GET else FiltersForm(), downloads=downloads, listed=LISTED)
    return page


def sharing_page(membership: Any) -> dict[str, Any]:
    organisation = membership.organisation
    programmes = list(Programme.objects.filter(organisations__organisation=organisation).order_by("name"))
    shared = set(
        SharedProject.objects.active()
        .filter(organisation=organisation)
        .values_list("programme_id", "project_id")
    )
    projects = list(organisation.projects.order_by("title").only("pk", "title"))
    return {
        "organisation": organisation,
        "programmes": [
            (programme, [(project, (programme.pk, project.pk) in shared) for project in projects])
            for programme in programmes
        ],
        "can_share": role_may(membership.role, Action.MANAGE_PROJECTS),
    }
