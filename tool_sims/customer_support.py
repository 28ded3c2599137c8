"""The customer-support domain: five stateful tools over a small seeded shop.

State (scenario YAML picks records by these names, keep them stable):
    customers: customer_id, name, email, phone
    orders:    order_id, customer_id, customer_name, email, items[sku, name, quantity, price],
               total, currency, status (processing | shipped | delivered | cancelled), order_date,
               delivered_date, carrier, tracking_number, estimated_delivery, shipping_address
               {street, city, postal_code, country}, refunded_amount
    refunds:   refund_id, order_id, amount, reason, status, requested_date
    tickets:   ticket_id, reason, order_id, priority, status, created_date

Every seeded state has 6 customers and 12 orders: 3 processing, 4 shipped (one of them overdue:
its estimated delivery has passed), 4 delivered, 1 cancelled; some customers own several orders.
Dates are relative to the episode's `today`, totals are the sum of their items.

Refund policy: only delivered orders can be refunded, up to what has not been refunded yet.
One exception, as real shops do: a *shipped* order whose estimated delivery date has passed can
be refunded with reason `not_received` (the parcel is presumed lost).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

from simulator import SimContext, State, ToolError, ToolSimModule
from simulator.values.fakes import (
    CARRIERS,
    CITIES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCTS,
    STREET_NAMES,
    STREET_SUFFIXES,
    email_local_parts,
    fake_phone,
    fake_tracking_number,
    shuffled,
)

sims = ToolSimModule("customer_support")

STATUSES = ("processing", "shipped", "delivered", "cancelled")
STATUS_PLAN = ("processing",) * 3 + ("shipped",) * 4 + ("delivered",) * 4 + ("cancelled",)
REFUND_REASONS = ("defective", "wrong_item", "not_received", "changed_mind", "other")
PRIORITIES = ("low", "normal", "high")
N_CUSTOMERS = 6

# ---------------------------------------------------------------- schemas

ORDER_ID = {
    "type": "string",
    "pattern": r"^ORD-\d{5}$",
    "description": "The order number, e.g. ORD-48291 (ORD- followed by five digits).",
}
DAY = {"type": "string", "format": "date"}
MAYBE_DAY = {"type": ["string", "null"], "format": "date"}
MONEY = {"type": "number", "minimum": 0}
ITEM = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "name": {"type": "string"},
        "quantity": {"type": "integer", "minimum": 1},
        "price": MONEY,
    },
    "required": ["sku", "name", "quantity", "price"],
    "additionalProperties": False,
}
ADDRESS = {
    "type": "object",
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "postal_code": {"type": "string"},
        "country": {"type": "string"},
    },
    "required": ["street", "city", "postal_code", "country"],
    "additionalProperties": False,
}

# ---------------------------------------------------------------- state


# A stable SKU per catalogue product, so the same product has the same SKU in every order.
SKUS = tuple(f"SKU-{31000 + 7 * i:05d}" for i in range(len(PRODUCTS)))


def _named(first: str, last: str) -> tuple[str, tuple[str, str, str, str]]:
    name = f"{first} {last}"
    return name, email_local_parts(name)


# Every (first name, last name) draw's full name and its four e-mail local parts, made once:
# `fake_name` then `email_for` (the same draws), without building the name's text per customer.
_NAMED = tuple(tuple(_named(first, last) for last in LAST_NAMES) for first in FIRST_NAMES)
_N_FIRST, _N_LAST, _N_DOMAINS = len(FIRST_NAMES), len(LAST_NAMES), len(EMAIL_DOMAINS)
_CUSTOMER_IDS = tuple(f"CUS-{1001 + n}" for n in range(N_CUSTOMERS))


def _customers(rng: random.Random) -> list[dict[str, Any]]:
    """Six customers with distinct names and addresses. `fake_name` and `email_for` are inlined
    (the same draws in the same order): seeding makes dozens of these draws per episode."""
    customers: list[dict[str, Any]] = []
    used: set[str] = set()
    draw = rng.random
    while len(customers) < N_CUSTOMERS:
        name, shapes = _NAMED[int(draw() * _N_FIRST)][int(draw() * _N_LAST)]
        local = shapes[int(draw() * 4)]
        if draw() < 0.4:
            local += str(1 + int(draw() * 99))
        email = f"{local}@{EMAIL_DOMAINS[int(draw() * _N_DOMAINS)]}"
        if name in used or email in used:
            continue
        used.add(name)
        used.add(email)
        customers.append({"customer_id": _CUSTOMER_IDS[len(customers)], "name": name, "email": email,
                          "phone": fake_phone(rng)})
    return customers


def _homes(draw: Callable[[], float]) -> list[dict[str, Any]]:
    """One address per customer: `fake_street`, `fake_city`, `fake_postal_code` inlined."""
    return [
        {"street": f"{1 + int(draw() * 9899)} {STREET_NAMES[int(draw() * _N_STREETS)]} "
                   f"{STREET_SUFFIXES[int(draw() * _N_SUFFIXES)]}",
         "city": CITIES[int(draw() * _N_CITIES)],
         "postal_code": str(10000 + int(draw() * 90000)),
         "country": "US"}
        for _ in range(N_CUSTOMERS)
    ]


_N_STREETS, _N_SUFFIXES, _N_CITIES = len(STREET_NAMES), len(STREET_SUFFIXES), len(CITIES)
_ITEM_COUNTS = (1, 1, 2, 2, 3)
_QUANTITIES = (1, 1, 1, 2)
_N_PRODUCTS = len(PRODUCTS)
# Each product's item row for each of the four quantity draws, copied per order (a flat dict's
# copy is cheaper than building it key by key, and every order has one to three items), and
# the row's price times quantity (the float the order total sums).
_ITEM_ROWS = tuple(
    tuple({"sku": SKUS[i], "name": name, "quantity": q, "price": price} for q in _QUANTITIES)
    for i, (name, price, *_rest) in enumerate(PRODUCTS)
)
_LINE_TOTALS = tuple(tuple(row["price"] * row["quantity"] for row in rows) for rows in _ITEM_ROWS)


class _IsoDays(dict[int, str]):
    """`date.fromordinal(n).isoformat()` by ordinal, made once per day: every order has two or
    three dates, and formatting them was a third of seeding."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


