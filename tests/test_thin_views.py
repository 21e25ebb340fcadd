"""Views stay thin: finding the object, the one edit flow, one service call and a render.

Every public view function in `src/trustworthy/*/views.py` has a body (not counting its
docstring) of at most MAX_LINES lines. Page-building belongs in presenters and business
rules in services and the change policy; the edit sequence is `core.editing.handle_edit`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "trustworthy"
VIEW_MODULES = sorted(SRC.glob("*/views.py"))
MAX_LINES = 25


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = function.body[1:] if _is_docstring(function.body[0]) else function.body
    if not body:
        return 0
    end = body[-1].end_lineno
    assert end is not None
    return end - body[0].lineno + 1


def public_views(source: str) -> dict[str, int]:
    """Each public view function (module level, not `_private`, taking the request first) and its length."""
    views = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            arguments = node.args.posonlyargs + node.args.args
            if arguments and arguments[0].arg == "request":
                views[node.name] = body_lines(node)
    return views


def test_the_count_leaves_out_the_docstring_and_private_helpers() -> None:
    statements = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES + 1))
    source = (
        'def long(request):\n    """A docstring\n    over two lines."""\n' + statements
        + "def short(request, pk):\n    return pk\n"
        + "def _helper(request):\n" + statements
        + "def not_a_view(value):\n" + statements
    )  # fmt: skip
    assert public_views(source) == {"long": MAX_LINES + 1, "short": 1}


def test_there_are_view_modules_to_check() -> None:
    names = {path.parent.name for path in VIEW_MODULES}
    assert {"appraisals", "reviews", "voices", "reports", "organisations"} <= names


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: path.parent.name)
def test_every_view_is_at_most_25_lines(path: Path) -> None:
    views = public_views(path.read_text())
    assert views, f"no views found in {path}"
    long = {name: lines for name, lines in views.items() if lines > MAX_LINES}
    assert not long, (
        f"{path.relative_to(SRC.parent.parent)}: views over {MAX_LINES} lines (move page-building to a "
        f"presenter, use core.editing.handle_edit): "
        + ", ".join(f"{name} ({lines})" for name, lines in sorted(long.items(), key=lambda item: -item[1]))
    )
