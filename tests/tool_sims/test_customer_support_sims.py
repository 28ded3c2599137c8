import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from simulator.simulate.environment import ToolEnvironment
from simulator.simulate.episode import ScenarioError, pick_record, resolve_facts
from simulator.spec import Scenario
from tests.sim_kit import assert_complete_specs, checked_env, error_of, next_id, run, sim_domain
from tool_sims.customer_support import sims

TOOLS = {"lookup_order", "check_status", "initiate_refund", "update_address", "escalate_to_human"}
SEEDS = range(60)
DOMAIN = sim_domain(sims)


def new_env(seed: int = 1) -> ToolEnvironment:
    return checked_env(DOMAIN, seed)  # every result must fit `returns`


def an_order(env: ToolEnvironment, status: str, **where) -> dict:
    return next(o for o in env.state["orders"] if o["status"] == status and all(o[k] == v for k, v in where.items()))


def overdue(env: ToolEnvironment) -> dict:
    return next(o for o in env.state["orders"] if o["status"] == "shipped" and o["estimated_delivery"] < env.today.isoformat())


# ---------------------------------------------------------------- specs

def test_the_five_tools_have_complete_valid_specs():
    assert set(sims.tools) == TOOLS
    assert_complete_specs(sims)


# ---------------------------------------------------------------- seeded state

@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_state_invariants(seed):
    env = new_env(seed)
    state, today = env.state, env.today
    assert set(state) == {"customers", "orders", "refunds", "tickets"}
    assert state["refunds"] == [] and state["tickets"] == []
    customers = {c["customer_id"]: c for c in state["customers"]}
    orders = state["orders"]
    assert len(customers) == 6 and len(orders) == 12
    assert len({c["email"] for c in customers.values()}) == 6
    statuses = Counter(o["status"] for o in orders)
    assert min(statuses["processing"], statuses["shipped"], statuses["delivered"]) >= 3 and statuses["cancelled"] >= 1
    per_customer = Counter(o["customer_id"] for o in orders)
    assert set(per_customer) == set(customers) and max(per_customer.values()) >= 2
    assert len({o["order_id"] for o in orders}) == 12
    for order in orders:
        customer = customers[order["customer_id"]]
        assert re.fullmatch(r"ORD-\d{5}", order["order_id"])
        assert (order["customer_name"], order["email"]) == (customer["name"], customer["email"])
        assert order["total"] == round(sum(i["price"] * i["quantity"] for i in order["items"]), 2) > 0
        assert order["currency"] == "USD" and order["refunded_amount"] == 0.0
        assert set(order["shipping_address"]) == {"street", "city", "postal_code", "country"}
        ordered = date.fromisoformat(order["order_date"])
        assert ordered <= today
        shipped = order["status"] in ("shipped", "delivered")
        assert (order["carrier"] is not None) == shipped == (order["tracking_number"] is not None)
        assert (order["delivered_date"] is not None) == (order["status"] == "delivered")
        if order["status"] == "delivered":
            assert ordered < date.fromisoformat(order["delivered_date"]) < today
        if order["status"] == "processing":
            assert date.fromisoformat(order["estimated_delivery"]) > today
        if order["status"] == "cancelled":
            assert order["estimated_delivery"] is None
    assert overdue(env)  # the lost-parcel case exists in every state


# ---------------------------------------------------------------- lookup_order and check_status

def test_lookup_by_id_and_by_email():
    env = new_env(2)
    order = an_order(env, "delivered")
    ok, result = run(env, "lookup_order", order_id=order["order_id"])
    assert ok and [o["order_id"] for o in result["orders"]] == [order["order_id"]]
    assert result["orders"][0]["items"] == order["items"] and result["orders"][0]["total"] == order["total"]
    ok, result = run(env, "lookup_order", email=order["email"].upper())
    mine = sorted((o for o in env.state["orders"] if o["email"] == order["email"]), key=lambda o: o["order_date"], reverse=True)
    assert ok and [o["order_id"] for o in result["orders"]] == [o["order_id"] for o in mine]


