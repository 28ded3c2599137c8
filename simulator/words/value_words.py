"""How a pack's values read in prose, in both directions: `shipped` is written 已发货 in a Chinese
reply, and 已发货 in a reply means `shipped`.

A pack's `value_labels` (per language: value -> label) say how the offline assistant writes a
result value; the judge reads replies and arguments with the same table turned around, plus the
plain forms every language shares (the value itself, `changed_mind` as "changed mind"). Labels
are one table for both sides, so what one writes the other reads.
"""

from __future__ import annotations

from typing import Any, Mapping

from simulator.core.names import LANGUAGES


def humanised(value: str) -> str:
    """`changed_mind` -> `changed mind`, `kids-room` -> `kids room`."""
    return " ".join(value.replace("_", " ").replace("-", " ").split())


class ValueWords:
    """A pack's value labels, for writing a value and for reading one back."""

    def __init__(self, value_labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.labels: dict[str, dict[str, str]] = {k: dict(v) for k, v in (value_labels or {}).items()}
        self._meanings: dict[str, set[str]] = {}
        for table in self.labels.values():
            for value, label in table.items():
                self._meanings.setdefault(label.casefold(), set()).add(value)

    def written(self, value: Any, language: str) -> Any:
        """How a result value reads in a reply of `language` (non-strings as they are)."""
        if not isinstance(value, str):
            return value
        return self.labels.get(language, {}).get(value, value)

    def forms(self, value: str) -> list[str]:
        """Every way `value` may be written, in any language: itself, humanised, its labels."""
        found = [value, humanised(value)]
        found += [table[value] for language in LANGUAGES if (table := self.labels.get(language)) and value in table]
        return list(dict.fromkeys(f for f in found if f))

    def meanings(self, written: str) -> set[str]:
        """The values a label stands for (处理中 may be `processing` or `pending`)."""
        return set(self._meanings.get(written.casefold(), ()))
