"""Prompt templates live in markdown files next to the code that uses them (package data), so
they can be read and edited as prose. Placeholders are `{{name}}`: JSON examples in a prompt
keep their single braces untouched."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib.resources import files

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


@lru_cache(maxsize=None)
def load_prompt(package: str, name: str) -> str:
    """The text of `<package>/prompts/<name>`, e.g. `load_prompt("simulator.simulate.agents", "user.md")`."""
    return (files(package) / "prompts" / name).read_text(encoding="utf-8")


def fill(template: str, **values: object) -> str:
    """Replace every `{{name}}`; a placeholder without a value is a bug in the caller."""
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise KeyError(f"prompt placeholders without a value: {missing}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def prompt_hash(*parts: str) -> str:
    """A short, stable id of a prompt version (recorded with judge verdicts)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
