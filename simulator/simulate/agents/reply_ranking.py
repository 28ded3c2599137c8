"""Which reply template fits what the user asked: the offline assistant's ranking of variants.

A reply template scores for each result field it states that the user's question is about (the
field's name or one of the domain's labels for it appears in the question), for the item of a
list the user named (`orders_asked`, named_item.py), and for naming every item of a result list
that has several (a list of one is better said as that one item than as a list).

The words that ask about each field are the same for every episode of a domain and language, so
one `ReplyRanker` per domain and language keeps them (they were looked up per conversation).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from simulator.simulate.agents.named_item import template_roots
from simulator.simulate.agents.result_reading import field_names, result_fields


class ReplyRanker:
    """Scores reply templates for one domain's config in one language."""

    def __init__(self, config: Any, language: str) -> None:
        self.config = config
        self.language = language
        self._words_for: dict[str, tuple[str, ...]] = {}  # a result field -> the words that ask about it

    def ranker(self, payload: dict[str, Any], question: str, context: Mapping[str, Any]) -> Callable[[str], int]:
        """The score of a template for this result, question and reply context (higher first)."""
        named = {k for k, v in context.items() if k.endswith("_asked") and v is not context[k[:-6]][0]}  # not the first
        asked = set()
        if question:
            words_for = self._words_for
            for key in result_fields(payload):
                words = words_for.get(key)
                if words is None:
                    words = self._asking(key)
                for word in words:
                    if word in question:
                        asked.add(key)
                        break
        lists = {f"{k}_list" for k, v in payload.items() if isinstance(v, list) and len(v) > 1}
        singles = {f"{k}_list" for k, v in payload.items() if isinstance(v, list) and len(v) == 1}

        def score(template: str) -> int:
            names = field_names(template)
            # A list of one is better said as that one item than as "ORD-1 (...). Order ORD-1 ...".
            score = (2 * len(asked.intersection(names)) + 3 * bool(lists.intersection(names))
                     - bool(singles.intersection(names)))
            return score + 4 * bool(named and named.intersection(template_roots(template)))
        return score

    def _asking(self, key: str) -> tuple[str, ...]:
        """The words that ask about a result field: its name, and the domain's labels for it."""
        words = [key.replace("_", " ")]
        own = self.config.labels.get(key)
        if own is not None:
            words += [w.lower() for w in own.for_language(self.language) if w]
        self._words_for[key] = found = tuple(words)
        return found


_RANKERS: dict[tuple[int, str], ReplyRanker] = {}


def reply_ranker(config: Any, language: str) -> ReplyRanker:
    """The `ReplyRanker` of a domain config and language (one per process, not per episode)."""
    key = (id(config), language)
    ranker = _RANKERS.get(key)
    if ranker is None or ranker.config is not config:
        if len(_RANKERS) > 256:
            _RANKERS.clear()
        ranker = _RANKERS[key] = ReplyRanker(config, language)
    return ranker
