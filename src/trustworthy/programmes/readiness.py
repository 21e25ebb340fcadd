"""Readiness for innovation across a portfolio: for each dimension of the edition, how many
signed appraisals found it in place, partly in place or not in place, and how many did not
assess it (appraisals signed before readiness was asked, among them). One grouped query."""

from __future__ import annotations

from django.db.models import QuerySet

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import Appraisal, ReadinessStatus

from . import selectors
from .presenters import Cell, Table


def readiness_table(appraisals: QuerySet[Appraisal], total: int) -> Table:
    fw = current_framework()
    counts = {(r["dimension"], r["status"]): r["count"] for r in selectors.readiness(appraisals)}
    rows: list[list[Cell]] = []
    for d in fw.readiness_dimensions:
        row = [counts.get((d.id, status), 0) for status in ReadinessStatus.values]
        rows.append([d.label, *row, total - sum(row)])
    return Table(
        "readiness",
        f"Readiness for innovation in {total} signed appraisals, by dimension",
        ["Dimension", *ReadinessStatus.labels, "Not assessed"],
        rows,
    )
