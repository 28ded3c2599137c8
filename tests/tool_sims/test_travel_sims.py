"""The travel sims (`tool_sims/travel.py`) on their own: specs, the seeded state, every tool's
results against its `returns` schema (`check_returns=True` raises on a mismatch), the state each
booking changes, and every business rule answered with an error result, never an exception."""

import random
import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from simulator.simulate.environment import ToolEnvironment
from tests.sim_kit import (
    assert_complete_specs,
    checked_env,
    day,
    error_of,
    next_id,
    ok,
    run,
    sim_domain,
)
from tool_sims.travel import CITY_NAMES, HOME_CITIES, ROUTES, SCHEDULE, sims

TOOLS = {"get_user_profile", "search_flights", "book_flight", "search_hotels", "book_hotel", "get_weather"}
SEEDS = range(40)
DOMAIN = sim_domain(sims)


def new_env(seed: int = 1) -> ToolEnvironment:
    return checked_env(DOMAIN, seed)  # every result must fit `returns`


def a_bookable_flight(env: ToolEnvironment, origin="Shanghai", destination="Tokyo", ahead=3) -> dict:
    flights = ok(env, "search_flights", origin=origin, destination=destination, date=day(env, ahead))["flights"]
    return next(f for f in flights if f["seats_left"] >= 2)


# ---------------------------------------------------------------- specs


def test_the_six_tools_have_complete_valid_specs():
    assert set(sims.tools) == TOOLS
    assert_complete_specs(sims)


def test_city_parameters_are_an_enum_of_canonical_names():
    for name, registered in sims.tools.items():
        for param, schema in registered.spec.parameters["properties"].items():
            if param in ("origin", "destination", "city"):
                assert schema["enum"] == list(CITY_NAMES), (name, param)
    assert "New York" in CITY_NAMES and "NYC" not in CITY_NAMES and "魔都" not in CITY_NAMES


# ---------------------------------------------------------------- seeded state


@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_state_invariants(seed):
    env = new_env(seed)
    state, today = env.state, env.today
    assert set(state) == {"profile", "trips", "events", "full_flights", "hotels", "flight_bookings", "hotel_bookings"}
    assert state["flight_bookings"] == [] and state["hotel_bookings"] == []
    (profile,) = state["profile"]
    assert profile["home_city"] in HOME_CITIES and re.fullmatch(r"U-\d{6}", profile["user_id"])
    assert profile["loyalty"]["points"] >= 0 and profile["preferences"]["seat"] in ("window", "aisle")
    for trip in state["trips"]:
        assert date.fromisoformat(trip["date"]) < today, "past trips are in the past"
        assert trip["origin"]["code"] == profile["home_city"] != trip["destination"]["code"]
        assert trip["flight_number"] in ROUTES[(trip["origin"]["code"], trip["destination"]["code"])]
    for event in state["events"]:
        assert today < date.fromisoformat(event["start"]) < date.fromisoformat(event["end"])
        assert set(event["city"]) == {"code", "en", "zh"} and event["city"]["code"] in CITY_NAMES
    assert state["full_flights"], "every state has a sold-out flight to try"
    for flight in state["full_flights"]:
        assert today < date.fromisoformat(flight["date"]) <= today + timedelta(days=13)
        assert flight["flight_id"] == f"{flight['flight_number']}-{flight['date'].replace('-', '')}"
    hotels = state["hotels"]
    assert len(hotels) == 4 * len(CITY_NAMES) and len({h["hotel_id"] for h in hotels}) == len(hotels)
    full = [h for h in hotels if h["rooms_left"] == 0]
    assert len(full) == 2 and len({h["city"] for h in full}) == 2
    for city in CITY_NAMES:
        here = [h for h in hotels if h["city"] == city]
        assert len(here) == 4 and sum(h["rooms_left"] > 0 for h in here) >= 3
        assert {5, 4} <= {h["stars"] for h in here}, "a five-star and a four-star hotel in every city"
        assert all(h["currency"] == ("CNY" if city in HOME_CITIES + ("Chongqing",) else "USD") for h in here)