_ISO_DAYS = _IsoDays()


@sims.state
def seed_state(rng: random.Random, today: date) -> State:
    """The shop of one episode. The helpers `between`, `pick`, `digits`, the item and timeline
    draws are inlined in the one loop over the twelve orders (the same draws in the same order:
    `between(rng, a, b)` is `a + int(draw() * (b - a + 1))`, `digits(rng, 5)` is
    `10000 + rng._randbelow(90000)`): seeding is most of what setting up an episode costs."""
    draw = rng.random
    randbelow = rng._randbelow
    getrandbits = rng.getrandbits
    customers = _customers(rng)
    homes = _homes(draw)
    # Everyone has an order; the other six go to random customers, so some own several.
    extra = [int(draw() * N_CUSTOMERS) for _ in range(len(STATUS_PLAN) - N_CUSTOMERS)]
    owners = shuffled(rng, list(range(N_CUSTOMERS)) + extra)
    statuses = shuffled(rng, STATUS_PLAN)
    overdue_index = statuses.index("shipped")
    today_n = today.toordinal()
    iso = _ISO_DAYS
    rows, line_totals = _ITEM_ROWS, _LINE_TOTALS
    order_ids: set[str] = set()
    orders = []
    for index in range(len(STATUS_PLAN)):
        # `digits(rng, 5)` is `10000 + rng._randbelow(90000)`: 17-bit draws until one is below 90000
        number = getrandbits(17)
        while number >= 90000:
            number = getrandbits(17)
        order_id = f"ORD-{10000 + number}"
        while order_id in order_ids:
            order_id = f"ORD-{10000 + randbelow(90000)}"
        order_ids.add(order_id)
        customer = customers[owners[index]]
        # One to three distinct catalogue products, then a quantity for each (spelled out per
        # count: a comprehension is a function call of its own on Python 3.11).
        count = _ITEM_COUNTS[int(draw() * 5)]
        first = int(draw() * _N_PRODUCTS)
        if count == 1:
            q = int(draw() * 4)
            items = [rows[first][q].copy()]
            total = round(sum((line_totals[first][q],)), 2)
        else:
            second = int(draw() * _N_PRODUCTS)
            while second == first:
                second = int(draw() * _N_PRODUCTS)
            if count == 2:
                q, q2 = int(draw() * 4), int(draw() * 4)
                items = [rows[first][q].copy(), rows[second][q2].copy()]
                total = round(sum((line_totals[first][q], line_totals[second][q2])), 2)
            else:
                third = int(draw() * _N_PRODUCTS)
                while third == first or third == second:
                    third = int(draw() * _N_PRODUCTS)
                q, q2, q3 = int(draw() * 4), int(draw() * 4), int(draw() * 4)
                items = [rows[first][q].copy(), rows[second][q2].copy(), rows[third][q3].copy()]
                total = round(sum((line_totals[first][q], line_totals[second][q2], line_totals[third][q3])), 2)
        # Dates and shipping fields consistent with the status and with today.
        status = statuses[index]
        carrier = CARRIERS[int(draw() * 4)] if status == "shipped" or status == "delivered" else None
        delivered = estimated = None
        if status == "processing":
            ordered = iso[today_n - int(draw() * 3)]  # between 0 and 2 days ago
            estimated = iso[today_n + 4 + int(draw() * 5)]  # in 4 to 8 days
        elif status == "shipped" and index == overdue_index:
            ordered = iso[today_n - 10 - int(draw() * 7)]  # 10 to 16 days ago
            estimated = iso[today_n - 2 - int(draw() * 3)]  # 2 to 4 days ago
        elif status == "shipped":
            ordered = iso[today_n - 2 - int(draw() * 5)]  # 2 to 6 days ago
            estimated = iso[today_n + 1 + int(draw() * 4)]  # in 1 to 4 days
        elif status == "delivered":
            days_ago = 8 + int(draw() * 38)  # ordered 8 to 45 days ago, delivered 2 to 6 days later
            ordered = iso[today_n - days_ago]
            delivered = estimated = iso[today_n - days_ago + 2 + int(draw() * 5)]
        else:
            ordered = iso[today_n - 3 - int(draw() * 28)]  # 3 to 30 days ago
        orders.append({
            "order_id": order_id,
            "customer_id": customer["customer_id"],
            "customer_name": customer["name"],
            "email": customer["email"],
            "items": items,
            "total": total,
            "currency": "USD",
            "status": status,
            "order_date": ordered,
            "delivered_date": delivered,
            "carrier": carrier,
            "tracking_number": fake_tracking_number(rng, carrier) if carrier else None,
            "estimated_delivery": estimated,
            "shipping_address": homes[owners[index]].copy(),
            "refunded_amount": 0.0,
        })
    return {"customers": customers, "orders": orders, "refunds": [], "tickets": []}


