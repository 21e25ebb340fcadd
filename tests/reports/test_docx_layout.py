"""The Word record prints on A4: pages, margins and table columns set, headers readable."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt, Twips
from docx.table import Table

from trustworthy.appraisals.models import Appraisal
from trustworthy.reports import render_docx
from trustworthy.reports.document import DecisionRecord, RowItem
from trustworthy.reports.services import record_for

A4 = (Mm(210), Mm(297))
TOLERANCE = Mm(1)
# What readable text needs, estimated independently of the renderer: a character 0.6 of
# the font size wide.
CHARACTER = 0.6

LONG_RISK = (
    "Families who are referred in a crisis wait longer for a first visit while the new triage "
    "team is recruited, trained and given access to the case management system, and some "
    "of them stop engaging before anyone has seen them."
)
LONG_MITIGATION = (
    "Urgent cases bypass the wait and go straight to the duty social worker; the service "
    "manager reviews every case waiting more than ten working days at the weekly panel."
)


def open_docx(content: bytes) -> DocumentObject:
    return Document(io.BytesIO(content))


def tables_with_sections(doc: DocumentObject) -> Iterator[tuple[Table, Section]]:
    """Each table with the section it is printed in: a section ends at the paragraph
    holding its properties (w:sectPr), the last at the end of the body."""
    sections = list(doc.sections)
    index = 0
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            yield Table(child, doc._body), sections[index]
        elif child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            index += 1


def grid_widths(table: Table) -> list[int]:
    """The widths in the table grid (w:gridCol), in EMU: 0 where one is missing."""
    cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    return [Twips(int(c.get(qn("w:w")))) if c.get(qn("w:w")) else 0 for c in cols]


def emu(value: Length | None) -> int:
    """A length that must be set."""
    assert value is not None
    return int(value)


def mm(value: float) -> float:
    return round(value / Mm(1), 1)


def is_landscape(section: Section) -> bool:
    return emu(section.page_width) > emu(section.page_height)


def cell_padding(doc: DocumentObject, table: Table) -> Length:
    """Left plus right cell margin, from the table or its style (Word's default otherwise)."""
    total = 0
    assert table.style is not None
    for pr in (table._tbl.tblPr, doc.styles[table.style.name].element.find(qn("w:tblPr"))):
        margins = pr.find(qn("w:tblCellMar")) if pr is not None else None
        if margins is not None:
            for side in ("left", "right"):
                m = margins.find(qn(f"w:{side}"))
                total += int(m.get(qn("w:w"))) if m is not None else 108
            return Twips(total)
    return Twips(2 * 108)


def needs(word: str, size: Length, padding: Length) -> float:
    return len(word) * CHARACTER * size + padding


def usable(section: Section) -> int:
    return emu(section.page_width) - emu(section.left_margin) - emu(section.right_margin)


def check_layout(content: bytes) -> DocumentObject:
    doc = open_docx(content)
    size = doc.styles["Normal"].font.size
    assert size is not None
    for section in doc.sections:
        width, height = emu(section.page_width), emu(section.page_height)
        assert (abs(width - A4[0]) <= TOLERANCE and abs(height - A4[1]) <= TOLERANCE) or (
            abs(width - A4[1]) <= TOLERANCE and abs(height - A4[0]) <= TOLERANCE
        ), (mm(width), mm(height))
        for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
            assert Mm(15) <= emu(margin) <= Mm(25), margin
    tables = list(tables_with_sections(doc))
    assert tables
    for table, section in tables:
        headers = [cell.text for cell in table.rows[0].cells]
        widths = grid_widths(table)
        assert len(widths) == len(headers), headers
        assert all(widths), headers
        assert abs(sum(widths) - usable(section)) <= 0.02 * usable(section), (
            headers,
            sum(widths),
            usable(section),
        )
        for row in table.rows:  # Word reads the cell widths, LibreOffice the grid: they agree
            assert all(abs(emu(c.width) - w) <= Twips(2) for c, w in zip(row.cells, widths, strict=True))
        padding = cell_padding(doc, table)
        for header, width in zip(headers, widths, strict=True):
            longest = max(header.split(), key=len)
            assert width >= needs(longest, size, padding), f"{header!r} is {mm(width)} mm wide"
    return doc


def with_long_risks(record: DecisionRecord) -> DecisionRecord:
    """The risks as a council writes them: paragraphs, not a few words."""
    registers = []
    for register in record.registers:
        if register.id == "risks":
            fields = [f.id for f in register.fields]
            rows = []
            for row in register.rows:
                cells = list(row.cells)
                cells[fields.index("description")] = LONG_RISK
                cells[fields.index("mitigation")] = LONG_MITIGATION
                cells[fields.index("owner")] = "Head of Early Help and Family Support"
                rows.append(RowItem(data=row.data, cells=tuple(cells), key=row.key))
            register = dataclasses.replace(register, rows=tuple(rows))
        registers.append(register)
    return dataclasses.replace(record, registers=tuple(registers))


def risk_table(doc: DocumentObject) -> tuple[Table, Section]:
    return next(
        (t, s) for t, s in tables_with_sections(doc) if [c.text for c in t.rows[0].cells][1:2] == ["Risk"]
    )


def test_every_page_is_a4_and_every_column_fits_its_header(decided: Appraisal) -> None:
    check_layout(render_docx.render(record_for(decided)))


def test_long_risks_keep_their_columns_readable(decided: Appraisal) -> None:
    doc = check_layout(render_docx.render(with_long_risks(record_for(decided))))
    table, section = risk_table(doc)
    widths = dict(zip([c.text for c in table.rows[0].cells], grid_widths(table), strict=True))
    # The words get the room; a score of 1 to 5 gets what its header needs.
    assert widths["Risk"] > 2 * widths["Likelihood"]
    assert widths["Mitigation"] > 2 * widths["Severity"]
    assert widths["#"] < Mm(15)
    assert is_landscape(section)


def test_the_risk_register_is_printed_landscape_and_the_rest_upright(decided: Appraisal) -> None:
    doc = open_docx(render_docx.render(record_for(decided)))
    table, section = risk_table(doc)
    assert len(table.columns) == 8
    assert is_landscape(section)
    assert not is_landscape(doc.sections[0])
    assert not is_landscape(doc.sections[-1])  # upright again after it
    upright = [t for t, s in tables_with_sections(doc) if not is_landscape(s)]
    assert len(upright) == len(doc.tables) - 1


def test_long_header_notes_move_to_a_key_above_the_table(decided: Appraisal) -> None:
    doc = open_docx(render_docx.render(record_for(decided)))
    table, _ = risk_table(doc)
    headers = [c.text for c in table.rows[0].cells]
    assert headers == [
        "#",
        "Risk",
        "Who could be harmed",
        "Likelihood",
        "Severity",
        "Mitigation",
        "Owner",
        "Status",
    ]
    body = [p.text for p in doc.paragraphs]
    assert "Likelihood: 1 very unlikely to 5 almost certain. Severity: 1 minor to 5 very serious." in body


def test_every_table_header_row_repeats_on_each_page(decided: Appraisal) -> None:
    doc = open_docx(render_docx.render(record_for(decided)))
    for table in doc.tables:
        tr_pr = table.rows[0]._tr.trPr
        marker = tr_pr.find(qn("w:tblHeader")) if tr_pr is not None else None
        assert marker is not None
        assert marker.get(qn("w:val"), "true") in ("true", "1", "on")
        layouts = table._tbl.tblPr.findall(qn("w:tblLayout"))  # one, or Word calls the file damaged
        assert [layout.get(qn("w:type")) for layout in layouts] == ["fixed"]


@pytest.mark.parametrize("columns", [1, 3, 6, 8])
def test_column_widths_sum_to_the_page_and_fit_the_header(columns: int) -> None:
    headers = [
        "#",
        "Description",
        "Likelihood",
        "Knock-on effect elsewhere",
        "Owner",
        "Status",
        "Severity",
        "Note",
    ]
    headers = headers[:columns]
    rows = [[LONG_RISK if h in ("Description", "Note") else "3" for h in headers] for _ in range(3)]
    size = Pt(10.5)
    for usable_width in (Mm(170), Mm(257)):
        widths = render_docx._column_widths(headers, rows, size, usable_width)
        assert sum(widths) == usable_width
        for header, width in zip(headers, widths, strict=True):
            assert width >= needs(max(header.split(), key=len), size, Twips(216)), header
