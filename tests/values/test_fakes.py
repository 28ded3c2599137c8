import random
import re
import uuid
from datetime import date
from typing import get_args

import pytest

from simulator.spec import FakeKind
from simulator.values.fakes import (
    FAKERS,
    ascii_slug,
    digits,
    email_for,
    fake,
    fake_day,
    fake_phone,
    fake_tracking_number,
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


def test_ups_numbers_read_in_bulk_are_sixteen_draws_of_the_alphabet():
    alphabet = "ABCDEFGHJKLMNPRSTUVWXY0123456789"
    for seed in range(2000):
        fast, slow = random.Random(seed), random.Random(seed)
        draw = slow.random
        assert fake_tracking_number(fast, "UPS") == "1Z" + "".join(alphabet[int(draw() * 32)] for _ in range(16))
        assert fast.random() == slow.random()  # the same 32 words consumed, no more


def test_phone_numbers_are_the_two_draws_they_say():
    for seed in range(500):
        fast, slow = random.Random(seed), random.Random(seed)
        draw = slow.random
        assert fake_phone(fast) == f"+1-{201 + int(draw() * 789)}-555-01{int(draw() * 100):02d}"
        assert fast.random() == slow.random()


def test_the_helpers_index_as_int_of_the_draw_does():
    """`pick`, `shuffled` and the inlined fakers index with `math.floor(random() * n)` (cheaper to
    call than `int`); for these non-negative products it must be the very integer `int` gives."""
    from simulator.values import fakes

    options = tuple(range(37))
    for seed in range(3000):
        fast, slow = random.Random(seed), random.Random(seed)
        draw = slow.random
        assert fakes.pick(fast, options) == options[int(draw() * 37)]
        expected = list(options[:11])
        for i in range(10, 0, -1):
            j = int(draw() * (i + 1))
            expected[i], expected[j] = expected[j], expected[i]
        assert fakes.shuffled(fast, options[:11]) == expected
        name = f"{fakes.FIRST_NAMES[int(draw() * len(fakes.FIRST_NAMES))]} {fakes.LAST_NAMES[int(draw() * len(fakes.LAST_NAMES))]}"
        assert fakes.fake_name(fast) == name
        local = fakes.email_local_parts(name)[int(draw() * 4)]
        if draw() < 0.4:
            local += str(1 + int(draw() * 99))
        assert fakes.email_for(name, fast) == f"{local}@{fakes.EMAIL_DOMAINS[int(draw() * len(fakes.EMAIL_DOMAINS))]}"
        street = (f"{1 + int(draw() * 9899)} {fakes.STREET_NAMES[int(draw() * len(fakes.STREET_NAMES))]} "
                  f"{fakes.STREET_SUFFIXES[int(draw() * len(fakes.STREET_SUFFIXES))]}")
        assert fakes.fake_street(fast) == street
        assert fakes.fake_postal_code(fast) == str(10000 + int(draw() * 90000))
        assert fast.random() == slow.random()
