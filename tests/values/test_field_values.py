import random
import re
import uuid
from datetime import date, datetime

import pytest

from simulator.values.field_values import (
    id_like,
    number_range_for,
    prefixed_id,
    snake_case,
    string_for_format,
    string_for_name,
)


@pytest.mark.parametrize("name,shape", [
    ("email", r"@"), ("contactEmail", r"@"), ("order_id", r"^ORD-\d{5}$"), ("ticketId", r"^TIC-\d{5}$"),
    ("customer_name", r"^[A-Z][a-z]+ [A-Z]"), ("first_name", r"^[A-Z][a-z]+$"), ("phone_number", r"^\+1-"),
    ("city", r"^[A-Z]"), ("postal_code", r"^\d{5}$"), ("status", r"^[a-z]+$"), ("url", r"^https://"),
    ("description", r"\.$"), ("currency", r"^[A-Z]{3}$"), ("sku", r"^SKU-\d{5}$"), ("id", r"^[0-9a-f-]{36}$"),
])
def test_strings_follow_the_field_name(name, shape):
    assert re.search(shape, string_for_name(name, random.Random(1)))


def test_date_like_names():
    rng = random.Random(0)
    assert datetime.fromisoformat(string_for_name("created_at", rng)).year == 2026
    assert date.fromisoformat(string_for_name("delivery_date", rng)).year == 2026
    assert string_for_name("zork", rng) is None and string_for_name(None, rng) is None


@pytest.mark.parametrize("fmt,check", [
    ("email", lambda v: "@" in v), ("date", date.fromisoformat), ("date-time", datetime.fromisoformat),
    ("uuid", uuid.UUID), ("uri", lambda v: v.startswith("https://")),
    ("ipv4", lambda v: all(0 <= int(p) <= 255 for p in v.split("."))),
    ("time", lambda v: re.match(r"^\d{2}:\d{2}:\d{2}Z$", v)),
])
def test_formats(fmt, check):
    assert check(string_for_format(fmt, random.Random(0)))
    assert string_for_format("color-name", random.Random(0)) is None


def test_number_hints_and_helpers():
    assert number_range_for("total_price")[2] == "money"
    assert number_range_for("queue_position")[2] == "int"
    assert number_range_for("quantity")[:2] == (1, 5)
    assert number_range_for("phone_number") is None and number_range_for("foo") is None
    assert snake_case("estimatedWaitMinutes") == "estimated_wait_minutes"
    assert id_like("refund_id", random.Random(0)).startswith("REF-")
    assert re.fullmatch(r"FLI-\d{6}", prefixed_id("flight_status", random.Random(0), 6))
    assert re.fullmatch(r"ID-\d{5}", prefixed_id("42", random.Random(0)))


@pytest.mark.parametrize("alias,plain", [
    ("idn-email", "email"), ("url", "uri"), ("iri", "uri"), ("uri-reference", "uri"), ("iri-reference", "uri"),
    ("idn-hostname", "hostname"),
])
def test_format_aliases_give_their_plain_formats_values(alias, plain):
    assert string_for_format(alias, random.Random(7)) == string_for_format(plain, random.Random(7))
