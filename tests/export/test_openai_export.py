"""The canonical OpenAI record and atomic JSONL writing."""

from __future__ import annotations

import json
import os

import pytest

from simulator.core.atomic import atomic_write, write_jsonl
from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_result,
)
from simulator.core.records import Episode, Trace
from simulator.export.openai import to_openai_record
from simulator.spec import DomainConfig, ToolSpec
from simulator.spec.pack import Domain

PROMPT = "You are a customer service assistant."


@pytest.fixture
def domain() -> Domain:
    spec = ToolSpec(name="initiate_refund", description="Refund an order.",
                    parameters={"type": "object", "properties": {"order_id": {"type": "string"}}},
                    returns={"type": "object"})
    return Domain(name="shop", system_prompt=PROMPT, tools={"initiate_refund": spec},
                  config=DomainConfig(tools="tools.yaml", system_prompt=PROMPT))


def make_trace(messages, tid="t1") -> Trace:
    episode = Episode(id=tid, scenario_id="refund", persona_id="p", seed=1, category="positive",
                      tool="initiate_refund", language="en")
    return Trace(id=tid, episode=episode, messages=messages, termination="user_stop")


def refund_messages(*, system="Some other prompt", calls=1):
    made = tuple(ToolCall(id=f"call_{i}", name="initiate_refund", arguments=json.dumps({"order_id": f"ORD-4829{i}"}))
                 for i in range(calls))
    messages = [SystemMessage(content=system)] if system else []
    messages += [UserMessage(content="I need a refund for ORD-48290, it arrived broken"),
                 AssistantMessage(tool_calls=made)]
    messages += [tool_result(c, {"refund_id": f"RF-10{i}", "status": "pending", "note": "ü"}) for i, c in enumerate(made)]
    messages += [AssistantMessage(content="Your refund RF-100 is on its way."), UserMessage(content="Thanks! ###STOP###")]
    return messages


def test_record_follows_the_openai_fine_tuning_format(domain):
    record = to_openai_record(make_trace(refund_messages()), domain)
    assert list(record) == ["messages", "tools"]
    assert record["tools"] == domain.tool_list()
    assert "returns" not in json.dumps(record["tools"])
    roles = [m["role"] for m in record["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    call_turn, tool_turn, last = record["messages"][2], record["messages"][3], record["messages"][-1]
    assert list(call_turn) == ["role", "tool_calls"]  # no content key when the turn only calls
    call = call_turn["tool_calls"][0]
    assert call["type"] == "function" and list(call) == ["id", "type", "function"]
    assert isinstance(call["function"]["arguments"], str)
    assert json.loads(call["function"]["arguments"]) == {"order_id": "ORD-48290"}
    assert list(tool_turn) == ["role", "tool_call_id", "content"]  # no name, no is_error
    assert tool_turn["tool_call_id"] == call["id"]
    assert isinstance(tool_turn["content"], str) and json.loads(tool_turn["content"])["refund_id"] == "RF-100"
    assert last == {"role": "assistant", "content": "Your refund RF-100 is on its way."}


def test_system_prompt_is_the_domains_and_identical_everywhere(domain):
    records = [to_openai_record(make_trace(refund_messages(system=s), tid=f"t{i}"), domain)
               for i, s in enumerate(["Some other prompt", None, PROMPT])]
    firsts = [r["messages"][0] for r in records]
    assert all(f == {"role": "system", "content": PROMPT} for f in firsts)
    assert all(sum(m["role"] == "system" for m in r["messages"]) == 1 for r in records)


def test_stop_token_never_exported_and_record_ends_with_the_assistant(domain):
    messages = refund_messages()
    messages.insert(1, UserMessage(content="###STOP###"))  # a stray, empty-after-stripping message
    messages[2] = UserMessage(content="I need a refund for ORD-48290 ###STOP###")
    record = to_openai_record(make_trace(messages), domain)
    text = json.dumps(record, ensure_ascii=False)
    assert "###STOP###" not in text
    assert record["messages"][-1]["role"] == "assistant"
    assert [m["content"] for m in record["messages"] if m["role"] == "user"] == ["I need a refund for ORD-48290"]


def test_key_order_when_the_assistant_speaks_and_calls(domain):
    messages = refund_messages()
    messages[2] = AssistantMessage(content="Let me check.", tool_calls=messages[2].tool_calls)
    record = to_openai_record(make_trace(messages), domain)
    assert list(record["messages"][2]) == ["role", "content", "tool_calls"]
    assert list(record["messages"][1]) == ["role", "content"]


def test_parallel_tool_calls_only_where_a_turn_has_several(domain):
    single = to_openai_record(make_trace(refund_messages(calls=1)), domain)
    double = to_openai_record(make_trace(refund_messages(calls=2)), domain)
    assert "parallel_tool_calls" not in single
    assert double["parallel_tool_calls"] is True
    ids = [c["id"] for c in double["messages"][2]["tool_calls"]]
    assert [m["tool_call_id"] for m in double["messages"] if m["role"] == "tool"] == ids


def test_write_jsonl_writes_one_object_per_line_keeping_unicode(tmp_path, domain):
    path = tmp_path / "train.jsonl"
    records = (to_openai_record(make_trace(refund_messages(), tid=f"t{i}"), domain) for i in range(3))
    assert write_jsonl(path, records) == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["messages"][0]["content"] == PROMPT for line in lines)
    assert "ü" in lines[0]  # ensure_ascii=False: the tool content keeps its characters
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_atomic_write_leaves_no_partial_file_when_the_writer_raises(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("old complete content\n")
    with pytest.raises(RuntimeError):
        with atomic_write(path) as f:
            f.write("half a reco")
            raise RuntimeError("crash mid-write")
    assert path.read_text() == "old complete content\n"
    assert os.listdir(tmp_path) == ["train.jsonl"]  # the temporary file is gone too
    fresh = tmp_path / "new.jsonl"
    with pytest.raises(KeyboardInterrupt):
        write_jsonl(fresh, ({"i": i} if i < 2 else (_ for _ in ()).throw(KeyboardInterrupt) for i in range(5)))
    assert not fresh.exists()
    assert os.listdir(tmp_path) == ["train.jsonl"]
