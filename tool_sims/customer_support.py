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

from datetime import date
from typing import Any

from simulator import SimContext, ToolError, ToolSimModule
from tool_sims.customer_support_state import N_CUSTOMERS, SKUS, STATUS_PLAN, STATUSES, seed_state

sims = ToolSimModule("customer_support")
sims.state(seed_state)  # the seeded shop: tool_sims/customer_support_state.py

__all__ = ["N_CUSTOMERS", "SKUS", "STATUSES", "STATUS_PLAN", "seed_state", "sims"]

REFUND_REASONS = ("defective", "wrong_item", "not_received", "changed_mind", "other")
PRIORITIES = ("low", "normal", "high")

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
