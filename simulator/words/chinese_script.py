"""Simplified <-> Traditional Chinese, for personas who write Traditional characters.

Scenario seeds, phrase books and replies are written once, in Simplified Chinese; a persona with
`script: traditional` writes (and is answered) in Traditional characters with Taiwan usage
(帮我查一下订单 -> 幫我查一下訂單, 软件 -> 軟體). The conversion is OpenCC's (`s2twp`, and `tw2sp`
back): character-by-character tables get one-to-many characters wrong (发 is 發 or 髮, 后 is 後
or 后) and miss regional words, which OpenCC's phrase dictionaries handle. Converters are built on
first use and never touch Latin text, digits or ids. Reading Traditional text back (`tw2sp`, about
6 MiB) is cheap; writing it (`s2twp`, OpenCC's phrase tables, about 46 MiB of memory) is paid only
by a run in which a Traditional-Chinese persona speaks.

Conversions are memoised per text: the same message is converted more than once (the assistant
reads what the user said, the judge reads it again) and tool results and phrase-book lines repeat
across episodes; a conversion costs 5-20 µs, a dictionary hit well under one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

Script = Literal["simplified", "traditional"]


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc  # imported here: a run without Traditional-Chinese personas never loads it

    return opencc.OpenCC(config)


_MEMO_SIZE = 8192  # texts per direction; the memo is emptied when full (no LRU bookkeeping per hit)
_MEMO: dict[str, dict[str, str]] = {"s2twp": {}, "tw2sp": {}}
_CJK = re.compile("[\u4e00-\u9fff]")


# Characters that no key of OpenCC's dictionaries contains (the keys' only characters besides
# ideographs are capitals, "-", "·" and "〇": "U盘", "SQL注入", "伯克希尔-哈撒韦"): digits,
# lower-case letters, spaces, ASCII and full-width punctuation. A dictionary match never spans
# such a character, so OpenCC converts the text on either side of it as it would on its own and
# passes the character through: a text is its pieces between these runs converted one by one,
# the runs kept. Pieces repeat far more than whole texts (a user's line is an opening, a request
# and a closing, with an order id or an amount between), so a text never seen whole is still
# mostly memo hits; a conversion in the middle of an episode, its dictionaries cold in the
# cache, cost ~15-50 us. `tests/words/test_chinese_script.py` holds the pieces to the whole text.
_PASSED = re.compile(r"([\s\x21-\x2c\x2e-\x40\x5b-\x7e，。？！：；（）、“”‘’「」『』…～《》【】]+)")
_PIECES: dict[str, dict[str, str]] = {"s2twp": {}, "tw2sp": {}}


def _convert(config: str, text: str) -> str:
    """`text` converted (unchanged without CJK characters: nothing to convert), memoised; a miss
    converted piece by piece (`_PASSED`)."""
    memo = _MEMO[config]
    converted = memo.get(text)
    if converted is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        converted = memo[text] = _by_pieces(config, text) if _CJK.search(text) else text
    return converted


def _by_pieces(config: str, text: str) -> str:
    """OpenCC's conversion of `text`: its pieces between `_PASSED` runs converted (memoised), the runs as they are."""
    parts = _PASSED.split(text)
    if len(parts) == 1:
        return _converter(config).convert(text)
    memo = _PIECES[config]
    for i in range(0, len(parts), 2):
        piece = parts[i]
        if piece:
            converted = memo.get(piece)
            if converted is None:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                converted = memo[piece] = _converter(config).convert(piece)
            parts[i] = converted
    return "".join(parts)


def to_traditional(text: str) -> str:
    """Simplified Chinese as written in Taiwan (characters and common words); other text unchanged."""
    return _convert("s2twp", text) if text else text


def to_simplified(text: str) -> str:
    """Traditional (Taiwan) Chinese back to Simplified, for matching against simplified phrases."""
    return _convert("tw2sp", text) if text else text


def in_script(text: str, script: str) -> str:
    return to_traditional(text) if script == "traditional" else text
