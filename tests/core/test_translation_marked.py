"""Every piece of interface text in a template is marked for translation.

Text is marked with `{% trans %}…{% endtrans %}` or, inside an expression (a GOV.UK macro's
arguments, a `set`, a default), with `_("…")`. Unmarked text would stay English on a page in
Welsh, so this walks every template of the service and names each piece still unmarked:

- literal text between HTML tags, outside `{% trans %}` blocks (read from the template's
  tokens, so an attribute built with `{% if %}` is still part of its tag, not text);
- string constants in expressions that read as words ("Save", "Not given"), except where
  they are not text: the msgid of `_()` itself, URL names, comparisons, dictionary keys, CSS
  classes and ids and other non-text arguments of the GOV.UK macros, method arguments.

The attributes people read or hear (`aria-label`, `title`, `alt`, `placeholder`, and the
`data-label` of a table cell shown as a card) count as text.

Code samples (`<pre>`, `<code>`), scripts and styles are not interface text and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, nodes

SRC = Path(__file__).resolve().parents[2] / "src" / "trustworthy"

# Text that is the same in every language, each with why.
ALLOWED_TEXT = {
    "GOV.UK",  # a proper name, the same in Welsh
}

# Calls whose string arguments are not interface text.
NOT_TEXT_CALLS = {"url", "static", "choice_items", "range", "dict", "caller"}
# Calls that mark text: their first argument is the msgid.
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# Keys of GOV.UK macro parameters (and our own dictionaries) whose values are not text.
NOT_TEXT_KEYS = {
    "id", "idPrefix", "name", "href", "value", "type", "classes", "autocomplete", "inputmode",
    "spellcheck", "attributes", "method", "action", "for", "role", "rel", "target", "pattern",
    "status", "colour", "headingLevel", "format", "describedBy", "element", "key_id", "kind",
}  # fmt: skip

_SKIPPED_ELEMENTS = re.compile(
    r"<(script|style|pre|code)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"<[^>]*>")
_TEXT_ATTRIBUTE = re.compile(r"""\b(aria-label|data-label|title|alt|placeholder)=["']([^"'>]*)["']""")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(r"https?://\S*")  # a web address shown as it is, as in a link's text


def _reads_as_words(text: str) -> bool:
    """A constant that a person would read: words, not a name, class, id or format."""
    # Markup pieces ('<a class="govuk-link" href="') are not words; what is between them may be.
    text = _ENTITY.sub(" ", _TAG.sub(" ", re.sub(r"^[^<>]*>|<[^<>]*$", " ", text))).strip()
    if not _LETTER.search(text) or text in ALLOWED_TEXT or text.startswith("%"):
        return False
    # A name, a URL, or CSS classes ("govuk-button govuk-button--secondary") are not words.
    code_like = re.fullmatch(r"[a-z0-9_.:/#!?=&-]+( [a-z0-9_.:/#!?=&-]+)*", text)
    return not (code_like and (" " not in text or "-" in text or "_" in text))


def unmarked_text(env: Environment, source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of interface text not marked for translation."""
    return sorted(set(_unmarked_data(env, source)) | set(_unmarked_constants(env.parse(source))))


def _unmarked_data(env: Environment, source: str) -> Iterator[tuple[int, str]]:
    # The template with every Jinja construct and every trans block replaced by \x00, and
    # for each character of it the line it came from.
    chars: list[str] = []
    lines: list[int] = []
    in_trans = 0
    tokens = list(env.lex(source))
    for i, (lineno, kind, value) in enumerate(tokens):
        if kind in ("block_begin", "variable_begin", "comment_begin"):
            chars.append("\x00")
            lines.append(lineno)
            if kind == "block_begin":
                name = next((v for _, k, v in tokens[i + 1 : i + 3] if k == "name"), None)
                if name == "trans":
                    in_trans += 1
                elif name == "endtrans":
                    in_trans -= 1
        elif kind == "data" and not in_trans:
            line = lineno
            for ch in value:
                chars.append(ch)
                lines.append(line)
                line += ch == "\n"
    skeleton = "".join(chars)
    # Attributes people read (or hear) are text too.
    for match in _TEXT_ATTRIBUTE.finditer(skeleton):
        value = " ".join(match.group(2).split())
        if _LETTER.search(value.replace("\x00", "")) and value not in ALLOWED_TEXT:
            yield lines[match.start(2)], f"{match.group(1)}={value!r}".replace("\x00", "{{…}}")
    # Blank out what is not text, keeping positions so lines stay right.
    for pattern in (_SKIPPED_ELEMENTS, _TAG, _ENTITY):
        skeleton = pattern.sub(lambda m: "\x00" * len(m.group()), skeleton)
    for match in re.finditer(r"[^\x00]+", skeleton):
        text = " ".join(match.group().split())
        if _LETTER.search(text) and text not in ALLOWED_TEXT and not _URL.fullmatch(text):
            offset = match.start() + len(match.group()) - len(match.group().lstrip())
            yield lines[offset], text


