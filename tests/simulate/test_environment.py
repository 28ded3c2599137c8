import copy
import json
import random
from datetime import date

import pytest

from simulator.core.messages import ToolCall
from simulator.core.records import StateChange
from simulator.simulate.environment import (
    ReturnsMismatch,
    SeededOnFirstDraw,
    ToolEnvironment,
    copy_tree,
    diff_values,
)
from simulator.spec import DomainConfig, ToolSpec
from simulator.spec.generation import today_for
from simulator.spec.pack import Domain
from simulator.spec.toolkit import ToolError, ToolSimModule
from tool_sims.customer_support import sims as support_sims


def make_domain(sims: ToolSimModule | None, extra: list[ToolSpec] = ()) -> Domain:
    tools = {n: ToolSpec.model_validate(r.spec.model_dump()) for n, r in (sims.tools.items() if sims else [])}
    tools.update({s.name: s for s in extra})
    return Domain(
        name="test", system_prompt="You help.", tools=tools,
        config=DomainConfig(tools="sims.py", system_prompt="You help."), sims=sims,
    )


def call(env: ToolEnvironment, name: str, args=None, raw: str | None = None):
    return env.call(ToolCall(id="call_1", name=name, arguments=raw if raw is not None else json.dumps(args or {})))


# A tiny domain whose sims count how often they actually run.
counter = ToolSimModule("counter")
RUNS: list[dict] = []


@counter.state
def _seed(rng, today):
    return {"items": [{"id": i, "value": rng.randint(0, 1000)} for i in range(3)]}