def test_lookup_errors():
    env = new_env(2)
    order = an_order(env, "delivered")
    other = next(c for c in env.state["customers"] if c["email"] != order["email"])
    assert error_of(env, "lookup_order") == "Provide an order_id or the customer's email"
    assert error_of(env, "lookup_order", order_id="ORD-00000") == "No order found for ORD-00000"
    assert error_of(env, "lookup_order", email="nobody@example.com") == "No order found for nobody@example.com"
    assert error_of(env, "lookup_order", order_id=order["order_id"], email=other["email"]).startswith(
        f"No order found for {order['order_id']} with "
    )
    assert "does not match" in error_of(env, "lookup_order", order_id="48291")
    assert "is not a 'email'" in error_of(env, "lookup_order", email="not-an-address")


@pytest.mark.parametrize("status", ["processing", "shipped", "delivered", "cancelled"])
def test_check_status_reflects_the_order(status):
    env = new_env(4)
    order = an_order(env, status)
    ok, result = run(env, "check_status", order_id=order["order_id"])
    # a delivered order has its delivery date and no estimate ("estimated delivery" of a past day)
    shown = {**order, "estimated_delivery": None} if status == "delivered" else order
    assert ok and result == {k: shown[k] for k in result} and result["status"] == status
    assert (result["delivered_date"] is not None) == (status == "delivered")


def test_check_status_unknown_order():
    assert error_of(new_env(), "check_status", order_id="ORD-00000") == "No order found for ORD-00000"


# ---------------------------------------------------------------- initiate_refund

def test_full_refund_of_a_delivered_order():
    env = new_env(3)
    order = an_order(env, "delivered")
    ok, result = run(env, "initiate_refund", order_id=order["order_id"], reason="defective")
    assert ok and re.fullmatch(r"RF-\d{5}", result["refund_id"]) and result["status"] == "pending"
    assert result["amount"] == order["total"] and result["order_id"] == order["order_id"]
    assert order["refunded_amount"] == order["total"]
    assert env.state["refunds"][0]["reason"] == "defective"
    assert error_of(env, "initiate_refund", order_id=order["order_id"], reason="other") == (
        f"Order {order['order_id']} has already been fully refunded"
    )


def test_refund_ids_start_somewhere_else_in_each_episode():
    """A constant RF-1001 in every record would teach a model to say the id without reading it."""
    ids = set()
    for seed in range(8):
        env = new_env(seed)
        ok, result = run(env, "initiate_refund", order_id=an_order(env, "delivered")["order_id"], reason="defective")
        ids.add(result["refund_id"])
    assert len(ids) >= 7


def test_partial_refunds_up_to_the_remaining_balance():
    env = new_env(3)
    order = an_order(env, "delivered")
    total = order["total"]
    ok, first = run(env, "initiate_refund", order_id=order["order_id"], reason="wrong_item", amount=1.004)
    assert ok and first["amount"] == 1.0
    remaining = round(total - 1.0, 2)
    message = error_of(env, "initiate_refund", order_id=order["order_id"], reason="other", amount=remaining + 0.01)
    assert message == (
        f"The requested amount {remaining + 0.01:.2f} exceeds the refundable balance of {remaining:.2f} USD for {order['order_id']}"
    )
    ok, second = run(env, "initiate_refund", order_id=order["order_id"], reason="other")
    assert ok and second["amount"] == remaining
    assert second["refund_id"] == next_id(first["refund_id"]), "ids run on within an episode"
    assert [r["refund_id"] for r in env.state["refunds"]] == [first["refund_id"], second["refund_id"]]


@pytest.mark.parametrize("status", ["processing", "shipped"])
def test_no_refund_before_delivery(status):
    env = new_env(5)
    order = an_order(env, status) if status == "processing" else next(
        o for o in env.state["orders"] if o["status"] == "shipped" and o["estimated_delivery"] >= env.today.isoformat()
    )
    for reason in ("defective", "not_received"):
        assert error_of(env, "initiate_refund", order_id=order["order_id"], reason=reason) == (
            f"Order {order['order_id']} has not been delivered yet (status: {status}); refunds can be requested after delivery"
        )
    assert env.state["refunds"] == [] and order["refunded_amount"] == 0.0


