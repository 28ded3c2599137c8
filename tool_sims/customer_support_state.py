"""The customer-support domain's seeded shop (`tool_sims/customer_support.py` registers
`seed_state` as its sims' state): 6 customers and 12 orders, 3 processing, 4 shipped (one of them
overdue), 4 delivered, 1 cancelled, dated relative to the episode's `today`. It is a module of its
own because seeding is most of what setting up an episode costs and is written for speed (the
draws inlined, texts and totals from tables), which the tools' module need not carry.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from math import floor
from typing import Any

from simulator import State
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
    fake_tracking_number,
)

STATUSES = ("processing", "shipped", "delivered", "cancelled")
STATUS_PLAN = ("processing",) * 3 + ("shipped",) * 4 + ("delivered",) * 4 + ("cancelled",)
N_CUSTOMERS = 6

# A stable SKU per catalogue product, so the same product has the same SKU in every order.
SKUS = tuple(f"SKU-{31000 + 7 * i:05d}" for i in range(len(PRODUCTS)))


def _named(first: str, last: str) -> tuple[str, tuple[str, str, str, str]]:
    name = f"{first} {last}"
    return name, email_local_parts(name)


# Every (first name, last name) draw's full name and its four e-mail local parts, made once:
# `fake_name` then `email_for` (the same draws), without building the name's text per customer.
_NAMED = tuple(tuple(_named(first, last) for last in LAST_NAMES) for first in FIRST_NAMES)
# The table sizes the draws multiply, as floats: `random() * 30.0` is the same product as
# `random() * 30`, but float times float is the interpreter's inlined case, float times int a
# generic dispatch (~15 ns a draw).
_N_FIRST, _N_LAST, _N_DOMAINS = float(len(FIRST_NAMES)), float(len(LAST_NAMES)), float(len(EMAIL_DOMAINS))
_CUSTOMER_IDS = tuple(f"CUS-{1001 + n}" for n in range(N_CUSTOMERS))


def _customers(rng: random.Random) -> list[dict[str, Any]]:
    """Six customers with distinct names and addresses. `fake_name`, `email_for` and `fake_phone`
    are inlined (the same draws in the same order): seeding makes dozens of these draws per episode."""
    customers: list[dict[str, Any]] = []
    used: set[str] = set()
    draw = rng.random
    while len(customers) < N_CUSTOMERS:
        name, shapes = _NAMED[floor(draw() * _N_FIRST)][floor(draw() * _N_LAST)]
        local = shapes[floor(draw() * 4.0)]
        if draw() < 0.4:
            local += str(1 + floor(draw() * 99.0))
        email = f"{local}@{EMAIL_DOMAINS[floor(draw() * _N_DOMAINS)]}"
        if name in used or email in used:
            continue
        used.add(name)
        used.add(email)
        customers.append({"customer_id": _CUSTOMER_IDS[len(customers)], "name": name, "email": email,
                          "phone": _PHONE_HEADS[floor(draw() * 789.0)] + _TWO_DIGITS[floor(draw() * 100.0)]})
    return customers


def _homes(draw: Callable[[], float]) -> list[dict[str, Any]]:
    """One address per customer: `fake_street`, `fake_city`, `fake_postal_code` inlined."""
    return [
        {"street": f"{1 + floor(draw() * 9899.0)} {STREET_NAMES[floor(draw() * _N_STREETS)]} "
                   f"{STREET_SUFFIXES[floor(draw() * _N_SUFFIXES)]}",
         "city": CITIES[floor(draw() * _N_CITIES)],
         "postal_code": str(10000 + floor(draw() * 90000.0)),
         "country": "US"}
        for _ in range(N_CUSTOMERS)
    ]


_N_STREETS, _N_SUFFIXES, _N_CITIES = float(len(STREET_NAMES)), float(len(STREET_SUFFIXES)), float(len(CITIES))
_ITEM_COUNTS = (1, 1, 2, 2, 3)
# Fisher-Yates over the twelve orders: (i, i + 1.0) for i from 11 down to 1, as `shuffled` draws.
_SHUFFLE_STEPS = tuple((i, float(i + 1)) for i in range(len(STATUS_PLAN) - 1, 0, -1))
_QUANTITIES = (1, 1, 1, 2)
_N_PRODUCTS, _N_CUSTOMERS = float(len(PRODUCTS)), float(N_CUSTOMERS)
# Each product's item row for each of the four quantity draws, copied per order (a flat dict's
# copy is cheaper than building it key by key, and every order has one to three items), and
# the row's price times quantity (the float the order total sums).
_ITEM_ROWS = tuple(
    tuple({"sku": SKUS[i], "name": name, "quantity": q, "price": price} for q in _QUANTITIES)
    for i, (name, price, *_rest) in enumerate(PRODUCTS)
)
_LINE_TOTALS = tuple(tuple(row["price"] * row["quantity"] for row in rows) for rows in _ITEM_ROWS)
# An order's total is `round(sum(line totals), 2)`: 0.3 us for one item and ~1 us for more (the
# rounding's decimal conversion). A one-item order's is read from a table; a two- or three-item
# order's is summed in whole cents and divided by 100 (a correctly rounded division), which is
# the very same float for every one of the catalogue's 13,920 two-item and 1.56 million
# three-item orders (tests/tool_sims/test_customer_support_seeding.py checks them all).
_SINGLE_TOTALS = tuple(tuple(round(sum((total,)), 2) for total in totals) for totals in _LINE_TOTALS)
_LINE_CENTS = tuple(tuple(round(row["price"] * 100) * row["quantity"] for row in rows) for rows in _ITEM_ROWS)
# `fake_phone`'s texts, for the phone drawn inline with each customer.
_PHONE_HEADS = tuple(f"+1-{area}-555-01" for area in range(201, 990))
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


class _IsoDays(dict[int, str]):
    """`date.fromordinal(n).isoformat()` by ordinal, made once per day: every order has two or
    three dates, and formatting them was a third of seeding."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


