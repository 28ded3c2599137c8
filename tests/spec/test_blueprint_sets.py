"""Blueprint values that are sets, and records the user can identify (issue 11)."""

from __future__ import annotations

import random

import pytest

from simulator.simulate.episode import ScenarioError, pick_record
from simulator.spec import StateQuery
from simulator.spec.blueprint import acceptable_values, first_choices, identifiable, takes_arrays, values_at

PRIORITY = {"type": "string", "enum": ["low", "normal", "high"]}
TAGS = {"type": "array", "items": {"type": "string"}}


def test_a_list_is_a_set_of_values_only_where_the_parameter_takes_no_arrays():
    assert acceptable_values(["high", "normal"], PRIORITY) == ["high", "normal"]
    assert acceptable_values(["a", "b"], TAGS) is None  # the literal array
    assert acceptable_values("high", PRIORITY) is None
    assert acceptable_values([], PRIORITY) is None
    assert not takes_arrays({"type": ["string", "null"]})
    assert takes_arrays({"anyOf": [{"type": "null"}, TAGS]})
    assert takes_arrays({})  # no schema at all: a list may be the value itself
    parameters = {"type": "object", "properties": {"priority": PRIORITY, "tags": TAGS}}
    assert first_choices({"priority": ["high", "normal"], "tags": ["a", "b"]}, parameters) == {
        "priority": "high", "tags": ["a", "b"]}


ORDERS = [
    {"id": 1, "email": "a@x", "status": "delivered", "items": [{"name": "Lamp"}, {"name": "Mug"}]},
    {"id": 2, "email": "a@x", "status": "processing", "items": [{"name": "Kettle"}, {"name": "Lamp"}]},
    {"id": 3, "email": "b@x", "status": "delivered", "items": [{"name": "Lamp"}]},
    {"id": 4, "email": "a@x", "status": "delivered", "items": [{"name": "Desk"}]},
]


def test_a_record_is_identifiable_when_no_other_shares_every_named_value():
    assert values_at("items.0.name", ORDERS[1]) == ["Kettle", "Lamp"]
    paths = ["email", "items.0.name"]
    # Order 1's first item is a Lamp, and order 2 of the same customer has a Lamp too.
    assert not identifiable(ORDERS[0], ORDERS, paths)
    assert identifiable(ORDERS[2], ORDERS, paths)  # another customer's lamp does not count
    assert identifiable(ORDERS[3], ORDERS, paths)
    assert identifiable(ORDERS[0], ORDERS, [])


def test_pick_record_picks_only_identifiable_records():
    query = StateQuery(collection="orders", where={"status": "delivered"}, unique=["email", "items.0.name"])
    picked = {pick_record({"orders": ORDERS}, query, random.Random(seed))["id"] for seed in range(40)}
    assert picked == {3, 4}
    with pytest.raises(ScenarioError, match="identifiable by"):
        pick_record({"orders": ORDERS[:2]}, query, random.Random(0))


def test_values_at_reads_other_mappings_and_tuples_as_plain_dicts_and_lists():
    """Plain dicts and lists take a fast path; any other Mapping or a tuple gives the same values."""
    from types import MappingProxyType

    plain = {"items": [{"name": "Kettle"}, {"name": "Lamp"}, {"other": 1}], "email": "a@b.c", "n": 5}
    other = MappingProxyType({"items": tuple(MappingProxyType(i) for i in plain["items"]), "email": "a@b.c", "n": 5})
    for path in ("items.0.name", "items.3.name", "email", "missing", "items.x", "n.0", "email.0", "items.0.other"):
        assert values_at(path, plain) == values_at(path, other), path
    assert values_at("items.0.name", plain) == ["Kettle", "Lamp"]
    assert values_at("items.x", plain) == [] and values_at("n.0", plain) == []


def test_pick_record_keeps_what_identifiable_keeps_on_seeded_shops():
    """`pick_record` reads each record's values once; it keeps exactly the records `identifiable` does."""
    from datetime import date

    from simulator.simulate import episode
    from tool_sims.customer_support import seed_state

    paths = ["email", "items.0.name"]
    for seed in range(200):
        orders = seed_state(random.Random(seed), date(2026, 3, 1))["orders"]
        orders[seed % 12] = {k: v for k, v in orders[seed % 12].items() if k != "email"}  # one without the path
        expected = [r for r in orders if identifiable(r, orders, paths)]
        assert episode._identifiable(orders, orders, paths) == expected
        assert episode._identifiable(orders[:5], orders, ["customer_id"]) == [r for r in orders[:5] if identifiable(r, orders, ["customer_id"])]
