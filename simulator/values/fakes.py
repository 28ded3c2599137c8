"""Seeded fake values: order ids, names, e-mails, addresses, dates, products, sentences.

Scenario slots (`fake: email`), the customer-support state seeder and the generic schema sim all
draw from here, so a value looks the same wherever it appears. No faker dependency: small
built-in word lists are enough for realistic data, keep generation fast (the offline benchmark
runs thousands of episodes a second) and make every value a pure function of the rng state.

This module holds the word lists, the fast rng helpers (`pick`, `between`, `shuffled`, `digits`)
and one maker per `FakeKind`. Built on it: `simulator.values.fake_patterns` (strings matching a regex)
and `simulator.values.field_values` (strings and number ranges chosen by a field's name or format).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from math import floor
from typing import Any, TypeVar

__all__ = [
    "BASE_DATE",
    "CARRIERS",
    "CITIES",
    "COUNTRIES",
    "EMAIL_DOMAINS",
    "FAKERS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "PRODUCTS",
    "SENTENCES",
    "STREET_NAMES",
    "STREET_SUFFIXES",
    "WORDS",
    "ascii_slug",
    "between",
    "digits",
    "email_for",
    "email_local_parts",
    "fake",
    "fake_amount",
    "fake_city",
    "fake_date",
    "fake_datetime",
    "fake_day",
    "fake_email",
    "fake_first_name",
    "fake_integer",
    "fake_item",
    "fake_name",
    "fake_order_id",
    "fake_phone",
    "fake_postal_code",
    "fake_product",
    "fake_sentence",
    "fake_sku",
    "fake_street",
    "fake_tracking_number",
    "fake_uuid",
    "fake_word",
    "pick",
    "shuffled",
]

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Oliver", "Amelia", "James", "Harper", "Benjamin", "Evelyn", "Elijah", "Abigail",
    "Daniel", "Priya", "Arjun", "Mei", "Wei", "Sofia", "Mateo", "Fatima", "Omar", "Hannah", "Leo",
    "Chloe", "Samuel", "Grace", "David", "Zoe", "Aaron", "Nora", "Gabriel", "Lily", "Julian",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen",
    "Nguyen", "Patel", "Chen", "Kim", "Singh", "Müller", "Rossi", "Novak", "Okafor", "Silva",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "example.com")
STREET_NAMES = (
    "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
    "Sunset", "River", "Chestnut", "Willow", "Highland", "Franklin", "Lincoln", "Spring", "Church",
    "Meadow",
)
STREET_SUFFIXES = ("Street", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Court", "Way", "Place")
CITIES = (
    "Springfield", "Portland", "Austin", "Denver", "Seattle", "Boston", "Chicago", "Madison",
    "Raleigh", "Phoenix", "San Diego", "Nashville", "Columbus", "Sacramento", "Pittsburgh",
    "Minneapolis", "Tampa", "Richmond", "Salt Lake City", "Albany",
)
COUNTRIES = ("United States", "Canada", "United Kingdom", "Germany", "France", "Australia", "Japan")
# (product name, typical price) — prices keep order totals plausible.
PRODUCTS: tuple[tuple[str, float], ...] = (
    ("Wireless Earbuds", 79.99), ("Bluetooth Speaker", 49.99), ("USB-C Charging Cable", 12.99),
    ("Mechanical Keyboard", 129.99), ("Ergonomic Mouse", 39.99), ('27" 4K Monitor', 329.00),
    ("Laptop Stand", 34.50), ("Noise-Cancelling Headphones", 249.00), ("Smart Watch", 199.99),
    ("Fitness Tracker", 89.95), ("Espresso Machine", 279.00), ("Ceramic Mug Set", 24.99),
    ("Cast Iron Skillet", 39.95), ("Chef's Knife", 64.00), ("Yoga Mat", 29.99),
    ("Running Shoes", 119.00), ("Rain Jacket", 89.00), ("Cotton T-Shirt", 19.99),
    ("Leather Wallet", 45.00), ("Backpack", 69.99), ("Desk Lamp", 27.49),
    ("Air Purifier", 149.99), ("Electric Toothbrush", 59.99), ("Phone Case", 17.99),
    ("Portable Charger", 35.99), ("Water Bottle", 22.00), ("Board Game", 39.99),
    ("Hardcover Notebook", 14.50), ("Throw Blanket", 44.99), ("Scented Candle", 18.00),
)
WORDS = (
    "account", "package", "delivery", "update", "service", "request", "window", "river", "garden",
    "signal", "market", "travel", "basket", "silver", "harbor", "meadow", "rocket", "summit",
    "canvas", "lantern", "orbit", "pepper", "velvet", "anchor", "bridge", "cobalt", "falcon",
    "glacier", "island", "jasmine", "kettle", "ledger", "marble", "nectar", "pixel", "quartz",
)
SENTENCES = (
    "The package arrived two days later than expected.",
    "Your request has been received and is being processed.",
    "The item matches the description and works as intended.",
    "Customers can track every shipment from the order page.",
    "Our team reviews each case within one business day.",
    "The replacement will ship from the nearest warehouse.",
    "Please keep the original packaging until the return is complete.",
    "The forecast calls for light rain in the afternoon.",
    "This product is available in three colours and two sizes.",
    "The meeting was moved to Thursday at ten in the morning.",
    "Support is available around the clock by chat and e-mail.",
    "The invoice includes taxes and shipping fees.",
)
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")

T = TypeVar("T")

# The reference year: scenario dates and episode "todays" fall in it, so data never looks stale.
BASE_DATE = date(2026, 1, 1)


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """`rng.choice`, about twice as fast: one `random()` instead of a `getrandbits` loop. Its
    bias (about n / 2⁵³) is irrelevant for fake data, and seeding one episode's state makes
    hundreds of these draws. (`floor` rather than `int` here and below, where the product is never
    negative: the same integer, and `math.floor` is a C function called directly, while calling
    the type `int` builds an argument tuple, ~30 ns more a draw.)"""
    return options[floor(rng.random() * len(options))]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)` the fast way (see `pick`)."""
    return low + int(rng.random() * (high - low + 1))


