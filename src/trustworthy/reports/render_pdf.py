"""The decision record as PDF: the HTML document laid out by WeasyPrint (A4, page numbers)."""

from __future__ import annotations

import os

from weasyprint import HTML

from .charts import Chart
from .document import DecisionRecord
from .render_html import render_text

# WeasyPrint subsets fonts with fontTools, which stamps each embedded font with the time of
# the render unless SOURCE_DATE_EPOCH is set. Without this the same record gives different
# bytes from one second to the next, and a cached file could never be checked against a
# fresh render of the same record.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


def html_to_pdf(html: str) -> bytes:
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def render(record: DecisionRecord, charts: tuple[Chart, ...] | None = None) -> bytes:
    """`charts`: the record's, drawn already (reports/files.py caches them); else drawn here."""
    return html_to_pdf(render_text(record, charts))