def test_an_overdue_shipment_can_be_refunded_as_not_received_only():
    env = new_env(6)
    order = overdue(env)
    assert "has not been delivered yet" in error_of(env, "initiate_refund", order_id=order["order_id"], reason="defective")
    ok, result = run(env, "initiate_refund", order_id=order["order_id"], reason="not_received")
    assert ok and result["amount"] == order["total"]


def test_cancelled_orders_are_not_refunded():
    env = new_env(7)
    order = an_order(env, "cancelled")
    assert error_of(env, "initiate_refund", order_id=order["order_id"], reason="changed_mind") == (
        f"Order {order['order_id']} was cancelled and never charged; there is nothing to refund"
    )


def test_refund_argument_errors():
    env = new_env(7)
    order = an_order(env, "delivered")
    assert error_of(env, "initiate_refund", order_id="ORD-00000", reason="other") == "No order found for ORD-00000"
    assert "is not one of" in error_of(env, "initiate_refund", order_id=order["order_id"], reason="broken")
    assert "less than or equal to the minimum of 0" in error_of(env, "initiate_refund", order_id=order["order_id"], reason="other", amount=0)
    assert error_of(env, "initiate_refund", order_id=order["order_id"], reason="other", amount=0.001) == (
        "The refund amount must be at least 0.01"
    )
    assert env.state["refunds"] == []


def _scaled(scale: list[float], field: str = "items.0.price") -> Scenario:
    """A partial-refund scenario whose `amount` is a share of a delivered order's first item."""
    return Scenario.model_validate({
        "id": "partial", "category": "hard", "goal": "Refund part of an item",
        "record": {"collection": "orders", "where": {"status": "delivered"}},
        "slots": {"order_id": {"field": "order_id"}, "amount": {"field": field, "scale": scale},
                  "ticket": {"fake": "uuid"}},
        "turns": [{"say": "Refund {amount} of {order_id}", "expect": [
            {"tool": "initiate_refund", "args": {"order_id": "{order_id}", "reason": "defective", "amount": "{amount}"}}]}],
    })


def _facts(scenario: Scenario, env: ToolEnvironment, salt: str) -> dict:
    return resolve_facts(scenario, env.state, random.Random(salt), env.today)


def test_a_scaled_field_slot_is_the_price_times_a_factor_in_cents():
    scenario = _scaled([1, 0.5, 0.3])
    factors = Counter()
    for seed in range(30):
        env = new_env(seed)
        facts = _facts(scenario, env, f"facts:{seed}")
        assert facts == _facts(scenario, new_env(seed), f"facts:{seed}")  # deterministic
        price = an_order(env, "delivered", order_id=facts["order_id"])["items"][0]["price"]
        shares = {f: round(price * f, 2) for f in (1, 0.5, 0.3)}
        assert facts["amount"] in shares.values() and facts["amount"] <= price
        assert facts["amount"] == round(facts["amount"], 2)
        factors[next(f for f, v in shares.items() if v == facts["amount"])] += 1
        ok, refund = run(env, "initiate_refund", order_id=facts["order_id"], reason="defective", amount=facts["amount"])
        assert ok and refund["amount"] == facts["amount"]  # a share of the price always fits the balance
    assert set(factors) == {1, 0.5, 0.3}  # every factor is drawn


def test_unscaled_slots_draw_as_before():
    """Only a scaled slot draws from the facts rng: field slots without `scale` leave it where
    picking the record left it, so scenarios without `scale` keep their facts (and datasets)."""
    scaled = _scaled([1, 0.5])
    scaled = scaled.model_copy(update={"slots": {k: v for k, v in scaled.slots.items() if k != "ticket"}})
    plain = scaled.model_copy(update={"slots": {
        **scaled.slots, "amount": scaled.slots["amount"].model_copy(update={"scale": None})}})
    env = new_env(3)
    used, picked, drew = random.Random("x"), random.Random("x"), random.Random("x")
    facts = resolve_facts(plain, env.state, used, env.today)
    record = pick_record(env.state, plain.record, picked)
    assert facts == {"order_id": record["order_id"], "amount": record["items"][0]["price"]}
    assert used.getstate() == picked.getstate()
    resolve_facts(scaled, env.state, drew, env.today)
    assert drew.getstate() != picked.getstate()  # the scaled slot drew its factor


