"""The travel domain: six tools over a seeded traveller, a flight schedule and city hotels.

Why it looks like this:
- Cities are an `enum` of canonical English names ("Shanghai", "New York"): a user who says
  魔都, NYC or 纽约 must be turned into exactly one right value, and the schema says which.
- Flights follow a fixed daily schedule per route (the same flight number every day, like real
  airlines), and a day's fares and free seats are a pure function of (origin, destination,
  date) — so a search is reproducible across episodes and a `flight_id` (`MU5121-20260314`, the
  flight number and its date) can be resolved without having been searched first. Seats taken
  by this episode's bookings are subtracted.
- Hotels, the traveller's profile, their past trips and a few full flights live in the episode's
  seeded state, so scenarios can pick records (`record: {collection: full_flights}`) and the
  state diff shows what a booking changed.
- The reference data (cities with their coordinates, time zones, climate and hotel districts;
  airlines and their bases; hotel brands; event kinds; weather conditions) is in
  `travel_data.yaml` next to this file; this module holds the rules, schemas and tools.
- Business-rule failures are `ToolError`s the model must read and recover from: a date before
  the episode's today, a forecast too far ahead, origin equal to destination, a sold-out flight,
  too few seats, an unknown flight or hotel id, a fully booked hotel, check-out not after check-in.

State collections (scenario YAML picks records by these names, keep them stable):
    profile:     user_id, name, email, home_city, loyalty{program, tier, member_number, points},
                 preferences{seat, cabin, meal, hotel_min_stars}   (one record)
    trips:       trip_id, origin, destination, date (all before today), flight_number
    events:      event_id, kind{en, zh}, city, start, end (ISO dates, 1-26 days ahead): what the
                 traveller goes to, for scenarios whose user types exact dates
    full_flights: flight_id, flight_number, airline, origin, destination, date, depart_time
                 (sold out, within the next two weeks)
    hotels:      hotel_id, name, city, city_names, district, stars, rating, price_per_night,
                 currency, rooms_left (0: fully booked: one hotel in each of two cities)
    flight_bookings, hotel_bookings: what this episode booked
Cities in `trips`, `events` and `full_flights` records, and `hotels.city_names`, are mappings like
a `choice` slot's (`{code: Hong Kong, en: Hong Kong, zh: 香港}`), so the user can say either name;
the tools never show these collections.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from simulator import SimContext, State, ToolError, ToolSimModule, read_yaml_data
from simulator.values.fakes import between, email_for, fake_name, pick, shuffled

sims = ToolSimModule("travel")

# ---------------------------------------------------------------- reference data

# Cities, airlines and their bases, hotel brands, event kinds and weather conditions live in
# travel_data.yaml (the fields are described there). Orders are kept: rng draws follow them.
DATA_FILE = Path(__file__).with_name("travel_data.yaml")
_DATA = read_yaml_data(DATA_FILE)  # a mistake in it is reported at its own file:line
# name -> zh, iata, lat, lon, utc_offset, mainland, price_level, districts, highs, lows, rain
CITIES: dict[str, dict[str, Any]] = _DATA["cities"]
CITY_NAMES = tuple(CITIES)
HOME_CITIES = tuple(_DATA["home_cities"])
# A route is flown by the airlines based at either end (plus the big three on mainland routes),
# as real schedules are.
AIRLINES: dict[str, str] = _DATA["airlines"]
BASES = {city: tuple(codes) for city, codes in _DATA["bases"].items()}
FOREIGN = tuple(_DATA["foreign"])
REGIONAL = tuple(_DATA["regional"])  # fly only within the mainland here
HOTEL_BRANDS = tuple(_DATA["hotel_brands"].items())  # (brand, stars)
EVENTS = tuple(_DATA["events"])
CONDITIONS = tuple(_DATA["conditions"])
CABINS = ("economy", "premium_economy", "business", "first")
CABIN_FACTOR = {"economy": 1.0, "premium_economy": 1.6, "business": 3.2, "first": 5.5}
CNY_PER_USD = 7.2
FORECAST_DAYS = 16
MAX_PASSENGERS = 9
GUESTS_PER_ROOM = 4

# ---------------------------------------------------------------- schemas

CITY = {"type": "string", "enum": list(CITY_NAMES)}
DAY = {"type": "string", "format": "date"}
FLIGHT_ID = {"type": "string", "pattern": r"^[A-Z0-9]{2}\d{3,4}-\d{8}$"}
HOTEL_ID = {"type": "string", "pattern": r"^HTL-\d{4}$"}
MONEY = {"type": "number", "minimum": 0}
CURRENCY = {"type": "string", "enum": ["CNY", "USD"]}
CLOCK = {"type": "string", "pattern": r"^\d{2}:\d{2}$"}
FLIGHT = {
    "type": "object",
    "properties": {
        "flight_id": FLIGHT_ID, "airline": {"type": "string"}, "depart_time": CLOCK,
        "arrive_time": CLOCK, "arrive_date": DAY, "flight_number": {"type": "string"},
        "origin": CITY, "destination": CITY, "date": DAY,
        "duration_minutes": {"type": "integer", "minimum": 30}, "cabin": {"enum": list(CABINS)},
        "price": MONEY, "currency": CURRENCY, "seats_left": {"type": "integer", "minimum": 0},
    },
    "required": ["flight_id", "airline", "depart_time", "arrive_time", "arrive_date", "flight_number", "origin",
                 "destination", "date", "duration_minutes", "cabin", "price", "currency", "seats_left"],
    "additionalProperties": False,
}
HOTEL = {
    "type": "object",
    "properties": {
        "hotel_id": HOTEL_ID, "name": {"type": "string"}, "stars": {"type": "integer", "minimum": 2, "maximum": 5},
        "district": {"type": "string"}, "city": CITY, "rating": {"type": "number", "minimum": 0, "maximum": 10},
        "price_per_night": MONEY, "total_price": MONEY, "currency": CURRENCY,
        "rooms_left": {"type": "integer", "minimum": 0},
    },
    "required": ["hotel_id", "name", "stars", "district", "city", "rating", "price_per_night", "total_price",
                 "currency", "rooms_left"],
    "additionalProperties": False,
}
STAY = {
    "check_in": {**DAY, "description": "Arrival date, YYYY-MM-DD."},
    "nights": {"type": "integer", "minimum": 1, "maximum": 30,
               "description": "Number of nights. Give nights or check_out."},
    "check_out": {**DAY, "description": "Departure date, YYYY-MM-DD, after check_in. Give nights or check_out."},
    "guests": {"type": "integer", "minimum": 1, "maximum": 8, "default": 1, "description": "Number of guests; 1 if omitted."},
}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


# ---------------------------------------------------------------- the flight schedule


def _distance_km(a: str, b: str) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(CITIES[city][key]) for city in (a, b) for key in ("lat", "lon"))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def _mainland(*cities: str) -> bool:
    return all(CITIES[c]["mainland"] for c in cities)


def _build_schedule() -> dict[str, dict[str, Any]]:
    """flight number -> {origin, destination, airline code, departure minute, duration}; the same
    every day and in every process (seeded by a constant, routes in sorted order)."""
    rng = random.Random("travel-schedule")
    # Mainland airlines number domestic flights 5101+ and international ones 201+ (MU583, CA981).
    domestic = {code: 5101 for code in AIRLINES}
    international = {code: 101 if code in FOREIGN else 201 for code in AIRLINES}
    schedule: dict[str, dict[str, Any]] = {}
    for origin in sorted(CITIES):
        for destination in sorted(CITIES):
            if origin == destination:
                continue
            km = _distance_km(origin, destination)
            carriers = list(dict.fromkeys(BASES[origin] + BASES[destination]))
            home_market = _mainland(origin, destination)
            if home_market:
                carriers = list(dict.fromkeys(carriers + ["MU", "CA", "CZ"]))
            else:
                carriers = [c for c in carriers if c not in REGIONAL]
            next_number = domestic if home_market else international
            daily = 5 if km < 2500 else 4 if km < 6000 else 3
            minutes = int(40 + km / 13)  # taxi, climb and about 780 km/h
            departures = sorted(rng.sample(range(6 * 12, 22 * 12), daily))  # 06:00-21:55, 5-minute steps
            for index, slot in enumerate(departures):
                code = carriers[index % len(carriers)]
                number = f"{code}{next_number[code]}"
                next_number[code] += between(rng, 2, 9)
                schedule[number] = {
                    "origin": origin, "destination": destination, "airline": code,
                    "depart": slot * 5, "duration": minutes + between(rng, -10, 15),
                }
    return schedule


SCHEDULE = _build_schedule()
ROUTES: dict[tuple[str, str], list[str]] = {}
for _number, _leg in SCHEDULE.items():
    ROUTES.setdefault((_leg["origin"], _leg["destination"]), []).append(_number)


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _fare(number: str, day: date) -> dict[str, Any]:
    """A flight on one day as the airline sells it: economy price and seats left, a pure function
    of the flight and the day (a day's fares are the same in every episode)."""
    leg = SCHEDULE[number]
    rng = random.Random(f"fare:{number}:{day.isoformat()}")
    km = _distance_km(leg["origin"], leg["destination"])
    usd = (60 + km * 0.09) * (0.75 + rng.random() * 0.7) * (1.15 if day.weekday() >= 4 else 1.0)
    cny = _mainland(leg["origin"], leg["destination"])
    seats = 0 if rng.random() < 0.08 else between(rng, 1, 9) if rng.random() < 0.3 else between(rng, 10, 60)
    offset = CITIES[leg["destination"]]["utc_offset"] - CITIES[leg["origin"]]["utc_offset"]
    arrive = leg["depart"] + leg["duration"] + 60 * offset
    return {
        "flight_id": f"{number}-{day:%Y%m%d}",
        "airline": AIRLINES[leg["airline"]],
        "depart_time": _clock(leg["depart"]),
        "arrive_time": _clock(arrive),
        "arrive_date": (day + timedelta(days=arrive // 1440)).isoformat(),
        "flight_number": number,
        "origin": leg["origin"],
        "destination": leg["destination"],
        "date": day.isoformat(),
        "duration_minutes": leg["duration"],
        "usd": usd,
        "currency": "CNY" if cny else "USD",
        "seats_left": seats,
    }


def _sold_out(number: str, day: date) -> bool:
    """`_fare(number, day)["seats_left"] == 0`, from the fare's first two draws only: seats are 0
    exactly when the second draw is below 0.08 (the other branches give 1 to 60). Seeding looks
    at dozens of fares per episode for the few sold-out ones; the rest need no more than this."""
    draw = random.Random(f"fare:{number}:{day.isoformat()}").random
    draw()  # the price factor
    return draw() < 0.08


def _priced(fare: dict[str, Any], cabin: str, booked: int) -> dict[str, Any]:
    flight = {k: v for k, v in fare.items() if k != "usd"}
    usd = fare["usd"] * CABIN_FACTOR[cabin]
    flight["cabin"] = cabin
    flight["price"] = float(round(usd * CNY_PER_USD)) if fare["currency"] == "CNY" else round(usd, 2)
    flight["seats_left"] = max(0, fare["seats_left"] - booked)
    return {k: flight[k] for k in FLIGHT["required"]}


def _booked_seats(ctx: SimContext, flight_id: str) -> int:
    return sum(b["passengers"] for b in ctx.state["flight_bookings"] if b["flight_id"] == flight_id)


# ---------------------------------------------------------------- state


def city_names(city: str) -> dict[str, str]:
    """A city as scenario records carry it, like a `choice` mapping: the user says `{x.en}` or
    `{x.zh}`, the call carries `{x.code}` (the canonical name)."""
    return {"code": city, "en": city, "zh": CITIES[city]["zh"]}


_FIVE_STARS = [b for b in HOTEL_BRANDS if b[1] == 5]
_FOUR_STARS = [b for b in HOTEL_BRANDS if b[1] == 4]
_BASE_USD = {5: 190, 4: 120, 3: 70}  # a night's base price by stars


def _hotels(rng: random.Random) -> list[dict[str, Any]]:
    hotels: list[dict[str, Any]] = []
    ids = iter(rng.sample(range(2000, 10000), 4 * len(CITIES)))
    for city, info in CITIES.items():
        level, districts = info["price_level"], info["districts"]
        # Every city has a five-star and a four-star hotel (a "five-star only" search finds one).
        five = pick(rng, _FIVE_STARS)
        four = pick(rng, _FOUR_STARS)
        brands = [five, four] + shuffled(rng, [b for b in HOTEL_BRANDS if b not in (five, four)])[:2]
        for (brand, stars), district in zip(brands, shuffled(rng, districts)):
            base = _BASE_USD[stars] * level * (0.85 + rng.random() * 0.3)
            price = float(round(base * CNY_PER_USD)) if info["mainland"] else round(base, 2)
            hotels.append({
                "hotel_id": f"HTL-{next(ids)}", "name": f"{brand} {city} {district}", "city": city,
                "city_names": city_names(city),
                "district": district, "stars": stars, "rating": round(7.2 + rng.random() * 2.6, 1),
                "price_per_night": price, "currency": "CNY" if info["mainland"] else "USD",
                "rooms_left": between(rng, 1, 25),
            })
    # One hotel in each of two cities is full every night of the episode (three stay bookable).
    for city in rng.sample(CITY_NAMES, 2):
        pick(rng, [h for h in hotels if h["city"] == city])["rooms_left"] = 0
    return hotels


def _full_flights(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """Sold-out flights of the next two weeks between big cities, found in the fares themselves."""
    found: list[dict[str, Any]] = []
    big = ("Shanghai", "Beijing", "Guangzhou", "Shenzhen", "Chengdu", "Hong Kong", "Tokyo", "Singapore")
    for _ in range(60):
        origin, destination = rng.sample(big, 2)
        day = today + timedelta(days=between(rng, 1, 13))
        for number in ROUTES[(origin, destination)]:
            if not _sold_out(number, day):
                continue
            fare = _fare(number, day)
            if fare["seats_left"] == 0 and all(f["flight_id"] != fare["flight_id"] for f in found):
                found.append({
                    "flight_id": fare["flight_id"], "flight_number": number, "airline": fare["airline"],
                    "origin": city_names(origin), "destination": city_names(destination), "date": fare["date"],
                    "depart_time": fare["depart_time"],
                })
        if len(found) >= 4:
            break
    return found


@sims.state
def seed_state(rng: random.Random, today: date) -> State:
    name = fake_name(rng)
    home = pick(rng, HOME_CITIES)
    tier = pick(rng, ("Silver", "Gold", "Gold", "Platinum", "Member"))
    profile = {
        "user_id": f"U-{between(rng, 100000, 999999)}",
        "name": name,
        "email": email_for(name, rng),
        "home_city": home,
        "loyalty": {
            "program": pick(rng, ("SkyTeam", "Star Alliance", "oneworld")),
            "tier": tier,
            "member_number": f"FF{between(rng, 10000000, 99999999)}",
            "points": between(rng, 2, 180) * 500,
        },
        "preferences": {
            "seat": pick(rng, ("window", "aisle", "aisle", "window")),
            "cabin": pick(rng, ("economy", "economy", "premium_economy", "business")),
            "meal": pick(rng, ("standard", "vegetarian", "halal", "no preference")),
            "hotel_min_stars": pick(rng, (3, 4, 4, 5)),
        },
    }
    trips = []
    for index in range(3):
        destination = pick(rng, [c for c in CITY_NAMES if c != home])
        number = pick(rng, ROUTES[(home, destination)])
        trips.append({
            "trip_id": f"T-{index + 1}", "origin": city_names(home), "destination": city_names(destination),
            "date": (today - timedelta(days=between(rng, 7, 300))).isoformat(), "flight_number": number,
        })
    events = []
    for index in range(3):
        start = today + timedelta(days=between(rng, 1, 20))
        events.append({
            "event_id": f"E-{index + 1}", "kind": pick(rng, EVENTS), "city": city_names(pick(rng, CITY_NAMES)),
            "start": start.isoformat(), "end": (start + timedelta(days=between(rng, 2, 6))).isoformat(),
        })
    return {
        "profile": [profile],
        "trips": trips,
        "events": events,
        "full_flights": _full_flights(rng, today),
        "hotels": _hotels(rng),
        "flight_bookings": [],
        "hotel_bookings": [],
    }


# ---------------------------------------------------------------- rules shared by the tools


def _day(text: str, what: str, ctx: SimContext) -> date:
    day = date.fromisoformat(text)
    if day < ctx.today:
        raise ToolError(f"The {what} {text} is in the past (today is {ctx.today.isoformat()})")
    return day


def _stay(ctx: SimContext, check_in: str, nights: int | None, check_out: str | None) -> tuple[date, date, int]:
    start = _day(check_in, "check-in date", ctx)
    if check_out is not None:
        end = date.fromisoformat(check_out)
        if end <= start:
            raise ToolError(f"The check-out date {check_out} must be after the check-in date {check_in}")
        if nights is not None and (end - start).days != nights:
            raise ToolError(f"{nights} nights from {check_in} ends on {start + timedelta(days=nights)}, not {check_out}")
        return start, end, (end - start).days
    if nights is None:
        raise ToolError("Give the number of nights or a check-out date")
    return start, start + timedelta(days=nights), nights


def _hotel(ctx: SimContext, hotel_id: str) -> dict[str, Any]:
    for hotel in ctx.state["hotels"]:
        if hotel["hotel_id"] == hotel_id:
            return hotel
    raise ToolError(f"No hotel found with id {hotel_id}")


def _offer(hotel: dict[str, Any], nights: int) -> dict[str, Any]:
    offer = {k: hotel[k] for k in ("hotel_id", "name", "stars", "district", "city", "rating", "price_per_night")}
    offer["total_price"] = round(hotel["price_per_night"] * nights, 2)
    offer["currency"] = hotel["currency"]
    offer["rooms_left"] = hotel["rooms_left"]
    return offer


def _flight(ctx: SimContext, flight_id: str, cabin: str) -> dict[str, Any]:
    number, _, stamp = flight_id.rpartition("-")
    if number not in SCHEDULE:
        raise ToolError(f"No flight found with id {flight_id}")
    try:
        day = date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))
    except ValueError:
        raise ToolError(f"No flight found with id {flight_id}") from None
    if day < ctx.today:
        raise ToolError(f"Flight {number} on {day.isoformat()} has already departed (today is {ctx.today.isoformat()})")
    return _priced(_fare(number, day), cabin, _booked_seats(ctx, flight_id))


# ---------------------------------------------------------------- tools


@sims.tool(
    description=(
        "Get the signed-in traveller's profile: name, home city, loyalty programme (tier, member "
        "number, points) and travel preferences (seat, cabin, meal, minimum hotel stars)."
    ),
    parameters={"type": "object", "properties": {}, "additionalProperties": False},
    returns=_object({
        "user_id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string", "format": "email"},
        "home_city": CITY,
        "loyalty": _object({"program": {"type": "string"}, "tier": {"type": "string"},
                            "member_number": {"type": "string"}, "points": {"type": "integer", "minimum": 0}},
                           ["program", "tier", "member_number", "points"]),
        "preferences": _object({"seat": {"enum": ["window", "aisle"]}, "cabin": {"enum": list(CABINS)},
                                "meal": {"type": "string"}, "hotel_min_stars": {"type": "integer"}},
                               ["seat", "cabin", "meal", "hotel_min_stars"]),
    }, ["user_id", "name", "email", "home_city", "loyalty", "preferences"]),
    read_only=True,
)
def get_user_profile(ctx: SimContext) -> dict[str, Any]:
    profile = ctx.state["profile"][0]
    return {**profile, "loyalty": dict(profile["loyalty"]), "preferences": dict(profile["preferences"])}


@sims.tool(
    description=(
        "Search direct flights between two cities on one date. Returns every flight of that day "
        "with times (local), price and seats left, bookable flights first by departure time, "
        "sold-out ones (seats_left 0) last. Searching never books anything."
    ),
    parameters=_object({
        "origin": {**CITY, "description": "Departure city (canonical English name, e.g. Shanghai, New York)."},
        "destination": {**CITY, "description": "Arrival city (canonical English name)."},
        "date": {**DAY, "description": "Departure date, YYYY-MM-DD."},
        "passengers": {"type": "integer", "minimum": 1, "maximum": MAX_PASSENGERS, "default": 1,
                       "description": "Travellers; 1 if omitted."},
        "cabin": {"type": "string", "enum": list(CABINS), "default": "economy",
                  "description": "Cabin class; economy if omitted."},
    }, ["origin", "destination", "date"]),
    returns=_object({
        "origin": CITY, "destination": CITY, "date": DAY, "cabin": {"enum": list(CABINS)},
        "flights": {"type": "array", "items": FLIGHT, "minItems": 1},
    }, ["origin", "destination", "date", "cabin", "flights"]),
    read_only=True,
)
def search_flights(
    ctx: SimContext, origin: str, destination: str, date: str, passengers: int = 1, cabin: str = "economy"
) -> dict[str, Any]:
    if origin == destination:
        raise ToolError(f"The origin and destination are both {origin}; choose two different cities")
    day = _day(date, "departure date", ctx)
    flights = [
        _priced(_fare(number, day), cabin, _booked_seats(ctx, f"{number}-{day:%Y%m%d}"))
        for number in ROUTES[(origin, destination)]
    ]
    flights.sort(key=lambda f: (f["seats_left"] < passengers, f["depart_time"]))
    return {"origin": origin, "destination": destination, "date": day.isoformat(), "cabin": cabin, "flights": flights}


@sims.tool(
    description=(
        "Book seats on one flight found by search_flights, for the signed-in traveller. Charges the "
        "card on file and returns the booking reference. Only call it when the traveller has chosen "
        "a flight and asked to book it."
    ),
    parameters=_object({
        "flight_id": {**FLIGHT_ID, "description": "The flight_id from search_flights, e.g. MU5101-20260314."},
        "passengers": {"type": "integer", "minimum": 1, "maximum": MAX_PASSENGERS, "default": 1,
                       "description": "Seats to book; 1 if omitted."},
        "cabin": {"type": "string", "enum": list(CABINS), "default": "economy",
                  "description": "Cabin class; economy if omitted."},
    }, ["flight_id"]),
    returns=_object({
        "booking_id": {"type": "string", "pattern": r"^FB-\d+$"},
        "confirmation_code": {"type": "string", "pattern": r"^[A-Z0-9]{6}$"},
        "status": {"const": "confirmed"}, "flight_id": FLIGHT_ID, "flight_number": {"type": "string"},
        "airline": {"type": "string"}, "origin": CITY, "destination": CITY, "date": DAY, "depart_time": CLOCK,
        "arrive_date": DAY, "arrive_time": CLOCK, "passengers": {"type": "integer", "minimum": 1}, "cabin": {"enum": list(CABINS)},
        "total_price": MONEY, "currency": CURRENCY, "points_earned": {"type": "integer", "minimum": 0},
    }, ["booking_id", "confirmation_code", "status", "flight_id", "flight_number", "airline", "origin",
        "destination", "date", "depart_time", "arrive_date", "arrive_time", "passengers", "cabin", "total_price", "currency", "points_earned"]),
    read_only=False,
)
def book_flight(ctx: SimContext, flight_id: str, passengers: int = 1, cabin: str = "economy") -> dict[str, Any]:
    flight = _flight(ctx, flight_id, cabin)
    if flight["seats_left"] == 0:
        raise ToolError(f"Flight {flight['flight_number']} on {flight['date']} is sold out")
    if flight["seats_left"] < passengers:
        raise ToolError(
            f"Only {flight['seats_left']} seat(s) left on {flight['flight_number']} on {flight['date']}, "
            f"not enough for {passengers} passengers"
        )
    total = round(flight["price"] * passengers, 2)
    usd = total / CNY_PER_USD if flight["currency"] == "CNY" else total
    points = int(usd * 5)
    profile = ctx.state["profile"][0]
    profile["loyalty"]["points"] += points
    booking = {
        "booking_id": ctx.next_id("FB"),
        "confirmation_code": "".join(ctx.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
        "status": "confirmed",
        **{k: flight[k] for k in ("flight_id", "flight_number", "airline", "origin", "destination", "date",
                                  "depart_time", "arrive_date", "arrive_time")},
        "passengers": passengers, "cabin": cabin, "total_price": total, "currency": flight["currency"],
        "points_earned": points,
    }
    ctx.state["flight_bookings"].append(dict(booking))
    return booking


@sims.tool(
    description=(
        "Search hotels in a city for a stay, with the price per night and for the whole stay. "
        "Bookable hotels come first, best rated first; fully booked ones (rooms_left 0) last. "
        "Searching never books anything."
    ),
    parameters=_object({
        "city": {**CITY, "description": "City to stay in (canonical English name, e.g. Shanghai, New York)."},
        **STAY,
        "min_stars": {"type": "integer", "minimum": 2, "maximum": 5, "description": "Only hotels with at least this many stars."},
    }, ["city", "check_in"]),
    returns=_object({
        "city": CITY, "check_in": DAY, "check_out": DAY, "nights": {"type": "integer", "minimum": 1},
        "guests": {"type": "integer", "minimum": 1}, "hotels": {"type": "array", "items": HOTEL},
    }, ["city", "check_in", "check_out", "nights", "guests", "hotels"]),
    read_only=True,
)
def search_hotels(
    ctx: SimContext, city: str, check_in: str, nights: int | None = None, check_out: str | None = None,
    guests: int = 1, min_stars: int | None = None,
) -> dict[str, Any]:
    start, end, nights = _stay(ctx, check_in, nights, check_out)
    found = [h for h in ctx.state["hotels"] if h["city"] == city and h["stars"] >= (min_stars or 0)]
    found.sort(key=lambda h: (h["rooms_left"] == 0, -h["rating"], h["hotel_id"]))
    return {
        "city": city, "check_in": start.isoformat(), "check_out": end.isoformat(), "nights": nights,
        "guests": guests, "hotels": [_offer(h, nights) for h in found],
    }


@sims.tool(
    description=(
        "Book a room in a hotel found by search_hotels, for the signed-in traveller. Only call it "
        "when the traveller has chosen a hotel and asked to book it. A room holds up to 4 guests."
    ),
    parameters=_object({
        "hotel_id": {**HOTEL_ID, "description": "The hotel_id from search_hotels, e.g. HTL-4821."},
        **STAY,
        "rooms": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1, "description": "Rooms to book; 1 if omitted."},
    }, ["hotel_id", "check_in"]),
    returns=_object({
        "booking_id": {"type": "string", "pattern": r"^HB-\d+$"}, "status": {"const": "confirmed"},
        "hotel_id": HOTEL_ID, "hotel_name": {"type": "string"}, "city": CITY, "check_in": DAY, "check_out": DAY,
        "nights": {"type": "integer", "minimum": 1}, "guests": {"type": "integer", "minimum": 1},
        "rooms": {"type": "integer", "minimum": 1}, "total_price": MONEY, "currency": CURRENCY,
    }, ["booking_id", "status", "hotel_id", "hotel_name", "city", "check_in", "check_out", "nights", "guests",
        "rooms", "total_price", "currency"]),
    read_only=False,
)
def book_hotel(
    ctx: SimContext, hotel_id: str, check_in: str, nights: int | None = None, check_out: str | None = None,
    guests: int = 1, rooms: int = 1,
) -> dict[str, Any]:
    hotel = _hotel(ctx, hotel_id)
    start, end, nights = _stay(ctx, check_in, nights, check_out)
    if hotel["rooms_left"] == 0:
        raise ToolError(f"{hotel['name']} is fully booked from {start.isoformat()} to {end.isoformat()}")
    if guests > GUESTS_PER_ROOM * rooms:
        raise ToolError(f"{guests} guests need at least {math.ceil(guests / GUESTS_PER_ROOM)} rooms (up to 4 per room)")
    if rooms > hotel["rooms_left"]:
        raise ToolError(f"Only {hotel['rooms_left']} room(s) left at {hotel['name']}")
    hotel["rooms_left"] -= rooms
    booking = {
        "booking_id": ctx.next_id("HB"), "status": "confirmed", "hotel_id": hotel_id, "hotel_name": hotel["name"],
        "city": hotel["city"], "check_in": start.isoformat(), "check_out": end.isoformat(), "nights": nights,
        "guests": guests, "rooms": rooms, "total_price": round(hotel["price_per_night"] * nights * rooms, 2),
        "currency": hotel["currency"],
    }
    ctx.state["hotel_bookings"].append(dict(booking))
    return booking


@sims.tool(
    description=(
        f"Get the weather forecast for a city on one day (today up to {FORECAST_DAYS - 1} days ahead): "
        "conditions, high and low in °C, chance of rain. Without a date, today's forecast."
    ),
    parameters=_object({
        "city": {**CITY, "description": "City (canonical English name, e.g. Shanghai, New York)."},
        "date": {**DAY, "description": "Day of the forecast, YYYY-MM-DD; today if omitted."},
    }, ["city"]),
    returns=_object({
        "city": CITY, "date": DAY, "condition": {"enum": list(CONDITIONS)},
        "high_c": {"type": "integer"}, "low_c": {"type": "integer"},
        "precipitation_chance": {"type": "integer", "minimum": 0, "maximum": 100},
        "wind_kph": {"type": "integer", "minimum": 0},
    }, ["city", "date", "condition", "high_c", "low_c", "precipitation_chance", "wind_kph"]),
    read_only=True,
)
def get_weather(ctx: SimContext, city: str, date: str | None = None) -> dict[str, Any]:
    day = _day(date, "forecast date", ctx) if date else ctx.today
    if (day - ctx.today).days >= FORECAST_DAYS:
        raise ToolError(f"Forecasts reach only {FORECAST_DAYS - 1} days ahead (until {ctx.today + timedelta(days=FORECAST_DAYS - 1)})")
    info = CITIES[city]
    rng = random.Random(f"weather:{city}:{day.isoformat()}")
    month = day.month - 1
    high = info["highs"][month] + between(rng, -3, 3)
    low = min(info["lows"][month] + between(rng, -2, 2), high - 2)
    summer_rain = 20 if info["utc_offset"] >= 8 and 5 <= month <= 8 else 0
    rain = max(0, min(100, info["rain"] + summer_rain + between(rng, -25, 35)))
    if rain >= 60:
        condition = "snow" if high <= 2 else ("thunderstorms" if high >= 26 and rng.random() < 0.5 else "rain")
    elif rain >= 40:
        condition = "snow" if high <= 1 else "light rain"
    else:
        condition = pick(rng, ("sunny", "sunny", "partly cloudy", "cloudy", "fog" if rain > 30 else "partly cloudy"))
    return {
        "city": city, "date": day.isoformat(), "condition": condition, "high_c": high, "low_c": low,
        "precipitation_chance": rain // 5 * 5, "wind_kph": between(rng, 3, 35),
    }