def _order(ctx: SimContext, order_id: str) -> dict[str, Any]:
    for order in ctx.state["orders"]:
        if order["order_id"] == order_id:
            return order
    raise ToolError(f"No order found for {order_id}")


# ---------------------------------------------------------------- tools

ORDER_SUMMARY = {
    "type": "object",
    "properties": {
        "order_id": ORDER_ID,
        "status": {"enum": list(STATUSES)},
        "order_date": DAY,
        "items": {"type": "array", "items": ITEM, "minItems": 1},
        "total": MONEY,
        "currency": {"type": "string"},
        "email": {"type": "string", "format": "email"},
    },
    "required": ["order_id", "status", "order_date", "items", "total", "currency", "email"],
    "additionalProperties": False,
}


@sims.tool(
    description=(
        "Look up orders by order number or by the customer's e-mail address. Returns the matching "
        "orders with their status, date, items and total. Give at least one of the two; with both, "
        "the order must belong to that e-mail."
    ),
    parameters={
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "email": {
                "type": "string", "format": "email", "description": "The e-mail address the order was placed with.",
            },
        },
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {"orders": {"type": "array", "items": ORDER_SUMMARY, "minItems": 1}},
        "required": ["orders"],
        "additionalProperties": False,
    },
    read_only=True,
)
def lookup_order(ctx: SimContext, order_id: str | None = None, email: str | None = None) -> dict[str, Any]:
    if order_id is None and email is None:
        raise ToolError("Provide an order_id or the customer's email")
    wanted_email = email.strip().lower() if email else None
    found = [
        o for o in ctx.state["orders"]
        if (order_id is None or o["order_id"] == order_id)
        and (wanted_email is None or o["email"].lower() == wanted_email)
    ]
    if not found:
        what = " with ".join(x for x in (order_id, email) if x)
        raise ToolError(f"No order found for {what}")
    found.sort(key=lambda o: o["order_date"], reverse=True)
    fields = ORDER_SUMMARY["required"]
    return {"orders": [{k: o[k] for k in fields} for o in found]}