def shuffled(rng: random.Random, items: Sequence[T]) -> list[T]:
    """A shuffled copy (Fisher-Yates with `between`)."""
    out = list(items)
    draw = rng.random
    for i in range(len(out) - 1, 0, -1):
        j = floor(draw() * (i + 1))  # between(rng, 0, i), inlined
        out[i], out[j] = out[j], out[i]
    return out


def digits(rng: random.Random, n: int) -> str:
    """`n` random digits; the first is never 0 so ids look like ids, not padded numbers.

    This is `rng.randrange(10 ** (n - 1), 10 ** n)` without its argument checks: randrange with
    step 1 returns `start + rng._randbelow(width)`, so the draws (and the value) are the same."""
    low = 10 ** (n - 1)
    return str(low + rng._randbelow(9 * low))


def fake_order_id(rng: random.Random) -> str:
    return f"ORD-{digits(rng, 5)}"


def fake_first_name(rng: random.Random) -> str:
    return pick(rng, FIRST_NAMES)


def fake_name(rng: random.Random) -> str:
    draw = rng.random  # pick(rng, FIRST_NAMES) then pick(rng, LAST_NAMES), inlined
    return f"{FIRST_NAMES[floor(draw() * len(FIRST_NAMES))]} {LAST_NAMES[floor(draw() * len(LAST_NAMES))]}"


def email_for(name: str, rng: random.Random) -> str:
    """An address that belongs to `name` (jane.doe@…, jdoe42@…), as real customers' do."""
    draw = rng.random
    local = email_local_parts(name)[floor(draw() * 4)]  # pick(rng, the four shapes), inlined
    if draw() < 0.4:
        local += str(1 + floor(draw() * 99))  # between(rng, 1, 99)
    return f"{local}@{EMAIL_DOMAINS[floor(draw() * len(EMAIL_DOMAINS))]}"


_LOCAL_PARTS: dict[str, tuple[str, str, str, str]] = {}


