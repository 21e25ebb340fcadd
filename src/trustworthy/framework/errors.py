"""Errors raised by the framework package.

    FrameworkError                 a framework file cannot be used
    └── carries Problem(file, line, path, message), one per fault found
    RegisterRowError               a register row does not fit its register's fields

The loader collects every problem it can find before raising, so a person fixing a file
sees the whole list at once rather than one fault per run.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FrameworkError", "Problem", "RegisterRowError"]


@dataclass(frozen=True)
class Problem:
    """One fault in a framework file, located as precisely as the parser allows."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class FrameworkError(Exception):
    """A framework file is unreadable, does not match the schema, or is inconsistent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in framework file"
        super().__init__(summary + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class RegisterRowError(ValueError):
    """A register row does not fit the fields its framework edition defines.

    The message names the field and says what to do, for the person entering the row;
    ``field_id`` names the field for code that wants to place the message.
    """

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id
