"""The item of a result list that the user named: `{orders_asked.order_id}` in a reply template.

A lookup by e-mail returns every order of the account, newest first; a customer who said "I lost
the confirmation for the Cast Iron Skillet" asked about the order holding the skillet, which need
not be the newest. A reply that talks about `orders.0` then answers another question than the
one asked, and a model trained on it learns to ignore what the user named. So for each list of
objects in a result, the element whose nested text values (an order's item names) appear in the
question, when exactly one element matches, is offered to the templates as `<list>_asked`; a
template naming it ranks first when that element is not the list's first, and fails to render
(another variant is used) when the user named no single element.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from simulator.spec import LocalizedText
from simulator.spec.blueprint import placeholders

MIN_LENGTH = 3  # shorter strings ("US", "1") occur in questions by chance


def _strings(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, str):
        if len(value) >= MIN_LENGTH:
            into.add(value.lower())
    elif isinstance(value, dict):
        for inner in value.values():
            _strings(inner, into)
    elif isinstance(value, list):
        for inner in value:
            _strings(inner, into)
    return into


def named_items(payload: Mapping[str, Any], shown: Mapping[str, Any], question: str) -> dict[str, Any]:
    """`{<list>_asked: element}` for each list of objects in `payload` of which exactly one element
    has a text value the (lower-cased) `question` contains, leaving out values every element has
    (the account's e-mail, the currency); the element is taken from `shown` (the result with its
    values labelled in the reply's language)."""
    found: dict[str, Any] = {}
    if not question:
        return found
    for key, value in payload.items():
        if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            continue
        # Only what an element holds (an order's items), not its own fields: an order id the
        # question names is usually the subject of another request in the same message ("where
        # is ORD-1, and which orders do I have?"), not the one of this list the user means.
        texts = [_strings([v for v in element.values() if isinstance(v, (dict, list))], set()) for element in value]
        common = set.intersection(*texts) if len(texts) > 1 else set()
        matches = [i for i, own in enumerate(texts) if any(s in question for s in own - common)]
        if len(matches) == 1:
            found[f"{key}_asked"] = shown[key][matches[0]]
    return found


@lru_cache(maxsize=4096)
def template_roots(template: str) -> frozenset[str]:
    """The first segment of each placeholder path of a template (`orders_asked.order_id` ->
    `orders_asked`)."""
    return frozenset(name.split(".")[0] for name in placeholders(template))


@lru_cache(maxsize=1024)
def _asks_for_named(templates: tuple[str, ...]) -> bool:
    return any("_asked" in t for t in templates)


def uses_named_items(templates: LocalizedText | None, language: str) -> bool:
    """Does any variant of `templates` in `language` speak of a named item?"""
    return templates is not None and _asks_for_named(tuple(templates.for_language(language)))


@lru_cache(maxsize=1024)
def _mentions_lists(templates: tuple[str, ...]) -> bool:
    return any(root.endswith(("_list", "_count")) for t in templates for root in template_roots(t))


def uses_list_summaries(templates: LocalizedText | None, language: str) -> bool:
    """Does any variant of `templates` in `language` say a result list as `{<list>_list}` or
    `{<list>_count}`? (If none does, the reply does not summarise the lists: nothing would read it.)"""
    return templates is not None and _mentions_lists(tuple(templates.for_language(language)))
