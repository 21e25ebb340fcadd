"""Readiness for innovation in the decision record: each dimension of the edition assessed
(resources, culture, permissions, capabilities), how far it is in place and what shows it.

The part exists only when the appraisal has an assessment, so a record signed before
readiness was asked rebuilds exactly as it was signed (its document has no `readiness`).
It is the appraisal's own content, changed only while the appraisal is being written, so
approval freezes it as it freezes the answers. Read by every format: HTML
(reports/_readiness.html), PDF (the same HTML), Word (`add_to_docx`) and JSON (`to_dict`,
the optional `readiness` property of decision-record-1, read back by `from_dict`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from docx.document import Document as DocumentObject

from trustworthy.appraisals import readiness
from trustworthy.core.text import NOTE
from trustworthy.framework import Framework

TITLE = readiness.TITLE


@dataclass(frozen=True)
class ReadinessItem:
    dimension: str
    label: str
    status: str  # in-place, partly or not-in-place
    status_label: str
    evidence: str
    key: str = ""

    @property
    def gap(self) -> bool:
        return readiness.is_gap(self.status)


@dataclass(frozen=True)
class ReadinessSection:
    items: tuple[ReadinessItem, ...]
    title: str = TITLE

    @property
    def gaps(self) -> tuple[ReadinessItem, ...]:
        return tuple(i for i in self.items if i.gap)


def _item(facts: dict[str, Any]) -> ReadinessItem:
    return ReadinessItem(
        dimension=facts["dimension"],
        label=facts["label"],
        status=facts["status"],
        status_label=facts["status_label"],
        evidence=facts["evidence"],
        key=f"readiness.{facts['dimension']}",
    )


def section(data: Any) -> ReadinessSection | None:
    """The part for one appraisal (`data` is an `AppraisalData`); None when nothing is assessed."""
    found = readiness.facts(data.framework, readiness.assessments(data))
    return ReadinessSection(tuple(_item(f) for f in found)) if found else None


def free_text(part: ReadinessSection | None) -> list[tuple[str, str, str]]:
    """(key, where, text) of each piece of free text, for the personal-data check."""
    if part is None:
        return []
    return [(i.key, f"{part.title}: {i.label}", i.evidence) for i in part.items]


def public(part: ReadinessSection | None, text: Callable[[str, str], str]) -> ReadinessSection | None:
    """The public version: evidence the lead keeps back reads "Not published."."""
    if part is None:
        return None
    return replace(part, items=tuple(replace(i, evidence=text(i.key, i.evidence)) for i in part.items))


# --- JSON ---------------------------------------------------------------------------------------


FIELDS = ("dimension", "label", "status", "status_label", "evidence")


def to_dict(part: ReadinessSection) -> dict[str, Any]:
    return {
        "title": part.title,
        "dimensions": [{name: getattr(i, name) for name in FIELDS} for i in part.items],
    }


def from_dict(fw: Framework, document: dict[str, Any] | None) -> ReadinessSection | None:
    if not document:
        return None
    items = tuple(
        _item({**d, "label": d.get("label") or fw.label("readiness_dimensions", d["dimension"])})
        for d in document.get("dimensions") or []
    )
    return ReadinessSection(items, document.get("title") or TITLE) if items else None


# --- Word ---------------------------------------------------------------------------------------


def add_to_docx(doc: DocumentObject, part: ReadinessSection) -> None:
    """A heading, then each dimension: how far it is in place, and what shows it."""
    doc.add_heading(part.title, level=1)
    doc.add_paragraph(
        "Whether the right resources, culture, permissions and capabilities are in place to "
        "undertake innovation in ways that are ethical."
    )
    for i in part.items:
        doc.add_heading(f"{i.label}: {i.status_label}", level=2)
        for paragraph in (i.evidence or "Not given.").split("\n\n"):
            doc.add_paragraph(paragraph.replace("\n", " "))


# --- import -------------------------------------------------------------------------------------


def import_texts(doc: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """Each evidence text of a document's readiness part, where it is and its limit."""
    for i, d in enumerate((doc.get("readiness") or {}).get("dimensions") or []):
        yield f"readiness.dimensions[{i}].evidence", d["evidence"], NOTE


def import_problems(doc: dict[str, Any], fw: Framework) -> list[str]:
    """The readiness part, checked as the service would check it: every dimension of the
    edition, once each, with its evidence."""
    part = doc.get("readiness")
    if not part:
        return []
    given = [d["dimension"] for d in part["dimensions"]]
    expected = [d.id for d in fw.readiness_dimensions]
    problems = [
        f"readiness.dimensions[{i}].evidence: say what shows it"
        for i, d in enumerate(part["dimensions"])
        if not d["evidence"].strip()
    ]
    if sorted(given) != sorted(expected):
        problems.append(f"readiness.dimensions: assess each of {', '.join(expected)} once")
    return problems


def import_readiness(doc: dict[str, Any], appraisal: Any, user: Any) -> None:
    """Recreate the assessment a document holds (checked first by `import_problems`)."""
    part = doc.get("readiness")
    if part:
        entries = {d["dimension"]: (d["status"], d["evidence"]) for d in part["dimensions"]}
        readiness.save_readiness(appraisal=appraisal, user=user, entries=entries)
