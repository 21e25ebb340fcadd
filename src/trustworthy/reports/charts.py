"""Charts drawn on the server as SVG, each with the same facts as a table.

matplotlib with the Agg backend and its own bundled font (nothing is downloaded); text
stays text in the SVG, so the charts are searchable in the PDF. The same SVG is placed in
the HTML page, the HTML export and the PDF.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from trustworthy.framework import RISK_QUESTION, risk_rating, risk_score

from .document import DecisionRecord

RATING_ORDER = ("supports", "neutral", "at-risk", "not-applicable")
RATING_COLOURS = {
    "supports": "#00703c",
    "neutral": "#b1b4b6",
    "at-risk": "#d4351c",
    "not-applicable": "#f3f2f1",
}
INK = "#0b0c0c"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: str  # empty when there is nothing to draw
    empty: str  # what to say when there is nothing to draw
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@cache
def _style() -> None:
    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "trustworthy",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.edgecolor": INK,
            "text.color": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
        }
    )


def _svg(fig: Figure, prefix: str, label: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Ids are unique per page however many charts it holds.
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    text = text.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", text, count=1)
    text = _presentation_attributes(text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="record-chart" ', 1)


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_FONT = re.compile(r"^(?:(bold|normal)\s+)?([\d.]+)px\s+'?([^']+)'?$")


def _declarations(style: str) -> str:
    attributes = []
    for part in style.split(";"):
        if ":" not in part:
            continue
        name, value = (x.strip() for x in part.split(":", 1))
        if name == "font":
            match = _FONT.match(value)
            if match:
                weight, size, family = match.groups()
                attributes.append(f'font-size="{size}" font-family="{family}, sans-serif"')
                if weight:
                    attributes.append(f'font-weight="{weight}"')
            continue
        attributes.append(f'{name}="{value}"')
    return (" " + " ".join(attributes)) if attributes else ""


def _presentation_attributes(svg: str) -> str:
    """Styles as SVG presentation attributes: a Content Security Policy without
    'unsafe-inline' blocks `style` attributes and elements, but not these."""
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, flags=re.DOTALL)
    svg = svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    return _STYLE_ATTR.sub(lambda m: _declarations(m.group(1)), svg)


def risk_matrix(record: DecisionRecord, *, draw: bool = True) -> Chart:
    register = next((r for r in record.registers if r.question_id == RISK_QUESTION), None)
    rows = register.rows if register else ()
    placed: dict[tuple[int, int], list[str]] = {}
    table = []
    for number, row in enumerate(rows, 1):
        rating = risk_rating(row.data)
        if rating is None:
            continue
        likelihood, severity = rating
        placed.setdefault((likelihood, severity), []).append(f"R{number}")
        description = row.cells[0] if row.cells else ""
        status = next((c for f, c in zip(register.fields, row.cells, strict=True) if f.id == "status"), "")  # type: ignore[union-attr]
        table.append(
            (f"R{number}", description, str(likelihood), str(severity), str(risk_score(row.data)), status)
        )
    chart = Chart(
        id="risk-matrix",
        title="Risk matrix",
        description="Each risk placed by how likely it is (1 to 5) and how severe it would be (1 to 5).",
        svg="",
        empty="No risks are recorded.",
        headers=("Risk", "Description", "Likelihood", "Severity", "Score", "Status"),
        rows=tuple(table),
    )
    if not table or not draw:
        return chart
    _style()
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    for likelihood in range(1, 6):
        for severity in range(1, 6):
            score = likelihood * severity
            colour = "#f6d7d2" if score >= 15 else "#fff2cc" if score >= 8 else "#e6f2eb"
            ax.add_patch(
                plt.Rectangle((likelihood - 0.5, severity - 0.5), 1, 1, facecolor=colour, edgecolor="#ffffff")
            )
            labels = placed.get((likelihood, severity), [])
            if labels:
                shown = ", ".join(labels[:4]) + (f" +{len(labels) - 4}" if len(labels) > 4 else "")
                ax.text(likelihood, severity, shown, ha="center", va="center", fontsize=7, wrap=True)
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel("Likelihood (1 very unlikely, 5 almost certain)")
    ax.set_ylabel("Severity (1 minor, 5 very serious)")
    ax.set_aspect("equal")
    return Chart(
        **{**chart.__dict__, "svg": _svg(fig, "risk-matrix", chart.title + ". " + chart.description)}
    )


def principles_chart(record: DecisionRecord, *, draw: bool = True) -> Chart:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    clusters: list[tuple[str, str]] = []
    aspects: list[tuple[str, str]] = []
    for r in record.principles:
        if (r.cluster, r.cluster_name) not in clusters:
            clusters.append((r.cluster, r.cluster_name))
        if (r.aspect, r.aspect_label) not in aspects:
            aspects.append((r.aspect, r.aspect_label))
        counts.setdefault((r.cluster, r.aspect), dict.fromkeys(RATING_ORDER, 0))[r.rating] += 1
    rows = tuple(
        (cluster_name, aspect_label, *(str(counts.get((c, a), {}).get(k, 0)) for k in RATING_ORDER))
        for c, cluster_name in clusters
        for a, aspect_label in aspects
    )
    chart = Chart(
        id="principles",
        title="Principles supported and at risk",
        description=(
            "For each group of principles, how many the process and the innovation support or put at risk."
        ),
        svg="",
        empty="No principles have been rated yet.",
        headers=("Principles", "Part", "Supported", "Neutral", "At risk", "Does not apply"),
        rows=rows,
    )
    if not rows or not draw:
        return chart
    _style()
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.45 * len(rows)))
    labels = [f"{row[0]}: {row[1].removeprefix('The ').lower()}" for row in rows]
    left = [0] * len(rows)
    names = {
        "supports": "Supported",
        "neutral": "Neutral",
        "at-risk": "At risk",
        "not-applicable": "Does not apply",
    }
    for index, key in enumerate(RATING_ORDER):
        values = [int(row[2 + index]) for row in rows]
        ax.barh(
            labels,
            values,
            left=left,
            color=RATING_COLOURS[key],
            edgecolor=INK,
            linewidth=0.4,
            label=names[key],
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("Number of principles")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=4, frameon=False, fontsize=7)
    return Chart(**{**chart.__dict__, "svg": _svg(fig, "principles", chart.title + ". " + chart.description)})


def profile_chart(record: DecisionRecord, *, draw: bool = True) -> Chart:
    scores = {"met": 3, "partly": 2, "not-met": 1, "unknown": 0}
    rows = tuple((c.criterion, c.text, c.rating_label, c.note) for c in record.profile)
    chart = Chart(
        id="profile",
        title="Trustworthy innovation profile (D1 to D5)",
        description="How far the project meets each criterion of trustworthy innovation.",
        svg="",
        empty="The criteria of trustworthy innovation (D1 to D5) have not been rated for this appraisal.",
        headers=("Criterion", "What it means", "Rating", "Note"),
        rows=rows,
    )
    if not rows or not draw:
        return chart
    _style()
    fig, ax = plt.subplots(figsize=(6.0, 0.5 + 0.4 * len(rows)))
    ax.barh(
        [c.criterion for c in record.profile],
        [scores.get(c.rating, 0) for c in record.profile],
        color="#1d70b8",
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 3)
    ax.set_xticks([0, 1, 2, 3], ["Not known", "Not met", "Partly", "Met"])
    return Chart(**{**chart.__dict__, "svg": _svg(fig, "profile", chart.title + ". " + chart.description)})


def all_charts(record: DecisionRecord, *, draw: bool = True) -> tuple[Chart, ...]:
    """The charts; with `draw=False` only their tables (for formats without the pictures)."""
    return (
        risk_matrix(record, draw=draw),
        principles_chart(record, draw=draw),
        profile_chart(record, draw=draw),
    )
