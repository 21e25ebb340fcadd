"""Bounded, clean input types: every string has a maximum length and no control
characters (other than line breaks and tabs in longer text), no NUL bytes and no lone
surrogates, so nothing sent can reach the database in a form it would refuse."""

from __future__ import annotations

import re
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from ninja import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

from trustworthy.core.personal_data import find_personal_data
from trustworthy.organisations.services import CHANGE_NOTE_MAX_LENGTH, COMMITMENTS_MAX_LENGTH

from .errors import PersonalData

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID = 2**63 - 1


def _clean(pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
        if pattern.search(value):
            raise ValueError("Text must not contain control characters.")
        return value

    return AfterValidator(check)


_MULTI = _clean(_CONTROL)
_ONE = _clean(_CONTROL_ONE_LINE)
# Free text (line breaks and tabs allowed) and single lines, bounded as the web forms are.
LongText = Annotated[str, StringConstraints(max_length=5000), _MULTI]
Note = Annotated[str, StringConstraints(max_length=2000), _MULTI]
Description = Annotated[str, StringConstraints(max_length=4000), _MULTI]
ShortLine = Annotated[str, StringConstraints(max_length=200), _ONE]
Title = Annotated[str, StringConstraints(max_length=120), _ONE]
TokenName = Annotated[str, StringConstraints(min_length=1, max_length=100), _ONE]
# The family summary: its page has no limit of its own; this is far above any real one.
SummaryText = Annotated[str, StringConstraints(max_length=20_000), _MULTI]
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
    validate = URLValidator(schemes=["http", "https"])
    for line in (v.strip() for v in value.splitlines()):
        if line:
            try:
                validate(line)
            except DjangoValidationError:
                raise ValueError(f"“{line[:80]}” is not a web link: start each line with https://") from None
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