def test_scaling_a_field_that_is_not_a_number():
    with pytest.raises(ScenarioError, match="slot 'amount': `scale` needs a number, but field 'items.0.name' "
                                            "of the picked record is '"):
        _facts(_scaled([0.5], "items.0.name"), new_env(2), "facts")


# ---------------------------------------------------------------- update_address

def test_update_address_of_a_processing_order_keeps_the_country():
    env = new_env(8)
    order = an_order(env, "processing")
    ok, result = run(env, "update_address", order_id=order["order_id"], street="221 Oak Street", city="Madison", postal_code="53703")
    assert ok and result == {
        "order_id": order["order_id"], "status": "processing",
        "shipping_address": {"street": "221 Oak Street", "city": "Madison", "postal_code": "53703", "country": "US"},
    }
    assert order["shipping_address"] == result["shipping_address"]
    ok, result = run(env, "update_address", order_id=order["order_id"], street="1 Rue Cler", city="Paris", postal_code="75007", country="FR")
    assert ok and order["shipping_address"]["country"] == "FR"


@pytest.mark.parametrize("status,message", [
    ("shipped", "has already shipped; the address can no longer be changed"),
    ("delivered", "has already shipped; the address can no longer be changed"),
    ("cancelled", "was cancelled; the address can no longer be changed"),
])
def test_address_is_frozen_after_shipping_or_cancelling(status, message):
    env = new_env(9)
    order = an_order(env, status)
    before = dict(order["shipping_address"])
    assert error_of(env, "update_address", order_id=order["order_id"], street="9 Elm Street", city="Boston", postal_code="02110") == (
        f"Order {order['order_id']} {message}"
    )
    assert order["shipping_address"] == before and env.diff() == []


def test_update_address_argument_errors():
    env = new_env(9)
    order = an_order(env, "processing")
    assert "missing required argument 'postal_code'" in error_of(env, "update_address", order_id=order["order_id"], street="9 Elm Street", city="Boston")
    assert "country: 'USA' does not match" in error_of(
        env, "update_address", order_id=order["order_id"], street="9 Elm Street", city="Boston", postal_code="02110", country="USA"
    )


# ---------------------------------------------------------------- escalate_to_human

def test_escalation_opens_sequential_tickets():
    env = new_env(10)
    order = an_order(env, "shipped")
    ok, first = run(env, "escalate_to_human", reason="Customer wants to speak to a manager")
    assert ok and re.fullmatch(r"TCK-\d{5}", first["ticket_id"]) and first["priority"] == "normal"
    assert 3 <= first["queue_position"] <= 9 and first["estimated_wait_minutes"] >= first["queue_position"] * 3
    ok, second = run(env, "escalate_to_human", reason="Parcel damaged twice", order_id=order["order_id"], priority="high")
    assert ok and second["ticket_id"] == next_id(first["ticket_id"]) and second["queue_position"] <= 3
    assert [(t["ticket_id"], t["order_id"], t["priority"]) for t in env.state["tickets"]] == [
        (first["ticket_id"], None, "normal"), (second["ticket_id"], order["order_id"], "high"),
    ]
    assert [c.path for c in env.diff()] == ["/tickets/0", "/tickets/1"]


def test_escalation_errors():
    env = new_env(10)
    assert error_of(env, "escalate_to_human", reason="help", order_id="ORD-00000") == "No order found for ORD-00000"
    assert "is not one of" in error_of(env, "escalate_to_human", reason="help", priority="urgent")
    assert "missing required argument 'reason'" in error_of(env, "escalate_to_human")
    assert env.state["tickets"] == []


def test_the_same_episode_replays_identically():
    def play(seed):
        env = new_env(seed)
        order = an_order(env, "delivered")
        out = [run(env, "initiate_refund", order_id=order["order_id"], reason="defective"),
               run(env, "escalate_to_human", reason="follow up")]
        return out, env.diff()
    assert play(12) == play(12)
    assert play(12) != play(13)


def test_dates_move_with_today():
    env = new_env(14)
    for order in env.state["orders"]:
        assert env.today - date.fromisoformat(order["order_date"]) <= timedelta(days=45)
