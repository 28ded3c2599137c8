"""Extension points as registries filled by decorators, as inspect_ai does it: a judge check is a
function decorated with `@check`, an export format a class decorated with `@export_format`. The
registry is the one list the judge, the CLI and the README's tables read — nobody edits a dict.

Plugins in installed packages are found through the `toolsim` entry-point group: each entry point
names a module, and importing it runs its decorators (simonw/llm loads its plugins the same way).
They are imported once, the first time a registry is read. A plugin that fails to import is bad
input, reported with its name, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from simulator.core.errors import InputError

ENTRY_POINT_GROUP = "toolsim"
T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    value: T
    module: str  # where it was registered: a plugin's module, or one of toolsim's own


class Registry(Generic[T]):
    """Named values in registration order. Registering a name again from the same module replaces
    it (a module imported twice); from another module it is an error (two plugins, one name)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, value: T, module: str) -> T:
        old = self._entries.get(name)
        if old is not None and old.module != module:
            raise ValueError(f"{self.kind} {name!r} is registered twice: by {old.module} and by {module}")
        self._entries[name] = Entry(name, value, module)
        return value

    def entries(self) -> list[Entry[T]]:
        load_plugins()
        return list(self._entries.values())

    def names(self) -> list[str]:
        return [e.name for e in self.entries()]

    def get(self, name: str) -> T | None:
        load_plugins()
        entry = self._entries.get(name)
        return entry.value if entry is not None else None


_plugins_loaded = False


def plugins_loaded() -> bool:
    """Whether this process imported the `toolsim` entry points (a worker process does the same)."""
    return _plugins_loaded


def load_plugins() -> None:
    """Import every module the `toolsim` entry points name (once per process)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    problems = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            point.load()
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported, not raised
            problems.append(f"cannot import {point.value}: {type(exc).__name__}: {exc}")
    if problems:
        _plugins_loaded = False
        raise InputError.single(f"plugin (entry point group {ENTRY_POINT_GROUP!r})", "; ".join(problems))
