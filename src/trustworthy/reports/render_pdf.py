"""The decision record as PDF: the HTML document laid out by WeasyPrint (A4, page numbers)."""

from __future__ import annotations

from weasyprint import HTML

from .document import DecisionRecord
from .render_html import render_text


def html_to_pdf(html: str) -> bytes:
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def render(record: DecisionRecord) -> bytes:
    return html_to_pdf(render_text(record))
