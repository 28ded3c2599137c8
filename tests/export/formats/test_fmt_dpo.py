import copy
import json

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter, pairs_from


def rejected_answer():
    """Same plan as single_call, but the assistant refunds with the wrong reason and no id."""
    record = cases.single_call()
    record["messages"][2]["tool_calls"][0]["id"] = "call_9"
    record["messages"][2]["tool_calls"][0]["function"]["arguments"] = json.dumps({"order_id": "ORD-48291", "reason": "late"})
    record["messages"][3]["tool_call_id"] = "call_9"
    record["messages"][4]["content"] = "Done."
    return record


def convert(pair):
    converter = get_converter("dpo")
    return converter.convert(pair), converter


def test_pair_splits_into_shared_prompt_and_two_continuations():
    row, converter = convert((cases.single_call(), rejected_answer()))
    assert converter.input_kind == "pair"
    assert set(row) == {"prompt", "chosen", "rejected", "tools"}
    assert row["prompt"] == cases.single_call()["messages"][:2]
    assert [m["role"] for m in row["chosen"]] == ["assistant", "tool", "assistant"]
    assert [m["role"] for m in row["rejected"]] == ["assistant", "tool", "assistant"]
    assert row["chosen"][0]["tool_calls"][0]["function"]["arguments"]["reason"] == "defective"  # objects, as templates take them
    assert row["rejected"][0]["tool_calls"][0]["function"]["arguments"]["reason"] == "late"
    assert row["rejected"][2]["content"] == "Done."
    assert row["chosen"][1]["name"] == "initiate_refund"  # TRL representation
    assert row["tools"] == [cases.REFUND]


def test_prompt_ends_at_a_user_message_even_when_tool_rounds_are_shared():
    """TRL refuses a prompt whose last message is a tool result; the shared round moves into
    both continuations. Tool-call ids differ between runs and are ignored when comparing."""
    chosen = cases.single_call()
    rejected = copy.deepcopy(chosen)
    rejected["messages"][2]["tool_calls"][0]["id"] = "call_other"
    rejected["messages"][3]["tool_call_id"] = "call_other"
    rejected["messages"][4]["content"] = "Refund started."
    row, _ = convert((chosen, rejected))
    assert row["prompt"][-1]["role"] == "user"
    assert len(row["prompt"]) == 2
    assert row["chosen"][0]["tool_calls"][0]["id"] == "call_1"
    assert row["rejected"][0]["tool_calls"][0]["id"] == "call_other"
    assert row["chosen"][-1]["content"] != row["rejected"][-1]["content"]


def test_multi_turn_prompt_includes_every_shared_turn_up_to_the_last_shared_user_message():
    chosen = cases.tool_error()
    rejected = copy.deepcopy(chosen)
    rejected["messages"][-1]["content"] = "It was delivered I guess."
    row, _ = convert((chosen, rejected))
    assert len(row["prompt"]) == 8 and row["prompt"][-1] == cases.user("sorry, ORD-99990")
    assert [m["role"] for m in row["chosen"]] == ["assistant", "tool", "assistant"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r["messages"].__setitem__(1, cases.user("something else")), "no_shared_prompt"),
        (lambda r: r["messages"].__setitem__(0, {"role": "system", "content": "Other."}), "no_shared_prompt"),
        (lambda r: r.__setitem__("tools", [cases.ORDER]), "tools_differ"),
        (lambda r: None, "identical_completions"),
    ],
)
def test_unusable_pairs_skip_and_count(change, reason):
    rejected = cases.single_call()
    change(rejected)
    row, converter = convert((cases.single_call(), rejected))
    assert row is None
    assert converter.skipped == {reason: 1}


def test_pairs_from_pairs_every_rejected_record_round_robin():
    a1, a2 = {"id": "a1"}, {"id": "a2"}
    r1, r2, r3 = {"id": "r1"}, {"id": "r2"}, {"id": "r3"}
    groups = {
        "plan-1": [(a1, "accept"), (r1, "reject"), (a2, "accept"), (r2, "reject"), (r3, "reject")],
        "plan-2": [({"id": "lonely"}, "accept")],
        "plan-3": [({"id": "nobody"}, "reject")],
    }
    pairs = list(pairs_from(groups))
    assert [(c["id"], r["id"]) for c, r in pairs] == [("a1", "r1"), ("a2", "r2"), ("a1", "r3")]


def test_pairs_from_accepts_bools_and_iterables_and_refuses_unknown_decisions():
    pairs = list(pairs_from([[({"id": "a"}, True), ({"id": "r"}, False)]]))
    assert pairs == [({"id": "a"}, {"id": "r"})]
    with pytest.raises(ValueError, match="decision"):
        list(pairs_from([[({"id": "a"}, "maybe")]]))


def test_pairs_from_feeds_the_converter():
    groups = {"plan": [(cases.single_call(), "accept"), (rejected_answer(), "reject")]}
    converter = get_converter("dpo")
    rows = [converter.convert(pair) for pair in pairs_from(groups)]
    assert len(rows) == 1 and rows[0]["rejected"][-1]["content"] == "Done."


def test_round_trip_through_datasets(tmp_path):
    parallel_rejected = cases.parallel_calls()
    parallel_rejected["messages"][-1]["content"] = "Shipped. Weather unknown."
    odd_rejected = cases.odd_arguments()
    odd_rejected["messages"][4]["tool_calls"][0]["function"]["arguments"] = json.dumps({"items": "A-1 x2"})
    no_tool_rejected = cases.no_tool()
    no_tool_rejected["messages"][-1]["content"] = "Always open!"
    pairs = [
        (cases.single_call(), rejected_answer()),
        (cases.parallel_calls(), parallel_rejected),
        (cases.odd_arguments(), odd_rejected),
        (cases.no_tool(), no_tool_rejected),
    ]
    converter = get_converter("dpo")
    rows = [converter.convert(pair) for pair in pairs]
    assert None not in rows
    cases.assert_round_trips(rows, tmp_path)
