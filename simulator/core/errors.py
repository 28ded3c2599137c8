"""Input problems, reported as `path:line: message` — all of them, not just the first.

Anything a user wrote (YAML, schemas, flags) that is wrong becomes a `Problem`; the CLI prints
every problem and exits 2 without a traceback and without creating a run directory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad user input. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, path: str, message: str, line: int | None = None) -> "InputError":
        return cls([Problem(path, line, message)])
