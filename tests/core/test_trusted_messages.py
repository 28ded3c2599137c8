"""The hot-path message constructors make exactly what the validated models make."""

from __future__ import annotations

import json

from simulator.core.messages import (
    MESSAGE_LIST,
    AssistantMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
    assistant_calls,
    assistant_text,
    tool_call,
    tool_error,
    tool_result,
    user_text,
)


def _same(fast, checked) -> None:
    assert type(fast) is type(checked)
    assert fast == checked and hash(fast) == hash(checked)
    assert list(fast.__dict__.items()) == list(checked.__dict__.items())
    assert fast.model_fields_set == checked.model_fields_set
    assert fast.model_dump_json() == checked.model_dump_json()


def test_trusted_constructors_equal_validated_models() -> None:
    call = ToolCall(id="call_1", name="lookup", arguments='{"id": "A-1"}')
    _same(tool_call("call_1", "lookup", '{"id": "A-1"}'), call)
    _same(user_text("where is A-1?"), UserMessage(content="where is A-1?"))
    _same(assistant_text("It shipped."), AssistantMessage(content="It shipped."))
    _same(assistant_calls((call,)), AssistantMessage(tool_calls=(call,)))
    payload = {"status": "shipped", "price": 2.5, "名字": "张三", "when": None}
    _same(tool_result(call, payload), ToolMessage(
        tool_call_id="call_1", name="lookup", content=json.dumps(payload, ensure_ascii=False), is_error=False))
    _same(tool_error(call, "no such order"), ToolMessage(
        tool_call_id="call_1", name="lookup", content='{"error": "no such order"}', is_error=True))


def test_trusted_messages_round_trip_through_the_message_list() -> None:
    messages = [user_text("hi"), assistant_calls((tool_call("c", "t", "{}"),)), assistant_text("ok")]
    dumped = MESSAGE_LIST.dump_json(messages)
    assert MESSAGE_LIST.validate_json(dumped) == messages


def test_a_result_holding_a_lone_surrogate_is_refused() -> None:
    import pytest

    call = ToolCall(id="c", name="lookup")
    with pytest.raises(ValueError, match="lone surrogate"):
        tool_result(call, {"name": "bad \ud800 text"})
    assert tool_result(call, {"name": "张三 \U0001f600"}).content == '{"name": "张三 \U0001f600"}'


def test_arguments_json_writes_what_json_dumps_writes() -> None:
    from simulator.core.messages import arguments_json

    for args in ({}, {"order_id": "ORD-1", "qty": 2}, {"名字": "张三", "q": 'a "b"\n\\ \u2028'},
                 {"flag": True, "none": None, "price": 2.5, "big": 10**30}, {"rows": [1, "a"], "obj": {"k": 1}},
                 {1: "int key"}):
        assert arguments_json(args) == json.dumps(args, ensure_ascii=False)


def test_a_result_is_written_as_json_dumps_writes_it_also_after_a_failure() -> None:
    """`tool_result` reuses one C encoder (and its circular-reference markers) for every result."""
    import datetime
    import math

    import pytest

    class Label(str):
        pass

    call = ToolCall(id="c1", name="t", arguments="{}")
    cyclic: list = [1]
    cyclic.append(cyclic)
    values = [{"a": [1, 2.5, -0.0, 1e300, math.inf, -math.inf, math.nan], "b": None, "c": True},
              {1: "int key", 2.5: "float key", True: "bool", None: "none"}, ("tuple", ["in", "list"]),
              {"when": datetime.date(2026, 1, 2), "label": Label("x"), "set": {1}}, "a str", Label("sub"), 7, None,
              [{"deep": [{"er": [[]]}]}, {}], {"名字": "张三 \U0001f600", "q": 'a "b"\n\\ \u2028'}]
    for round_ in range(2):
        for value in values:
            assert tool_result(call, value).content == json.dumps(value, ensure_ascii=False, default=str)
        with pytest.raises(ValueError, match="Circular reference"):
            tool_result(call, {"rows": [cyclic]})
        from simulator.core import messages
        assert not messages._MARKERS  # emptied: the next result is written by the reused encoder again
    shared = {"k": "v"}  # the same object twice is no cycle, here or after the failures above
    assert tool_result(call, [shared, shared]).content == '[{"k": "v"}, {"k": "v"}]'


def test_parsed_arguments_are_what_json_loads_gives_and_each_caller_gets_its_own() -> None:
    """`parse_arguments` answers from what the assistant wrote or an earlier parse kept: the same
    dict as `json.loads`, never one another caller may have changed."""
    from simulator.core.messages import arguments_json, known_arguments
    from simulator.spec.validation import parse_arguments

    written = arguments_json({"order_id": "ORD-10001", "qty": 2, "名字": "张三"})
    assert known_arguments(written) == json.loads(written)
    for text in (written, '{"a": 1.5, "b": null, "c": true, "d": "x", "a": 2}', '{"rows": [1, 2], "o": {"k": 1}}',
                 '{"n": NaN}', '[1]', '"s"', "", "{bad"):
        for _ in range(2):
            args, problem = parse_arguments(ToolCall(id="c", name="t", arguments=text))
            try:
                expected = json.loads(text)
            except ValueError:
                assert args is None and problem
                continue
            if not isinstance(expected, dict):
                assert args is None and problem
                continue
            assert problem is None and args == expected and list(args) == list(expected) or text == '{"n": NaN}'
            args["changed"] = True  # a caller's own dict: the next parse does not see this
            if isinstance(args.get("rows"), list):
                args["rows"].append(3)
    assert known_arguments('{"rows": [1, 2], "o": {"k": 1}}') is None  # nested: parsed anew each time
    assert known_arguments('{"n": NaN}') is None
