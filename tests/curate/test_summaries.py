"""Curation summaries: user messages normalised and the closing one left out, calls canonicalised,
the exact-duplicate key, and a column store holding the same facts in under 200 bytes a trace."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_result,
)
from simulator.core.records import Episode, Trace
from simulator.curate.minhash import signature
from simulator.curate.summaries import Summaries, call_list, summarize, user_texts


def _trace(arguments: str = '{"reason": "broken", "order_id": "ORD-1"}', *, multi: bool = True,
           first: str = "  Refund   ORD-1 ") -> Trace:
    call = ToolCall(id="c1", name="refund", arguments=arguments)
    return Trace(
        id="t1",
        episode=Episode(id="e1", scenario_id="s", persona_id="ann", seed=1, category="multi-turn",
                        tool="refund", language="en", multi_turn=multi),
        messages=[
            SystemMessage(content="sys"),
            UserMessage(content=first),
            AssistantMessage(content="Why?"),
            UserMessage(content="ＢＲＯＫＥＮ"),
            AssistantMessage(tool_calls=(call,)),
            tool_result(call, {"ok": True}),
            AssistantMessage(content="Done."),
            UserMessage(content="Thanks! ###STOP###"),
        ],
        termination="user_stop",
    )


def test_summarize_normalises_users_and_canonicalises_calls():
    trace = _trace()
    assert user_texts(trace) == ["refund ord-1", "broken"]  # closing message excluded, width/case folded
    assert call_list(trace) == [("refund", '{"order_id":"ORD-1","reason":"broken"}')]
    s = summarize(trace)
    assert (s.n_turns, s.multi_turn) == (2, True)  # multi-turn comes from the plan, not the message count
    single = summarize(_trace(multi=False))
    assert (single.n_turns, single.multi_turn) == (2, False)  # a clarifying answer is not a sequence
    assert (s.tool, s.category, s.persona, s.language) == ("refund", "multi-turn", "ann", "en")
    # the exact-duplicate key ignores argument order and spacing, and sees every other difference
    assert summarize(_trace('{"order_id":"ORD-1",  "reason":"broken"}')).key == s.key
    assert summarize(_trace('{"order_id": "ORD-2", "reason": "broken"}')).key != s.key
    assert summarize(_trace(first="REFUND ord-1")).user_key == s.user_key
    assert summarize(_trace(first="refund ord-2")).user_key[0] != s.user_key[0]
    assert summarize(_trace(first="refund ord-2")).user_key[1] == s.user_key[1]


def test_summaries_store_the_same_facts_compactly():
    store = Summaries()
    row = store.add_trace(_trace())
    view = store[row]
    alone = summarize(_trace())
    assert (view.id, view.tool, view.category, view.persona, view.language, view.user_key, view.key, view.multi_turn) \
        == (alone.id, alone.tool, alone.category, alone.persona, alone.language, alone.user_key, alone.key,
            alone.multi_turn)
    assert view.row == 0 and alone.row == -1 and len(store) == 1 and store[-1] == view
    assert np.array_equal(store.signatures.get(row), signature(["refund ord-1", "broken"]))
    assert [s.id for s in store] == ["t1"] and store[0:1] == [view]


def test_summaries_cost_a_few_hundred_bytes_a_trace():
    n = 3 * 4096  # whole signature chunks
    ids = [f"r0-{i:05d}-scenario-persona" for i in range(n)]  # the runner's ids are shared with its `done` set
    users = [[f"where is my order ord-{10000 + i}? it has been a week", "thanks"] for i in range(n)]
    calls = [[("lookup_order", f'{{"order_id":"ORD-{10000 + i}"}}')] for i in range(n)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = Summaries()
        for i in range(n):
            store.add(ids[i], tool="lookup_order", category="positive", persona="p", language="en", users=users[i],
                      calls=calls[i], multi_turn=False)
        per_trace = (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()
    assert per_trace < 200, per_trace  # 128 bytes of signature, the rest hashes and small codes


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [1.5, None, True, 'q"uote\n\u2028é'], "c": {"z": 1e300, "y": float("inf"), "x": -0.0}},
    "just a string", 2.5, [], {}, [("lookup_order", '{"order_id":"ORD-1"}')], 10**20, {"中": ["文", {"b": 2, "a": 1}]},
])
def test_the_prebuilt_encoders_write_what_json_does(value):
    from simulator.curate import summaries

    assert summaries._CANONICAL_JSON(value) == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert summaries._COMPACT_JSON(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("parsed", [
    {"reason": "broken", "order_id": "ORD-1"}, {"amount": 12.5, "full": True, "note": None, "n": 3},
    {"中": "文", "x": -0.0, "big": 1e300},
])
def test_known_arguments_canonicalise_as_parsing_them_does(parsed):
    """A call whose parse is remembered (the offline assistant wrote it) is canonicalised from that
    parse, not parsed again: the text is the one parsing gives."""
    from simulator.core.messages import known_arguments, remember_arguments
    from simulator.curate import summaries

    text = json.dumps(parsed, ensure_ascii=False)
    remember_arguments(text, dict(parsed))
    assert known_arguments(text) is not None
    assert summaries._canonical_arguments(text) == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                                                              ensure_ascii=False)


def test_normalize_message_is_its_definition_on_mixed_scripts():
    """The ASCII and full-width shortcuts give what NFKC, casefold and collapsed spacing give, for
    random texts of ASCII, full- and half-width forms, ideographs, combining marks and ligatures."""
    import random
    import unicodedata

    from simulator.core.messages import strip_stop_token
    from simulator.curate.summaries import normalize_message

    def definition(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", strip_stop_token(text)).casefold().split())

    pool = [chr(c) for c in [*range(0x20, 0x7F), *range(0xFF00, 0xFFEF), 0x3000, 0x3001, 0x3002, 0x0301, 0x0308,
                             0x00C5, 0x212B, 0xFB01, 0x2163, 0x1100, 0x1161, 0xAC00, 0x4E00, 0xF900, 0x00BD,
                             0x3099, 0x304B, 0xFF76, 0xFF9E, 0x0130, 0x00DF, 0x1E9E, 0x2026, 0x00A0]]
    pool += ["，", "？", "！", "：", "；", "（", "）", "###STOP###"]
    rng = random.Random(0)
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert normalize_message(text) == definition(text), repr(text)
    for text in ("工作人员您好，ORD-54209能改寄到Portland吗？谢谢！", "Ａ\u0301，（１）", "  Hello   WORLD ###STOP###"):
        assert normalize_message(text) == definition(text)
