"""A hand-written run of the eval test pack (`tests/fixtures/eval/evalpack.yaml`) and a scripted
model whose mistakes are known, one per metric.

Every trace is written out here message by message (no simulation), all in the test split, so the
items of an evaluation and the right answer for each are known before anything runs. `MODEL`
says, per item (`<trace id>#<assistant turn>`), what the scripted model answers instead of the
reference; `MISTAKES` says what each one should cost, and the test computes every metric from
that table by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulator.core.records import Episode, Trace
from simulator.core.rundir import RunDir
from simulator.load.loader import load_pack
from simulator.spec.snapshot import write_snapshot
from tests.fakes.openai_server import Reply, Request, error_reply, text, tool_calls

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "evalpack.yaml"
SYSTEM = "You help with the weather, restaurant tables and currency conversion."


def call(cid: str, name: str, **args: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "arguments": json.dumps(args)}


def exchange(user: str, calls: list[dict[str, Any]], results: list[dict[str, Any]], answer: str) -> list[dict]:
    """A user request, the assistant's calls, their results and the assistant's answer."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": user}]
    if calls:
        messages.append({"role": "assistant", "content": None, "tool_calls": calls})
        messages += [{"role": "tool", "tool_call_id": c["id"], "name": c["name"], "content": json.dumps(r)}
                     for c, r in zip(calls, results)]
    messages.append({"role": "assistant", "content": answer})
    return messages


# trace id → (scenario, category, facts, messages after the system prompt)
TRACES: dict[str, tuple[str, str, dict[str, Any], list[dict]]] = {
    "t01": ("weather_alias", "hard", {"city": {"code": "New York", "en": "NYC", "zh": "纽约"}},
            exchange("What's the weather in NYC?", [call("c1", "get_weather", city="New York")],
                     [{"city": "New York", "temp_c": 21}], "It is 21 °C in New York.")),
    "t02": ("weather_days", "positive", {"city": "Paris", "days": 3},
            exchange("Weather in Paris for 3 days", [call("c1", "get_weather", city="Paris", days=3)],
                     [{"city": "Paris", "temp_c": 18}], "Paris: 18 °C and sunny for 3 days.")),
    "t03": ("book", "positive", {"restaurant": "R-101", "people": 4, "day": "2026-03-14"},
            exchange("Book R-101 for 4 people on 2026-03-14",
                     [call("c1", "book_table", restaurant_id="R-101", people=4, date="2026-03-14")],
                     [{"booking_id": "B-1"}], "Booked: B-1.")),
    "t04": ("convert_dollars", "positive", {"amount": 20.0},
            exchange("Convert 20.00 dollars to euros", [call("c1", "convert", amount=20.0, currency="EUR")],
                     [{"converted": 18.4}], "That is 18.40 EUR.")),
    "t05": ("clarify_book", "clarification", {"restaurant": "R-202", "people": 2, "day": "2026-03-15"},
            [{"role": "user", "content": "Book a table for me please"},
             {"role": "assistant", "content": "Which restaurant, for how many, and when?"}]
            + exchange("R-202, 2 people, 2026-03-15",
                       [call("c1", "book_table", restaurant_id="R-202", people=2, date="2026-03-15")],
                       [{"booking_id": "B-2"}], "Booked: B-2.")),
    "t06": ("chitchat", "negative", {}, exchange("Tell me a joke", [], [], "Why did the chicken cross the road?")),
    "t07": ("weather_pair", "hard", {"a": "Paris", "b": "Rome"},
            exchange("Weather in Paris and Rome?",
                     [call("c1", "get_weather", city="Paris"), call("c2", "get_weather", city="Rome")],
                     [{"city": "Paris", "temp_c": 20}, {"city": "Rome", "temp_c": 25}], "Paris 20 °C, Rome 25 °C.")),
    "t08": ("name", "negative", {}, exchange("What's your name?", [], [], "I'm your assistant.")),
    "t09": ("weather_city", "positive", {"city": "Oslo"},
            exchange("Weather in Oslo?", [call("c1", "get_weather", city="Oslo")],
                     [{"city": "Oslo", "temp_c": 4}], "It is 4 °C in Oslo.")),
    "t10": ("weather_city", "positive", {"city": "Berlin"},
            exchange("Weather in Berlin?", [call("c1", "get_weather", city="Berlin")],
                     [{"city": "Berlin", "temp_c": 9}], "It is 9 °C in Berlin.")),
    "t11": ("book_note", "positive", {"restaurant": "R-303", "people": 2, "day": "2026-03-20"},
            exchange("Book R-303 for 2 on 2026-03-20, window seat please",
                     [call("c1", "book_table", restaurant_id="R-303", people=2, date="2026-03-20",
                           note="Window seat if possible")],
                     [{"booking_id": "B-3"}], "Booked: B-3, window seat requested.")),
    "t12": ("weather_pair", "hard", {"a": "Paris", "b": "Rome"},
            exchange("Weather in Paris and Rome please",
                     [call("c1", "get_weather", city="Paris"), call("c2", "get_weather", city="Rome")],
                     [{"city": "Paris", "temp_c": 20}, {"city": "Rome", "temp_c": 25}], "Paris 20 °C, Rome 25 °C.")),
    "t13": ("chitchat", "negative", {}, exchange("Tell me another joke", [], [], "Knock knock.")),
}