def test_the_schedule_is_the_same_every_day_and_every_route_is_flown():
    for origin in CITY_NAMES:
        for destination in CITY_NAMES:
            if origin != destination:
                assert 3 <= len(ROUTES[(origin, destination)]) <= 5
    assert len(SCHEDULE) == sum(len(v) for v in ROUTES.values()), "flight numbers are unique"
    domestic = SCHEDULE[ROUTES[("Shanghai", "Beijing")][0]]
    assert domestic["duration"] < 180
    long_haul = SCHEDULE[ROUTES[("Shanghai", "New York")][0]]
    assert long_haul["duration"] > 12 * 60


# ---------------------------------------------------------------- get_user_profile


def test_profile_is_the_seeded_traveller_and_a_copy():
    env = new_env(3)
    profile = ok(env, "get_user_profile")
    assert profile == env.state["profile"][0]
    profile["loyalty"]["points"] = -1  # what a caller does with the result never leaks into the state
    assert ok(env, "get_user_profile")["loyalty"]["points"] >= 0


# ---------------------------------------------------------------- search_flights


def test_flights_are_a_function_of_route_and_day_not_of_the_episode():
    a, b = new_env(1), new_env(2)
    when = max(a.today, b.today) + timedelta(days=5)
    first = ok(a, "search_flights", origin="Beijing", destination="London", date=when.isoformat())
    second = ok(b, "search_flights", origin="Beijing", destination="London", date=when.isoformat())
    assert first == second
    numbers = {f["flight_number"] for f in first["flights"]}
    assert numbers == set(ROUTES[("Beijing", "London")])
    later = ok(a, "search_flights", origin="Beijing", destination="London", date=(when + timedelta(days=1)).isoformat())
    assert {f["flight_number"] for f in later["flights"]} == numbers, "the same flights fly every day"
    assert [f["price"] for f in later["flights"]] != [f["price"] for f in first["flights"]], "fares change by day"


@pytest.mark.parametrize("seed", range(12))
def test_flight_results_are_consistent(seed):
    env = new_env(seed)
    rng = random.Random(seed)
    origin, destination = rng.sample(CITY_NAMES, 2)
    result = ok(env, "search_flights", origin=origin, destination=destination, date=day(env, rng.randint(0, 30)),
                passengers=2, cabin="business")
    flights = result["flights"]
    assert result["cabin"] == "business" and all(f["cabin"] == "business" for f in flights)
    bookable = [f["seats_left"] >= 2 for f in flights]
    assert bookable == sorted(bookable, reverse=True), "bookable flights come first"
    for group in (True, False):
        times = [f["depart_time"] for f, b in zip(flights, bookable) if b is group]
        assert times == sorted(times), "then by departure time"
    for f in flights:
        assert (f["origin"], f["destination"], f["date"]) == (origin, destination, result["date"])
        assert f["flight_id"] == f"{f['flight_number']}-{f['date'].replace('-', '')}"
        assert f["currency"] == ("CNY" if origin in HOME_CITIES + ("Chongqing",) and destination in HOME_CITIES + ("Chongqing",) else "USD")
        assert f["arrive_date"] >= f["date"]


def test_arrival_is_local_time_at_the_destination():
    env = new_env(5)
    result = ok(env, "search_flights", origin="Shanghai", destination="New York", date=day(env, 4))
    for f in result["flights"]:
        depart = f["date"] + "T" + f["depart_time"]
        arrive = f["arrive_date"] + "T" + f["arrive_time"]
        elapsed = datetime.fromisoformat(arrive) - datetime.fromisoformat(depart)
        assert elapsed == timedelta(minutes=f["duration_minutes"] - 13 * 60)  # UTC+8 -> UTC-5


