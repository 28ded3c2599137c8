"""The judge model: a scored verdict, garbage that stays unscored, and committees. The wire (the
structured response format, a failed call) is tested against the fake HTTP server; voting,
thresholds and rubrics against a scripted client."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator import ScriptedClient
from simulator.core.records import RoleUsage
from simulator.judge.model import Rubric, judge_with_model
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import episode_context

CRITERIA = list(Rubric.default().criteria)


def verdict(score: int = 5, passed: bool = True, **overrides: int) -> str:
    scores = {name: overrides.get(name, score) for name in CRITERIA}
    return json.dumps({"rationale": "The assistant refunded the right order.", "scores": scores, "pass": passed})


@pytest.fixture
def trace(support_pack):
    ctx = episode_context(support_pack, "refund_delivered_order", "formal_polite")
    return asyncio.run(simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx)))


SCRIPTED = ModelSettings(model="scripted/judge", temperature=0)


@pytest.fixture
def judge(openai_fake):
    return ModelSettings(model="openai/fake-judge", api_base=openai_fake.base_url, temperature=0)


def test_good_verdict_is_scored_and_stored(trace, support_pack, judge, openai_fake, llm_client):
    openai_fake.push(openai.text(verdict(5)))
    usage = RoleUsage()
    result = asyncio.run(judge_with_model(trace, support_pack, [judge], llm_client, usage=usage))
    assert result.status == "scored" and result.passed is True
    assert result.scores == {name: 5.0 for name in CRITERIA}
    assert result.model == "openai/fake-judge" and result.raw == verdict(5)
    assert result.prompt_hash and result.rationale.startswith("The assistant")
    assert usage.calls == 1
    body = openai_fake.requests[-1].body
    schema = body["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == ["rationale", "scores", "pass"]  # rationale first
    assert set(schema["properties"]["scores"]["required"]) == set(CRITERIA)
    case = body["messages"][1]["content"]
    assert trace.facts["order_id"] in case and "initiate_refund" in case
    # The committee sees what the rules saw: the final state against the blueprint's, and how
    # the replies' values were traced.
    assert "## What the rule checks found" in case
    assert "- final state: matches the blueprint's over the records the writes touched (/orders/" in case
    assert "/refunds/0)" in case and "- reply values: every identifier, number, date, time" in case


def test_the_case_names_what_the_rules_found_wrong(trace, support_pack):
    """A trace whose reply contradicts its result and whose refund left another state: the case
    a judge model reads says both, with the values."""
    from simulator.core.messages import AssistantMessage
    from simulator.judge.model import render_case

    from simulator.core.messages import ToolCall
    from simulator.simulate.environment import ToolEnvironment

    refund = next(i for i, m in enumerate(trace.messages) if getattr(m, "tool_calls", None))
    call = trace.messages[refund].tool_calls[0]
    partial = ToolCall(id=call.id, name=call.name, arguments=json.dumps({**json.loads(call.arguments), "amount": 1.0}))
    env = ToolEnvironment(support_pack.domain, seed=trace.episode.seed, today=support_pack.today_of(trace))
    bad = trace.model_copy(deep=True)
    bad.messages[refund] = AssistantMessage(tool_calls=(partial,))
    bad.messages[refund + 1] = env.call(partial)  # a refund of 1.00 where the whole order was meant
    bad.messages[refund + 2] = AssistantMessage(content=trace.messages[refund + 2].content + " RF-9999 is on its way.")
    bad.state_diff = env.diff()
    case = render_case(bad, support_pack)
    assert "- final state: differs from the blueprint's" in case and "refunded_amount" in case
    assert "- reply values not traced to the conversation:" in case and "'RF-9999'" in case


def test_low_score_fails_even_if_the_model_says_pass(trace, support_pack):
    client = ScriptedClient([verdict(5, True, no_invented_values=2)])
    result = asyncio.run(judge_with_model(trace, support_pack, [SCRIPTED], client))
    assert result.status == "scored" and result.passed is False
    assert "no_invented_values" in result.reason


@pytest.mark.parametrize("garbage", ["I think it is fine.", '{"rationale": "ok", "scores": {}, "pass": true}', ""])
def test_unparseable_verdict_is_unscored_never_accepted(trace, support_pack, judge, openai_fake, llm_client, garbage):
    openai_fake.push(openai.text(garbage))
    result = asyncio.run(judge_with_model(trace, support_pack, [judge], llm_client))
    assert result.status == "unscored" and result.passed is not True
    assert result.reason and (result.raw or "") == garbage


def test_failed_judge_call_is_unscored(trace, support_pack, judge, openai_fake, llm_client):
    openai_fake.responder = lambda request: openai.error_reply(400, "model does not exist")
    result = asyncio.run(judge_with_model(trace, support_pack, [judge], llm_client))
    assert result.status == "unscored" and "judge call failed" in result.reason


def test_committee_majority_and_agreement(trace, support_pack):
    answers = {"judge-a": verdict(5), "judge-b": verdict(5), "judge-c": verdict(2, False)}
    client = ScriptedClient(lambda request: answers[request.settings.model.split("/")[1]])
    models = [ModelSettings(model=f"scripted/{name}") for name in answers]
    result = asyncio.run(judge_with_model(trace, support_pack, models, client))
    assert result.status == "scored" and result.passed is True
    assert result.agreement == pytest.approx(2 / 3)
    assert len(result.votes) == 3 and result.scores["right_tool"] == pytest.approx(4.0)
    assert result.model == "scripted/judge-a, scripted/judge-b, scripted/judge-c"


def test_committee_unscored_votes_count_against(trace, support_pack):
    answers = {"judge-a": verdict(5), "judge-b": "garbage", "judge-c": "garbage"}
    client = ScriptedClient(lambda request: answers[request.settings.model.split("/")[1]])
    models = [ModelSettings(model=f"scripted/{name}") for name in answers]
    assert asyncio.run(judge_with_model(trace, support_pack, models, client)).passed is False


def test_samples_of_one_model_are_separate_calls(trace, support_pack):
    client = ScriptedClient([verdict(5), verdict(1, False)])
    result = asyncio.run(judge_with_model(trace, support_pack, [SCRIPTED], client, samples=2))
    assert len(client.requests) == 2 and client.requests[0].cache_salt != client.requests[1].cache_salt
    assert result.passed is False and result.agreement == pytest.approx(0.5)  # a tie fails


def test_custom_rubric_and_threshold(trace, support_pack):
    rubric = Rubric({"polite": "the assistant is polite"})

    def reply(request):
        assert "**polite**" in request.messages[0].content
        return json.dumps({"rationale": "fine", "scores": {"polite": 3}, "pass": True})

    client = ScriptedClient(reply)
    assert asyncio.run(judge_with_model(trace, support_pack, [SCRIPTED], client, rubric=rubric, threshold=3)).passed is True
