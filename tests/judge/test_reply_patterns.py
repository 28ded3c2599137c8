"""The judge's fast regular expressions find exactly what their plain forms find.

Several patterns were rewritten so `re` can skip to candidate positions (a leading digit or
capital instead of a look-behind, a look-ahead for the first characters of the claim phrases,
a possessive run for identifiers). A verdict must not change by one byte for it, so each is
compared with the plain pattern it replaced, on fixed random strings made of the characters
that matter to it.
"""

from __future__ import annotations

import random
import re

import pytest

from simulator.judge import conversation, reply_contradictions, reply_evidence, reply_quantities, reply_values
from simulator.judge.reply_lexicon import NAME_WORD, WORD, name_words_in, words_in
from simulator.judge.reply_words import _led, _needs_cjk, reply_words

PLAIN_AND_FAST = [
    ("clock", r"(?<!\d)(\d{2}):(\d{2})(?!\d)", reply_values.CLOCK_IN_TEXT, "12:3a ٣"),
    ("iso day", r"\d{4}-\d{2}-\d{2}", reply_values.ISO_DAY_IN_TEXT, "12-3a "),
    ("month", r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", reply_values._MONTH_HINT, "janfebx _1 "),
    ("zh time", r"(?<![0-9.:])(\d{1,2})(?:点(半|(\d{1,2})分?)?|[:：](\d{2})(?!\d|\.\d))", reply_values._ZH_TIME,
     "123点半分:：a."),
    ("token", r"https?://[^\s)\]>\"']+|[a-z0-9._@:/+#-]*[0-9@][a-z0-9._@:/+#-]*", reply_values._TOKEN,
     "ab1@.:/-htp )('x"),
    ("number", r"\d+(?:,\d{3})*(?:\.\d+)?", conversation._NUMBER, "12,.a "),
    ("capitalised", r"(?<![A-Za-z0-9])[A-Z][a-zà-öø-ÿ]+(?: [A-Z][a-zà-öø-ÿ]+)+(?![A-Za-z0-9])",
     reply_contradictions._CAPITALISED, "ABab é1 包"),
    ("capitalised word", r"(?<![A-Za-z0-9])[A-Z][a-zà-öø-ÿ]{2,}(?![A-Za-z0-9])",
     reply_contradictions._CAPITALISED_WORD, "ABab é1 包"),
    ("mid-sentence word", r"(?<=[a-z,;] )[A-Z][a-zà-öø-ÿ]{2,}(?![A-Za-z0-9'’-])",
     reply_contradictions._MID_SENTENCE_WORD, "ABab é1,;'-"),
]


def _texts(alphabet: str, seed: int, count: int = 3000) -> list[str]:
    rng = random.Random(seed)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(count)]
    return texts + ["http://a.com/x1", "see:http://x.org/a 5", "(ORD-48291).", "jan", "xjan", "2026-03-14T09:30"]


@pytest.mark.parametrize(("name", "plain", "fast", "alphabet"), PLAIN_AND_FAST, ids=[p[0] for p in PLAIN_AND_FAST])
def test_fast_pattern_finds_what_the_plain_one_does(name, plain, fast, alphabet):
    plain = re.compile(plain)
    for text in _texts(alphabet, seed=len(name)):
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
            [(m.span(), m.groups()) for m in plain.finditer(text)], text
        assert bool(fast.fullmatch(text)) == bool(plain.fullmatch(text)), text


def test_claim_phrases_led_by_their_first_letters_find_the_same_spans():
    words = reply_words()
    plain = re.compile(words.en_claims.pattern.split("])", 1)[1])  # without the look-ahead
    assert words.en_claims.pattern.startswith("(?=[")  # the shortcut is taken for toolsim's own table
    rng = random.Random(3)
    vocabulary = ("has have been i we 've just is are now was were you 're all set done it's that's went through "
                  "taken care of updated booked refunded successfully not yet x . , !").split()
    replies = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    assert any(plain.search(r) for r in replies)
    for reply in replies:
        assert [m.span() for m in words.en_claims.finditer(reply)] == [m.span() for m in plain.finditer(reply)]


