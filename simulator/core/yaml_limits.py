"""`yaml.SafeLoader` with limits, so no input file can hang toolsim or crash it (`BoundedLoader`,
and `FastBoundedLoader`: the same limits over libyaml's parser).

`SafeLoader` runs no code, but three things in plain YAML still hurt:

- **alias bombs**: nine anchors of nine aliases each are 380 bytes that expand to 387 million
  values; PyYAML builds them as shared objects in no time, but everything after (validation,
  line maps, JSON dumps) walks the expansion. Each alias is charged the size its anchor expands
  to, and a document may add at most `MAX_ALIAS_VALUES` values through aliases (real files use a
  few hundred: `<<: *defaults` and the like). An alias to a node that contains it — a recursive
  structure no scenario needs — is refused too.
- **deep nesting**: the composer recurses once per level, so `[[[[...` 1,000 deep ends in a
  `RecursionError`. Nesting stops at `MAX_DEPTH` (real files nest about 10 deep).
- **values Python cannot hold**: `!!timestamp 2026-13-45`, an integer of 5,000 digits, a lone
  surrogate (`"\\ud800"`, which no UTF-8 file can store and which crashes whatever writes the
  text later). These become `file:line` problems instead of a `ValueError` from deep inside PyYAML.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

MAX_DEPTH = 64
MAX_ALIAS_VALUES = 100_000

_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlLimitError(ComposerError):
    """The document is valid YAML but over a limit (reported without the 'invalid YAML' prefix)."""


class _Limits:
    """The limits, mixed into a loader class ahead of PyYAML's composer and constructor."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._init_limits()

    def _init_limits(self) -> None:
        self._depth = 0
        self._alias_budget = MAX_ALIAS_VALUES
        self._sizes: dict[int, int] = {}
        self._open_anchors: set[str] = set()

    # ------------------------------------------------------------ composing (nodes, aliases)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._charge_alias(event)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.discard(anchor)

    def _charge_alias(self, event: AliasEvent) -> None:
        if event.anchor in self._open_anchors:
            raise YamlLimitError(None, None, f"alias *{event.anchor} refers to a node that contains it "
                                             "(a recursive structure)", event.start_mark)
        node = self.anchors.get(event.anchor)
        if node is None:
            return  # PyYAML reports the undefined alias
        self._alias_budget -= self._expanded_size(node)
        if self._alias_budget < 0:
            raise YamlLimitError(
                None, None,
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?); "
                f"write the values out or use fewer nested aliases", event.start_mark,
            )

    def _expanded_size(self, node: Node) -> int:
        """How many values `node` stands for once every alias inside it is expanded. Anchored nodes
        are complete when aliased (recursion is refused), so the sizes can be memoised."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._expanded_size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._expanded_size(k) + self._expanded_size(v) for k, v in node.value)
        self._sizes[id(node)] = size
        return size

    # ------------------------------------------------------------ constructing (values)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            raise ConstructorError(None, None, f"cannot read this {tag} value: {exc}", node.start_mark) from None

    def construct_checked_str(self, node: Node) -> str:
        value = self.construct_scalar(node)
        if _SURROGATE.search(value):
            raise ConstructorError(None, None, "a lone surrogate escape (like \\ud800) is not a character and cannot "
                                               "be written as UTF-8; remove it", node.start_mark)
        return value


class BoundedLoader(_Limits, yaml.SafeLoader):  # type: ignore[misc]
    """`SafeLoader` plus the limits above; otherwise values come out exactly as `safe_load`'s.
    PyYAML's own wording of syntax errors."""


BoundedLoader.add_constructor("tag:yaml.org,2002:str", _Limits.construct_checked_str)

FastBoundedLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _FastBoundedLoader(_Limits, Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """The same, with libyaml scanning and parsing (five times faster than PyYAML's Python
        parser); composing stays in Python, where the limits hook in."""

        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._init_limits()

    _FastBoundedLoader.add_constructor("tag:yaml.org,2002:str", _Limits.construct_checked_str)
    FastBoundedLoader = _FastBoundedLoader