def email_local_parts(name: str) -> tuple[str, str, str, str]:
    """The four local-part shapes of `name`'s address. Kept per name: seeding draws a few names
    per episode from a small list, and slugging them again each time was most of `email_for`."""
    shapes = _LOCAL_PARTS.get(name)
    if shapes is None:
        parts = [ascii_slug(p) for p in name.split()] or ["user"]
        first, last = parts[0], parts[-1]
        shapes = (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}")
        if len(_LOCAL_PARTS) < 100_000:  # names from scenario slots are unbounded in principle
            _LOCAL_PARTS[name] = shapes
    return shapes


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "à": "a", "ç": "c"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (Müller → muller): safe for e-mails and ids."""
    if text.isascii() and text.isalnum():  # the common case, kept cheap: seeding calls this a lot
        return text.lower()
    cleaned = "".join(c for c in text.lower().translate(_FOLD) if c.isascii() and c.isalnum())
    return cleaned or "user"


def fake_email(rng: random.Random) -> str:
    return email_for(fake_name(rng), rng)


def fake_phone(rng: random.Random) -> str:
    """North-American format with the 555-01xx block reserved for fiction."""
    draw = rng.random  # between(rng, 201, 989) and between(rng, 0, 99), inlined, the texts made once
    return _PHONE_HEADS[floor(draw() * 789)] + _TWO_DIGITS[floor(draw() * 100)]


_PHONE_HEADS = tuple(f"+1-{area}-555-01" for area in range(201, 990))
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def fake_street(rng: random.Random) -> str:
    draw = rng.random  # between(rng, 1, 9899), pick(rng, STREET_NAMES), pick(rng, STREET_SUFFIXES)
    return (f"{1 + floor(draw() * 9899)} {STREET_NAMES[floor(draw() * len(STREET_NAMES))]} "
            f"{STREET_SUFFIXES[floor(draw() * len(STREET_SUFFIXES))]}")


def fake_city(rng: random.Random) -> str:
    return pick(rng, CITIES)


def fake_postal_code(rng: random.Random) -> str:
    return str(10000 + floor(rng.random() * 90000))  # between(rng, 10000, 99999)


def fake_day(rng: random.Random, start: date = BASE_DATE, end: date | None = None) -> date:
    """A day in [start, end]; the default range is the reference year."""
    end = end or start + timedelta(days=364)
    return start + timedelta(days=between(rng, 0, max(0, (end - start).days)))


def fake_date(rng: random.Random) -> str:
    return fake_day(rng).isoformat()


def fake_datetime(rng: random.Random) -> str:
    """An RFC 3339 timestamp in UTC (`2026-03-14T09:26:53Z`)."""
    moment = datetime.combine(fake_day(rng), time(between(rng, 7, 21), between(rng, 0, 59), between(rng, 0, 59)))
    return moment.isoformat() + "Z"


def fake_amount(rng: random.Random, low: float = 5.0, high: float = 500.0) -> float:
    """A price-like amount with two decimals, biased to shop endings (.99, .95, .00) half the time."""
    whole = between(rng, int(low), max(int(low), int(high) - 1))
    cents = pick(rng, (99, 95, 0, 49)) if rng.random() < 0.5 else between(rng, 0, 99)
    value = round(whole + cents / 100, 2)
    return min(max(value, round(low, 2)), round(high, 2))


def fake_integer(rng: random.Random) -> int:
    return between(rng, 1, 100)


def fake_product(rng: random.Random) -> tuple[str, float]:
    """A product name with its usual price (the seeder keeps totals consistent with items)."""
    return pick(rng, PRODUCTS)


def fake_item(rng: random.Random) -> str:
    return fake_product(rng)[0]


def fake_word(rng: random.Random) -> str:
    return pick(rng, WORDS)


def fake_sentence(rng: random.Random) -> str:
    return pick(rng, SENTENCES)


def fake_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (uuid.uuid4 would use the OS and break determinism)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def fake_sku(rng: random.Random) -> str:
    return f"SKU-{digits(rng, 5)}"


_UPS = "ABCDEFGHJKLMNPRSTUVWXY0123456789"  # 32 characters
# `random()` is `((w0 >> 5) * 2**26 + (w1 >> 6)) / 2**53` of the generator's next two 32-bit words,
# so `floor(random() * 32)` (an exact product) is `w0 >> 27`, the top five bits of w0's top byte.
# `getrandbits(1024)` returns the next 32 words at once, little-endian: byte 8j + 3 is the top
# byte of draw j's w0. One C call instead of sixteen Python draws, the same characters.
_UPS_BY_TOP_BYTE = bytes(ord(_UPS[b >> 3]) for b in range(256))


def fake_tracking_number(rng: random.Random, carrier: str) -> str:
    """Tracking numbers shaped like each carrier's real ones."""
    if carrier == "UPS":  # `rng.choices(_UPS, k=16)`: `_UPS[floor(random() * 32)]` 16 times, read in bulk
        return "1Z" + rng.getrandbits(1024).to_bytes(128, "little")[3::8].translate(_UPS_BY_TOP_BYTE).decode("ascii")
    if carrier == "FedEx":
        return digits(rng, 12)
    if carrier == "USPS":
        return f"9400{rng._randbelow(10 ** 18):018d}"  # = rng.randrange(10 ** 18), fewer checks
    return digits(rng, 10)


FAKERS: dict[str, Callable[[random.Random], Any]] = {
    "order_id": fake_order_id,
    "email": fake_email,
    "name": fake_name,
    "first_name": fake_first_name,
    "phone": fake_phone,
    "street": fake_street,
    "city": fake_city,
    "postal_code": fake_postal_code,
    "date": fake_date,
    "amount": fake_amount,
    "integer": fake_integer,
    "item": fake_item,
    "word": fake_word,
    "sentence": fake_sentence,
    "uuid": fake_uuid,
}


def fake(kind: str, rng: random.Random) -> Any:
    """A value of one `FakeKind` (see `simulator.spec`); the same rng state gives the same value."""
    try:
        maker = FAKERS[kind]
    except KeyError:
        raise ValueError(f"unknown fake kind {kind!r}; known: {', '.join(sorted(FAKERS))}") from None
    return maker(rng)
