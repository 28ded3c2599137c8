"""Weather that fits the place and the season, for `get_current_weather`-like tools.

A schema-drawn forecast said "snow at -1 °C in Hangzhou in July": every field was valid and the
whole was impossible. These computations draw around a city's climate normals
(`climate.yaml`: coldest and warmest month, how wet it is) for the day asked, seeded by the
episode, city and day (the same question gets the same answer within an episode), and pick a
condition the temperature allows: snow only near freezing, thunderstorms only when warm, rain as
often as the city is wet; humidity and the chance of precipitation follow the condition.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from simulator.core.data_files import read_data_yaml
from simulator.values.computed import ComputeContext, computation
from simulator.values.computed.clock import now_utc

CLIMATE_FILE = Path(__file__).with_name("climate.yaml")
WET = ("light rain", "rain", "thunderstorms", "snow")
DRY = ("sunny", "clear", "partly cloudy", "cloudy", "overcast", "fog", "windy")


@lru_cache(maxsize=1)
def _climate() -> dict[str, Any]:
    return read_data_yaml(CLIMATE_FILE)


def normals(city: str) -> dict[str, float]:
    table = _climate()
    by_name = {name.lower(): row for name, row in table["cities"].items()}
    return by_name.get(city.strip().lower(), table["default"])


def mean_temperature(city: str, day: date) -> float:
    """The climate's mean temperature on `day`: a cosine between the coldest and the warmest month."""
    n = normals(city)
    middle, half = (n["warmest"] + n["coldest"]) / 2, (n["warmest"] - n["coldest"]) / 2
    months_from_peak = (day.timetuple().tm_yday / 30.44 + 0.5) - n["warm_month"]
    return middle + half * math.cos(2 * math.pi * months_from_peak / 12)


def condition_for(temperature: float, wet: float, roll: float, pick: float) -> str:
    """A condition the temperature allows: wet by the city's share of wet days."""
    if roll < wet:
        if temperature <= 1:
            return "snow"
        options = ("light rain", "rain", "thunderstorms") if temperature >= 18 else ("light rain", "rain")
    else:
        options = DRY if temperature > 0 else tuple(c for c in DRY if c != "fog")
    return options[int(pick * len(options)) % len(options)]


def day_weather(city: str, day: date, ctx: ComputeContext) -> dict[str, Any]:
    rng = ctx.rng("weather", city.strip().lower(), day.isoformat())
    n = normals(city)
    mean = mean_temperature(city, day) + rng.uniform(-3, 3)
    spread = rng.uniform(3, 5) if n["wet"] >= 0.3 else rng.uniform(5, 8)
    condition = condition_for(mean, n["wet"], rng.random(), rng.random())
    if condition == "snow":
        mean = min(mean, 0.5)
    chance = {"light rain": (40, 70), "rain": (65, 95), "thunderstorms": (60, 90), "snow": (55, 90)}.get(
        condition, (0, 20) if condition in ("sunny", "clear") else (5, 35))
    return {
        "condition": condition,
        "high_c": round(mean + spread / 2),
        "low_c": round(mean - spread / 2),
        "mean_c": mean,
        "precipitation_chance_percent": 5 * round(rng.randint(*chance) / 5),
        "humidity_percent": rng.randint(70, 95) if condition in WET or condition == "fog" else rng.randint(30, 70),
        "wind_kph": rng.randint(15, 45) if condition in ("windy", "thunderstorms") else rng.randint(2, 20),
    }


@computation("current_weather")
def current_weather(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """The conditions now: today's weather at the current hour (cooler at night)."""
    now = now_utc(ctx)
    today = day_weather(args["city"], ctx.today, ctx)
    hour = now.hour + now.minute / 60
    daytime = math.sin(math.pi * max(0.0, min(1.0, (hour - 6) / 12)))  # 0 at night, 1 mid-afternoon
    temperature = today["low_c"] + (today["high_c"] - today["low_c"]) * daytime
    condition = today["condition"]
    if condition == "sunny" and not 6 <= hour < 19:
        condition = "clear"  # no sun at night
    return {
        "city": args["city"], "condition": condition, "temperature_c": round(temperature),
        "humidity_percent": today["humidity_percent"], "wind_kph": today["wind_kph"],
        "observed_at": now.replace(second=0, microsecond=0).isoformat().replace("+00:00", "Z"),
    }


@computation("forecast")
def forecast(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """The asked day, or `days` days from today, each drawn around the city's normals."""
    first = date.fromisoformat(args["date"]) if args.get("date") else ctx.today
    count = 1 if args.get("date") else int(args.get("days", 1))
    days = []
    for i in range(count):
        day = first + timedelta(days=i)
        w = day_weather(args["city"], day, ctx)
        days.append({"date": day.isoformat(), "condition": w["condition"], "high_c": w["high_c"],
                     "low_c": w["low_c"], "precipitation_chance_percent": w["precipitation_chance_percent"]})
    return {"city": args["city"], "forecast": days}


_PLAIN = {"clear": "sunny", "overcast": "cloudy", "windy": "partly cloudy"}  # for a smaller set of conditions


@computation("weather_day")
def weather_day(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """One day's forecast as a single object (`date`: the day asked, or today's): high, low,
    chance of precipitation and wind, from the same draw as `forecast`. Conditions are the plain
    eight (sunny, partly cloudy, cloudy, light rain, rain, thunderstorms, snow, fog)."""
    day = date.fromisoformat(args["date"]) if args.get("date") else ctx.today
    w = day_weather(args["city"], day, ctx)
    return {
        "city": args["city"], "date": day.isoformat(), "condition": _PLAIN.get(w["condition"], w["condition"]),
        "temperature_high_c": w["high_c"], "temperature_low_c": w["low_c"],
        "precipitation_chance_percent": w["precipitation_chance_percent"], "wind_kph": w["wind_kph"],
    }


__all__ = ["condition_for", "current_weather", "day_weather", "forecast", "mean_temperature", "normals", "weather_day"]
