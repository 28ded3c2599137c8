"""Realistic strings and number ranges chosen by a field's name or JSON Schema `format`.

The schema sim knows only a property's name and schema; this module turns that into content a
real API would return: `email` → an address, `order_id` → `ORD-48291`, `created_at` → an RFC 3339
timestamp, `total` → a price between 5 and 500. It builds on the seeded kinds in `simulator.values.fakes`,
so a value looks the same here as in scenario slots and seeded state. Every function returns None
when the name or format says nothing useful, leaving the caller to its generic fallback.
"""

from __future__ import annotations

import random
import re
import string
from datetime import date, timedelta
from collections.abc import Callable

from simulator.values.fakes import (
    CARRIERS,
    COUNTRIES,
    LAST_NAMES,
    ascii_slug,
    digits,
    fake_city,
    fake_date,
    fake_datetime,
    fake_email,
    fake_first_name,
    fake_item,
    fake_name,
    fake_phone,
    fake_postal_code,
    fake_sentence,
    fake_sku,
    fake_street,
    fake_tracking_number,
    fake_uuid,
    fake_word,
)

_COMPANY_SUFFIXES = ("Group", "Labs", "& Sons", "Trading Co.", "Partners", "Supply")
_STATUSES = ("confirmed", "pending", "completed", "active")
_COLORS = ("black", "white", "navy", "red", "forest green", "silver", "beige")
_CODE_CHARS = string.ascii_uppercase + string.digits  # coupon and confirmation codes


