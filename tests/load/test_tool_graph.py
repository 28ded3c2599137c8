"""The tool graph: which output field feeds which parameter, and why — and which never should."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.core.errors import InputError
from simulator.load.loader import load_pack
from simulator.load.tool_graph import (
    build_graph,
    identifier_graph,
    independent_groups,
    independent_sets,
    link_problems,
    simple_chains,
)
from simulator.spec import ToolLink, ToolSpec
from simulator.values.schema_fields import (
    identifier_pattern,
    is_identifier,
    output_fields,
)

from tests.pack_copy import pack_copy

ROOT = Path(__file__).resolve().parents[2]


def tool(name, params=None, returns=None):
    parameters = {"type": "object", "properties": params or {}}
    return ToolSpec(name=name, description=name, parameters=parameters, returns=returns)


def obj(**props):
    return {"type": "object", "properties": props}


def tools(*specs):
    return {s.name: s for s in specs}


def feeds(graph, a, b):
    return {(f.path, f.param, f.reason) for f in graph.edges[a, b]["feeds"]}


# ---------------------------------------------------------------- the shipped packs


@pytest.fixture(scope="module")
def support_graph():
    pack = load_pack(ROOT / "scenarios" / "customer_support.yaml")
    return build_graph(pack.domain.tools, pack.domain.config.links)


def test_lookup_order_feeds_every_order_tool_by_order_id(support_graph):
    for target in ("initiate_refund", "check_status", "update_address", "escalate_to_human"):
        assert support_graph.has_edge("lookup_order", target)
        assert feeds(support_graph, "lookup_order", target) == {("orders.0.order_id", "order_id", "name+type")}
        edge = support_graph.edges["lookup_order", target]
        assert (edge["path"], edge["param"], edge["reason"]) == ("orders.0.order_id", "order_id", "name+type")


def test_echoes_and_self_loops_are_not_edges(support_graph):
    # check_status and initiate_refund return the order_id they were given: nothing new to pass on
    assert not support_graph.has_edge("check_status", "initiate_refund")
    assert not support_graph.has_edge("initiate_refund", "check_status")
    assert not any(a == b for a, b in support_graph.edges)
    assert support_graph.in_degree("lookup_order") == 0


def test_smart_home_devices_feed_the_status_tool_but_rooms_feed_nothing():
    pack = load_pack(ROOT / "scenarios" / "smart_home.yaml")
    graph = build_graph(pack.domain.tools)
    assert feeds(graph, "list_devices", "get_device_status") == {("devices.0.device_id", "device_id", "name+type")}
    assert graph.has_edge("get_energy_usage", "get_device_status")
    # every room-taking tool echoes `room`; an echo is not an edge
    assert not any(f.param == "room" for _, _, d in graph.edges(data=True) for f in d["feeds"])


# ---------------------------------------------------------------- output fields


def test_output_fields_walk_objects_arrays_and_nullable_branches():
    returns = obj(
        booking=obj(id={"type": "string"}, seats={"type": "array", "items": {"type": "integer"}}),
        flights={"type": "array", "items": obj(id={"type": "string"}, legs={"type": "array", "items": obj(code={"type": "string"})})},
        note={"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 9}]},
        device_ids={"type": "array", "items": {"type": "string"}},
    )
    fields = {f.path: f for f in output_fields(returns)}
    assert set(fields) == {"booking.id", "booking.seats.0", "flights.0.id", "flights.0.legs.0.code", "note", "device_ids.0"}
    assert fields["note"].schema == {"type": "string", "maxLength": 9}  # not the null branch
    assert (fields["flights.0.id"].name, fields["flights.0.id"].parent) == ("id", "flights")
    assert fields["device_ids.0"].name == "device_id"  # an element of device_ids reads as a device_id
    assert output_fields(None) == []


# ---------------------------------------------------------------- matching


def test_linked_names_match():
    graph = build_graph(tools(
        tool("search_flights", {"city": {"type": "string"}}, obj(flights={"type": "array", "items": obj(id={"type": "string"})})),
        tool("book_flight", {"flight_id": {"type": "string"}}),
        tool("get_customer", {"q": {"type": "string"}}, obj(customer=obj(email={"type": "string"}, orderId={"type": "string"}))),
        tool("send_receipt", {"customer_email": {"type": "string"}, "order_id": {"type": "string"}}),
    ))
    assert feeds(graph, "search_flights", "book_flight") == {("flights.0.id", "flight_id", "name+type")}
    assert feeds(graph, "get_customer", "send_receipt") == {
        ("customer.email", "customer_email", "name+type"), ("customer.orderId", "order_id", "name+type"),
    }
    assert not graph.has_edge("search_flights", "send_receipt")


@pytest.mark.parametrize("out, param, linked", [
    ({"type": "integer"}, {"type": "number"}, True),
    ({"type": "number"}, {"type": "integer"}, False),
    ({"type": "string"}, {"type": "integer"}, False),
    ({"type": ["string", "null"]}, {"type": "string"}, True),
    ({"type": "string"}, {"type": "string", "enum": ["a", "b"]}, False),  # a free string into an enum
    ({"enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, True),
    ({"enum": ["a", "c"]}, {"type": "string", "enum": ["a", "b"]}, False),
    ({"type": "string", "pattern": "^A-\\d+$"}, {"type": "string", "pattern": "^B-\\d+$"}, False),
    ({"type": "string", "pattern": "^A-\\d+$"}, {"type": "string", "pattern": "^A-\\d+$"}, True),
    ({"enum": ["A-1", "A-2"]}, {"type": "string", "pattern": "^A-\\d+$"}, True),
    ({"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}, False),
])
def test_types_enums_patterns_and_formats_must_fit(out, param, linked):
    graph = build_graph(tools(tool("a", {}, obj(key=out)), tool("b", {"key": param})))
    assert graph.has_edge("a", "b") is linked


def test_identifier_formats_link_different_names_but_dates_do_not():
    graph = build_graph(tools(
        tool("get_owner", {}, obj(contact={"type": "string", "format": "email"}, born={"type": "string", "format": "date"})),
        tool("notify", {"recipient": {"type": "string", "format": "email"}, "day": {"type": "string", "format": "date"}}),
    ))
    assert feeds(graph, "get_owner", "notify") == {("contact", "recipient", "format")}


def test_declared_links_come_first_and_may_loop():
    specs = tools(
        tool("list_page", {"page_token": {"type": "string"}}, obj(next={"type": "string"}, id={"type": "string"})),
        tool("get_item", {"item_id": {"type": "string"}}),
    )
    assert build_graph(specs).number_of_edges() == 0
    links = [
        ToolLink.model_validate({"from": "list_page.next", "to": "list_page.page_token"}),
        ToolLink.model_validate({"from": "list_page.id", "to": "get_item.item_id"}),
    ]
    graph = build_graph(specs, links)
    assert feeds(graph, "list_page", "list_page") == {("next", "page_token", "declared")}
    assert graph.edges["list_page", "get_item"]["reason"] == "declared"


def test_declared_array_indices_read_as_zero():
    specs = tools(tool("a", {}, obj(rows={"type": "array", "items": obj(x={"type": "string"})})), tool("b", {"y": {}}))
    link = ToolLink.model_validate({"from": "a.rows.3.x", "to": "b.y"})
    assert link_problems(link, specs) == []
    assert feeds(build_graph(specs, [link]), "a", "b") == {("rows.0.x", "y", "declared")}


@pytest.mark.parametrize("source, target, key, words", [
    ("nope.x", "b.y", "from", "known tool"),
    ("a.missing", "b.y", "from", "returns no field 'missing'"),
    ("a.x", "b.z", "to", "no parameter 'z'"),
    ("a.x", "b", "to", "known tool"),
])
def test_bad_links_say_what_is_wrong(source, target, key, words):
    specs = tools(tool("a", {}, obj(x={"type": "string"})), tool("b", {"y": {"type": "string"}}))
    problems = link_problems(ToolLink.model_validate({"from": source, "to": target}), specs)
    assert [k for k, _ in problems] == [key] and words in problems[0][1]


def test_a_bad_link_in_a_file_is_reported_with_its_line(tmp_path):
    data = yaml.safe_load((ROOT / "scenarios" / "smart_home.yaml").read_text(encoding="utf-8"))
    data["domain"]["links"] = [{"from": "list_devices.devices.0.device_id", "to": "get_device_status.serial"}]
    path = pack_copy(tmp_path) / "scenarios" / "linked.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pack(path)
    [problem] = caught.value.problems
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("to: get_device_status"))
    assert problem.line == line and "no parameter 'serial'" in problem.message


# ---------------------------------------------------------------- chains and independent groups


@pytest.fixture
def diamond():
    # a → b → d, a → c → d, e alone
    out = obj(x_id={"type": "string"})
    return build_graph(tools(
        tool("a", {}, obj(b_id={"type": "string"}, c_id={"type": "string"})),
        tool("b", {"b_id": {"type": "string"}}, obj(d_id={"type": "string"})),
        tool("c", {"c_id": {"type": "string"}}, obj(d_id={"type": "string"})),
        tool("d", {"d_id": {"type": "string"}}),
        tool("e", {"q": {"type": "string"}}, out),
    ))


def test_simple_chains_follow_edges_within_the_length_range(diamond):
    assert simple_chains(diamond, 2, 2) == [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]
    assert simple_chains(diamond, 3, 4) == [["a", "b", "d"], ["a", "c", "d"]]
    assert simple_chains(diamond, 2, 3, within={"a", "b", "d"}) == [["a", "b"], ["a", "b", "d"], ["b", "d"]]


def test_independent_tools_have_no_path_between_them(diamond):
    pairs = independent_sets(diamond, (2,))
    assert ["b", "c"] in pairs and ["a", "e"] in pairs
    assert ["a", "d"] not in pairs  # a reaches d through b
    assert independent_sets(diamond, (3,)) == [["b", "c", "e"]]
    assert independent_groups(diamond) == [["b", "c", "e"], ["a", "e"], ["d", "e"]]


# ---------------------------------------------------------------- identifiers and attributes


@pytest.mark.parametrize("pattern, identifies", [
    (r"^ORD-\d{5}$", True), (r"^dev-[0-9]{4}$", True), (r"^([01][0-9]|2[0-3]):[0-5][0-9]$", False),
    (r"^[A-Z]{2}$", False), (r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", False), (None, False),
])
def test_a_pattern_with_a_literal_word_names_identifiers(pattern, identifies):
    assert identifier_pattern(pattern) is identifies


def test_identifiers_are_named_patterned_or_addresses():
    assert is_identifier("order_id", {}) and is_identifier("flight_number", {}) and is_identifier("sku", {})
    assert is_identifier("ref", {"pattern": "^BK-\\d+$"}) and is_identifier("to", {"format": "email"})
    assert not any(is_identifier(name, {"type": "string"}) for name in ("date", "city", "title", "valid"))


def test_attribute_edges_are_drawn_but_make_no_chains():
    specs = tools(
        tool("search_hotels", {"city": {"type": "string"}},
             obj(hotels={"type": "array", "items": obj(hotel_id={"type": "string"}, city={"type": "string"})})),
        tool("book_hotel", {"hotel_id": {"type": "string"}}),
        tool("get_weather", {"city": {"type": "string"}}),
    )
    graph = build_graph(specs)
    assert feeds(graph, "search_hotels", "get_weather") == {("hotels.0.city", "city", "name+type")}
    assert graph.edges["search_hotels", "book_hotel"]["strong"] and not graph.edges["search_hotels", "get_weather"]["strong"]
    chains = identifier_graph(graph)
    assert sorted(chains.edges) == [("search_hotels", "book_hotel")]
    assert independent_sets(chains, (2,)) == [["book_hotel", "get_weather"], ["get_weather", "search_hotels"]]


def test_a_nested_echo_of_an_argument_is_no_edge():
    graph = build_graph(tools(
        tool("schedule", {"attendees": {"type": "array", "items": {"type": "string", "format": "email"}}},
             obj(attendees={"type": "array", "items": {"type": "string", "format": "email"}})),
        tool("send_email", {"to": {"type": "string", "format": "email"}}),
    ))
    assert graph.number_of_edges() == 0