@sims.tool(
    description=(
        "Check the delivery status of one order: processing, shipped, delivered or cancelled, with "
        "the carrier, tracking number, estimated delivery date and delivery date where known."
    ),
    parameters={
        "type": "object",
        "properties": {"order_id": ORDER_ID},
        "required": ["order_id"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "status": {"enum": list(STATUSES)},
            "carrier": {"type": ["string", "null"]},
            "tracking_number": {"type": ["string", "null"]},
            "estimated_delivery": MAYBE_DAY,
            "delivered_date": MAYBE_DAY,
        },
        "required": ["order_id", "status", "carrier", "tracking_number", "estimated_delivery", "delivered_date"],
        "additionalProperties": False,
    },
    read_only=True,
)
def check_status(ctx: SimContext, order_id: str) -> dict[str, Any]:
    order = _order(ctx, order_id)
    result = {
        k: order[k]
        for k in ("order_id", "status", "carrier", "tracking_number", "estimated_delivery", "delivered_date")
    }
    if order["status"] == "delivered":  # a delivered parcel has its delivery date, no longer an estimate
        result["estimated_delivery"] = None
    return result


def _refundable(order: dict[str, Any], reason: str, today: date) -> None:
    """Raise the ToolError a real shop would give when this order cannot be refunded now."""
    order_id, status = order["order_id"], order["status"]
    if status == "cancelled":
        raise ToolError(f"Order {order_id} was cancelled and never charged; there is nothing to refund")
    lost_in_transit = (
        status == "shipped" and reason == "not_received"
        and order["estimated_delivery"] is not None and order["estimated_delivery"] < today.isoformat()
    )
    if status != "delivered" and not lost_in_transit:
        raise ToolError(
            f"Order {order_id} has not been delivered yet (status: {status}); refunds can be requested after delivery"
        )


@sims.tool(
    description=(
        "Start a refund for a delivered order, to the original payment method. Without an amount "
        "the whole remaining order total is refunded. A shipped order whose estimated delivery date "
        "has passed can be refunded with reason not_received."
    ),
    parameters={
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "reason": {
                "type": "string",
                "enum": list(REFUND_REASONS),
                "description": "Why the customer wants the refund.",
            },
            "amount": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": (
                    "Amount to refund in the order's currency, for a partial refund. "
                    "Omit to refund the rest of the order."
                ),
            },
        },
        "required": ["order_id", "reason"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {
            "refund_id": {"type": "string", "pattern": r"^RF-\d+$"},
            "order_id": ORDER_ID,
            "amount": {"type": "number", "exclusiveMinimum": 0},
            "status": {"const": "pending"},
            "estimated_days": {"type": "integer", "minimum": 1, "maximum": 14},
        },
        "required": ["refund_id", "order_id", "amount", "status", "estimated_days"],
        "additionalProperties": False,
    },
    read_only=False,
)
def initiate_refund(ctx: SimContext, order_id: str, reason: str, amount: float | None = None) -> dict[str, Any]:
    order = _order(ctx, order_id)
    _refundable(order, reason, ctx.today)
    remaining = round(order["total"] - order["refunded_amount"], 2)
    if remaining <= 0:
        raise ToolError(f"Order {order_id} has already been fully refunded")
    amount = remaining if amount is None else round(amount, 2)
    if amount <= 0:
        raise ToolError("The refund amount must be at least 0.01")
    if amount > remaining:
        raise ToolError(
            f"The requested amount {amount:.2f} exceeds the refundable balance of "
            f"{remaining:.2f} {order['currency']} for {order_id}"
        )
    refund_id = ctx.next_id("RF")
    order["refunded_amount"] = round(order["refunded_amount"] + amount, 2)
    ctx.state["refunds"].append({
        "refund_id": refund_id,
        "order_id": order_id,
        "amount": amount,
        "reason": reason,
        "status": "pending",
        "requested_date": ctx.today.isoformat(),
    })
    return {
        "refund_id": refund_id,
        "order_id": order_id,
        "amount": amount,
        "status": "pending",
        # Policy (system prompt): refunds reach the payment method within 5-10 business days.
        "estimated_days": ctx.rng.choice((5, 7, 10)),
    }


