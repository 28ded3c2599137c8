"""Names for imported tools and their arguments, and which operations to import.

A tool name is what the fine-tuned model will call, so it must be a valid function name on every
provider (`^[a-z_][a-z0-9_]{0,63}$` here: letters, digits and `_`, snake_case) and unique. An
operationId or an MCP tool name is turned into one (`getBook` → `get_book`, `search-books` →
`search_books`); an operation without an id is named by its method and path. When two tools come
out with the same name, the later one gets `_2` (`_3`, ...) and a note says which collided with
which. Argument names keep the API's spelling when it is already an identifier (`orderId`), and
otherwise become one (`order-id` → `order_id`, `X-Store-Region` → `x_store_region`); the tools
file remembers the wire name.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

MAX_NAME = 64
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def snake_case(text: str) -> str:
    """`getBookByISBN` → `get_book_by_isbn`, `search-books` → `search_books`, `2fa` → `op_2fa`."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text)
    if not text:
        text = "tool"
    if text[0].isdigit():
        text = f"op_{text}"
    return text[:MAX_NAME].rstrip("_")


def name_from_path(method: str, path: str) -> str:
    """`GET /orders/{order-id}/tracking` → `get_orders_order_id_tracking`."""
    words = [segment.strip("{}") for segment in path.split("/") if segment]
    return snake_case("_".join([method.lower(), *words]))


def argument_name(wire: str) -> str:
    """The argument's name as the model writes it: the wire name when it is an identifier."""
    if IDENTIFIER.match(wire) and len(wire) <= MAX_NAME:
        return wire
    return snake_case(wire)


@dataclass
class Names:
    """Hands out unique names, remembering who had each first."""

    taken: dict[str, str] = field(default_factory=dict)  # name -> what it names (for notes)
    notes: list[str] = field(default_factory=list)

    def unique(self, wanted: str, what: str) -> str:
        name, number = wanted, 1
        while name in self.taken:
            number += 1
            suffix = f"_{number}"
            name = wanted[:MAX_NAME - len(suffix)] + suffix
        if name != wanted:
            self.notes.append(f"{what} is named {name}: {self.taken[wanted]} already has the name {wanted}")
        self.taken[name] = what
        return name


@dataclass
class Filter:
    """`--include` / `--exclude` glob patterns (case-insensitive), matched against every name an
    operation or tool goes by: its tool name, its operationId or server name, `METHOD /path`, the path."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def _matches(self, pattern: str, names: list[str]) -> bool:
        hit = any(fnmatch.fnmatch(n.lower(), pattern.lower()) for n in names if n)
        if hit:
            self.used.add(pattern)
        return hit

    def keeps(self, names: list[str]) -> bool:
        included = not self.include or any([self._matches(p, names) for p in self.include])
        excluded = any([self._matches(p, names) for p in self.exclude])
        return included and not excluded

    def unused_includes(self) -> list[str]:
        return [p for p in self.include if p not in self.used]

    def unused_excludes(self) -> list[str]:
        return [p for p in self.exclude if p not in self.used]
