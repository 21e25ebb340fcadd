"""Find text that looks like personal data about a person.

Pure functions, no Django. `find_personal_data(text)` returns every finding in the order it
appears: names with a title ("Mrs Patel"), dates of birth (a date beside words such as
"born" or "DOB"), NHS numbers whose check digit is valid, UK postcodes, UK phone numbers
and email addresses. A finding names its kind, where it is (`start`, `end` as string
offsets) and a message for people ("looks like an NHS number").

It is a guard against accidents, not a guarantee: it looks for the shapes personal data
usually takes in free text about a project, and says where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("name", "date_of_birth", "nhs_number", "postcode", "phone", "email")
STRUCTURED_KINDS = ("date_of_birth", "nhs_number", "postcode", "phone", "email")

MESSAGES = {
    "name": "looks like the name of a person",
    "date_of_birth": "looks like a date of birth",
    "nhs_number": "looks like an NHS number",
    "postcode": "looks like a postcode",
    "phone": "looks like a phone number",
    "email": "looks like an email address",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    message: str


# --- names with a title --------------------------------------------------------------------

_TITLES = "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Master|Sir|Dame|Lady|Lord|Rev|Revd|Reverend|Cllr|Councillor"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.?)"
_NAME_RE = re.compile(rf"\b(?:{_TITLES})\.?[ \t]+{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}(?![\w])")
# Words that follow a title without being a name ("Miss Out", "Dr Who" is fiction anyway).
_NOT_NAMES = frozenset({"The", "A", "An", "Of", "And", "Or", "In", "On", "To", "For", "Out", "It"})

# --- dates of birth ------------------------------------------------------------------------

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:{_MONTHS})\.?,?[ \t]+\d{{4}}"
    rf"|(?:{_MONTHS})\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})"
)
_DOB_CUE = r"(?:date[ \t]+of[ \t]+birth|d\.?[ \t]?o\.?[ \t]?b\.?|born(?:[ \t]+on)?|birthday(?:[ \t]+is)?)"
_DOB_RE = re.compile(
    rf"\b{_DOB_CUE}[ \t]*(?:[:\-–][ \t]*|is[ \t]+|was[ \t]+)?(?P<date>{_DATE})",
    re.IGNORECASE,
)

# --- NHS numbers ---------------------------------------------------------------------------

_NHS_RE = re.compile(r"(?<![\w\d+])(\d{3})([ \-]?)(\d{3})\2(\d{4})(?![\w\d])")


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus 11 check on ten digits."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False  # ten of the same digit is a placeholder, never an allocated number
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --- postcodes -----------------------------------------------------------------------------

_POSTCODE_RE = re.compile(
    r"(?<![\w])(?:GIR[ \t]?0AA|"
    r"(?:[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?))[ \t]?\d[ABD-HJLNP-UW-Z]{2})(?![\w])",
    re.IGNORECASE,
)

# --- phone numbers -------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?<![\w+])(?:\+44[ \t\-]?(?:\(0\)[ \t]?)?|\(?0)\d[\d \t\-()]{7,14}\d(?![\w])")

# --- email addresses -----------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9])?@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+"
)


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    return Finding(kind=kind, start=start, end=end, text=text[start:end], message=MESSAGES[kind])


def _names(text: str) -> list[Finding]:
    found = []
    for match in _NAME_RE.finditer(text):
        words = match.group(0).split()
        if words[1] in _NOT_NAMES:
            continue
        found.append(_finding("name", text, match.start(), match.end()))
    return found


def _dates_of_birth(text: str) -> list[Finding]:
    return [_finding("date_of_birth", text, m.start("date"), m.end("date")) for m in _DOB_RE.finditer(text)]


def _nhs_numbers(text: str) -> list[Finding]:
    found = []
    for match in _NHS_RE.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if nhs_number_is_valid(digits):
            found.append(_finding("nhs_number", text, match.start(), match.end()))
    return found


def _postcodes(text: str) -> list[Finding]:
    found = []
    for match in _POSTCODE_RE.finditer(text):
        value = match.group(0)
        # Lower-case words such as "in 2ab" are rare; require capitals or a digit-led inward part.
        if value != value.upper():
            continue
        found.append(_finding("postcode", text, match.start(), match.end()))
    return found


def _phones(text: str) -> list[Finding]:
    found = []
    for match in _PHONE_RE.finditer(text):
        value = match.group(0)
        digits = re.sub(r"\D", "", value)
        if digits.startswith("44"):
            digits = "0" + digits[2:].removeprefix("0")
        if len(digits) not in (10, 11) or not digits.startswith("0") or digits.startswith("00"):
            continue
        # A run of digits broken by more than two separators is more likely a table of figures.
        if len(re.findall(r"[ \t\-]", value)) > 3:
            continue
        start = match.start()
        if value.startswith("(") and ")" not in value:  # "(07700 900123)": the bracket is not part of it
            start += 1
        found.append(_finding("phone", text, start, match.end()))
    return found


def _emails(text: str) -> list[Finding]:
    return [_finding("email", text, m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]


def find_personal_data(text: str) -> list[Finding]:
    """Every place in `text` that looks like personal data, in order of position.

    Where two findings overlap, the longer one is kept (a phone number with an area code
    rather than the ten digits inside it); on equal length the more specific kind wins.
    """
    if not text:
        return []
    ordered = [
        *_emails(text),
        *_nhs_numbers(text),
        *_dates_of_birth(text),
        *_phones(text),
        *_postcodes(text),
        *_names(text),
    ]
    priority = {id(f): i for i, f in enumerate(ordered)}
    ordered.sort(key=lambda f: (f.start - f.end, priority[id(f)]))
    kept: list[Finding] = []
    for finding in ordered:
        if any(finding.start < other.end and other.start < finding.end for other in kept):
            continue
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end))


def looks_personal(text: str) -> bool:
    return bool(find_personal_data(text))


def describe(finding: Finding) -> str:
    """One line for people: “Mrs Patel” looks like the name of a person."""
    return f"“{finding.text}” {finding.message}"
