"""Find text that looks like personal data about a person.

Pure functions, no Django. `find_personal_data(text)` returns every finding in the order it
appears: names with a title ("Mrs Patel"), after a cue ("my name is Jamie", "called Ali")
or as a known first name and a surname ("Jamie Smith"), dates of birth (a date beside words
such as "born" or "DOB"), NHS numbers whose check digit is valid, UK postcodes, UK phone
numbers, email addresses, street addresses ("12 Oak Road", "lives on Mill Lane") and the
names of schools ("Oakfield Primary School"). A finding names its kind, where it is (`start`, `end` as string
offsets) and a message for people ("looks like an NHS number").

It is a guard against accidents, not a guarantee: it looks for the shapes personal data
usually takes in free text about a project, and says where.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

KINDS = ("name", "date_of_birth", "nhs_number", "postcode", "phone", "email", "address", "school")
STRUCTURED_KINDS = ("date_of_birth", "nhs_number", "postcode", "phone", "email", "address")

# Marked for the Welsh catalogue; each finding's message is in the language of the page.
MESSAGES = {
    "name": _("looks like the name of a person"),
    "date_of_birth": _("looks like a date of birth"),
    "nhs_number": _("looks like an NHS number"),
    "postcode": _("looks like a postcode"),
    "phone": _("looks like a phone number"),
    "email": _("looks like an email address"),
    "address": _("looks like a street address"),
    "school": _("looks like the name of a school"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    message: str


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- names with a title --------------------------------------------------------------------

_TITLES = "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Master|Sir|Dame|Lady|Lord|Rev|Revd|Reverend|Cllr|Councillor"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.?)"
_NAME_RE = re.compile(rf"\b(?:{_TITLES})\.?[ \t]+{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}(?![\w])")
# Words that follow a title without being a name ("Miss Out", "Dr Who" is fiction anyway).
_NOT_NAMES = frozenset({"The", "A", "An", "Of", "And", "Or", "In", "On", "To", "For", "Out", "It"})

# Names without a title: a capitalised word after a phrase people use to name someone, or a
# known first name followed by a capitalised word ("Jamie Smith").
_CUE_RE = re.compile(
    r"\b(?i:(?:my|his|her|their|your|the (?:boy|girl|child|young person)'s|"
    r"(?:my|his|her|their|your) (?:mum|dad|carer|worker|brother|sister|friend|son|daughter)'s) "
    r"name(?:'s| is| was)"
    r"|(?:is|was|were|are|be|boy|girl|child|kid|son|daughter|brother|sister|baby|friend|cousin|"
    r"mum|dad|carer|worker|someone|person|man|woman|lady) (?:called|named)"
    r"|named|known as|calls? (?:himself|herself|themselves)|her name was|his name was"
    r"|I'?m|I am|this is|said|says|told me|asked|with|and|to|for|from|by)"
    rf"[ \t]+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)",
)
# Cues after which any capitalised word is a name; after the others (“I'm”, “with”, …) it
# must be a known first name, since “I'm Worried” and “with Children's Services” are not.
_STRONG_CUES = ("name",)
_NAMING_CUES = ("called", "named", "known as", "calls")
# (A lookahead, so that "Ask Daniel Okoro" is tried at "Daniel" as well as at "Ask".)
_FULL_NAME_RE = re.compile(
    rf"\b(?=(?P<first>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)[ \t]+(?P<last>{_NAME_WORD})(?![\w]))"
)
# Capitalised words that follow a first name without being a surname: places, services, days.
_NOT_SURNAMES = _words(
    """Council Councils Service Services Trust Team Teams Hub Project Board Group Partnership Centre
    Center School Academy College University Road Street Lane Avenue House Court Hall Park Place
    Way Close Drive Ward Unit Home Homes Care Health Hospital Foundation Fund Programme Model
    Panel Review Plan Street Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
    February March April May June July August September October November December The And Of
    In On At For To With Young Family Families Children Child Social Early Help Support"""
)
# A word after a name that makes it the name of a place or body named after someone
# ("Mary Seacole Centre", "Henry Smith Charity", "Victoria Station").
_NAMED_AFTER = _words(
    """Centre Center Charity Foundation Station Council Trust House Hospital Library Hall Court
    Road Street Lane Academy School College Fund Award Awards Prize Institute Building Ward Unit
    Park Estate Memorial Model Programme Approach Method Way Project Scheme Society"""
)
_NEXT_WORD_RE = re.compile(r"[ \t]+([A-Z][a-z]+)")
# First names that are also everyday words, counted only after a cue.
_COMMON_WORDS = _words(
    """Will May June April August Hope Grace Faith Joy Mark Bill Rose Summer Dean Chase Page Guy
    Sunny Rich Frank Hunter Sky Star Honey Amber Crystal Autumn Dawn Eve Major Royal King Prince
    Baker Carter Cooper Mason Parker Taylor
    Young Early Child Care Social Justice Rights Council Trust Family Human Local Best North South
    East West Central Greater"""
)

_NAME_LOCALES = ("en", "en_GB", "en_US", "en_IE", "en_NZ", "en_IN", "en_PK", "en_NG", "en_KE", "pl_PL")


@cache
def first_names() -> frozenset[str]:
    """First names from Faker's lists for English-speaking and other locales common in
    England. Read from its source files rather than imported: importing Faker costs a
    worker some 16 MB, the names a few kilobytes."""
    spec = find_spec("faker")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency
        return frozenset()
    folder = Path(spec.origin).parent / "providers" / "person"
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        module = ast.parse((folder / locale / "__init__.py").read_text(encoding="utf-8"))
        for node in ast.walk(module):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and any(isinstance(t, ast.Name) and t.id.startswith("first_names") for t in targets)
            ):
                names.update(
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant)
                    and isinstance(c.value, str)
                    and re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", c.value)
                )
    return frozenset(names - _COMMON_WORDS)


# --- street addresses and schools ----------------------------------------------------------

_STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Gardens|Gdns|"
    "Place|Pl|Terrace|Grove|Hill|Park|Square|Sq|Walk|Mews|Row|Green|Rise|View|Vale|Parade|"
    "Boulevard|Croft|Fields|Meadow|Meadows|Estate|Approach|Wharf"
)
_STREET = rf"(?:[A-Z][a-z'’]+[ \t]+){{1,3}}(?:{_STREET_TYPES})\b"
_ADDRESS_RE = re.compile(
    rf"(?:\b(?:Flat|Apartment|Apt|Unit)[ \t]+\d+[A-Za-z]?,?[ \t]+)?"
    rf"(?:\b\d{{1,4}}[A-Za-z]?,?[ \t]+{_STREET}"
    rf"|\b(?:live|lives|living|lived|stay|stays|staying|moved|address is)[ \t]+(?:at|on|in|to)?[ \t]*"
    rf"(?P<street>{_STREET}))"
)
_SCHOOL_TYPES = (
    r"(?:Primary|Junior|Infant|Infants|Nursery|High|Secondary|Grammar|Middle|Special|C of E|CE|RC)"
    r"(?:[ \t]+(?:School|Academy))?|Academy|School|College|Free School|Sixth Form College"
)
_SCHOOL_RE = re.compile(
    rf"\b(?P<place>(?:(?:St\.?|Saint)[ \t]+)?(?:[A-Z][a-z'’]+[ \t]+){{1,3}})(?:{_SCHOOL_TYPES})\b"
)
# Words before "School" that make a kind of school, not a school's name.
_GENERIC_SCHOOL_WORDS = _words(
    """The A An Our Their His Her My Your This That Each Every Any All Which Local Virtual Mainstream
    Primary Secondary High Special Independent Community Free State Boarding Residential Alternative
    Hospital Nursery Forest Summer Sunday Holiday Junior Infant Middle Grammar Faith Catholic
    Church Further Higher Medical Business Law Art Police Staff Training Academy School Schools
    New Old Big Small Children Children's Young Attendance Education When If At In On For To
    Of After Before From With Social Work Practice Foster Care Parenting Leaving Inclusion"""
)


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
    return Finding(kind=kind, start=start, end=end, text=text[start:end], message=gettext(MESSAGES[kind]))


def _names(text: str) -> list[Finding]:
    found = []
    for match in _NAME_RE.finditer(text):
        words = match.group(0).split()
        if words[1] in _NOT_NAMES:
            continue
        found.append(_finding("name", text, match.start(), match.end()))
    return found


def _cued_names(text: str) -> list[Finding]:
    found = []
    known = first_names()
    for match in _CUE_RE.finditer(text):
        cue = match.group(0)[: match.start("name") - match.start()].lower()
        words = match.group("name").split()
        if words[0] in _NOT_NAMES or words[0] in _NOT_SURNAMES:
            continue
        end = match.end("name")
        if len(words) == 2 and (words[1] in _NOT_SURNAMES or words[1] in _NOT_NAMES):
            words, end = words[:1], match.start("name") + len(words[0])  # "Jamie Council": "Jamie"
        if any(c in cue for c in _STRONG_CUES):
            pass  # "my name is …": whatever follows is a name
        elif any(c in cue for c in _NAMING_CUES):
            # "is called Bex" is a name; "is called Step Up" is more likely a project's.
            if words[0] not in known and len(words) > 1:
                continue
        elif words[0] not in known:
            continue
        found.append(_finding("name", text, match.start("name"), end))
    return found


def _named_after_someone(text: str, end: int) -> bool:
    following = _NEXT_WORD_RE.match(text, end)
    return following is not None and following.group(1) in _NAMED_AFTER


def _full_names(text: str) -> list[Finding]:
    known = first_names()
    return [
        _finding("name", text, m.start("first"), m.end("last"))
        for m in _FULL_NAME_RE.finditer(text)
        if m.group("first") in known
        and m.group("last") not in _NOT_SURNAMES
        and m.group("last") not in _NAMED_AFTER
        and not _named_after_someone(text, m.end("last"))
    ]


def _addresses(text: str) -> list[Finding]:
    found = []
    for match in _ADDRESS_RE.finditer(text):
        start = match.start("street") if match.group("street") else match.start()
        found.append(_finding("address", text, start, match.end()))
    return found


def _schools(text: str) -> list[Finding]:
    found = []
    for match in _SCHOOL_RE.finditer(text):
        start = match.start("place")
        # Generic words in front ("the", "Virtual", "Primary") make a kind of school, not a
        # school's name: skip them; what is left, if anything, names the school.
        for word in match.group("place").split():
            if word not in _GENERIC_SCHOOL_WORDS:
                break
            start = text.index(word, start) + len(word)
            start += len(text[start:]) - len(text[start:].lstrip())
        # "Oasis Academy Trust", "Kings College London": a body, not a school.
        if start < match.end("place") and not _NEXT_WORD_RE.match(text, match.end()):
            found.append(_finding("school", text, start, match.end()))
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
        *_addresses(text),
        *_schools(text),
        *_names(text),
        *_cued_names(text),
        *_full_names(text),
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
