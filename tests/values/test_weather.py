"""Offline weather fits the place and the season: no July snow in Hangzhou, no tropical frost."""

from datetime import date

from simulator.values.computed import ComputeContext, compute


def _days(city: str, month: int, seeds: range = range(40)) -> list[dict]:
    out = []
    for seed in seeds:
        ctx = ComputeContext(today=date(2026, month, 10), seed=seed)
        out += compute("forecast", {"city": city, "days": 5}, ctx)["forecast"]
    return out


def test_summer_in_hangzhou_is_hot_and_never_snows():
    days = _days("Hangzhou", 7)
    assert all(d["condition"] != "snow" for d in days)
    assert 24 <= sum(d["high_c"] for d in days) / len(days) <= 36
    assert all(d["low_c"] <= d["high_c"] for d in days)


def test_winter_in_seoul_is_cold_and_some_days_snow_while_singapore_stays_warm():
    seoul = _days("Seoul", 1)
    assert sum(d["high_c"] for d in seoul) / len(seoul) < 6
    assert any(d["condition"] == "snow" for d in seoul)
    assert all(d["high_c"] <= 3 for d in seoul if d["condition"] == "snow")
    singapore = _days("Singapore", 1)
    assert all(d["low_c"] >= 18 and d["condition"] != "snow" for d in singapore)


def test_sydney_has_its_summer_in_january():
    assert sum(d["high_c"] for d in _days("Sydney", 1)) > sum(d["high_c"] for d in _days("Sydney", 7))


def test_rain_comes_with_a_high_chance_of_rain_and_the_same_day_reads_the_same():
    days = _days("London", 11)
    wet = [d for d in days if d["condition"] in ("light rain", "rain", "thunderstorms")]
    dry = [d for d in days if d["condition"] in ("sunny", "clear")]
    assert wet and dry
    assert min(d["precipitation_chance_percent"] for d in wet) > max(d["precipitation_chance_percent"] for d in dry)
    ctx = ComputeContext(today=date(2026, 11, 3), seed=5)
    one = compute("forecast", {"city": "London", "date": "2026-11-05"}, ctx)["forecast"][0]
    week = compute("forecast", {"city": "London", "days": 7}, ctx)["forecast"]
    assert one == next(d for d in week if d["date"] == "2026-11-05")


def test_current_weather_lies_within_the_days_range():
    for seed in range(30):
        ctx = ComputeContext(today=date(2026, 7, 20), seed=seed)
        now = compute("current_weather", {"city": "Hangzhou"}, ctx)
        day = compute("forecast", {"city": "Hangzhou"}, ctx)["forecast"][0]
        assert day["low_c"] - 1 <= now["temperature_c"] <= day["high_c"] + 1
        assert now["condition"] != "snow" and now["observed_at"].startswith("2026-07-20T")
