"""The customer-support seeder inlines its rng helpers for speed; these tests hold it to the
readable definition below (the same helpers, called one by one), state for state, so an edit
to either that changes a draw shows here (datasets are deterministic for a seed)."""

import json
import random
from datetime import date, timedelta

import pytest

from simulator.values.fakes import (
    CARRIERS,
    PRODUCTS,
    between,
    digits,
    email_for,
    fake_city,
    fake_name,
    fake_phone,
    fake_postal_code,
    fake_street,
    fake_tracking_number,
    pick,
    shuffled,
)
from tool_sims.customer_support import N_CUSTOMERS, SKUS, STATUS_PLAN, seed_state


def reference_state(rng: random.Random, today: date) -> dict:
    customers, used = [], set()
    while len(customers) < N_CUSTOMERS:
        name = fake_name(rng)
        email = email_for(name, rng)
        if name in used or email in used:
            continue
        used.update((name, email))
        customers.append({"customer_id": f"CUS-{1001 + len(customers)}", "name": name, "email": email,
                          "phone": fake_phone(rng)})
    homes = [{"street": fake_street(rng), "city": fake_city(rng), "postal_code": fake_postal_code(rng),
              "country": "US"} for _ in customers]
    extra = [between(rng, 0, N_CUSTOMERS - 1) for _ in range(len(STATUS_PLAN) - N_CUSTOMERS)]
    owners = shuffled(rng, list(range(N_CUSTOMERS)) + extra)
    statuses = shuffled(rng, STATUS_PLAN)
    overdue_index = statuses.index("shipped")
    day = lambda offset: (today + timedelta(days=offset)).isoformat()  # noqa: E731
    orders, order_ids = [], set()
    for index, (owner, status) in enumerate(zip(owners, statuses)):
        order_id = f"ORD-{digits(rng, 5)}"
        while order_id in order_ids:
            order_id = f"ORD-{digits(rng, 5)}"
        order_ids.add(order_id)
        count, picks = pick(rng, (1, 1, 2, 2, 3)), []
        while len(picks) < count:
            product = between(rng, 0, len(PRODUCTS) - 1)
            if product not in picks:
                picks.append(product)
        items = [{"sku": SKUS[p], "name": PRODUCTS[p][0], "quantity": pick(rng, (1, 1, 1, 2)), "price": PRODUCTS[p][1]}
                 for p in picks]
        carrier = pick(rng, CARRIERS) if status in ("shipped", "delivered") else None
        delivered = estimated = None
        if status == "processing":
            ordered, estimated = day(-between(rng, 0, 2)), day(between(rng, 4, 8))
        elif status == "shipped" and index == overdue_index:
            ordered, estimated = day(-between(rng, 10, 16)), day(-between(rng, 2, 4))
        elif status == "shipped":
            ordered, estimated = day(-between(rng, 2, 6)), day(between(rng, 1, 4))
        elif status == "delivered":
            days_ago = between(rng, 8, 45)
            ordered, delivered = day(-days_ago), day(-days_ago + between(rng, 2, 6))
            estimated = delivered
        else:
            ordered = day(-between(rng, 3, 30))
        customer = customers[owner]
        orders.append({
            "order_id": order_id, "customer_id": customer["customer_id"], "customer_name": customer["name"],
            "email": customer["email"], "items": items,
            "total": round(sum([i["price"] * i["quantity"] for i in items]), 2), "currency": "USD",
            "status": status, "order_date": ordered, "delivered_date": delivered, "carrier": carrier,
            "tracking_number": fake_tracking_number(rng, carrier) if carrier else None,
            "estimated_delivery": estimated, "shipping_address": dict(homes[owner]), "refunded_amount": 0.0,
        })
    return {"customers": customers, "orders": orders, "refunds": [], "tickets": []}


def test_the_inlined_seeder_draws_what_the_readable_one_does():
    for seed in range(400):
        today = date(2026, 1, 1) + timedelta(days=seed % 365)
        fast, slow = random.Random(seed), random.Random(seed)
        state = seed_state(fast, today)
        expected = reference_state(slow, today)
        # Key order and float/int types count too: the state's JSON is what the traces hold.
        assert json.dumps(state) == json.dumps(expected) and repr(state) == repr(expected), seed
        assert fast.random() == slow.random(), seed  # and left the rng where the readable one does


def test_no_two_orders_share_an_address_object():
    state = seed_state(random.Random(3), date(2026, 5, 1))
    addresses = [o["shipping_address"] for o in state["orders"]]
    assert len({id(a) for a in addresses}) == len(addresses)  # one order's address change stays its own


@pytest.mark.slow
def test_order_totals_in_cents_are_the_rounded_float_sums():
    """The seeder sums a two- or three-item order in whole cents; for every two or three distinct
    catalogue products and quantities that is the float `round(sum(line totals), 2)` the readable
    seeder gives."""
    from tool_sims import customer_support_state as state

    lines, cents = state._LINE_TOTALS, state._LINE_CENTS
    pairs = [(p, q) for p in range(len(PRODUCTS)) for q in range(4)]
    for a, qa in pairs:
        for b, qb in pairs:
            if b == a:
                continue
            partial, partial_cents = (lines[a][qa], lines[b][qb]), cents[a][qa] + cents[b][qb]
            assert partial_cents / 100 == round(sum(partial), 2), (a, qa, b, qb)
            for c, qc in pairs:
                if c != a and c != b:
                    expected = round(sum((*partial, lines[c][qc])), 2)
                    assert (partial_cents + cents[c][qc]) / 100 == expected, (a, qa, b, qb, c, qc)