# item → what the scripted model answers instead of the reference: ("text", content) |
# ("calls", [(name, arguments as dict or raw string), ...]) | ("error", status)
MODEL: dict[str, tuple[str, Any]] = {
    "t01#0": ("calls", [("get_weather", {"city": "NYC"})]),                      # an alias: right, not exact
    "t02#0": ("calls", [("get_weather", {"city": "paris", "days": "3"})]),       # a string for an integer
    "t02#1": ("calls", [("get_weather", {"city": "Paris"})]),                    # a call after the answer was in
    "t03#0": ("calls", [("book_table", {"restaurant_id": "R-999", "people": 4, "date": "2026-03-14"})]),  # invented id
    "t04#0": ("calls", [("convert", {"amount": 20, "currency": "EUR"})]),        # an int for a number: right
    "t04#1": ("calls", [("convert", '{"amount": 20')]),                          # malformed
    "t05#0": ("calls", [("book_table", {})]),                                    # calls instead of asking
    "t05#1": ("calls", [("get_weather", {"city": "Paris"})]),                    # the wrong tool
    "t07#0": ("calls", [("get_weather", {"city": "Paris"})]),                    # one of two parallel calls
    "t08#0": ("calls", [("tell_name", {})]),                                     # a tool that does not exist
    "t09#0": ("text", "It is probably sunny in Oslo."),                          # no call where one is needed
    "t10#0": ("calls", [("get_weather", {"city": "Berlin", "units": "c"})]),     # the schema default: right
    "t11#0": ("calls", [("book_table", {"restaurant_id": "R-303", "people": 2, "date": "2026-03-20",
                                        "note": "window seat please"})]),        # free text in other words
    "t12#0": ("calls", [("get_weather", {"city": "Rome"}), ("get_weather", {"city": "Paris"})]),  # other order
    "t13#0": ("error", 400),                                                     # an infrastructure failure
}


def write_run(root: Path) -> Path:
    """The run directory: pack.json, traces.jsonl, selection.json (every trace in test), manifest."""
    pack = load_pack(PACK)
    run = RunDir(root)
    root.mkdir(parents=True, exist_ok=True)
    write_snapshot(run, pack)
    lines = []
    for tid, (scenario, category, facts, messages) in TRACES.items():
        calls = [c["name"] for m in messages for c in m.get("tool_calls") or []]
        episode = Episode(id=tid, scenario_id=scenario, persona_id="plain", seed=1, category=category,
                          tool=calls[-1] if calls else None, language="en", multi_turn=scenario == "clarify_book")
        closing = {"role": "user", "content": "Thanks! ###STOP###"}
        shaped = [{"role": "system", "content": SYSTEM}] + [_shape(m) for m in messages] + [closing]
        trace = Trace.model_validate({"id": tid, "episode": episode.model_dump(), "messages": shaped,
                                      "termination": "user_stop", "facts": facts})
        lines.append(trace.model_dump_json())
    (root / "traces.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "selection.json").write_text(json.dumps({tid: "test" for tid in TRACES}), encoding="utf-8")
    run.write_manifest({"name": "evalpack", "status": "finished"})
    return root


def _shape(message: dict[str, Any]) -> dict[str, Any]:
    if message["role"] == "assistant" and message.get("tool_calls"):
        return {"role": "assistant", "content": message.get("content"), "tool_calls": message["tool_calls"]}
    return message


def item_of(request: Request) -> str:
    """`<trace id>#<turn>` of a request: its first user message names the trace, the number of
    assistant messages before it the turn."""
    messages = request.messages
    first = next(m["content"] for m in messages if m["role"] == "user")
    tid = next(t for t, (_, _, _, msgs) in TRACES.items() if msgs[0]["content"] in first)
    return f"{tid}#{sum(1 for m in messages if m['role'] == 'assistant')}"


def reference_of(item: str) -> dict[str, Any]:
    tid, turn = item.split("#")
    assistants = [m for m in TRACES[tid][3] if m["role"] == "assistant"]
    return assistants[int(turn)]


def scripted_model(request: Request) -> Reply:
    """The reference answer, except where `MODEL` says otherwise."""
    item = item_of(request)
    kind, what = MODEL.get(item, ("reference", None))
    if kind == "error":
        return error_reply(what, "bad request")
    if kind == "text":
        return text(what)
    if kind == "calls":
        return tool_calls(*what)
    reference = reference_of(item)
    if reference.get("tool_calls"):
        return tool_calls(*[(c["name"], c["arguments"]) for c in reference["tool_calls"]])
    return text(reference["content"])
