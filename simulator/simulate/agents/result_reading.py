"""Reading a tool result and a reply template for the offline assistant: which fields a template
states, which fields a result has, nulls left out (so a template naming one is skipped), whether
templates cite earlier results, and whether a sim's message already reads as Chinese."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from simulator.core.identity_memo import by_identity
from simulator.spec import LANGUAGES, DomainConfig, LocalizedText
from simulator.spec.blueprint import placeholders


@by_identity(256)
def mentions_results(config: DomainConfig) -> bool:
    """Does any reply template use `{@tool...}`? (once per domain, not per episode)"""
    texts = [t for reply in config.replies.values() for lang in LANGUAGES for t in reply.for_language(lang)]
    texts += [t for lang in LANGUAGES for t in config.error_reply.for_language(lang)]
    return any("{@" in text for text in texts)


@lru_cache(maxsize=4096)
def field_names(template: str) -> frozenset[str]:
    """The fields a reply template states (`{orders.0.status}` -> `status`)."""
    return frozenset(name.split(".")[-1] for name in placeholders(template))


_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z]{3,}(?![A-Za-z0-9-])")


def reads_as_chinese(text: str) -> bool:
    """Chinese text with no English words in it (ids such as ORD-12345 may stand in it)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text) and not _LATIN_WORD.search(text)


def cites_results(text: LocalizedText | None) -> bool:
    return text is not None and any("{@" in t for lang in LANGUAGES for t in text.for_language(lang))


def result_fields(payload: dict[str, Any]) -> set[str]:
    """The field names of a result, and of the objects in its lists (`rows.0.owner` -> `owner`)."""
    names = set(payload)
    for value in payload.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            names.update(value[0])
        elif isinstance(value, dict):
            names.update(value)
    return names


def without_nulls(value: Any) -> Any:
    """Drop null-valued keys of a result and of the objects directly inside it (deeper nulls
    are rare in results and not worth walking every item list for)."""
    if not isinstance(value, dict):
        return value
    return {
        k: ({ik: iv for ik, iv in v.items() if iv is not None} if isinstance(v, dict) else v)
        for k, v in value.items() if v is not None
    }
