"""Internal links are built from URL names (`reverse`, `redirect("name", ...)`, `url()` in
templates), never written out by hand, so a URL can move without breaking a page or an email.

Internal URLs are recognised by the first part of every route in the URL configuration
(`/projects/`, `/appraisals/`, `/organisation/`...). Static files and links to other sites
are not internal URLs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

SRC = Path(__file__).resolve().parent.parent / "src" / "trustworthy"
# Files that match URLs rather than build them, each with why it cannot use reverse().
MATCHES_URLS = {
    # Hides participants' links in log lines; gunicorn's master loads it before Django.
    SRC / "config" / "logs.py",
}
PYTHON = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts and p not in MATCHES_URLS)
TEMPLATES = sorted(p for p in SRC.rglob("*.html") if "jinja2" in p.parts)


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def internal_prefixes() -> list[str]:
    """The first part of every route: "projects", "appraisals", "register"..."""
    firsts = {re.split(r"[/<]", route, maxsplit=1)[0] for route in _routes()}
    return sorted(first for first in firsts if first and first != "static")


def _internal(prefixes: list[str]) -> re.Pattern[str]:
    return re.compile(rf"^/(?:{'|'.join(map(re.escape, prefixes))})(?:[/?#.]|$)")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def hand_built_in_python(source: str, prefixes: list[str]) -> list[str]:
    """Strings that are internal URLs: "/appraisals/...", f"/...", or f"{site}/projects/..."."""
    internal = _internal(prefixes)
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    in_fstrings = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            first = node.values[0] if node.values else None
            pieces = [
                p.value for p in node.values if isinstance(p, ast.Constant) and isinstance(p.value, str)
            ]
            starts_with_slash = isinstance(first, ast.Constant) and str(first.value).startswith("/")
            if starts_with_slash or any(internal.match(piece) for piece in pieces):
                found.append(f"line {node.lineno}: f-string {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings | in_fstrings
            and internal.match(node.value)
        ):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def hand_built_in_template(text: str, prefixes: list[str]) -> list[str]:
    """href/action/src written as a path (other than static files), or a quoted internal path."""
    attribute = re.compile(r"""\b(?:href|action|src|formaction)\s*=\s*["']/(?!static/)""")
    quoted = re.compile(rf"""["']/(?:{"|".join(map(re.escape, prefixes))})(?:[/?#."']|$)""")
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in (*attribute.finditer(line), *quoted.finditer(line)):
            found.append(f"line {number}: {line[max(0, match.start() - 20) : match.end() + 40].strip()}")
    return found


def test_the_internal_prefixes_come_from_the_url_configuration() -> None:
    prefixes = internal_prefixes()
    assert {"projects", "appraisals", "organisation", "accounts", "register"} <= set(prefixes)
    assert "static" not in prefixes


def test_the_checks_find_hand_built_urls_and_nothing_else() -> None:
    prefixes = internal_prefixes()
    python = '''
"""A docstring may mention /appraisals/1/ in passing."""
a = f"/appraisals/{pk}/"
b = "/projects/"
c = f"{settings.SITE_URL}/appraisals/{pk}/review/"
d = f"/{pk}/"
fine = ["/".join(parts), "https://example.org/projects/", reverse("project-list"), f"{name}: {pk}"]
'''
    found = hand_built_in_python(python, prefixes)
    assert [line.split(":")[0] for line in found] == ["line 3", "line 4", "line 5", "line 6"], found
    template = "\n".join(
        [
            '<a href="/appraisals/{{ a.pk }}/">',
            '{{ back("/projects/" ~ project.pk ~ "/") }}',
            '<form action="/accounts/logout/">',
            '<link href="/static/css/application.css">',
            '<a href="https://example.org/projects/">',
            "<a href=\"{{ url('project-list') }}\">",
            '<a href="#id_rationale">',
        ]
    )
    found = hand_built_in_template(template, prefixes)
    assert [line.split(":")[0] for line in found] == ["line 1", "line 1", "line 2", "line 3", "line 3"], found


@pytest.mark.parametrize("path", PYTHON, ids=lambda path: str(path.relative_to(SRC)))
def test_python_builds_internal_urls_by_name(path: Path) -> None:
    found = hand_built_in_python(path.read_text(), internal_prefixes())
    assert not found, f"{path.relative_to(SRC)} builds URLs by hand; use reverse():\n" + "\n".join(found)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_templates_build_internal_urls_by_name(path: Path) -> None:
    found = hand_built_in_template(path.read_text(), internal_prefixes())
    assert not found, f"{path.relative_to(SRC)} builds URLs by hand; use url():\n" + "\n".join(found)
