"""The decision record as one standalone HTML document with print styles."""

from __future__ import annotations

from django.template.loader import get_template

from .charts import Chart, all_charts
from .document import DecisionRecord
from .languages import language_context


def render_text(record: DecisionRecord, charts: tuple[Chart, ...] | None = None) -> str:
    context = {
        "record": record,
        "charts": all_charts(record) if charts is None else charts,
        **language_context(),
    }
    return str(get_template("reports/record_document.html").render(context)).lstrip()


def render(record: DecisionRecord) -> bytes:
    return render_text(record).encode("utf-8")
