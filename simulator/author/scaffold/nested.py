"""Slots for an argument that is an object or a list (an order's `customer`, its `items`): one
slot per required leaf, and the argument a template of the same shape.

    customer: {name: "{customer_name}", email: "{customer_email}", address: {city: "{customer_address_city}"}}
    items: [{isbn: "{items_isbn}", quantity: "{items_quantity}"}]

The user says each leaf (its slot), and the expected call rebuilds the object from them — so a
starter scenario exists for every tool an API description gives, nested request bodies
included. Only required members are filled (an object with none required gets its first), a list
gets one item; a shape deeper than `MAX_DEPTH` or wider than `MAX_LEAVES` is left for a human.
"""

from __future__ import annotations

from typing import Any

from simulator.author.scaffold.values import argument, is_date, sample, simple

MAX_DEPTH = 3
MAX_LEAVES = 8


def _leaf(schema: dict[str, Any], member: str, tool: str, seed: int) -> dict[str, Any] | None:
    """A slot of values for one leaf; `member` (its own name: `city`, not `customer_address_city`)
    is what makes the drawn values plausible."""
    if is_date(schema):
        return {"date": ["tomorrow", "in_3_days", "next_monday"]}
    values = sample(schema, member, tool, seed)
    if not values:
        return None
    return {"value": values[0]} if len(values) == 1 else {"choice": values}


def nested_template(schema: dict[str, Any], name: str, tool: str, seed: int,
                    slots: dict[str, dict[str, Any]], depth: int = 0, member: str | None = None) -> Any:
    """The argument's template, adding its leaves' slots to `slots`; None when it cannot be made."""
    if simple(schema):
        slot = _leaf(schema, member or name, tool, seed)
        if slot is None or len(slots) >= MAX_LEAVES:
            return None
        slots[name] = slot
        return argument(name, slot)
    if depth >= MAX_DEPTH:
        return None
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties:
        wanted = [p for p in schema.get("required", []) if p in properties] or list(properties)[:1]
        out = {}
        for member in wanted:
            sub = properties[member] if isinstance(properties[member], dict) else {}
            value = nested_template(sub, f"{name}_{member}", tool, seed, slots, depth + 1, member)
            if value is None:
                return None
            out[member] = value
        return out
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict) and int(schema.get("minItems", 1)) <= 1:
        value = nested_template(items, name, tool, seed, slots, depth + 1, member)
        return None if value is None else [value]
    return None
