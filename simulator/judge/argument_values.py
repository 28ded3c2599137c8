"""Arguments the blueprint does not name: a word-like value must still have come from somewhere.

`simulator.judge.grounding` checks identifier-like values (ids, e-mails, numbers) of every
argument; the blueprint's expected calls check the values of the arguments they name. Left over
are the rest: a `country: "DE"` added to an address change, a `priority: "low"` on an escalation,
`units: "metric"` on a weather lookup. A schema may offer such values (an enum), but offering is
not choosing: a model that fills an optional argument nobody asked for learns to guess. So a
string or enum value of an argument the blueprint does not name must be the schema's default,
or appear in what the user said or a result showed before the call — read through the pack's
labels in both languages (经济舱 said is `economy`; "changed my mind" is not `changed_mind`, but
"changed mind" would be). Free text (two words or more, not an enum value) is left to the
identifier rule. A number of such an argument that the user never gave must not be shown only
under an unrelated field (`unnamed_numbers`: a `duration_minutes` of 21 read off a forecast's low).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from simulator.judge.conversation import CallSite, normalize
from simulator.judge.grounding import token_in
from simulator.spec import ToolSpec
from simulator.words.number_words import numbers_in_words
from simulator.words.value_words import ValueWords

_NUMERIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")
_DIGIT = re.compile(r"\d")


def _said(value: str, text: str, words: ValueWords) -> bool:
    return any(token_in(normalize(form), text) for form in words.forms(value))


def _unsaid(value: Any, schema: Any, path: str, text: str, words: ValueWords) -> Iterator[str]:
    schema = schema if isinstance(schema, dict) else {}
    if "const" in schema or ("default" in schema and schema["default"] == value):
        return
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            yield from _unsaid(item, properties.get(key), f"{path}.{key}", text, words)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unsaid(item, schema.get("items"), f"{path}[{index}]", text, words)
    elif isinstance(value, str) and value.strip() and not _NUMERIC.match(value.strip()):
        enum = schema.get("enum")
        if not enum and (len(value.split()) > 1 or _DIGIT.search(value)):
            return  # free text, or a date or an id: the identifier rule's business (it reads "next Monday" back)
        if not _said(value, text, words):
            yield f"{path}={value!r}"


def unnamed_unsaid(site: CallSite, spec: ToolSpec | None, named: set[str], words: ValueWords) -> list[str]:
    """`path=value` for each string or enum value of an argument the blueprint does not name that
    is neither the schema's default nor said or shown before the call."""
    if site.args is None:
        return []
    properties = spec.parameters.get("properties", {}) if spec is not None else {}
    text = site.evidence.text
    found: list[str] = []
    for name, value in site.args.items():
        if name not in named:
            found.extend(_unsaid(value, properties.get(name), name, text, words))
    return found


_OWN_NUMBER = re.compile(r"(?<![\d.\w-])\d+(?:\.\d+)?(?![\d-])")


def _numbers(tree: Any, key: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _numbers(v, str(k))
    elif isinstance(tree, list):
        for v in tree:
            yield from _numbers(v, key)
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool) and key:
        yield key, abs(float(tree))


def unnamed_numbers(site: CallSite, spec: ToolSpec | None, named: set[str]) -> list[str]:
    """A number of an argument the blueprint does not name that the user never gave and that a
    result shows only as another kind of value: `duration_minutes: 21` after a forecast's low of
    21 °C. Such a number passes the identifier rule (it was shown), yet nobody chose it; a value
    shown under a field of a kindred name (`duration_minutes`, `max_price` for `price`) counts."""
    if site.args is None or not site.results:
        return []
    properties = spec.parameters.get("properties", {}) if spec is not None else {}
    found: list[str] = []
    said: set[float] | None = None
    for name, value in site.args.items():
        if name in named or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        schema = properties.get(name) if isinstance(properties.get(name), dict) else {}
        if "const" in schema or schema.get("default") == value or value in (schema.get("enum") or ()):
            continue
        if said is None:
            said = {float(n) for n in _OWN_NUMBER.findall(site.evidence.said)} | set(numbers_in_words(site.evidence.said))
        number = abs(float(value))
        if number in said:
            continue
        holders = [(tool, key) for tool, payload in site.results.items() for key, n in _numbers(payload) if n == number]
        words = set(name.lower().split("_"))
        if not holders or any(words & set(key.lower().split("_")) for _, key in holders):
            continue  # shown nowhere (the identifier rule's business), or as a value of its kind
        tool, key = holders[0]
        found.append(f"{name}={value!r} was never said by the user; only {tool}'s {key} shows it")
    return found
