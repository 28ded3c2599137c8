"""Parse YAML and remember where every value came from.

Users fix what they can find: every problem the loader reports must carry `file:line`. Pydantic
and our own checks speak in *locations* (`("scenarios", 3, "turns", 0, "say")`, pydantic's `loc`),
so besides the plain Python value we keep a map from each location to the 1-based line of its key
(for mapping entries) or of the item itself (for sequence items).

PyYAML's composer gives the node tree with marks; its SafeConstructor builds the value (so scalar
typing, anchors/aliases and `<<` merge keys behave exactly like `yaml.safe_load`). Two things
`safe_load` gets wrong for us are fixed here: a syntax error becomes a `Problem` at the mark's line,
and a duplicate key — which PyYAML silently resolves to the last value — is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.core.errors import InputError, Problem
from simulator.core.files import MAX_TEXT_BYTES, decode_utf8, read_bytes_bounded
from simulator.core.files import display as display_path
from simulator.core.yaml_limits import BoundedLoader, FastBoundedLoader, YamlLimitError

Loc = tuple[Any, ...]

MERGE_TAG = "tag:yaml.org,2002:merge"
# A document full of nested aliases ("billion laughs") would expand exponentially when walked
# location by location; stop recording lines after this many locations (values are unaffected).
MAX_LOCATIONS = 200_000


@dataclass
class YamlDocument:
    """A parsed YAML file: its value, the line of every location, and non-fatal problems."""

    source: str  # the path as shown in messages
    value: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # e.g. duplicate keys

    def line(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest parent that exists (a missing field has no line
        of its own, but the mapping that lacks it does)."""
        loc = tuple(part for part in loc if part != "[key]")
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.source, self.line(loc), message)


def format_loc(loc: Loc) -> str:
    """`("scenarios", 3, "turns", 0, "say")` -> `scenarios[3].turns[0].say`."""
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


__all__ = ["YamlDocument", "Loc", "display_path", "format_loc", "parse_yaml", "read_yaml"]


def read_yaml(path: Path, source: str, max_bytes: int = MAX_TEXT_BYTES) -> YamlDocument:
    """Read and parse a YAML file; raises `InputError` when it cannot be read or parsed. Only a
    regular file of at most `max_bytes` is read (see `simulator.core.files`)."""
    return parse_yaml(decode_utf8(read_bytes_bounded(path, source, max_bytes), source), source)


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse one YAML document. Raises `InputError` for a syntax error; duplicate keys are
    returned in `problems` (the value is still usable, so other checks can run).

    Both loaders are bounded (`yaml_limits`; libyaml's own C loader would compose an alias bomb
    happily). The fast one has libyaml scan and parse; anything it rejects is parsed again by the
    pure-Python one, whose messages the errors are worded from."""
    if FastBoundedLoader is not None:
        try:
            return _parse(text, source, FastBoundedLoader)
        except Exception:  # noqa: BLE001 - the pure-Python loader reports it (or finds nothing wrong)
            pass
    return _parse(text, source, BoundedLoader)


def _parse(text: str, source: str, loader_class: type) -> YamlDocument:
    loader = None
    try:
        loader = loader_class(text)
        root = loader.get_single_node()
        if root is None:  # an empty file
            return YamlDocument(source=source, value=None, lines={(): 1})
        problems = list(_duplicate_keys(root, source))
        value = loader.construct_document(root)
        lines: dict[Loc, int] = {(): root.start_mark.line + 1}
        _record_lines(loader, root, (), lines, on_path=set())
    except yaml.reader.ReaderError as exc:  # a control character: the reader refuses the text
        raise InputError([_reader_problem(exc, text, source)]) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_problem(exc, source)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(source=source, value=value, lines=lines, problems=problems)


def _reader_problem(exc: yaml.reader.ReaderError, text: str, source: str) -> Problem:
    """libyaml gives the position in UTF-8 bytes (PyYAML's reader in characters)."""
    position = exc.position
    if isinstance(exc.character, int) and not text[position:position + 1] == chr(exc.character):
        position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
    line = text[:position].count("\n") + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    message = f"invalid YAML: {exc.reason} (character {_char(exc.character)}, column {column})"
    return Problem(source, line, message)


def _char(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character[:1] or "\0")
    return f"#x{code:04x}"


def _syntax_problem(exc: yaml.MarkedYAMLError, source: str) -> Problem:
    """`invalid YAML: <what> (column C; <while doing what> on line L)` at the problem's line."""
    mark = exc.problem_mark or exc.context_mark
    where = [f"column {mark.column + 1}"] if mark else []
    what = exc.problem or exc.context or "syntax error"
    context_line = f" on line {exc.context_mark.line + 1}" if exc.context_mark else ""
    if exc.context and exc.problem and exc.problem.startswith("but "):
        # PyYAML splits one sentence: "expected a single document" / "but found another document"
        what = f"{exc.context}, {exc.problem}"
        where.append(f"the first starts{context_line}")
    elif exc.context and exc.problem:
        where.append(f"{exc.context}{context_line}")
    message = what if isinstance(exc, YamlLimitError) else f"invalid YAML: {what}"
    if where:
        message += f" ({'; '.join(where)})"
    return Problem(source, mark.line + 1 if mark else None, message)


def _duplicate_keys(root: Node, source: str) -> Iterator[Problem]:
    """Keys given twice in one mapping, found on the composed tree *before* merge keys are
    flattened (a key overriding a merged `<<: *anchor` key is legitimate, not a duplicate)."""
    seen_nodes: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            first_line: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.tag != MERGE_TAG:
                    key = (key_node.tag, key_node.value)
                    line = key_node.start_mark.line + 1
                    if key in first_line:
                        label = f"{where}: " if where else ""
                        yield Problem(
                            source, line,
                            f"{label}duplicate key {key_node.value!r} (first given on line {first_line[key]})",
                        )
                    else:
                        first_line[key] = line
                child = f"{where}.{key_node.value}" if where else str(getattr(key_node, "value", "?"))
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{where}[{index}]"))


def _record_lines(loader: yaml.SafeLoader, node: Node, loc: Loc, lines: dict[Loc, int], on_path: set[int]) -> None:
    """Walk the (already constructed, so merge-flattened) node tree alongside the value."""
    if id(node) in on_path or len(lines) >= MAX_LOCATIONS:
        return  # a recursive alias, or an alias bomb
    on_path.add(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue  # a complex key cannot appear in a location path
            child = loc + (loader.construct_object(key_node),)
            # Later entries win, exactly like the constructed dict (own keys override merged ones).
            lines[child] = key_node.start_mark.line + 1
            _record_lines(loader, value_node, child, lines, on_path)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = loc + (index,)
            lines[child] = item.start_mark.line + 1
            _record_lines(loader, item, child, lines, on_path)
    on_path.discard(id(node))