def test_the_look_ahead_is_left_off_when_the_first_characters_cannot_be_told():
    assert _led(r"\bx?abc").pattern == r"\bx?abc"  # an optional first character
    assert _led(r"(?i)abc").pattern == r"(?i)abc"  # case-insensitive
    assert _led(r"\b(?:a+|[bc]d)").pattern == r"(?=[abc])\b(?:a+|[bc]d)"


def test_an_ascii_reply_is_read_for_english_claims_only_when_every_chinese_phrase_needs_a_chinese_character():
    assert _needs_cjk("已(?:经)?(?:为您)?更新|成功")
    assert not _needs_cjk("已|ok")  # a branch an ASCII reply could match
    assert not _needs_cjk("已?更新")  # the Chinese first character is optional


_PLAIN_NUMBER = r"(?<![\d.,:/-])(\d+(?:\.\d+)?)"


def _plain_unit(unit: str) -> re.Pattern[str]:
    """A unit's pattern as it was: one branch per language, each reading the number itself."""
    import yaml

    book = yaml.safe_load(reply_quantities.PHRASES_FILE.read_text(encoding="utf-8"))
    en, zh = book["en"]["units"], book["zh"]["units"]
    english = "|".join(map(re.escape, sorted(en[unit], key=len, reverse=True)))
    chinese = "|".join(map(re.escape, sorted(zh.get(unit, []), key=len, reverse=True)))
    parts = [rf"{_PLAIN_NUMBER}\s*\+?\s*(?:[a-z]+\s+)?(?:{english})(?![a-z])"]
    if chinese:
        parts.append(rf"{_PLAIN_NUMBER}\s*个?(?:{chinese})")
    return re.compile("|".join(parts))


@pytest.mark.parametrize("unit", sorted(reply_quantities._units()))
def test_a_unit_led_by_its_number_finds_what_the_plain_pattern_does(unit):
    fast = reply_quantities._units()[unit].pattern
    plain = _plain_unit(unit)
    rng = random.Random(unit)
    words = ["min", "minutes", "分钟", "个", "days", "day", "天", "工作日", "+", "hours", "小时", "business ", "stars", "星",
             "nights", "晚", "servings", "人份", "points", "积分", "s "]
    pieces = list("0123456789.,:/- a") + words
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert [(m.span(), m.group(1), m.start(1)) for m in fast.finditer(text)] == \
            [(m.span(), m.group(1) or m.group(2), m.start(1) if m.group(1) else m.start(2))
             for m in plain.finditer(text)], text


def test_a_count_led_by_its_number_finds_what_the_plain_pattern_does():
    labels = ("orders", "order(s)", "order", "个订单")
    fast = reply_quantities._count_pattern(labels)
    words = "|".join(re.escape(w) for w in labels)
    plain = re.compile(rf"(?<![\d.,:/-])(\d+)(?![\d.,])\s*(?:{words})(?![a-z])")
    rng = random.Random(5)
    pieces = list("0123456789.,:/- a") + list(labels)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
            [(m.span(), m.groups()) for m in plain.finditer(text)], text


def test_days_and_clocks_found_from_their_dash_and_colon_are_what_findall_finds():
    for text in _texts("0123456789-:a ٣", seed=11, count=20000) + ["12:34:56", "112:34:56", "1111-22-3333-44-55"]:
        days: set[str] = set()
        clocks: set[str] = set()
        reply_evidence._found(reply_evidence._DAY_AT_DASH, text, 4, days)
        reply_evidence._found(reply_evidence._CLOCK_AT_COLON, text, 2, clocks)
        assert days == set(reply_values.ISO_DAY_IN_TEXT.findall(text)), text
        assert clocks == {f"{h}:{m}" for h, m in reply_values.CLOCK_IN_TEXT.findall(text)}, text