def _unmarked_constants(node: nodes.Node, text: bool = True) -> Iterator[tuple[int, str]]:
    if isinstance(node, nodes.Const):
        if text and isinstance(node.value, str) and _reads_as_words(node.value):
            yield node.lineno, node.value
        return
    if isinstance(node, nodes.Call):
        called = node.node
        name = called.name if isinstance(called, nodes.Name) else None
        if name in GETTEXT_CALLS:
            for kwarg in node.kwargs:  # the msgid is marked; the values put into it are not
                yield from _unmarked_constants(kwarg.value)
            return
        args_are_text = name not in NOT_TEXT_CALLS and not isinstance(called, nodes.Getattr)
        yield from _unmarked_constants(called, text=False)
        for arg in node.args:
            yield from _unmarked_constants(arg, text=args_are_text)
        for kwarg in node.kwargs:
            yield from _unmarked_constants(kwarg.value, text=args_are_text and kwarg.key not in NOT_TEXT_KEYS)
        return
    if isinstance(node, nodes.Pair):
        key = node.key.value if isinstance(node.key, nodes.Const) else None
        yield from _unmarked_constants(node.value, text=text and key not in NOT_TEXT_KEYS)
        return
    if isinstance(node, (nodes.Compare, nodes.Test, nodes.Getitem, nodes.Getattr)):
        # Comparisons, tests and look-ups use values, not text.
        for child in node.iter_child_nodes():
            yield from _unmarked_constants(child, text=False)
        return
    for child in node.iter_child_nodes():
        yield from _unmarked_constants(child, text=text)


def _templates() -> list[Path]:
    return sorted(SRC.glob("*/jinja2/**/*.html"))


@pytest.fixture(scope="module")
def env() -> Any:
    from django.template import engines

    return engines["jinja2"].env


def test_every_template_string_is_marked_for_translation(env: Environment) -> None:
    templates = _templates()
    assert len(templates) > 100  # the glob found the templates
    problems = []
    for path in templates:
        for line, text in unmarked_text(env, path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(SRC)}:{line}: {text[:80]!r}")
    assert not problems, (
        f"{len(problems)} pieces of interface text are not marked for translation. Wrap text in "
        '{% trans %}…{% endtrans %} and strings in expressions in _("…"):\n' + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "source",
    [
        '<h1 class="govuk-heading-l">Your work</h1>',
        '<a href="{{ url(\'home\') }}" class="govuk-link">Go home</a>',
        "<p>{% if x %}Saved{% endif %}</p>",
        '<nav aria-label="Menu"></nav>',
        '<td data-label="What was expected {{ x }}">{{ y }}</td>',
        '{{ govukButton({"text": "Save and continue", "classes": "govuk-button--secondary"}) }}',
        '{{ value or "Not given" }}',
        '{% set title = "Projects" %}',
        '{{ back(url("project-list"), "All projects") }}',
        """{{ govukInsetText({"html": "Read <a href='" ~ link ~ "'>the record</a>."}) }}""",
        "{% trans name=x %}Hello {{ name }}{% endtrans %} and goodbye",
    ],
)
def test_the_checker_finds_unmarked_text(env: Environment, source: str) -> None:
    assert unmarked_text(env, source)


@pytest.mark.parametrize(
    "source",
    [
        '<h1 class="govuk-heading-l">{% trans %}Your work{% endtrans %}</h1>',
        '<a href="{{ url(\'home\') }}" class="govuk-link">{{ _("Go home") }}</a>',
        '<div class="govuk-form-group{% if e %} govuk-form-group--error{% endif %}">{{ x }}</div>',
        '{{ govukButton({"text": _("Save and continue"), "classes": "govuk-button--secondary"}) }}',
        '{{ value or _("Not given") }}',
        "{% trans name=x %}Hello {{ name }}{% endtrans %}",
        """<nav aria-label="{{ _('Menu') }}"></nav>""",
        '<td data-label="{% trans %}Owner{% endtrans %}">{{ x }}</td>',
        '{% if status == "Completed" %}{{ colours["in-progress"] }}{% endif %}',
        "<pre><code>curl -H 'Authorization: Bearer token'</code></pre><p>&nbsp;–</p>",
        "{{ when.strftime('%-d %B %Y') }} <p>GOV.UK</p>",
        '<a href="https://doi.org/{{ doi }}">https://doi.org/{{ doi }}</a>',
        '{{ govukInsetText({"html": link ~ "</a>."}) }}',
        "{% trans count=n %}{{ count }} answer{% pluralize %}{{ count }} answers{% endtrans %}",
    ],
)
def test_the_checker_accepts_marked_text_and_non_text(env: Environment, source: str) -> None:
    assert unmarked_text(env, source) == []


def test_the_checker_names_the_line(env: Environment) -> None:
    assert unmarked_text(env, "<p>\n  {% trans %}One{% endtrans %}\n</p>\n<p>Two</p>") == [(4, "Two")]
