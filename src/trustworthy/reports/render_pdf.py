"""The decision record as PDF: the HTML document laid out by WeasyPrint (A4, page numbers)."""

from __future__ import annotations

from weasyprint import HTML

from .charts import Chart
from .document import DecisionRecord
from .render_html import render_text


def html_to_pdf(html: str) -> bytes:
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def render(record: DecisionRecord, charts: tuple[Chart, ...] | None = None) -> bytes:
    """`charts`: the record's, drawn already (reports/files.py caches them); else drawn here."""
    return html_to_pdf(render_text(record, charts))