_ISO_DAYS = _IsoDays()
# The tracking numbers' `_randbelow` spans and their bit lengths (see `seed_state`).
_FEDEX_LOW, _DHL_LOW = 10 ** 11, 10 ** 9
_FEDEX_SPAN, _USPS_SPAN, _DHL_SPAN = 9 * _FEDEX_LOW, 10 ** 18, 9 * _DHL_LOW
_FEDEX_BITS, _USPS_BITS, _DHL_BITS = _FEDEX_SPAN.bit_length(), _USPS_SPAN.bit_length(), _DHL_SPAN.bit_length()


def seed_state(rng: random.Random, today: date) -> State:
    """The shop of one episode. The helpers `between`, `pick`, `digits`, the item and timeline
    draws are inlined in the one loop over the twelve orders (the same draws in the same order:
    `between(rng, a, b)` is `a + int(draw() * (b - a + 1))`, `digits(rng, 5)` is
    `10000 + rng._randbelow(90000)`): seeding is most of what setting up an episode costs.

    Every index is drawn as `floor(draw() * n)` rather than `int(draw() * n)`: for these
    non-negative products the two are the same integer, and `math.floor` is a C function called
    directly while `int` is a type, whose call builds an argument tuple (~30 ns more a draw, and
    seeding makes ~200 draws an episode)."""
    draw = rng.random
    randbelow = rng._randbelow
    getrandbits = rng.getrandbits
    customers = _customers(rng)
    homes = _homes(draw)
    # Everyone has an order; the other six go to random customers, so some own several.
    extra = [floor(draw() * _N_CUSTOMERS) for _ in range(len(STATUS_PLAN) - N_CUSTOMERS)]
    # `shuffled(rng, ...)` twice, inlined: the same Fisher-Yates draws, by float sizes (see above).
    owners = list(range(N_CUSTOMERS)) + extra
    for i, size in _SHUFFLE_STEPS:
        j = floor(draw() * size)
        owners[i], owners[j] = owners[j], owners[i]
    statuses = list(STATUS_PLAN)
    for i, size in _SHUFFLE_STEPS:
        j = floor(draw() * size)
        statuses[i], statuses[j] = statuses[j], statuses[i]
    overdue_index = statuses.index("shipped")
    today_n = today.toordinal()
    iso = _ISO_DAYS
    rows, single_totals, line_cents = _ITEM_ROWS, _SINGLE_TOTALS, _LINE_CENTS
    # Each customer's three fields an order repeats, read once rather than once per order.
    owner_fields = [(c["customer_id"], c["name"], c["email"]) for c in customers]
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
        owner = owners[index]
        customer_id, customer_name, email = owner_fields[owner]
        # One to three distinct catalogue products, then a quantity for each (spelled out per
        # count: a comprehension is a function call of its own on Python 3.11).
        count = _ITEM_COUNTS[floor(draw() * 5.0)]
        first = floor(draw() * _N_PRODUCTS)
        if count == 1:
            q = floor(draw() * 4.0)
            items = [rows[first][q].copy()]
            total = single_totals[first][q]
        else:
            second = floor(draw() * _N_PRODUCTS)
            while second == first:
                second = floor(draw() * _N_PRODUCTS)
            if count == 2:
                q, q2 = floor(draw() * 4.0), floor(draw() * 4.0)
                items = [rows[first][q].copy(), rows[second][q2].copy()]
                total = (line_cents[first][q] + line_cents[second][q2]) / 100
            else:
                third = floor(draw() * _N_PRODUCTS)
                while third == first or third == second:
                    third = floor(draw() * _N_PRODUCTS)
                q, q2, q3 = floor(draw() * 4.0), floor(draw() * 4.0), floor(draw() * 4.0)
                items = [rows[first][q].copy(), rows[second][q2].copy(), rows[third][q3].copy()]
                total = (line_cents[first][q] + line_cents[second][q2] + line_cents[third][q3]) / 100
        # Dates and shipping fields consistent with the status and with today; a shipped or
        # delivered order's carrier is drawn before its dates, its tracking number after them.
        status = statuses[index]
        delivered = carrier = tracking = None
        if status == "processing":
            ordered = iso[today_n - floor(draw() * 3.0)]  # between 0 and 2 days ago
            estimated = iso[today_n + 4 + floor(draw() * 5.0)]  # in 4 to 8 days
        elif status == "cancelled":
            ordered = iso[today_n - 3 - floor(draw() * 28.0)]  # 3 to 30 days ago
            estimated = None
        else:
            carrier = CARRIERS[floor(draw() * 4.0)]
            if status == "delivered":
                days_ago = 8 + floor(draw() * 38.0)  # ordered 8 to 45 days ago, delivered 2 to 6 days later
                ordered = iso[today_n - days_ago]
                delivered = estimated = iso[today_n - days_ago + 2 + floor(draw() * 5.0)]
            elif index == overdue_index:
                ordered = iso[today_n - 10 - floor(draw() * 7.0)]  # 10 to 16 days ago
                estimated = iso[today_n - 2 - floor(draw() * 3.0)]  # 2 to 4 days ago
            else:
                ordered = iso[today_n - 2 - floor(draw() * 5.0)]  # 2 to 6 days ago
                estimated = iso[today_n + 1 + floor(draw() * 4.0)]  # in 1 to 4 days
            # `fake_tracking_number` inlined but for UPS: `digits(rng, n)` is `10 ** (n - 1) +
            # rng._randbelow(9 * 10 ** (n - 1))`, and `_randbelow(m)` draws `m.bit_length()` bits
            # until they are below m (two Python calls and a power less per shipped order).
            if carrier == "FedEx":  # digits(rng, 12)
                number = getrandbits(_FEDEX_BITS)
                while number >= _FEDEX_SPAN:
                    number = getrandbits(_FEDEX_BITS)
                tracking = str(_FEDEX_LOW + number)
            elif carrier == "USPS":  # f"9400{rng._randbelow(10 ** 18):018d}"
                number = getrandbits(_USPS_BITS)
                while number >= _USPS_SPAN:
                    number = getrandbits(_USPS_BITS)
                tracking = f"9400{number:018d}"
            elif carrier == "DHL":  # digits(rng, 10)
                number = getrandbits(_DHL_BITS)
                while number >= _DHL_SPAN:
                    number = getrandbits(_DHL_BITS)
                tracking = str(_DHL_LOW + number)
            else:
                tracking = fake_tracking_number(rng, carrier)
        orders.append({
            "order_id": order_id,
            "customer_id": customer_id,
            "customer_name": customer_name,
            "email": email,
            "items": items,
            "total": total,
            "currency": "USD",
            "status": status,
            "order_date": ordered,
            "delivered_date": delivered,
            "carrier": carrier,
            "tracking_number": tracking,
            "estimated_delivery": estimated,
            "shipping_address": homes[owner].copy(),
            "refunded_amount": 0.0,
        })
    return {"customers": customers, "orders": orders, "refunds": [], "tickets": []}
