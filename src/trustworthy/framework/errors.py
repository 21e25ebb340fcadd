"""Errors raised by the framework package.

    FrameworkError                 a framework file cannot be used
    └── carries Problem(file, line, path, message), one per fault found

The loader collects every problem it can find before raising, so a person fixing a file
sees the whole list at once rather than one fault per run.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FrameworkError", "Problem"]


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
