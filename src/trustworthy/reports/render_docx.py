"""The decision record as a Word document, with real headings and tables.

Headings use Word's built-in heading styles, so the navigation pane, screen readers and
a table of contents all find them; tables have a header row that repeats on each page.
Pages are A4 with 2 cm margins; each table's columns are set from what they hold, and a
table with too many columns to read upright gets landscape pages of its own.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.utils.translation import gettext  # headings in the record's language
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Length, Mm, Pt, Twips
from docx.table import Table

from trustworthy.core.text import xml_safe

from . import declared, screening_record
from . import readiness as readiness_part
from .charts import all_charts
from .document import ActionItem, DecisionRecord, EvaluationSection

T = TypeVar("T")


def _para(doc: DocumentObject, text: str, *, placeholder: str = "Not given.") -> None:
    for part in (text or placeholder).split("\n\n"):
        doc.add_paragraph(part.replace("\n", " "))


def _labelled(doc: DocumentObject, label: str, value: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value or "Not given")


# Printed on A4 in the UK: portrait, or landscape for a table too wide to read upright.
A4_SHORT, A4_LONG = Mm(210), Mm(297)
MARGIN = Mm(20)
# Estimates for fitting words in columns: a character at most this share of the font size
# wide (generous for Calibri, bold included), plus Table Grid's cell margins, left and right.
CHARACTER = 0.6
CELL_PADDING = Twips(2 * 108)
# More columns than this go on a landscape page: upright, each would be too narrow to read.
MOST_COLUMNS_UPRIGHT = 6
# A body word longer than this (a web address, a hash) may break rather than widen its column.
LONGEST_WORD_KEPT = 16


def _page(section: Section, *, landscape: bool) -> None:
    """A4 with 2 cm margins, either way round."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN


def _usable(landscape: bool) -> int:
    return (A4_LONG if landscape else A4_SHORT) - 2 * MARGIN


def _fits(characters: int, size: Length) -> int:
    """The width a column needs for this many characters on a line, in EMU."""
    return round(characters * CHARACTER * size) + CELL_PADDING


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _short_header(header: str) -> tuple[str, str]:
    """A header with a long note in brackets, as "Likelihood (1 very unlikely to 5 almost
    certain)", split into the word for the column and the note for a key above the table."""
    found = re.fullmatch(r"(.+?) \((.+)\)", header)
    if found and len(found[2].split()) > 2:
        return found[1], found[2]
    return header, ""


