"""What the assistant has heard: values as the user said them."""

from __future__ import annotations

from simulator.core.messages import UserMessage
from simulator.words.heard import HeardFacts


def _heard(*said: str) -> HeardFacts:
    heard = HeardFacts()
    heard.update([UserMessage(content=s) for s in said])
    return heard


def test_an_enum_value_said_as_words_is_heard():
    """English prose says an enum value as words ("the reason is wrong item", settled at render
    time): the value `wrong_item` was given, so the call may carry it."""
    heard = _heard("The orderId is ORD-70860 and the reason is wrong item.")
    assert heard.knows("wrong_item") and heard.knows("ORD-70860")
    assert not heard.knows("not_as_described")
    assert not _heard("it is the wrong one").knows("wrong_item")


def test_messages_fed_one_by_one_are_all_heard_once_read():
    """Messages are read when a question needs them, in the order they came, each once: what was
    fed before and after a question is heard, and a failed tool result is not."""
    from simulator.core.messages import ToolMessage

    messages = [UserMessage(content="My order is ORD-12345")]
    heard = HeardFacts()
    heard.update(messages)
    assert heard.knows("ORD-12345") and not heard.knows("jane@example.com")
    messages += [
        ToolMessage(tool_call_id="c1", name="lookup", content='{"error": "no 45.50 here"}', is_error=True),
        ToolMessage(tool_call_id="c2", name="lookup", content='{"email": "Jane@Example.com", "total": 27.5}'),
        UserMessage(content="下週一  可以嗎"),
    ]
    heard.update(messages)
    heard.update(messages)  # nothing new: nothing read twice
    assert heard.knows("jane@example.com") and heard.knows(27.5) and not heard.knows(45.5)
    assert heard.text.count("ord-12345") == 1 and "下週一 可以嗎" in heard.text and "下周一 可以吗" in heard.text


def test_has_odd_space_says_what_the_regex_says() -> None:
    """The substring tests stand for `\\s\\s|[^\\S ]`: the same answer on runs, tabs, newlines,
    no-break and ideographic spaces, and the list of other spaces is Python's own."""
    import random
    import re
    import sys

    from simulator.words.heard import _OTHER_SPACES, has_odd_space

    assert _OTHER_SPACES == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " ")
    regex = re.compile(r"\s\s|[^\S ]")
    rng = random.Random(0)
    pieces = ["a", " ", "  ", "\t", "\n", "\xa0", "张", "\u3000", "\x1c", "\u2028", "x y", "\r\n", "é"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(8)))
        assert has_odd_space(text) == bool(regex.search(text)), repr(text)


def _whole_text_knows(heard: HeardFacts, value: object) -> bool:
    """`knows` as it was before it looked inside single messages: always against the whole text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return heard._number_pattern(value).search(heard.text) is not None
    from simulator.words.heard import normalise
    from simulator.words.grammar import value_words

    said = normalise(value).strip()
    words = value_words(said)
    return said in heard.text or (words != said and words in heard.text)


def test_a_value_inside_one_message_is_heard_without_converting_and_answers_stay_the_same(monkeypatch):
    """A value found inside one message as written is in the whole text too, so no message is
    converted to Simplified characters for it; a value found only across messages, or only in
    a converted form (廣州 said, 广州 asked), still is, from the whole text. Every answer is the
    one the whole text gives."""
    import random

    import simulator.words.heard as heard_module

    converted: list[str] = []
    real = heard_module.to_simplified
    monkeypatch.setattr(heard_module, "to_simplified", lambda text: converted.append(text) or real(text))
    heard = _heard("请把订单 ORD-12345 改寄到廣州", "邮编 510000, 谢谢", "wrong item")
    assert heard.knows("ORD-12345") and heard.knows(510000) and heard.knows("wrong_item")
    assert converted == []
    assert heard.knows("广州")  # only in the converted text
    assert converted == ["请把订单 ord-12345 改寄到廣州", "邮编 510000, 谢谢"]
    assert heard.knows("510000, 谢谢 wrong")  # only across two messages

    rng = random.Random(7)
    pieces = ["ORD-1", "2345", " ", "\n", "广州", "廣州", "下周一", "下週一", "wrong", "_", "item", "12.50", "12.5", "a b"]
    for _ in range(300):
        said = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        heard = _heard(*said)
        reference = _heard(*said)
        for value in ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) for _ in range(5)] + [12.5, 2345, 1]:
            assert heard.knows(value) == _whole_text_knows(reference, value), (said, value)
