"""A password check beside Django's length and common-password checks (settings
AUTH_PASSWORD_VALIDATORS): refuse passwords made of a few characters over and over, or of
runs along the alphabet, the digits or a keyboard row, which pass a length check and are
still guessed at once: `aaaaaaaaaaaa`, `abcabcabcabc`, `123456789012`, `qwertyuiopas`.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError

# Sequences people type along. A character next to the one before it in any of these
# (either way), or the same character again, continues a run.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",  # German and central European keyboards
    "azertyuiop",  # French keyboards
    "!@#$%^&*()",
)


def _neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for sequence in _SEQUENCES:
        for a, b in pairwise(sequence):
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return {char: frozenset(near) for char, near in found.items()}


_NEIGHBOURS = _neighbours()


def runs(password: str) -> int:
    """How many runs the password is made of: each run is the same character repeated or
    a walk along one of the sequences (`aaaa`, `abcd`, `4321`, `qwer` are one run each)."""
    text = password.lower()
    count = 1 if text else 0
    for before, char in pairwise(text):
        if char != before and char not in _NEIGHBOURS.get(before, ()):
            count += 1
    return count


def is_trivial(password: str, *, min_different: int = 5, min_runs: int = 4) -> bool:
    text = password.lower()
    return (
        len(set(text)) < min_different  # aaaaaaaaaaaa, abababababab, abcabcabcabc
        or re.fullmatch(r"(.+?)\1+", text, flags=re.DOTALL) is not None  # a word twice or more
        or runs(text) < min_runs  # abcdefghijkl, 123456789012, abcdefgh1234
    )


class NotTrivialValidator:
    """Refuses repeated characters, repeated words and runs such as `abcd` or `1234`."""

    code = "password_too_simple"

    def __init__(self, min_different: int = 5, min_runs: int = 4) -> None:
        self.min_different = min_different
        self.min_runs = min_runs

    def validate(self, password: str, user: Any = None) -> None:
        if is_trivial(password, min_different=self.min_different, min_runs=self.min_runs):
            raise ValidationError(
                "This password is too easy to guess: it repeats characters or follows a sequence "
                "such as aaaa, abcd or 1234.",
                code=self.code,
            )

    def get_help_text(self) -> str:
        return "Your password cannot be repeated characters or a sequence such as aaaa, abcd or 1234."
