"""The item of a result list the user named (`{orders_asked...}` in reply templates)."""

from __future__ import annotations

from simulator.simulate.agents.named_item import named_items


def _order(order_id: str, *items: str) -> dict:
    return {"order_id": order_id, "status": "delivered", "email": "jane@example.com", "currency": "USD",
            "items": [{"sku": f"SKU-{i}", "name": name} for i, name in enumerate(items)]}


PAYLOAD = {"orders": [_order("ORD-1", "Electric Toothbrush"), _order("ORD-2", "Cast Iron Skillet", "Phone Case"),
                      _order("ORD-3", "Desk Lamp", "Phone Case")]}


def test_the_order_holding_the_named_item_is_offered():
    found = named_items(PAYLOAD, PAYLOAD, "i lost my order confirmation for the cast iron skillet.")
    assert found["orders_asked"]["order_id"] == "ORD-2"


def test_the_labelled_element_is_the_one_offered():
    shown = {"orders": [{**o, "status": "已送达"} for o in PAYLOAD["orders"]]}
    assert named_items(PAYLOAD, shown, "好像买过desk lamp")["orders_asked"] == shown["orders"][2]


def test_nothing_when_no_single_element_is_named():
    assert named_items(PAYLOAD, PAYLOAD, "which orders do i have?") == {}
    assert named_items(PAYLOAD, PAYLOAD, "the phone case order") == {}  # two orders hold one
    # a value every order has (the account's e-mail) names none of them
    assert named_items(PAYLOAD, PAYLOAD, "my email is jane@example.com") == {}


def test_an_id_at_the_top_of_an_element_is_not_a_named_item():
    # "where is ORD-2, and which orders do I have?": ORD-2 is the subject of the other request
    assert named_items(PAYLOAD, PAYLOAD, "where is ord-2, and which orders do i have?") == {}