@counter.tool(
    description="Record a value",
    parameters={"type": "object", "properties": {"value": {"type": "integer", "minimum": 0}},
                "required": ["value"], "additionalProperties": False},
    returns={"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
)
def record(ctx, value):
    RUNS.append({"value": value})
    if value == 13:
        raise ToolError("13 is unlucky")
    if value == 99:
        raise KeyError("a bug in the sim")
    if value == 7:
        return {"ok": "yes"}  # breaks its own returns schema
    ctx.state["items"].append({"id": len(ctx.state["items"]), "value": value})
    return {"ok": True}


@counter.tool(description="Loose schema", parameters={"type": "object", "properties": {"a": {"type": "string"}}})
def loose(ctx, a="x"):
    return {"a": a}


WEATHER = ToolSpec(
    name="get_weather", description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    returns={"type": "object", "properties": {"city": {"type": "string"}, "temperature": {"type": "number"}},
             "required": ["city", "temperature"], "additionalProperties": False},
)


@pytest.fixture
def env():
    RUNS.clear()
    return ToolEnvironment(make_domain(counter, [WEATHER]), seed=11)


def test_unknown_tool(env):
    result = call(env, "fly_to_moon")
    assert result.is_error and json.loads(result.content) == {"error": "unknown tool 'fly_to_moon'"}
    assert result.tool_call_id == "call_1" and result.name == "fly_to_moon"


@pytest.mark.parametrize("raw,message", [
    ("{value: 1}", "arguments are not valid JSON"),
    ("[1]", "arguments must be a JSON object, got an array"),
])
def test_malformed_arguments_never_reach_the_sim(env, raw, message):
    result = call(env, "record", raw=raw)
    assert result.is_error and message in json.loads(result.content)["error"]
    assert RUNS == []


@pytest.mark.parametrize("args,problem", [
    ({}, "missing required argument 'value'"),
    ({"value": -1}, "value: -1 is less than the minimum of 0"),
    ({"value": "3"}, "value: '3' is not of type 'integer'"),
    ({"value": 1, "extra": 2}, "unexpected argument 'extra'"),
])
def test_schema_invalid_arguments_never_reach_the_sim(env, args, problem):
    result = call(env, "record", args)
    assert result.is_error
    assert json.loads(result.content)["error"] == f"invalid arguments for record: {problem}"
    assert RUNS == []


def test_tool_error_becomes_an_error_result(env):
    result = call(env, "record", {"value": 13})
    assert result.is_error and json.loads(result.content) == {"error": "13 is unlucky"}
    assert RUNS == [{"value": 13}]


def test_other_exceptions_are_bugs_and_propagate(env):
    with pytest.raises(KeyError, match="a bug in the sim"):
        call(env, "record", {"value": 99})


def test_success_is_a_plain_result(env):
    result = call(env, "record", {"value": 5})
    assert not result.is_error and json.loads(result.content) == {"ok": True}


def test_arguments_the_schema_allows_but_the_function_does_not_name_are_dropped(env):
    result = call(env, "loose", {"a": "hi", "unexpected": 1})
    assert json.loads(result.content) == {"a": "hi"}


def test_check_returns_catches_a_sim_breaking_its_schema():
    lenient = ToolEnvironment(make_domain(counter), seed=1)
    assert json.loads(call(lenient, "record", {"value": 7}).content) == {"ok": "yes"}
    strict = ToolEnvironment(make_domain(counter), seed=1, check_returns=True)
    with pytest.raises(ReturnsMismatch, match="record"):
        call(strict, "record", {"value": 7})


def test_schema_only_tools_use_the_schema_sim(env):
    first = json.loads(call(env, "get_weather", {"city": "Oslo"}).content)
    assert first["city"] == "Oslo" and isinstance(first["temperature"], float)
    assert json.loads(call(env, "get_weather", {"city": "Oslo"}).content) == first
    invalid = call(env, "get_weather", {})  # validated before the schema sim runs
    assert invalid.is_error and "missing required argument 'city'" in invalid.content


def test_a_domain_without_python_sims_works():
    env = ToolEnvironment(make_domain(None, [WEATHER]), seed=2)
    assert env.state == {} and env.diff() == []
    assert not call(env, "get_weather", {"city": "Lima"}).is_error


def test_same_seed_same_state_and_today():
    a, b = ToolEnvironment(make_domain(support_sims), 5), ToolEnvironment(make_domain(support_sims), 5)
    assert a.state == b.state and a.today == b.today
    c = ToolEnvironment(make_domain(support_sims), 6)
    assert c.state != a.state


def test_today_is_a_fixed_day_of_2026():
    assert today_for(3) == today_for(3) and today_for(3).year == 2026
    assert len({today_for(s) for s in range(50)}) > 20


def test_diff_is_empty_until_something_changes(env):
    call(env, "record", {"value": 13})
    assert env.diff() == []
    call(env, "record", {"value": 500})
    assert env.diff() == [StateChange(path="/items/3", before=None, after={"id": 3, "value": 500})]
    assert len(env.initial_state["items"]) == 3


def test_diff_shows_an_address_change_and_a_refund():
    env = ToolEnvironment(make_domain(support_sims), seed=21)
    processing = next(o for o in env.state["orders"] if o["status"] == "processing")
    delivered = next(o for o in env.state["orders"] if o["status"] == "delivered")
    call(env, "update_address", {"order_id": processing["order_id"], "street": "9 Elm Street", "city": "Boston", "postal_code": "02110"})
    call(env, "initiate_refund", {"order_id": delivered["order_id"], "reason": "defective", "amount": 1.5})
    index = {o["order_id"]: i for i, o in enumerate(env.state["orders"])}
    paths = {c.path: c for c in env.diff()}
    street = paths[f"/orders/{index[processing['order_id']]}/shipping_address/street"]
    assert street.after == "9 Elm Street" and street.before != "9 Elm Street"
    assert paths[f"/orders/{index[delivered['order_id']]}/refunded_amount"].after == 1.5
    assert paths["/refunds/0"].before is None and paths["/refunds/0"].after["refund_id"].startswith("RF-")


# ---------------------------------------------------------------- helpers

def test_diff_values_covers_removal_type_change_and_pointer_escaping():
    before = {"a/b": 1, "t~x": [1, 2, 3], "gone": True, "kind": {"x": 1}}
    after = {"a/b": 2, "t~x": [1, 2], "kind": [1], "new": None}
    assert diff_values(before, after) == [
        StateChange(path="/a~1b", before=1, after=2),
        StateChange(path="/t~0x/2", before=3, after=None),
        StateChange(path="/gone", before=True, after=None),
        StateChange(path="/kind", before={"x": 1}, after=[1]),
        StateChange(path="/new", before=None, after=None),
    ]
    assert diff_values(1, 2) == [StateChange(path="/", before=1, after=2)]


def test_copy_tree_is_deep_and_handles_non_json_values():
    state = {"orders": [{"when": date(2026, 1, 1), "items": [{"n": 1}]}]}
    copied = copy_tree(state)
    copied["orders"][0]["items"][0]["n"] = 2
    assert state["orders"][0]["items"][0]["n"] == 1 and copied["orders"][0]["when"] == date(2026, 1, 1)
    plain = {"a": [1, {"b": "c"}]}
    clone = copy_tree(plain)
    assert clone == plain and clone["a"] is not plain["a"]


def test_copy_tree_shares_no_container_keeps_shared_ones_shared_and_shares_strings():
    address = {"street": "1 Oak Lane", "city": "Austin"}  # atoms only: untracked by the collector
    state = {"customers": [{"home": address}, {"home": address}], "tags": (["x"],), "seen": {1, 2}}
    copied = copy_tree(state)
    assert copied == state
    assert copied["customers"][0]["home"] is not address
    assert copied["customers"][0]["home"] is copied["customers"][1]["home"]  # as copy.deepcopy keeps it
    assert copied["customers"][0]["home"]["street"] is address["street"]  # strings are not made again
    copied["customers"][0]["home"]["city"] = "Boston"
    copied["tags"][0].append("y")
    copied["seen"].add(3)
    assert address["city"] == "Austin" and state["tags"] == (["x"],) and state["seen"] == {1, 2}


def test_the_state_is_copied_when_a_sim_first_runs(env):
    assert env.diff() == [] and env._context is None  # nothing ran: no copy made, nothing changed
    call(env, "record", {"value": 500})
    assert env.state is not env.initial_state and len(env.state["items"]) == 4
    assert len(env.initial_state["items"]) == 3


def test_a_failing_tool_model_becomes_an_error_result_not_a_crash():
    import asyncio

    from simulator.core.messages import ToolCall
    from simulator.llm.tool_model import ToolModelError
    from simulator.simulate.environment import ToolEnvironment
    from simulator.spec import DomainConfig, ToolSpec
    from simulator.spec.pack import Domain

    spec = ToolSpec(name="get_weather", description="w", parameters={"type": "object", "properties": {}},
                    returns={"type": "object"})
    domain = Domain(name="d", system_prompt="s", tools={"get_weather": spec},
                    config=DomainConfig(tools="t.yaml", system_prompt="s"))

    class Broken:
        async def simulate(self, spec, args):
            raise ToolModelError("does not fit")

    result = asyncio.run(ToolEnvironment(domain, seed=1).acall(ToolCall(id="c1", name="get_weather"), Broken()))
    assert result.is_error and "temporarily unavailable" in result.content


# A read-only tool that breaks its word, for the check below.
liar = ToolSimModule("liar")


@liar.state
def _liar_seed(rng, today):
    return {"items": [{"id": 0, "seen": 0}]}


@liar.tool(description="Read the items", parameters={"type": "object", "properties": {}}, read_only=True)
def peek(ctx):
    ctx.state["items"][0]["seen"] += 1
    return {"items": len(ctx.state["items"])}


def test_read_only_calls_read_the_seeded_state_and_a_write_copies_it_first():
    env = ToolEnvironment(make_domain(support_sims), seed=21)
    delivered = next(o for o in env.initial_state["orders"] if o["status"] == "delivered")
    looked_up = json.loads(call(env, "lookup_order", {"order_id": delivered["order_id"]}).content)
    assert [o["order_id"] for o in looked_up["orders"]] == [delivered["order_id"]]
    assert env._context.state is env.initial_state and env.diff() == []  # a lookup made no copy
    call(env, "initiate_refund", {"order_id": delivered["order_id"], "reason": "defective", "amount": 1.5})
    assert env.state is not env.initial_state and env.initial_state["refunds"] == []
    assert [c.path for c in env.diff() if c.path.startswith("/refunds")] == ["/refunds/0"]
    # The same write without the lookup first: the same result (the rng and the copy are as they were).
    fresh = ToolEnvironment(make_domain(support_sims), seed=21)
    call(fresh, "initiate_refund", {"order_id": delivered["order_id"], "reason": "defective", "amount": 1.5})
    assert fresh.diff() == env.diff()


def test_check_returns_catches_a_read_only_sim_that_changes_the_state():
    strict = ToolEnvironment(make_domain(liar), seed=1, check_returns=True)
    with pytest.raises(ReturnsMismatch, match="read_only"):
        call(strict, "peek")


def test_diff_values_of_state_dicts_says_what_a_whole_comparison_says() -> None:
    """State dicts are walked, not compared whole first: the walk must still find them equal
    exactly when `==` does (NaN equal to itself as one object, 1 == 1.0) and report the rest."""
    nan = float("nan")
    assert diff_values({"a": nan, "b": [1]}, {"a": nan, "b": [1]}) == []  # one NaN object: equal
    assert diff_values({"a": 1, "b": {"c": 2}}, {"a": 1.0, "b": {"c": 2}}) == []  # == says equal
    changed = diff_values({"a": 1, "b": {"c": 2}}, {"a": 1.0, "b": {"c": 3}})
    assert [(c.path, c.before, c.after) for c in changed] == [("/a", 1, 1.0), ("/b/c", 2, 3)]
    changed = diff_values({"a": nan, "x": 1}, {"a": float("nan")})
    assert [c.path for c in changed] == ["/a", "/x"]
    assert [(c.path, c.after) for c in diff_values({}, {"n": [1]})] == [("/n", [1])]


@pytest.mark.parametrize("draw", [
    lambda r: [r.random() for _ in range(3)], lambda r: [r.randrange(10_000, 99_000) for _ in range(4)],
    lambda r: r.sample(range(100), 5), lambda r: r.choices("abc", k=8), lambda r: r.getrandbits(70),
    lambda r: [r.gauss(0, 1) for _ in range(2)], lambda r: r.getstate(), lambda r: copy.deepcopy(r).random(),
])
def test_sims_rng_seeded_on_first_draw_draws_what_an_eager_one_draws(draw) -> None:
    lazy, eager = SeededOnFirstDraw("sims:42"), random.Random("sims:42")
    assert draw(lazy) == draw(eager)
    assert type(lazy) is random.Random  # a plain rng from then on
    assert [lazy.random() for _ in range(3)] == [eager.random() for _ in range(3)]



def test_a_diff_s_changes_are_the_models_pydantic_makes():
    changes = diff_values({"a": [1, {"b": 2}], "gone": 1}, {"a": [1, {"b": 3}, "new"], "added": None})
    rebuilt = [StateChange(path=c.path, before=c.before, after=c.after) for c in changes]
    assert changes == rebuilt and [c.model_fields_set for c in changes] == [c.model_fields_set for c in rebuilt]
    assert [c.model_dump_json() for c in changes] == [c.model_dump_json() for c in rebuilt]
    assert [c.path for c in changes] == ["/a/1/b", "/a/2", "/gone", "/added"]
