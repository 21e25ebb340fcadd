"""Bounded, clean input types: every string has a maximum length and no control
characters (other than line breaks and tabs in longer text), no NUL bytes and no lone
surrogates, so nothing sent can reach the database in a form it would refuse."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

from trustworthy.core import text
from trustworthy.core.personal_data import find_personal_data
from trustworthy.organisations.services import CHANGE_NOTE_MAX_LENGTH, COMMITMENTS_MAX_LENGTH

from .errors import PersonalData

MAX_ID = 2**63 - 1


def _clean(*, one_line: bool) -> AfterValidator:
    """The same check as every form and the import (core.text); a 422 problem on failure."""

    def check(value: str) -> str:
        message = text.hidden_characters(value, one_line=one_line)
        if message:
            raise ValueError(message)
        return value

    return AfterValidator(check)


_MULTI = _clean(one_line=False)
_ONE = _clean(one_line=True)
# Free text (line breaks and tabs allowed) and single lines, bounded as the web forms are.
LongText = Annotated[str, StringConstraints(max_length=text.LONG), _MULTI]
Note = Annotated[str, StringConstraints(max_length=text.NOTE), _MULTI]
Description = Annotated[str, StringConstraints(max_length=4000), _MULTI]
ShortLine = Annotated[str, StringConstraints(max_length=text.SHORT), _ONE]
Title = Annotated[str, StringConstraints(max_length=120), _ONE]
TokenName = Annotated[str, StringConstraints(min_length=1, max_length=100), _ONE]
# The family summary, as on its page.
SummaryText = Annotated[str, StringConstraints(max_length=text.FAMILY_SUMMARY), _MULTI]
# The organisation's ethical commitments (as long as the service allows) and the note of what changed.
CommitmentsText = Annotated[str, StringConstraints(max_length=COMMITMENTS_MAX_LENGTH), _MULTI]
ChangeNote = Annotated[str, StringConstraints(max_length=CHANGE_NOTE_MAX_LENGTH), _ONE]
SafeguardingText = Annotated[str, StringConstraints(max_length=500), _MULTI]
Email = Annotated[str, StringConstraints(min_length=1, max_length=254), _ONE]
PersonName = Annotated[str, StringConstraints(max_length=150), _ONE]
# Keys of items of free text in a decision record ("answer.P1", "row.12", "project.summary").
RecordKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,80}$")]
Cursor = Annotated[str, StringConstraints(max_length=100, pattern=r"^[A-Za-z0-9_-]*$")]


# Framework ids (questions, registers, stakeholders, aspects...): short, plain.
FrameworkId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]


def check_links(value: str) -> str:
    """Evidence: web links, one on each line (as on the answer page)."""
    line = text.not_web_link(value)
    if line is not None:
        raise text.TextRefused(f"evidence: “{line[:80]}” is not a web link: start each line with https://")
    return value


def check_personal_data(confirmed: bool, texts: dict[str, str]) -> None:
    """Refuse free text that looks like personal data unless the caller confirmed it is not
    about a real person (as the web pages ask before saving)."""
    if confirmed:
        return
    findings = [
        {"field": name, "text": finding.text, "message": finding.message}
        for name, text in texts.items()
        if text
        for finding in find_personal_data(text)
    ]
    if findings:
        raise PersonalData(findings)


# Parameters in the path and the query string.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
PathKey = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
PathVersion = Annotated[int, Path(ge=1, le=2**31 - 1)]
CursorQuery = Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_-]*$")]
LimitQuery = Annotated[int, Query(ge=1, le=100)]