@sims.tool(
    description=(
        "Change the shipping address of an order that has not shipped yet (status processing). "
        "The country stays the same unless given."
    ),
    parameters={
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "street": {
                "type": "string", "minLength": 3, "maxLength": 120,
                "description": "House number and street, e.g. 221 Oak Street.",
            },
            "city": {"type": "string", "minLength": 2, "maxLength": 80, "description": "City or town."},
            "postal_code": {
                "type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$", "description": "Postal or ZIP code.",
            },
            "country": {
                "type": "string", "pattern": r"^[A-Z]{2}$", "description": "Two-letter ISO country code, e.g. US.",
            },
        },
        "required": ["order_id", "street", "city", "postal_code"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {"order_id": ORDER_ID, "shipping_address": ADDRESS, "status": {"enum": list(STATUSES)}},
        "required": ["order_id", "shipping_address", "status"],
        "additionalProperties": False,
    },
    read_only=False,
)
def update_address(
    ctx: SimContext, order_id: str, street: str, city: str, postal_code: str, country: str | None = None
) -> dict[str, Any]:
    order = _order(ctx, order_id)
    if order["status"] == "cancelled":
        raise ToolError(f"Order {order_id} was cancelled; the address can no longer be changed")
    if order["status"] != "processing":
        raise ToolError(f"Order {order_id} has already shipped; the address can no longer be changed")
    order["shipping_address"] = {
        "street": street,
        "city": city,
        "postal_code": postal_code,
        "country": country or order["shipping_address"]["country"],
    }
    return {"order_id": order_id, "shipping_address": dict(order["shipping_address"]), "status": order["status"]}


_QUEUE = {"high": (1, 3), "normal": (3, 9), "low": (6, 15)}


@sims.tool(
    description=(
        "Hand the conversation to a human agent when the customer asks for one or the request is "
        "outside what the tools can do. Returns a ticket number and the expected wait."
    ),
    parameters={
        "type": "object",
        "properties": {
            "reason": {
                "type": "string", "minLength": 3, "description": "A short summary of the issue for the human agent.",
            },
            "order_id": {**ORDER_ID, "description": "The order concerned, if any (e.g. ORD-48291)."},
            "priority": {
                "type": "string", "enum": list(PRIORITIES), "default": "normal",
                "description": "How urgent the issue is; normal if omitted.",
            },
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {
            "ticket_id": {"type": "string", "pattern": r"^TCK-\d+$"},
            "queue_position": {"type": "integer", "minimum": 1},
            "estimated_wait_minutes": {"type": "integer", "minimum": 1},
            "priority": {"enum": list(PRIORITIES)},
        },
        "required": ["ticket_id", "queue_position", "estimated_wait_minutes", "priority"],
        "additionalProperties": False,
    },
    read_only=False,
)
def escalate_to_human(
    ctx: SimContext, reason: str, order_id: str | None = None, priority: str = "normal"
) -> dict[str, Any]:
    if order_id is not None:
        _order(ctx, order_id)
    ticket_id = ctx.next_id("TCK")
    position = ctx.rng.randint(*_QUEUE[priority])
    ctx.state["tickets"].append({
        "ticket_id": ticket_id,
        "reason": reason,
        "order_id": order_id,
        "priority": priority,
        "status": "open",
        "created_date": ctx.today.isoformat(),
    })
    return {
        "ticket_id": ticket_id,
        "queue_position": position,
        "estimated_wait_minutes": position * ctx.rng.randint(3, 5),
        "priority": priority,
    }