def test_search_flights_errors():
    env = new_env(2)
    assert error_of(env, "search_flights", origin="Paris", destination="Paris", date=day(env, 2)) == (
        "The origin and destination are both Paris; choose two different cities"
    )
    yesterday = day(env, -1)
    assert error_of(env, "search_flights", origin="Paris", destination="Tokyo", date=yesterday) == (
        f"The departure date {yesterday} is in the past (today is {env.today.isoformat()})"
    )
    assert "is not one of" in error_of(env, "search_flights", origin="魔都", destination="Tokyo", date=day(env, 2))
    assert "is not one of" in error_of(env, "search_flights", origin="NYC", destination="Tokyo", date=day(env, 2))
    assert "is not a 'date'" in error_of(env, "search_flights", origin="Paris", destination="Tokyo", date="tomorrow")
    assert ok(env, "search_flights", origin="Paris", destination="Tokyo", date=day(env, 0))["flights"], "today is fine"


# ---------------------------------------------------------------- book_flight


def test_booking_a_flight_takes_seats_and_earns_points():
    env = new_env(4)
    flight = a_bookable_flight(env)
    points = env.state["profile"][0]["loyalty"]["points"]
    booking = ok(env, "book_flight", flight_id=flight["flight_id"], passengers=2)
    assert re.fullmatch(r"FB-\d{5}", booking["booking_id"]) and booking["status"] == "confirmed"
    assert re.fullmatch(r"[A-Z0-9]{6}", booking["confirmation_code"])
    assert booking["total_price"] == round(flight["price"] * 2, 2) and booking["currency"] == flight["currency"]
    assert {k: booking[k] for k in ("flight_number", "date", "depart_time", "arrive_date", "arrive_time")} == {
        k: flight[k] for k in ("flight_number", "date", "depart_time", "arrive_date", "arrive_time")
    }
    assert env.state["profile"][0]["loyalty"]["points"] == points + booking["points_earned"] > points
    assert env.state["flight_bookings"] == [booking]
    again = ok(env, "search_flights", origin="Shanghai", destination="Tokyo", date=flight["date"])
    assert next(f for f in again["flights"] if f["flight_id"] == flight["flight_id"])["seats_left"] == flight["seats_left"] - 2
    assert ok(env, "book_flight", flight_id=flight["flight_id"])["booking_id"] == next_id(booking["booking_id"])


def test_book_flight_errors():
    env = new_env(6)
    full = env.state["full_flights"][0]
    assert error_of(env, "book_flight", flight_id=full["flight_id"]) == f"Flight {full['flight_number']} on {full['date']} is sold out"
    flight = a_bookable_flight(env)
    too_many = flight["seats_left"] + 1
    if too_many <= 9:
        assert error_of(env, "book_flight", flight_id=flight["flight_id"], passengers=too_many).startswith(
            f"Only {flight['seats_left']} seat(s) left on {flight['flight_number']}"
        )
    assert error_of(env, "book_flight", flight_id="ZZ9999-20260101") == "No flight found with id ZZ9999-20260101"
    number = flight["flight_number"]
    stamp = (env.today - timedelta(days=1)).strftime("%Y%m%d")
    assert "has already departed" in error_of(env, "book_flight", flight_id=f"{number}-{stamp}")
    assert error_of(env, "book_flight", flight_id=f"{number}-20261345") == f"No flight found with id {number}-20261345"
    assert "does not match" in error_of(env, "book_flight", flight_id="MU5101")
    assert env.state["flight_bookings"] == [], "failed bookings change nothing"


def test_not_enough_seats_is_an_error():
    env = new_env(7)
    for ahead in range(1, 30):
        flights = ok(env, "search_flights", origin="Beijing", destination="Shanghai", date=day(env, ahead))["flights"]
        few = next((f for f in flights if 0 < f["seats_left"] < 9), None)
        if few:
            break
    assert few, "some flight has only a few seats left"
    assert error_of(env, "book_flight", flight_id=few["flight_id"], passengers=few["seats_left"] + 1) == (
        f"Only {few['seats_left']} seat(s) left on {few['flight_number']} on {few['date']}, "
        f"not enough for {few['seats_left'] + 1} passengers"
    )


# ---------------------------------------------------------------- search_hotels and book_hotel


