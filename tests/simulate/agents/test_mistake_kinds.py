"""Each mistake class of the offline assistant, one at a time: a real episode of a shipped pack is
played twice (the correct twin and the mistake twin, same seed and user) with the mistake table
narrowed to one class, and the test checks exactly what that class changes and which judge check
rejects it. The run-level test (test_mistakes.py) checks the mix; this one checks each kind."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from simulator.core.records import Episode, Trace
from simulator.judge import judge
from simulator.load.loader import load_pack
from simulator.simulate.agents import mistakes
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def packs():
    return {name: load_pack(ROOT / "scenarios" / f"{name}.yaml") for name in ("customer_support", "travel")}


@pytest.fixture
def only(monkeypatch):
    """`only("wrong_tool")`: the offline assistant may make that class of mistake and no other."""
    table = mistakes.mistake_classes()

    def narrow(*names: str) -> None:
        monkeypatch.setattr(mistakes, "mistake_classes", lambda: {name: table[name] for name in names})

    return narrow


def play(pack, scenario: str, persona: str = "formal_polite", seed: int = 3) -> tuple[Trace, Trace]:
    """(correct twin, mistake twin) of one episode."""
    traces = []
    for mistake in (False, True):
        episode = Episode(id="r0-00001-s-p" + (mistakes.MISTAKE_SUFFIX if mistake else ""), scenario_id=scenario,
                          persona_id=persona, seed=seed, category=pack.scenarios[scenario].category, tool=None,
                          language=pack.personas[persona].language, mistake=mistake)
        ctx = prepare_episode(pack, episode)
        traces.append(asyncio.run(simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx))))
    correct, twin = traces
    assert correct.mistake is None and judge(correct, pack).decision == "accept"
    return correct, twin


def first_calls(trace: Trace):
    return next(m.tool_calls for m in trace.messages if m.role == "assistant" and m.tool_calls)


def args(call) -> dict:
    return json.loads(call.arguments)


def rejected_by(trace: Trace, pack, check: str) -> None:
    verdict = judge(trace, pack)
    assert verdict.decision == "reject" and check in verdict.reasons, verdict.reasons


def test_the_table_says_which_check_rejects_each_class():
    assert {name: spec["check"] for name, spec in mistakes.mistake_classes().items()} == {
        "wrong_tool": "expected_calls", "skipped_call": "expected_calls", "missing_argument": "arguments_schema",
        "invented_value": "arguments_grounded", "needless_call": "no_call_when_no_tool",
    }


@pytest.mark.parametrize("pack_name, scenario", [("customer_support", "lookup_order_by_id"),
                                                 ("travel", "profile_question")])
def test_wrong_tool_sends_the_same_arguments_to_another_tool(packs, only, pack_name, scenario):
    only("wrong_tool")
    pack = packs[pack_name]
    correct, twin = play(pack, scenario)
    assert twin.mistake == "wrong_tool"
    assert twin.messages[:2] == correct.messages[:2]  # the shared prompt: system and the user's request
    right, wrong = first_calls(correct)[0], first_calls(twin)[0]
    assert wrong.name != right.name and wrong.name in pack.domain.tools
    assert wrong.arguments == right.arguments
    rejected_by(twin, pack, "expected_calls")


@pytest.mark.parametrize("persona", ["formal_polite", "zh_polite"])
def test_skipped_call_claims_success_in_the_users_language_without_calling(packs, only, persona):
    only("skipped_call")
    pack = packs["customer_support"]
    correct, twin = play(pack, "status_of_shipped_order", persona=persona)
    assert twin.mistake == "skipped_call"
    assert correct.messages[2].tool_calls  # where the correct twin calls ...
    claim = twin.messages[2]  # ... the twin says it is done
    assert claim.role == "assistant" and not claim.tool_calls
    assert claim.content in mistakes.mistake_table()["claims"][pack.personas[persona].language]
    assert not any(m.role == "tool" for m in twin.messages[:4])
    rejected_by(twin, pack, "expected_calls")


@pytest.mark.parametrize("pack_name, scenario", [("customer_support", "update_address_before_shipping"),
                                                 ("travel", "search_flights_relative_date")])
def test_missing_argument_leaves_out_one_required_argument(packs, only, pack_name, scenario):
    only("missing_argument")
    pack = packs[pack_name]
    correct, twin = play(pack, scenario)
    assert twin.mistake == "missing_argument"
    right, wrong = first_calls(correct)[0], first_calls(twin)[0]
    assert wrong.name == right.name
    dropped = set(args(right)) - set(args(wrong))
    assert len(dropped) == 1 and dropped <= set(pack.domain.tools[right.name].parameters["required"])
    assert args(wrong) == {k: v for k, v in args(right).items() if k not in dropped}
    rejected_by(twin, pack, "arguments_schema")


def test_invented_value_changes_the_digits_of_an_id_the_user_gave(packs, only):
    only("invented_value")
    pack = packs["customer_support"]
    correct, twin = play(pack, "lookup_order_by_id")
    assert twin.mistake == "invented_value"
    right, wrong = args(first_calls(correct)[0]), args(first_calls(twin)[0])
    changed = [k for k in right if right[k] != wrong[k]]
    assert len(changed) == 1 and right.keys() == wrong.keys()
    before, after = right[changed[0]], wrong[changed[0]]
    assert len(before) == len(after)
    assert [c for c in before if not c.isdigit()] == [c for c in after if not c.isdigit()]  # only digits moved
    assert after not in json.dumps([m.content for m in twin.messages if m.role == "user"], ensure_ascii=False)
    rejected_by(twin, pack, "arguments_grounded")


def test_invented_value_never_touches_a_date(packs, only):
    """search_flights carries a date (digits, but not an id the user typed) and airport codes: no
    value to invent, so the twin makes no mistake at all rather than a wrong date."""
    only("invented_value")
    pack = packs["travel"]
    correct, twin = play(pack, "search_flights_relative_date")
    assert any(re.match(r"\d{4}-\d{2}-\d{2}$", str(v)) for v in args(first_calls(correct)[0]).values())
    assert twin.mistake is None
    assert twin.messages == correct.messages


def test_a_class_that_does_not_apply_is_not_forced(packs, only):
    """get_user_profile takes no arguments: nothing to leave out, the twin stays correct."""
    only("missing_argument")
    correct, twin = play(packs["travel"], "profile_question")
    assert not args(first_calls(correct)[0])
    assert twin.mistake is None and twin.messages == correct.messages


@pytest.mark.parametrize("pack_name, scenario", [("customer_support", "refund_policy_question"),
                                                 ("travel", "visa_question")])
def test_needless_call_calls_a_tool_where_none_is_needed(packs, only, pack_name, scenario):
    only("needless_call")
    pack = packs[pack_name]
    correct, twin = play(pack, scenario)
    assert not any(m.role == "tool" for m in correct.messages)
    assert twin.mistake == "needless_call"
    calls = first_calls(twin)
    assert len(calls) == 1 and calls[0].name in pack.domain.tools and args(calls[0]) == {}
    rejected_by(twin, pack, "no_call_when_no_tool")


def test_only_needless_call_applies_where_no_tool_is_expected(packs, only):
    """The call classes need a call to spoil: on a question without tools they never fire."""
    only("wrong_tool", "skipped_call", "missing_argument", "invented_value")
    correct, twin = play(packs["customer_support"], "small_talk_greeting")
    assert twin.mistake is None and twin.messages == correct.messages


def test_the_same_episode_makes_the_same_mistake():
    pack = load_pack(ROOT / "scenarios" / "customer_support.yaml")
    first = [play(pack, "refund_delivered_order", seed=seed)[1] for seed in range(6)]
    again = [play(pack, "refund_delivered_order", seed=seed)[1] for seed in range(6)]
    assert [t.model_dump(exclude={"created_at"}) for t in first] == [t.model_dump(exclude={"created_at"}) for t in again]
    assert len({t.mistake for t in first}) > 1  # the class is drawn per episode, not fixed
