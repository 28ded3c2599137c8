"""An OpenAPI document's schemas as self-contained JSON Schema: `$ref`s inlined, 3.0 keywords
spelt the 2020-12 way.

A tool's `parameters` go to a model, which reads one schema and cannot follow a `$ref` into a
document it never sees, so every reference is inlined. `$ref` resolution is `referencing`'s (the
library `jsonschema` is built on, already a dependency): it handles JSON-pointer escapes (`~1`),
relative references inside another file and a resource's own base URI, which a hand-written
`#/components/...` lookup would get wrong at the edges. Other files are read from disk only
(never fetched). A schema that refers to itself (a category's sub-categories) is inlined once per
path and then cut to `{"type": "object"}` with a note in its description.

OpenAPI 3.0 schema objects are a dialect of JSON Schema; they are rewritten so the JSON-Schema
tools that check the tools file (and the schema sim) read them right: `nullable: true` → a `null`
type, a boolean `exclusiveMinimum` → the numeric form, `example` → `examples`; `discriminator`,
`xml`, `externalDocs` and `x-` extensions are dropped. Properties marked `readOnly` are left out
of what a call sends, `writeOnly` ones out of what it returns. Enums, formats, patterns and
bounds are kept as written. A simple `allOf` of objects is merged into one object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import yaml
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

MAX_DEPTH = 24
DROPPED = ("discriminator", "xml", "externalDocs", "nullable", "example")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")


class RefError(ValueError):
    """A `$ref` that does not resolve (or points outside this machine)."""


def _retrieve(uri: str) -> Resource:
    parts = urlsplit(uri)
    if parts.scheme != "file":
        raise NoSuchResource(ref=uri)  # nothing is fetched from the network while importing
    try:
        value = yaml.safe_load(Path(url2pathname(parts.path)).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        raise NoSuchResource(ref=uri) from None
    return Resource(contents=value, specification=DRAFT202012)


class Inliner:
    """Inlines every `$ref` of a node of one OpenAPI document (`inline`)."""

    def __init__(self, document: Any, path: Path) -> None:
        self.base = path.resolve().as_uri()
        resource = Resource(contents=document, specification=DRAFT202012)
        registry: Registry = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
        self.registry = registry.with_resource(self.base, resource)

    def inline(self, node: Any) -> Any:
        return self._inline(node, self.registry.resolver(base_uri=self.base), self.base, ())

    def _inline(self, node: Any, resolver: Any, base: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, resolver, base, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            absolute = urljoin(base, ref)
            if absolute in stack or len(stack) >= MAX_DEPTH:
                name = ref.rsplit("/", 1)[-1]
                return {"type": "object", "description": f"a {name} (refers to itself: not expanded further)"}
            try:
                resolved = resolver.lookup(ref)
            except (Unresolvable, ValueError, TypeError):  # a pointer into a list by name, or into a scalar
                raise RefError(f"$ref {ref!r} does not resolve") from None
            target = self._inline(resolved.contents, resolved.resolver, absolute.split("#")[0], stack + (absolute,))
            siblings = {k: self._inline(v, resolver, base, stack) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if isinstance(target, dict) else target
        return {k: self._inline(v, resolver, base, stack) for k, v in node.items()}


def to_json_schema(schema: Any, *, sending: bool) -> Any:
    """A (ref-free) OpenAPI schema object as JSON Schema 2020-12. `sending`: the schema of what a
    call sends (readOnly properties left out), else of what it returns (writeOnly left out)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: to_json_schema(v, sending=sending) for k, v in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [to_json_schema(v, sending=sending) for v in value]
        elif key in SCHEMA_ONE and isinstance(value, dict):
            out[key] = to_json_schema(value, sending=sending)
        else:
            out[key] = value
    for bound in ("Minimum", "Maximum"):
        flag = out.get(f"exclusive{bound}")
        if isinstance(flag, bool):  # 3.0: a flag on `minimum`; 2020-12: the bound itself
            limit = out.pop(bound.lower(), None)
            out.pop(f"exclusive{bound}")
            if flag and limit is not None:
                out[f"exclusive{bound}"] = limit
            elif limit is not None:
                out[bound.lower()] = limit
    if "example" in schema and "examples" not in out:
        out["examples"] = [schema["example"]]
    if schema.get("nullable") is True:
        _allow_null(out)
    _drop_one_way(out, "readOnly" if sending else "writeOnly")
    return merge_all_of(out)


def _allow_null(out: dict[str, Any]) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]


def _drop_one_way(out: dict[str, Any], flag: str) -> None:
    properties = out.get("properties")
    if not isinstance(properties, dict):
        return
    gone = [name for name, sub in properties.items() if isinstance(sub, dict) and sub.get(flag) is True]
    for name in gone:
        del properties[name]
    if gone and isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r not in gone]


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf: [A, B]` of plain objects → one object with both's properties (models read it
    better, and the schema is the same); anything less simple is left as written."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or not parts:
        return schema
    mergeable = {"type", "properties", "required", "description", "title", "additionalProperties"}

    def plain(part: Any) -> bool:  # an object schema: a mapping of properties, a list of names
        return isinstance(part.get("properties", {}), dict) and _names(part.get("required", []))

    simple = all(isinstance(p, dict) and set(p) <= mergeable and p.get("type", "object") == "object" for p in parts)
    if not (simple and plain(schema) and all(plain(p) for p in parts)):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    merged.setdefault("type", "object")
    properties: dict[str, Any] = dict(merged.get("properties", {}))
    required: list[str] = list(merged.get("required", []))
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            if name in properties and properties[name] != sub:
                return schema  # two different definitions of one property: leave the allOf
            properties[name] = sub
        required += [r for r in part.get("required", []) if r not in required]
        if "description" in part:
            merged.setdefault("description", part["description"])
    merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged
