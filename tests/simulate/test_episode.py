"""Preparing an episode reads its facts without making the environment copy its state, except
where a fact must be the very object the sims change."""

import dataclasses

from tests.fakes.fixtures import episode_context


def test_scalar_facts_leave_the_state_uncopied_until_a_sim_runs(support_pack):
    ctx = episode_context(support_pack, "lookup_order_by_id", seed=11)
    assert ctx.env._context is None
    order = next(o for o in ctx.env.initial_state["orders"] if o["order_id"] == ctx.facts["order_id"])
    assert order in ctx.env.state["orders"]  # the copy, made on first use, holds the same record


def test_a_fact_holding_a_record_list_is_the_episode_state_own_object(support_pack):
    scenario = support_pack.scenarios["lookup_order_by_id"]
    slots = {**scenario.slots, "items": scenario.slots["order_id"].model_copy(update={"field": "items"})}
    pack = dataclasses.replace(support_pack, scenarios={
        **support_pack.scenarios, scenario.id: scenario.model_copy(update={"slots": slots})})
    ctx = episode_context(pack, scenario.id, seed=11)
    order = next(o for o in ctx.env.state["orders"] if o["order_id"] == ctx.facts["order_id"])
    assert ctx.facts["items"] is order["items"]  # not the seeded state's list
    plain = episode_context(support_pack, scenario.id, seed=11)
    assert plain.facts["order_id"] == ctx.facts["order_id"]  # the same draws either way
