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
