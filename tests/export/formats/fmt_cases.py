"""Hand-built canonical OpenAI records for the format tests, and the `datasets` round trip.

The records cover what the converters must survive: one call, parallel calls with assistant
text beside them, argument keys and types that differ across records (int vs string ids, nested
lists, booleans, nulls), a no-tool reply, a tool error inside a multi-turn conversation,
malformed argument JSON, and non-ASCII text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# `datasets` reads these when imported: never touch the network.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

SYSTEM = "You are a customer service assistant for Acme. Be brief."


def tool(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name.replace('_', ' ')}.",
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


REFUND = tool(
    "initiate_refund",
    {"order_id": {"type": "string", "pattern": "ORD-\\d{5}"}, "reason": {"type": "string", "enum": ["defective", "late"]}},
    ["order_id", "reason"],
)
ORDER = tool("get_order", {"order_id": {"type": "string"}}, ["order_id"])
WEATHER = tool("get_weather", {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}, ["city"])
CART = tool(
    "update_cart",
    {
        "items": {"type": "array", "items": {"type": "object"}},
        "express": {"type": "boolean"},
        "note": {"type": ["string", "null"]},
    },
    ["items"],
)


def call(call_id: str, name: str, arguments: Any) -> dict[str, Any]:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}


def result(call_id: str, payload: Any) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": json.dumps(payload, ensure_ascii=False)}


def system() -> dict[str, Any]:
    return {"role": "system", "content": SYSTEM}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def say(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def calls(*tool_calls: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    """An assistant turn that calls tools; like simulator.export.openai, no `content` key
    unless the assistant also wrote text."""
    message: dict[str, Any] = {"role": "assistant"}
    if content:
        message["content"] = content
    message["tool_calls"] = list(tool_calls)
    return message


def single_call() -> dict[str, Any]:
    return {
        "messages": [
            system(),
            user("I need a refund for ORD-48291, it arrived broken"),
            {"role": "assistant", "tool_calls": [call("call_1", "initiate_refund", {"order_id": "ORD-48291", "reason": "defective"})]},
            result("call_1", {"refund_id": "RF-1031", "status": "pending"}),
            say("Your refund RF-1031 for ORD-48291 is on its way."),
        ],
        "tools": [REFUND],
    }


def parallel_calls() -> dict[str, Any]:
    return {
        "messages": [
            system(),
            user("Where is ORD-11111, and will it rain in Zürich for the next 3 days?"),
            calls(
                call("call_a", "get_order", {"order_id": "ORD-11111"}),
                call("call_b", "get_weather", {"city": "Zürich", "days": 3}),
                content="Let me check both.",
            ),
            result("call_a", {"status": "shipped", "eta": "2025-03-02"}),
            result("call_b", {"forecast": ["rain", "sun", "rain"]}),
            say("ORD-11111 has shipped (ETA 2 March). Zürich: rain, sun, rain."),
        ],
        "tools": [ORDER, WEATHER],
        "parallel_tool_calls": True,
    }


def odd_arguments() -> dict[str, Any]:
    """Argument keys and types unlike the other records: an int id, nested objects, a boolean, a null."""
    return {
        "messages": [
            system(),
            user("Add two of SKU A-1 to my cart, express please"),
            calls(call("call_x", "get_order", {"order_id": 48291})),
            result("call_x", {"status": "open"}),
            calls(call("call_y", "update_cart", {"items": [{"sku": "A-1", "qty": 2}], "express": True, "note": None})),
            result("call_y", {"ok": True, "total": 19.5}),
            say("Done: 2 × A-1, express. Total 19.50."),
        ],
        "tools": [ORDER, CART],
    }


def no_tool() -> dict[str, Any]:
    return {
        "messages": [system(), user("What are your opening hours?"), say("We are open 9–17, Monday to Friday.")],
        "tools": [REFUND, ORDER],
    }


def no_tools_at_all() -> dict[str, Any]:
    return {"messages": [system(), user("Hi!"), say("Hello — how can I help?")], "tools": []}


def tool_error() -> dict[str, Any]:
    """Multi-turn: a clarifying question, a failing call, a retry."""
    return {
        "messages": [
            system(),
            user("refund my order pls"),
            say("Sure — what is the order number?"),
            user("ORD-9999 i think"),
            calls(call("call_1", "get_order", {"order_id": "ORD-9999"})),
            result("call_1", {"error": "order ORD-9999 not found"}),
            say("I can't find ORD-9999. Could you check the number?"),
            user("sorry, ORD-99990"),
            calls(call("call_2", "get_order", {"order_id": "ORD-99990"})),
            result("call_2", {"status": "delivered"}),
            say("Found it: ORD-99990 was delivered."),
        ],
        "tools": [ORDER],
    }


def malformed_arguments() -> dict[str, Any]:
    return {
        "messages": [
            system(),
            user("Refund ORD-48291"),
            calls(call("call_1", "initiate_refund", '{"order_id": "ORD-48291"')),
            result("call_1", {"error": "arguments are not valid JSON"}),
            say("Sorry, something went wrong; please try again."),
        ],
        "tools": [REFUND],
    }


def all_records() -> list[dict[str, Any]]:
    makers = [single_call, parallel_calls, odd_arguments, no_tool, no_tools_at_all, tool_error, malformed_arguments]
    return [make() for make in makers]


def load_back(rows: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    """Write rows as JSONL, load them with `datasets.load_dataset("json", ...)`, return them."""
    import datasets

    datasets.disable_progress_bars()
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache"))
    return [loaded[index] for index in range(len(loaded))]


def assert_round_trips(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    """Every value comes back as written: no padded nulls, no changed types (1 vs 1.0 vs true)."""
    assert rows, "nothing to round-trip"
    loaded = load_back(rows, tmp_path)
    assert len(loaded) == len(rows)
    for written, read in zip(rows, loaded):
        assert json.dumps(read, sort_keys=True, ensure_ascii=False) == json.dumps(written, sort_keys=True, ensure_ascii=False)