def test_search_hotels_by_nights_or_check_out():
    env = new_env(8)
    by_nights = ok(env, "search_hotels", city="Chengdu", check_in=day(env, 3), nights=3)
    by_date = ok(env, "search_hotels", city="Chengdu", check_in=day(env, 3), check_out=day(env, 6))
    assert by_nights == by_date and by_nights["check_out"] == day(env, 6) and by_nights["nights"] == 3
    hotels = by_nights["hotels"]
    assert len(hotels) == 4 and {h["city"] for h in hotels} == {"Chengdu"}
    full_last = [h["rooms_left"] == 0 for h in hotels]
    assert full_last == sorted(full_last)
    for h in hotels:
        assert h["total_price"] == round(h["price_per_night"] * 3, 2)
    five = ok(env, "search_hotels", city="Chengdu", check_in=day(env, 3), nights=1, min_stars=5)["hotels"]
    assert five and all(h["stars"] == 5 for h in five)


def test_search_hotels_errors():
    env = new_env(9)
    assert error_of(env, "search_hotels", city="Tokyo", check_in=day(env, 5), check_out=day(env, 2)) == (
        f"The check-out date {day(env, 2)} must be after the check-in date {day(env, 5)}"
    )
    assert "must be after" in error_of(env, "search_hotels", city="Tokyo", check_in=day(env, 5), check_out=day(env, 5))
    assert error_of(env, "search_hotels", city="Tokyo", check_in=day(env, 5)) == "Give the number of nights or a check-out date"
    assert error_of(env, "search_hotels", city="Tokyo", check_in=day(env, 5), nights=2, check_out=day(env, 8)) == (
        f"2 nights from {day(env, 5)} ends on {day(env, 7)}, not {day(env, 8)}"
    )
    assert "is in the past" in error_of(env, "search_hotels", city="Tokyo", check_in=day(env, -2), nights=2)
    assert "is less than the minimum" in error_of(env, "search_hotels", city="Tokyo", check_in=day(env, 1), nights=0)


def test_booking_a_hotel_takes_a_room():
    env = new_env(10)
    offer = ok(env, "search_hotels", city="London", check_in=day(env, 2), nights=4, guests=3)["hotels"][0]
    booking = ok(env, "book_hotel", hotel_id=offer["hotel_id"], check_in=day(env, 2), nights=4, guests=3)
    assert re.fullmatch(r"HB-\d{5}", booking["booking_id"]) and booking["status"] == "confirmed"
    assert (booking["check_out"], booking["nights"], booking["rooms"]) == (day(env, 6), 4, 1)
    assert booking["total_price"] == offer["total_price"] and booking["hotel_name"] == offer["name"]
    assert env.state["hotel_bookings"] == [booking]
    after = next(h for h in env.state["hotels"] if h["hotel_id"] == offer["hotel_id"])
    assert after["rooms_left"] == offer["rooms_left"] - 1
    two_rooms = ok(env, "book_hotel", hotel_id=offer["hotel_id"], check_in=day(env, 2), check_out=day(env, 3), guests=6, rooms=2)
    assert two_rooms["total_price"] == round(offer["price_per_night"] * 2, 2) and two_rooms["booking_id"] == next_id(booking["booking_id"])


def test_book_hotel_errors():
    env = new_env(11)
    full = next(h for h in env.state["hotels"] if h["rooms_left"] == 0)
    assert error_of(env, "book_hotel", hotel_id=full["hotel_id"], check_in=day(env, 1), nights=2) == (
        f"{full['name']} is fully booked from {day(env, 1)} to {day(env, 3)}"
    )
    assert error_of(env, "book_hotel", hotel_id="HTL-0001", check_in=day(env, 1), nights=2) == "No hotel found with id HTL-0001"
    free = next(h for h in env.state["hotels"] if h["rooms_left"] > 0)
    assert error_of(env, "book_hotel", hotel_id=free["hotel_id"], check_in=day(env, 1), nights=2, guests=5) == (
        "5 guests need at least 2 rooms (up to 4 per room)"
    )
    assert "must be after" in error_of(env, "book_hotel", hotel_id=free["hotel_id"], check_in=day(env, 4), check_out=day(env, 1))
    free["rooms_left"] = 1
    assert error_of(env, "book_hotel", hotel_id=free["hotel_id"], check_in=day(env, 1), nights=1, guests=5, rooms=2) == (
        f"Only 1 room(s) left at {free['name']}"
    )
    assert env.state["hotel_bookings"] == []


