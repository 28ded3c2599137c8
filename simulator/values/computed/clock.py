"""Time zones, the current time and date arithmetic, against the episode's today.

"Now" is the episode's today at one seeded UTC time of the day, the same for every call of the
episode (`money.as_of` uses the same clock), so "what time is it in Tokyo" and "in London" agree.
Zone rules come from the IANA database through `zoneinfo`.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulator.values.computed import ComputeContext, ComputeError, computation

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ComputeError(f"unknown time zone {name!r}") from None


def now_utc(ctx: ComputeContext) -> datetime:
    rng = ctx.rng("clock")
    return datetime.combine(ctx.today, time(rng.randint(8, 20), rng.randrange(0, 60, 5)), tzinfo=timezone.utc)


@computation("current_time")
def current_time(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    local = now_utc(ctx).astimezone(zone(args["timezone"]))
    return {"timezone": args["timezone"], "local_time": local.strftime("%H:%M"), "date": local.date().isoformat()}


@computation("timezone_conversion")
def convert_timezone(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    day = date.fromisoformat(args["date"]) if args.get("date") else ctx.today
    hours, minutes = (int(part) for part in args["time"].split(":"))
    source = datetime.combine(day, time(hours, minutes), tzinfo=zone(args["from_timezone"]))
    target = source.astimezone(zone(args["to_timezone"]))
    return {"time": args["time"], "from_timezone": args["from_timezone"], "to_timezone": args["to_timezone"],
            "converted_time": target.strftime("%H:%M"), "day_offset": (target.date() - day).days}


def business_days(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end`."""
    step = 1 if end >= start else -1
    count, day = 0, start
    while day != end:
        day += timedelta(days=step)
        count += day.weekday() < 5
    return count * step


@computation("days_between")
def days_between_dates(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    start, end = date.fromisoformat(args["start_date"]), date.fromisoformat(args["end_date"])
    days = business_days(start, end) if args.get("business_days_only") else (end - start).days
    return {"start_date": args["start_date"], "end_date": args["end_date"], "days": days}


def add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@computation("date_add")
def add_to_date(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    start, amount, unit = date.fromisoformat(args["start_date"]), args["amount"], args["unit"]
    if unit in ("days", "weeks"):
        result = start + timedelta(days=amount * (7 if unit == "weeks" else 1))
    else:
        result = add_months(start, amount * (12 if unit == "years" else 1))
    return {"start_date": args["start_date"], "amount": amount, "unit": unit, "result_date": result.isoformat(),
            "weekday": WEEKDAYS[result.weekday()]}


@computation("forecast_days")
def forecast_days(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """A forecast's days: the asked day, or `days` days from today (the schema draws the weather)."""
    draft = ctx.draft if isinstance(ctx.draft, dict) else {}
    first = date.fromisoformat(args["date"]) if args.get("date") else ctx.today
    count = 1 if args.get("date") else int(args.get("days", 1))
    template = list(draft.get("forecast") or [{}])
    days = []
    for i in range(count):
        entry = dict(template[i % len(template)])
        entry["date"] = (first + timedelta(days=i)).isoformat()
        days.append(entry)
    return {"forecast": days}
