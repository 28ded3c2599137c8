"""The export formats, by name: `@export_format` puts a `Converter` class in the registry the CLI's
`--format` list, `toolsim export` and the README's table read. Plugins register theirs the same
way from an installed package (the `toolsim` entry points, `simulator.core.registry`).

    from simulator import Converter, export_format

    @export_format("alpaca")
    class AlpacaConverter(Converter):
        def _convert(self, record): ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.core.registry import Registry
from simulator.export.formats.base import Converter

FORMATS: Registry[type[Converter]] = Registry("export format")


def export_format(name: str | None = None) -> Callable[[type[Converter]], type[Converter]]:
    """Register a converter class under `name` (default: its `name` attribute)."""

    def register(cls: type[Converter]) -> type[Converter]:
        cls.name = name or cls.name
        if not cls.name:
            raise ValueError(f"export format {cls.__qualname__} needs a name")
        return FORMATS.add(cls.name, cls, cls.__module__)

    return register


def format_names() -> list[str]:
    """`openai` (the canonical record) first, then every other format alphabetically — an order
    that does not depend on which module happened to be imported first."""
    names = FORMATS.names()
    return ["openai"] * ("openai" in names) + sorted(n for n in names if n != "openai")


def get_converter(name: str, **options: Any) -> Converter:
    """A fresh converter for `name`, configured with the format's options (see each format's
    docstring). Unknown names and missing or wrong options raise ValueError (or TypeError)."""
    cls = FORMATS.get(name)
    if cls is None:
        raise ValueError(f"unknown export format {name!r}; known: {', '.join(format_names())}")
    return cls(**options)
