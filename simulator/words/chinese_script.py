"""Simplified <-> Traditional Chinese, for personas who write Traditional characters.

Scenario seeds, phrase books and replies are written once, in Simplified Chinese; a persona with
`script: traditional` writes (and is answered) in Traditional characters with Taiwan usage
(帮我查一下订单 -> 幫我查一下訂單, 软件 -> 軟體). The conversion is OpenCC's (`s2twp`, and `tw2sp`
back): character-by-character tables get one-to-many characters wrong (发 is 發 or 髮, 后 is 後
or 后) and miss regional words, which OpenCC's phrase dictionaries handle. Converters are built on
first use and never touch Latin text, digits or ids. Reading Traditional text back (`tw2sp`, about
6 MiB) is cheap; writing it (`s2twp`, OpenCC's phrase tables, about 46 MiB of memory) is paid only
by a run in which a Traditional-Chinese persona speaks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

Script = Literal["simplified", "traditional"]


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc  # imported here: a run without Traditional-Chinese personas never loads it

    return opencc.OpenCC(config)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def to_traditional(text: str) -> str:
    """Simplified Chinese as written in Taiwan (characters and common words); other text unchanged."""
    return _converter("s2twp").convert(text) if text and _has_cjk(text) else text


def to_simplified(text: str) -> str:
    """Traditional (Taiwan) Chinese back to Simplified, for matching against simplified phrases."""
    return _converter("tw2sp").convert(text) if text and _has_cjk(text) else text


def in_script(text: str, script: str) -> str:
    return to_traditional(text) if script == "traditional" else text