def snake_case(name: str) -> str:
    """`orderId` → `order_id`, `Created-At` → `created_at`: one spelling for the heuristics."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()


def prefixed_id(word: str, rng: random.Random, n_digits: int = 5) -> str:
    """`order` → `ORD-48291`: the first three letters of `word` (`ID` when it has none) and
    `n_digits` digits, the shape most ticketing and shop systems give their ids."""
    prefix = "".join(c for c in word.upper() if c.isalpha())[:3] or "ID"
    return f"{prefix}-{digits(rng, n_digits)}"


def id_like(key: str, rng: random.Random) -> str:
    """An id shaped after its field: `order_id` → `ORD-48291`, `ticket_id` → `TIC-20417`."""
    stem = key[:-3] if key.endswith("_id") else key.removesuffix("id")
    word = [w for w in stem.split("_") if w] or ["id"]
    return prefixed_id(word[-1], rng)


def fake_url(rng: random.Random) -> str:
    return f"https://www.example.com/{fake_word(rng)}/{digits(rng, 4)}"


def fake_ipv4(rng: random.Random) -> str:
    return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _clock(rng: random.Random) -> str:
    """A daytime `HH:MM` on a quarter hour, when appointments and deliveries happen."""
    return f"{rng.randint(7, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}"


def _hostname(rng: random.Random) -> str:
    return f"{fake_word(rng)}.example.com"


# One maker per JSON Schema `format`; the idn-/iri-/reference variants share their plain form's.
_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "email": fake_email,
    "date": fake_date,
    "date-time": fake_datetime,
    "time": lambda rng: f"{_clock(rng)}:00Z",
    "uri": fake_url,
    "uuid": fake_uuid,
    "ipv4": fake_ipv4,
    "ipv6": lambda rng: ":".join(f"{rng.getrandbits(16):x}" for _ in range(8)),
    "hostname": _hostname,
    "duration": lambda rng: rng.choice(("PT15M", "PT1H", "P3D", "P1W", "PT30S")),
    "regex": lambda rng: "^[a-z]+$",
    "json-pointer": lambda rng: f"/{fake_word(rng)}/0",
}
_FORMAT_ALIASES = {
    "idn-email": "email", "url": "uri", "iri": "uri", "uri-reference": "uri", "iri-reference": "uri",
    "idn-hostname": "hostname",
}


def string_for_format(fmt: str, rng: random.Random) -> str | None:
    """A value of a JSON Schema `format`, or None for formats we do not know."""
    maker = _FORMATS.get(_FORMAT_ALIASES.get(fmt, fmt))
    return maker(rng) if maker else None


def string_for_name(name: str | None, rng: random.Random, tool: str = "") -> str | None:
    """A realistic string for a field called `name` (`email`, `city`, `order_id`, `created_at`,
    `description`...), or None when the name says nothing useful."""
    if not name:
        return None
    key = snake_case(name)
    words = set(key.split("_"))
    if "email" in key:
        return fake_email(rng)
    if key in ("uuid", "guid", "id"):
        return fake_uuid(rng)
    if key.endswith("_id"):
        return id_like(key, rng)
    if words & {"sku"}:
        return fake_sku(rng)
    if "tracking" in words:
        return fake_tracking_number(rng, rng.choice(CARRIERS))
    if "carrier" in words:
        return rng.choice(CARRIERS)
    if key in ("first_name", "given_name", "firstname"):
        return fake_first_name(rng)
    if key in ("last_name", "surname", "family_name", "lastname"):
        return rng.choice(LAST_NAMES)
    if "name" in words or key in ("customer", "user", "owner", "author", "contact", "assignee"):
        if words & {"product", "item"}:
            return fake_item(rng)
        if words & {"company", "business", "store", "shop", "hotel", "restaurant", "merchant", "vendor"}:
            return f"{rng.choice(LAST_NAMES)} {rng.choice(_COMPANY_SUFFIXES)}"
        if words & {"file"}:
            return f"{fake_word(rng)}_{digits(rng, 3)}.pdf"
        if words & {"user"} and key != "user_name" or key == "username":
            return f"{ascii_slug(fake_first_name(rng))}{rng.randint(1, 99)}"
        return fake_name(rng)
    if words & {"phone", "mobile", "telephone", "tel"}:
        return fake_phone(rng)
    if words & {"street"} or key in ("address_line", "address_line1", "address_line_1", "line1"):
        return fake_street(rng)
    if "address" in words and not words & {"ip"}:
        return f"{fake_street(rng)}, {fake_city(rng)} {fake_postal_code(rng)}"
    if words & {"ip"}:
        return fake_ipv4(rng)
    if words & {"city", "town"}:
        return fake_city(rng)
    if "country" in words:
        return rng.choice(("US", "CA", "GB", "DE")) if "code" in words else rng.choice(COUNTRIES)
    if words & {"postal", "zip", "zipcode", "postcode"}:
        return fake_postal_code(rng)
    if key.endswith("_at") or words & {"timestamp", "datetime"}:
        return fake_datetime(rng)
    if words & {"isbn"}:
        return f"978{digits(rng, 10)}"
    if words & {"date", "day", "deadline", "birthday", "dob", "due", "expiry"} or key.endswith("_on"):
        return fake_date(rng)
    if words & {"time"}:
        return _clock(rng)
    if words & {"url", "uri", "link", "href", "website", "homepage", "image", "avatar"}:
        return fake_url(rng)
    if words & {"status", "state"}:
        return rng.choice(_STATUSES)
    if words & {"currency"}:
        return rng.choice(("USD", "USD", "EUR", "GBP"))
    if words & {"language", "lang", "locale"}:
        return rng.choice(("en", "en", "de", "fr", "es"))
    if words & {"timezone", "tz"}:
        return rng.choice(("America/New_York", "Europe/Berlin", "Asia/Tokyo"))
    if words & {"color", "colour"}:
        return rng.choice(_COLORS)
    if words & {"description", "summary", "message", "note", "notes", "comment", "text", "body",
                "content", "details", "reason", "explanation", "answer", "feedback", "review"}:
        return fake_sentence(rng)
    if words & {"title", "subject", "headline", "label"}:
        return f"{fake_word(rng).title()} {fake_word(rng)}"
    if words & {"item", "product"}:
        return fake_item(rng)
    if words & {"code", "coupon", "promo", "voucher", "reference", "confirmation"}:
        return "".join(rng.choice(_CODE_CHARS) for _ in range(8))
    if words & {"token", "key", "secret", "hash", "signature"}:
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    if words & {"type", "kind", "category", "tag", "slug"}:
        return fake_word(rng)
    return None


# (low, high, kind): kind "money" | "float" draw two-decimal numbers, "count" | "int" integers.
_NUMBER_HINTS: tuple[tuple[tuple[str, ...], tuple[float, float, str]], ...] = (
    (("count", "quantity", "qty", "units", "stock", "guests", "seats", "adults", "children"), (1, 5, "count")),
    (("position", "rank", "queue", "page", "floor"), (1, 20, "int")),
    (("price", "amount", "total", "cost", "balance", "subtotal", "fee", "refund", "tax", "revenue",
      "salary", "payment", "charge", "budget", "fare"), (5, 500, "money")),
    (("minutes", "mins", "wait", "duration"), (2, 45, "int")),
    (("hours",), (1, 24, "int")),
    (("days", "nights"), (1, 14, "int")),
    (("seconds", "secs", "timeout"), (1, 300, "int")),
    (("age",), (18, 80, "int")),
    (("year",), (2018, 2026, "int")),
    (("month",), (1, 12, "int")),
    (("rating", "stars", "score"), (1, 5, "int")),
    (("percent", "percentage", "pct", "discount"), (0, 100, "float")),
    (("ratio", "probability", "confidence"), (0, 1, "float")),
    (("lat", "latitude"), (-90, 90, "float")),
    (("lon", "lng", "longitude"), (-180, 180, "float")),
    (("temperature", "temp"), (-10, 35, "float")),
    (("weight", "kg"), (0.2, 30, "float")),
    (("height", "width", "length", "size", "distance", "km", "miles"), (1, 500, "float")),
    (("limit", "offset", "per_page"), (1, 50, "int")),
    (("id",), (1000, 99999, "int")),
)


def number_range_for(name: str | None) -> tuple[float, float, str] | None:
    """A realistic (low, high, kind) for a numeric field called `name`, or None."""
    if not name:
        return None
    words = set(snake_case(name).split("_"))
    for names, hint in _NUMBER_HINTS:
        if words & set(names):
            return hint
    return None


_NOW_WORDS = {"as", "of", "observed", "updated", "checked", "current", "now", "retrieved", "fetched", "timestamp"}
_PAST_WORDS = {"published", "created", "posted", "modified", "last", "seen", "released", "joined", "ordered"}
_FUTURE_WORDS = {"next", "due", "expires", "expiry", "available", "departure", "arrival", "scheduled", "start",
                 "end", "deadline", "delivery", "estimated", "checkin", "checkout", "until", "valid"}


def is_date_name(name: str | None) -> bool:
    key = snake_case(name or "")
    return key.endswith("_at") or key == "date" or key.endswith(("_date", "_on")) or key in ("as_of", "timestamp")


def is_timestamp_name(name: str | None) -> bool:
    key = snake_case(name or "")
    return key.endswith("_at") or key in ("as_of", "timestamp") or "datetime" in key


def date_near(name: str | None, today: date, rng: random.Random, *, with_time: bool) -> str:
    """A date (or RFC 3339 time) consistent with the episode's today: "as of" and "observed" are
    today, "published" and "last seen" a little before, "next available" and "departure" after,
    anything else within two months around it."""
    words = set(snake_case(name or "").split("_"))
    if words & _NOW_WORDS:
        day = today
    elif words & _PAST_WORDS:
        day = today - timedelta(days=rng.randint(0, 10))
    elif words & _FUTURE_WORDS:
        day = today + timedelta(days=rng.randint(1, 21))
    else:
        day = today + timedelta(days=rng.randint(-45, 20))
    if not with_time:
        return day.isoformat()
    return f"{day.isoformat()}T{rng.randint(6, 21):02d}:{rng.randrange(0, 60, 5):02d}:00Z"
