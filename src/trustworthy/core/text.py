"""Limits and cleaning for the text people send: the one place the forms, the API, the
import and the change gates take them from.

Text is refused, never silently changed, when it holds characters that cannot be stored
or shown safely: control characters other than tab and line breaks (a page break pasted
from a document, a terminal colour code), NUL (PostgreSQL cannot store it), lone
surrogates (not Unicode at all) and U+FFFE/U+FFFF (Word files cannot hold them). The
message says what to do. Line breaks become "\n", so a length counts what the
character count on the page counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .errors import Invalid

# Limits, in characters. Every text box and every text field of the API and the import
# has one of these.
SHORT = 200  # a title, a name and role, a funding source, who was affected
NOTE = 2_000  # a note, a reason, evidence links, a register cell, what happened
LONG = 5_000  # an answer, the reasoning for a decision, a comment, the project's context
FAMILY_SUMMARY = 5_000  # “What we decided and why”: one page for young people, and its PDF
DOCUMENT = 10_000  # an organisation's ethical commitments
LONGEST = DOCUMENT  # nothing anyone types is longer: the change gates refuse more

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone
# surrogates; and the two non-characters XML (so Word) refuses.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A single line: tab and line breaks too.
_HIDDEN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What XML 1.0 cannot hold (python-docx raises on it): for text saved before these rules.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a terminal could act on: every control character, escaped before it is echoed.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

HIDDEN_MESSAGE = (
    "Remove the hidden characters from this text (the first is {code}, at character {position}). "
    "They can come with text copied from another program: paste it as plain text, or type it again"
)


class TextRefused(Invalid):
    """Text that is too long or holds hidden characters (a 422 from the API)."""


def normalise(value: str) -> str:
    """Line breaks as "\n", whichever system the text came from."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def hidden_characters(value: str, *, one_line: bool = False) -> str | None:
    """Why `value` cannot be saved because of what it holds, or None if it can."""
    found = (_HIDDEN_ONE_LINE if one_line else _HIDDEN).search(value)
    if found is None:
        return None
    return HIDDEN_MESSAGE.format(code=_code(found.group()), position=found.start() + 1)


def too_long(value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return f"This text must be {limit:,} characters or fewer (it has {len(value):,})"


def problem(value: str, limit: int, *, one_line: bool = False) -> str | None:
    """Why `value` cannot be saved, or None."""
    return hidden_characters(value, one_line=one_line) or too_long(value, limit)


def check(value: str, limit: int, *, field: str | None = None, one_line: bool = False) -> str:
    """`value`, or TextRefused saying what to change."""
    message = problem(value, limit, one_line=one_line)
    if message:
        error = TextRefused(message)
        error.field = field
        raise error
    return value


def strings(data: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in nested dicts and lists (keys too), with where it is: `a.b[2]`."""
    stack: list[tuple[str, Any]] = [(where, data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            yield path, node
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str):
                    yield path, key
                stack.append((f"{path}.{key}" if path else str(key), value))
        elif isinstance(node, list | tuple):
            stack.extend((f"{path}[{i}]", value) for i, value in enumerate(node))


def first_problem(data: Any, limit: int = LONGEST) -> str | None:
    """The first string anywhere in `data` that cannot be saved, and why, or None."""
    for path, value in strings(data):
        message = problem(value, limit)
        if message:
            return f"{path}: {message}" if path else message
    return None


def check_written(*values: Any) -> None:
    """The change gates' check of what a change writes (its audit event's values): whichever
    way it arrived, no text longer than anyone may type and no hidden characters."""
    for value in values:
        message = first_problem(value)
        if message:
            raise TextRefused(message[:300])


# --- links -------------------------------------------------------------------------------

_validate_web_link = URLValidator(schemes=["http", "https"])


def is_web_link(value: str) -> bool:
    """Only http and https links are ever shown as links (never javascript:, data: ...)."""
    try:
        _validate_web_link(value)
    except ValidationError:
        return False
    return True


def not_web_link(links: str) -> str | None:
    """The first line of `links` (one link on each line) that is not a web link, or None."""
    return next(
        (line for line in (v.strip() for v in links.splitlines()) if line and not is_web_link(line)), None
    )


# --- output ------------------------------------------------------------------------------


def xml_safe(value: str) -> str:
    """`value` without the characters an XML document (a Word file) cannot hold."""
    return _NOT_XML.sub("", value)


def printable(value: str) -> str:
    """`value` safe to echo on a terminal: control characters shown as escapes, not run."""
    return _NOT_PRINTABLE.sub(
        lambda m: m.group().encode("unicode_escape", "backslashreplace").decode(), value
    )


# --- forms -------------------------------------------------------------------------------


class TextField(forms.CharField):
    """A text box with a limit (shown on the page by the character count), line breaks as
    "\n" before the length is counted, and no hidden characters."""

    def __init__(self, *, max_length: int, one_line: bool = False, **kwargs: Any) -> None:
        label = kwargs.get("label")
        what = str(label) if label else "This text"
        messages = {"max_length": f"{what} must be {max_length:,} characters or fewer"}
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(max_length=max_length, **kwargs)
        self.one_line = one_line

    def to_python(self, value: Any) -> str:
        return normalise(super().to_python(value))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if "\x00" in value:
            return  # Django's own validator says "Null characters are not allowed"
        message = hidden_characters(value, one_line=self.one_line)
        if message:
            raise ValidationError(message, code="hidden_characters")
