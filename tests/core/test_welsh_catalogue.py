"""The Welsh catalogue: every string the participant's pages, the public register and
records and the family summary use has a Welsh translation, with the same placeholders, and
the compiled catalogue Django reads (`make translations`) is up to date with it."""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

import trustworthy

SRC = Path(trustworthy.__file__).parent
PO = SRC / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# What young people, families and the public read, and what every page has around it.
WELSH_IN_FULL = [
    "core/jinja2/layout.html",
    "core/jinja2/components/forms.html",
    "core/personal_data.py",
    "voices/jinja2/voices/participate.html",
    "voices/jinja2/voices/thanks.html",
    "voices/jinja2/voices/closed.html",
    "voices/jinja2/voices/_safeguarding.html",
    "voices/wording.py",
    "voices/forms.py",
    "voices/guard.py",
    "voices/services.py",
    "reports/jinja2/reports/register.html",
    "reports/jinja2/reports/public_record.html",
    "reports/jinja2/reports/_record.html",
    "reports/summary.py",
]
# Babel's defaults, and the functions this code marks text with (as `make messages` reads it).
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "gettext_lazy": None,
    "gettext_noop": None, "N_": None, "_say": None,
}  # fmt: skip
JINJA = {"extensions": "jinja2.ext.do,jinja2.ext.i18n", "trimmed": "false"}


def _msgids(path: Path) -> set[str]:
    method: Any = babel_extract if path.suffix == ".html" else "python"  # Jinja2's and Babel's types differ
    options = JINJA if path.suffix == ".html" else {}
    found: set[str] = set()
    for _, message, _, _ in extract_from_file(method, str(path), keywords=KEYWORDS, options=options):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _welsh() -> dict[str, str]:
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="cy")
    return {
        m.id: str(m.string)
        for m in catalogue
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and "fuzzy" not in m.flags
    }


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)s|\{[a-z_]+\}", text))


@pytest.mark.parametrize("name", WELSH_IN_FULL)
def test_every_string_shown_to_participants_and_the_public_is_in_welsh(name: str) -> None:
    welsh = _welsh()
    found = _msgids(SRC / name)
    assert found, f"{name} has no marked text: is it still marked?"
    missing = sorted(m for m in found if not welsh.get(m))
    assert not missing, f"not in Welsh yet (run `make messages`, then translate): {missing}"
    for msgid in found:
        assert _placeholders(welsh[msgid]) == _placeholders(msgid), msgid


def test_the_compiled_catalogue_is_the_one_in_the_po_file() -> None:
    assert MO.exists(), "run `make translations`"
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    translated = {k: v for k, v in _welsh().items() if v}
    assert {k: v for k, v in compiled.items() if isinstance(k, str) and k} == translated, (
        "the .mo is out of date: run `make translations`"
    )