# ---------------------------------------------------------------- get_weather


def test_weather_is_a_plausible_function_of_city_and_day():
    a = new_env(12)
    b = checked_env(DOMAIN, 13, today=a.today)  # another episode, same day
    when = a.today + timedelta(days=2)
    assert ok(a, "get_weather", city="Tokyo", date=when.isoformat()) == ok(b, "get_weather", city="Tokyo", date=when.isoformat())
    assert ok(a, "get_weather", city="Tokyo")["date"] == a.today.isoformat(), "no date: today"
    for seed in range(30):
        env = new_env(seed)
        for city in CITY_NAMES:
            w = ok(env, "get_weather", city=city, date=day(env, seed % 16))
            assert w["low_c"] < w["high_c"]
            assert w["condition"] != "snow" or w["high_c"] <= 2


def test_weather_errors():
    env = new_env(14)
    assert error_of(env, "get_weather", city="Paris", date=day(env, 16)) == (
        f"Forecasts reach only 15 days ahead (until {day(env, 15)})"
    )
    assert "is in the past" in error_of(env, "get_weather", city="Paris", date=day(env, -1))
    ok(env, "get_weather", city="Paris", date=day(env, 15))


# ---------------------------------------------------------------- robustness


def _random_args(rng: random.Random, env: ToolEnvironment, tool: str) -> dict:
    """Schema-valid arguments, often wrong for the business rules."""
    spec = sims.tools[tool].spec.parameters["properties"]
    args: dict = {}
    for name, schema in spec.items():
        if rng.random() < 0.4 and name not in sims.tools[tool].spec.parameters.get("required", []):
            continue
        if "enum" in schema:
            args[name] = rng.choice(schema["enum"])
        elif schema.get("format") == "date":
            args[name] = day(env, rng.randint(-3, 20))
        elif schema.get("type") == "integer":
            args[name] = rng.randint(schema.get("minimum", 1), schema.get("maximum", 9))
        elif name == "flight_id":
            number = rng.choice([*SCHEDULE, "ZZ1234"])
            args[name] = f"{number}-{(env.today + timedelta(days=rng.randint(-3, 20))):%Y%m%d}"
        elif name == "hotel_id":
            args[name] = rng.choice([h["hotel_id"] for h in env.state["hotels"]] + ["HTL-0042"])
    return args


def test_any_schema_valid_call_gets_a_result_or_an_error_result():
    """A sim bug (an exception other than ToolError, or a result its schema rejects) would raise."""
    rng = random.Random(0)
    outcomes: Counter = Counter()
    for seed in range(25):
        env = new_env(seed)
        for _ in range(30):
            tool = rng.choice(sorted(TOOLS))
            success, payload = run(env, tool, **_random_args(rng, env, tool))
            outcomes[(tool, success)] += 1
            if not success:
                assert isinstance(payload["error"], str) and payload["error"]
    assert all(outcomes[(tool, True)] for tool in TOOLS), outcomes
    assert all(outcomes[(tool, False)] for tool in TOOLS - {"get_user_profile"}), outcomes


def test_the_sold_out_pretest_agrees_with_the_fare():
    """Seeding asks `_sold_out` before pricing a fare; it must say what the fare says, always."""
    from tool_sims import travel

    numbers = sorted(SCHEDULE)[::7]
    days = [date(2026, 1, 1) + timedelta(days=d) for d in range(0, 380, 11)]
    answers = [(travel._sold_out(n, d), travel._fare(n, d)["seats_left"] == 0) for n in numbers for d in days]
    assert all(quick == full for quick, full in answers)
    assert any(full for _, full in answers) and not all(full for _, full in answers)  # both cases were seen
