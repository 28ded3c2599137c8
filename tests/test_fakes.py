import random
import re
import uuid
from datetime import date, datetime
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.config import FakeKind
from simulator.fakes import (
    FAKERS,
    PatternTooComplex,
    ascii_slug,
    digits,
    email_for,
    fake,
    fake_day,
    fake_from_pattern,
    fake_tracking_number,
    id_like,
    number_range_for,
    snake_case,
    string_for_format,
    string_for_name,
)

SHAPES = {
    "order_id": r"^ORD-\d{5}$",
    "email": r"^[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+$",
    "name": r"^[A-Z][a-z]+ [A-Z][a-zü]+$",
    "first_name": r"^[A-Z][a-z]+$",
    "phone": r"^\+1-\d{3}-555-01\d{2}$",
    "street": r"^\d{1,4} [A-Z][a-z]+ [A-Z][a-z]+$",
    "city": r"^[A-Z][A-Za-z ]+$",
    "postal_code": r"^\d{5}$",
    "date": r"^2026-\d{2}-\d{2}$",
    "word": r"^[a-z]+$",
    "sentence": r"^[A-Z].*\.$",
    "item": r"^\S.*\S$",
}


def test_every_fake_kind_has_a_maker():
    assert set(get_args(FakeKind)) == set(FAKERS)


@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_fake_values_look_real(kind):
    rng = random.Random(3)
    for _ in range(50):
        value = fake(kind, rng)
        assert isinstance(value, str) and re.match(SHAPES[kind], value), (kind, value)


def test_non_string_kinds():
    rng = random.Random(5)
    for _ in range(100):
        amount = fake("amount", rng)
        assert isinstance(amount, float) and round(amount, 2) == amount and 5 <= amount <= 500
        assert isinstance(fake("integer", rng), int)
        assert date.fromisoformat(fake("date", rng)).year == 2026
        assert uuid.UUID(fake("uuid", rng)).version == 4


@pytest.mark.parametrize("kind", sorted(get_args(FakeKind)))
def test_same_rng_state_same_value_and_seeds_vary(kind):
    assert [fake(kind, random.Random(9)) for _ in range(3)] == [fake(kind, random.Random(9))] * 3
    assert len({str(fake(kind, random.Random(seed))) for seed in range(40)}) > 3


def test_unknown_kind_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown fake kind 'ssn'.*order_id"):
        fake("ssn", random.Random(0))


def test_email_belongs_to_the_name_and_is_ascii():
    rng = random.Random(1)
    for _ in range(30):
        address = email_for("Lena Müller", rng)
        assert address.isascii() and ("lena" in address or "muller" in address)
    assert ascii_slug("Müller") == "muller" and ascii_slug("O'Brien") == "obrien"


def test_digits_never_start_with_zero_and_have_the_length():
    rng = random.Random(2)
    assert all(len(d) == 5 and d[0] != "0" for d in (digits(rng, 5) for _ in range(200)))


def test_fake_day_stays_in_range():
    rng = random.Random(4)
    start, end = date(2026, 3, 1), date(2026, 3, 5)
    assert {fake_day(rng, start, end) for _ in range(200)} == {date(2026, 3, d) for d in range(1, 6)}


@pytest.mark.parametrize("carrier,shape", [
    ("UPS", r"^1Z[A-Z0-9]{16}$"), ("FedEx", r"^\d{12}$"), ("USPS", r"^9400\d{18}$"), ("DHL", r"^\d{10}$"),
])
def test_tracking_numbers_follow_the_carrier(carrier, shape):
    assert re.match(shape, fake_tracking_number(random.Random(0), carrier))


# ---------------------------------------------------------------- patterns

@pytest.mark.parametrize("pattern", [
    r"^ORD-\d{5}$", r"^[A-Z]{3}-[0-9]{2,4}$", r"^(foo|bar)+baz?$", r"^\w+@\w+\.com$", r"^[^abc]{3}$",
    r"^(?:AB|CD){2}x*$", r"a{2,}", r"^\+1-\d{3}-\d{3}-\d{4}$", r"^[a-z_][a-z0-9_-]*$", r"^[-a-z]+$",
    r"^(?P<year>\d{4})-(?P<m>\d{2})$", r"^RF-\d+$", r"a{,3}b", r"^x{2}?$", r"^\.\*$", r"[\d\s]{4}",
])
def test_pattern_values_match(pattern):
    rng = random.Random(0)
    for _ in range(25):
        assert re.search(pattern, fake_from_pattern(pattern, rng))


@pytest.mark.parametrize("pattern", [r"(?=x)a", r"(a)\1", r"\bfoo", r"a(?!b)", "[", r"x{3,1}"])
def test_complex_or_invalid_patterns_are_refused(pattern):
    with pytest.raises(PatternTooComplex):
        fake_from_pattern(pattern, random.Random(0))


_ATOMS = st.sampled_from([r"\d", r"\w", "[A-Z]", "[a-f0-9]", "x", "-", r"\.", "(ab|cd)", "[^xyz]", "(?:q|rs)"])
_QUANTIFIERS = st.sampled_from(["", "?", "*", "+", "{2}", "{1,3}", "{0,}"])


@given(st.lists(st.tuples(_ATOMS, _QUANTIFIERS), min_size=1, max_size=6), st.integers(0, 2**32), st.booleans())
def test_generated_patterns_always_match(parts, seed, anchored):
    pattern = "".join(atom + quantifier for atom, quantifier in parts)
    if anchored:
        pattern = f"^{pattern}$"
    assert re.search(pattern, fake_from_pattern(pattern, random.Random(seed)))


# ---------------------------------------------------------------- names and formats

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