def test_normalize_keeps_a_printable_text_without_double_or_outer_spaces_as_it_is():
    import sys
    import unicodedata

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert all(not c.isprintable() for c in spaces if c != " ")  # what the shortcut rests on

    def plain(text: str) -> str:
        if text.isascii():
            return " ".join(text.lower().split())
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    rng = random.Random(13)
    pieces = list("aB1 ,.{}\"") + spaces + ["ﬁ", "Ａ", "中", "ß", "\x00", "\x7f", "  "]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert conversation.normalize(text) == plain(text), repr(text)


def test_a_prompt_is_read_as_its_text_reads_whether_or_not_it_is_the_template_filled_in():
    from datetime import date

    from simulator.words.relative_dates import fill_today

    templates = ["You help on {weekday}, {today}. Orders ship at 09:30; refunds take 5 days.",
                 "今天是{today}（{weekday}）。订单在 09:30 发货，退款需要 5 天。Call 555-0100."]
    for template in templates:
        for today in (date(2026, 3, 14), date(2025, 12, 31)):
            for text in (fill_today(template, today), fill_today(template, today) + " (edited)", "Other prompt 12:00"):
                norm = conversation.normalize(text)
                want = (norm, frozenset(conversation.numbers_in(norm)), frozenset(reply_values.ISO_DAY_IN_TEXT.findall(norm)),
                        frozenset(f"{h}:{m}" for h, m in reply_values.CLOCK_IN_TEXT.findall(norm)))
                assert reply_evidence.read_prompt(text, template, today) == want, (template, text)


def test_tokens_found_after_the_character_before_them_are_the_token_pattern_s():
    for text in _texts("ab1@.:/-+#_ )(x9中", seed=17, count=20000) + ["ord-1 http://a.b/c1", "xhttp://a"]:
        assert reply_values._tokens(text) == [(m.start(), m.group()) for m in reply_values._TOKEN.finditer(text)], text


def test_name_words_found_by_the_first_words_pattern_are_the_findall_words_it_holds():
    words = ["David", "Dav", "St.", "O'Brien", "Noise-Cancelling", "Noise", "USB", "USB-C", "Müller", "Anna", "A"]
    first = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    pieces = words + ["-C", "x", "9", "'", "’", ".", "-", "_", " ", ",", "é", "包", "Ｄ", "\u3000", "Mc", "²", "٣"]
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        plain = [w for w in dict.fromkeys(re.findall(NAME_WORD, text)) if w in words]
        assert name_words_in(text, first) == plain, text


def test_every_language_s_claim_phrases_led_by_their_first_characters_find_the_same_spans():
    words = reply_words()
    plain = re.compile(words.claims.pattern.split("])", 1)[1])  # without the look-ahead
    assert words.claims.pattern.startswith("(?=[")
    rng = random.Random(5)
    vocabulary = ("已 经 为您 更新 修改 成功 办好了 搞定 订好了 处理完毕 已确认 查 没 订单 , 。 has been updated "
                  "all set done x").split()
    replies = ["".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    replies += [" ".join(r) for r in replies[:500]]
    assert any(plain.search(r) for r in replies)
    for reply in replies:
        assert [m.span() for m in words.claims.finditer(reply)] == [m.span() for m in plain.finditer(reply)]


def test_enum_words_found_by_their_scan_are_where_the_word_pattern_finds_them():
    words = ["on", "off", "open", "opened", "high", "a1", "shipped", "ship"]
    scan = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    pieces = words + ["x", "9", "0", "-", "_", " ", "é", "包", "'", "ed", "pen", "\n"]
    rng = random.Random(11)
    for _ in range(20000):
        low = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        plain = [(m.start(), m.end()) for m in re.finditer(WORD, low) if m.group() in words]
        assert words_in(low, scan) == plain, low