def _column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], size: Length, usable: int
) -> list[int]:
    """Widths (EMU) summing to `usable`: each column at least as wide as its longest header
    word (and body word, where there is room), the rest shared by how much each holds."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
    floor = [_fits(max(_longest_word(h), 2), size) for h in headers]
    least = [
        max(f, _fits(min(max(map(_longest_word, cells), default=0), LONGEST_WORD_KEPT), size))
        for f, cells in zip(floor, columns, strict=True)
    ]
    if sum(least) > usable:  # body words may break; header words may not
        least = floor
    wants = [
        max(low, _fits(round(sum(map(len, cells)) / max(len(cells), 1)), size))
        for low, cells in zip(least, columns, strict=True)
    ]
    if sum(least) > usable:  # more than a page can hold: share it out as best we can
        widths = [usable * low // sum(least) for low in least]
    elif sum(wants) <= usable:  # everything fits on a line: widen each in proportion
        widths = [usable * want // sum(wants) for want in wants]
    else:  # the least each needs, and what is left by how much more each wants
        more = [want - low for want, low in zip(wants, least, strict=True)]
        widths = [low + (usable - sum(least)) * m // sum(more) for low, m in zip(least, more, strict=True)]
    widths[widths.index(max(widths))] += usable - sum(widths)  # what rounding left over
    return widths


def _set_widths(table: Table, widths: Sequence[int]) -> None:
    """Fixed column widths, written where Word (cell widths) and LibreOffice (the grid)
    each look, so neither shrinks a column to fit its text."""
    table.autofit = False  # w:tblLayout "fixed"
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))  # python-docx writes one, "auto"
    if tbl_w is not None:
        tbl_w.set(qn("w:w"), str(Emu(sum(widths)).twips))
        tbl_w.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Emu(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Emu(width)


def _table(doc: DocumentObject, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    rows = [[str(text) for text in values] for values in rows] or [
        ["None recorded."] + [""] * (len(headers) - 1)
    ]
    labels, notes = zip(*map(_short_header, headers), strict=True)
    size = doc.styles["Normal"].font.size or Pt(11)
    landscape = len(headers) > MOST_COLUMNS_UPRIGHT or sum(
        _fits(_longest_word(h), size) for h in labels
    ) > _usable(False)
    if landscape:
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    doc.add_paragraph(caption, style="Caption").paragraph_format.keep_with_next = True
    key = " ".join(f"{label}: {note}." for label, note in zip(labels, notes, strict=True) if note)
    if key:
        doc.add_paragraph(key).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    header = table.rows[0]
    # Repeat the header row on every page, and mark it as a header for screen readers.
    tr_pr = header._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    tr_pr.append(marker)
    for cell, text in zip(header.cells, labels, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    _set_widths(table, _column_widths(labels, rows, size, _usable(landscape)))
    if landscape:  # back to upright pages for what follows
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _evaluation(doc: DocumentObject, ev: EvaluationSection) -> None:
    """Expected against realised, at the post hoc evaluation stage."""
    doc.add_heading(ev.title, level=1)
    base = ev.baseline
    if base is None and (ev.benefits or ev.risks):
        doc.add_paragraph(
            "What was expected came with an imported decision record, as the benefits and risks it "
            "carried forward: the earlier stage was approved somewhere else."
        )
    elif base is None:
        doc.add_paragraph(
            "No earlier stage of this project was approved, so there were no expected benefits "
            "or risks to look back on."
        )
    else:
        version = f" (version {base.version})" if base.version > 1 else ""
        approved = f", approved on {base.approved_at[:10]}" if base.approved_at else ""
        stage = base.stage_name.lower()
        doc.add_paragraph(f"What was expected comes from the approved {stage} appraisal{version}{approved}.")
        if base.record_hash:
            _labelled(doc, "Its record hash", base.record_hash)
    for heading, items in (("Benefits", ev.benefits), ("Risks", ev.risks)):
        _table(
            doc,
            f"{heading}: expected against realised ({len(items)})",
            ["#", "What was expected", "What happened"],
            [
                [
                    str(n),
                    "\n".join(f"{label}: {value}" for label, value in i.cells),
                    "\n".join(
                        part
                        for part in (
                            i.result_label,
                            f"Evidence: {i.evidence}" if i.evidence else "",
                            f"How it was handled: {i.handling}" if i.handling else "",
                        )
                        if part
                    ),
                ]
                for n, i in enumerate(items, 1)
            ],
        )
    doc.add_heading("What nobody expected", level=2)
    if not ev.unforeseen:
        doc.add_paragraph("None recorded.")
    for u in ev.unforeseen:
        doc.add_heading(u.kind_label, level=3)
        _para(doc, u.description)
        if u.who_affected:
            _labelled(doc, "Who it affected", u.who_affected)
        if u.handling:
            _labelled(doc, "What was done", u.handling)
    doc.add_heading("Lessons for others", level=2)
    _para(doc, ev.lessons, placeholder="None recorded.")


def _actions(doc: DocumentObject, actions: Sequence[ActionItem], approved: bool) -> None:
    """The actions agreed, one heading each with its details: a list, not a wide table."""
    doc.add_heading("Actions agreed", level=1)
    if approved:
        doc.add_paragraph(
            "As they stood when the decision was approved. Progress since is kept on each action, "
            "not in this signed record."
        )
    for number, a in enumerate(actions, 1):
        doc.add_heading(f"{number}. {a.what}", level=2)
        if a.owner:
            _labelled(doc, "Owner", a.owner)
        _labelled(doc, "Due", a.due_on)
        _labelled(doc, "Status", a.status_label + (f" on {a.closed_on}" if a.closed_on else ""))
        source = a.source_label
        if a.carried_forward_from:
            source += f"; carried forward from the {a.carried_forward_from.lower()} stage"
        if a.carried_forward_to:
            source += f"; carried forward to the {a.carried_forward_to.lower()} stage"
        _labelled(doc, "From", source)
        if a.evidence:
            _labelled(doc, "What shows it was done", a.evidence)
        if a.dropped_reason:
            _labelled(doc, "Why it was dropped", a.dropped_reason)


def build(record: DecisionRecord) -> DocumentObject:
    doc = Document()
    _page(doc.sections[0], landscape=False)
    doc.core_properties.title = record.title
    doc.core_properties.subject = (
        f"{record.framework_title} ({record.framework_id}@{record.framework_version})"
    )
    doc.core_properties.language = "en-GB"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(record.title, level=0)
    _labelled(doc, "Organisation", record.organisation)
    _labelled(doc, "Stage", record.stage_name)
    if record.stage_reason:
        _labelled(doc, "Why this stage started before the earlier one was signed", record.stage_reason)
    _labelled(
        doc, "Framework", f"{record.framework_title} ({record.framework_id}@{record.framework_version})"
    )
    _labelled(doc, "Status", record.sign_off.status_label)
    if record.generated_at:
        _labelled(doc, "Record produced", record.generated_at[:16].replace("T", " ") + " UTC")

    doc.add_heading(gettext("The decision"), level=1)
    d = record.decision
    if d is None:
        doc.add_paragraph("No decision has been recorded yet.")
    else:
        _labelled(doc, "Decision", f"{d.name}: {d.meaning}")
        doc.add_heading(gettext("Reasons"), level=2)
        _para(doc, d.reasoning)
        if d.is_departure:
            doc.add_heading(gettext("Departure from the framework"), level=2)
            allowed = ", ".join(record.route.allowed_names) or "no decision yet"
            doc.add_paragraph(f"The framework allowed: {allowed}. This decision departs from it.")
            _para(doc, d.departure_reason)
        if d.accountable_person:
            _labelled(doc, "Accountable person", d.accountable_person)
        _labelled(doc, "Decided on", d.decided_on)
        if d.recorded_by:
            _labelled(doc, "Recorded by", d.recorded_by)
    declared.docx_parts(doc, record.interests, record.commitments)
    doc.add_heading(gettext("What the framework allows"), level=2)
    if record.route.complete:
        doc.add_paragraph("From the answers to section 3: " + ", ".join(record.route.allowed_names) + ".")
        for reason in record.route.reasons:
            doc.add_paragraph(reason, style="List Bullet")
    else:
        doc.add_paragraph("Not known until section 3 is answered.")
    if record.screening:
        screening_record.docx_part(doc, record.screening)

    if record.summary:
        doc.add_heading(gettext("What we decided and why"), level=1)
        for part in record.summary.paragraphs:  # paragraphs and line breaks as typed
            run = doc.add_paragraph().add_run()
            for number, line in enumerate(part.split("\n")):
                if number:
                    run.add_break()
                run.add_text(line)
    if record.voices:
        doc.add_heading(record.voices.title, level=1)
        if record.voices.introduction:
            _para(doc, record.voices.introduction)
        for item in record.voices.items:
            if item.heading:
                doc.add_heading(item.heading, level=2)
            _labelled(doc, "What we heard", item.said)
            _labelled(doc, "What we did", item.response)
        if record.voices.counts:
            _table(
                doc,
                "Who responded, and how",
                ["Group", "How", "Responses"],
                [[c.group, c.source, str(c.count)] for c in record.voices.counts],
            )

    if record.evaluation:
        _evaluation(doc, record.evaluation)
    if record.readiness:
        readiness_part.add_to_docx(doc, record.readiness)
    if record.actions:
        _actions(doc, record.actions, record.sign_off.approved)

    p = record.project
    doc.add_heading(gettext("About the project"), level=1)
    for heading, value in (
        ("Summary", p.summary),
        ("The problem it addresses", p.problem),
        ("Who it is for", p.target_cohort),
    ):
        doc.add_heading(heading, level=2)
        _para(doc, value)
    _labelled(doc, "Funding", p.funding)
    if p.accountable_person:
        _labelled(doc, "Accountable person", p.accountable_person)
    doc.add_heading(gettext("Context"), level=2)
    for c in p.context:
        doc.add_heading(c.label, level=3)
        _para(doc, c.text)
    doc.add_heading(gettext("Motivations"), level=2)
    for m in p.motivations:
        doc.add_heading(m.label + (" (main motivation)" if m.primary else ""), level=3)
        _para(doc, m.explanation)

    for section in record.sections:
        doc.add_heading(
            gettext("Section {number}: {title}").format(number=section.number, title=section.title), level=1
        )
        for q in section.questions:
            doc.add_heading(f"{q.id} {q.label}", level=2)
            doc.add_paragraph(q.text, style="Quote")
            if not q.answers:
                doc.add_paragraph("Not answered.")
            for a in q.answers:
                if a.aspect_label:
                    doc.add_heading(a.aspect_label, level=3)
                if a.value_label:
                    _labelled(doc, "Answer", a.value_label)
                _para(doc, a.rationale)
                if a.evidence:
                    _labelled(doc, "Evidence", a.evidence.replace("\n", "; "))
            if q.register:
                reg = record.register(q.register)
                if reg is not None:
                    _table(
                        doc,
                        f"{reg.name} ({len(reg.rows)})",
                        ["#", *(f.label for f in reg.fields)],
                        [[str(n), *row.cells] for n, row in enumerate(reg.rows, 1)],
                    )
            if q.kind == "participation":
                _table(
                    doc,
                    "Who took part and what they said",
                    ["Group", "How they took part", "What they said"],
                    [
                        [x.stakeholder_label, x.mode_label + (f": {x.reason}" if x.reason else ""), x.summary]
                        for x in record.participation
                    ],
                )
            if q.kind == "principles":
                _table(
                    doc,
                    f"Principles rated for {q.label}",
                    ["Principle", "Part", "Rating", "Note"],
                    [
                        [f"{r.principle_id} {r.principle_name}", r.aspect_label, r.rating_label, r.note]
                        for r in record.ratings_in(q.cluster)
                    ],
                )

    doc.add_heading("Charts as tables", level=1)
    for chart in all_charts(record, draw=False):
        doc.add_heading(chart.title, level=2)
        doc.add_paragraph(chart.description)
        if chart.rows:
            _table(doc, chart.title, chart.headers, chart.rows)
        else:
            doc.add_paragraph(chart.empty)

    doc.add_heading(gettext("Accountability and sign-off"), level=1)
    s = record.sign_off
    _labelled(doc, "Status", s.status_label)
    if s.approved:
        if s.approved_by:
            _labelled(doc, "Approved and signed by", s.approved_by)
        _labelled(doc, "Approved on", (s.approved_at or "")[:16].replace("T", " "))
        _labelled(doc, "Record hash", s.record_hash or "")
        _labelled(doc, "Audit trail hash at approval", s.approved_audit_head or "")
    else:
        _labelled(doc, "Sign-off", "Not approved yet")
    return doc


def render(record: DecisionRecord) -> bytes:
    buffer = io.BytesIO()
    build(_xml_safe(record)).save(buffer)
    return _reproducible(buffer.getvalue(), record.generated_at)


def _xml_safe(value: T) -> T:
    """The record with every string Word can hold. Text is checked when it is saved now,
    but text saved before that may hold control characters (a page break, a colour
    code), which python-docx refuses: the document leaves them out rather than fail."""
    out: Any = value
    if isinstance(value, str):
        out = xml_safe(value)
    elif isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        out = type(value)(*(_xml_safe(v) for v in value))
    elif isinstance(value, tuple | list | frozenset):
        out = type(value)(_xml_safe(v) for v in value)
    elif isinstance(value, Mapping):
        out = {_xml_safe(k): _xml_safe(v) for k, v in value.items()}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _xml_safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        out = dataclasses.replace(value, **changes)
    return out


def _reproducible(content: bytes, produced: str | None) -> bytes:
    """The same bytes for the same record: python-docx dates each part of the file (a zip)
    with the moment it saved it; this dates them all when the record was produced."""
    moment = datetime.datetime.fromisoformat(produced) if produced else datetime.datetime(1980, 1, 1)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            dated = zipfile.ZipInfo(part.filename, date_time=stamp)
            dated.compress_type = part.compress_type
            dated.external_attr = part.external_attr
            target.writestr(dated, source.read(part))
    return out.getvalue()
