"""Exchange rates, currency conversion and loan payments over one seeded rate table.

The table holds realistic mid-market values (US dollars per unit) moved by up to ±2 % per
episode, so `get_exchange_rate` and `convert_currency` agree within an episode (the converted
amount is the amount times the rate shown) and differ a little between episodes, as markets do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from simulator.values.computed import ComputeContext, ComputeError, computation

USD_PER_UNIT = {
    "USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CNY": 0.138, "CHF": 1.13, "CAD": 0.73,
    "AUD": 0.66, "INR": 0.012, "KRW": 0.00073, "SGD": 0.74, "HKD": 0.128, "MXN": 0.058, "BRL": 0.19,
}
DRIFT = 0.02


def rate_table(ctx: ComputeContext) -> dict[str, float]:
    rng = ctx.rng("rates")
    return {code: value * (1 + rng.uniform(-DRIFT, DRIFT)) for code, value in USD_PER_UNIT.items()}


def exchange_rate(base: str, quote: str, ctx: ComputeContext) -> float:
    """How much one unit of `base` costs in `quote`, to four significant decimals."""
    table = rate_table(ctx)
    if base not in table or quote not in table:
        raise ComputeError(f"no rate for {base}/{quote}")
    raw = table[base] / table[quote]
    places = max(4, 3 - math.floor(math.log10(raw)))  # 0.0067 keeps its digits: 0.006215
    return round(raw, places)


def as_of(ctx: ComputeContext) -> str:
    """The episode's today at a seeded time of the day: 'now' for every call of the episode."""
    rng = ctx.rng("clock")
    moment = datetime.combine(ctx.today, time(rng.randint(8, 20), rng.randrange(0, 60, 5)))
    return moment.isoformat() + "Z"


@computation("exchange_rate")
def get_exchange_rate(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    out = {"base": args["base"], "quote": args["quote"], "rate": exchange_rate(args["base"], args["quote"], ctx)}
    day = args.get("date")
    out["as_of"] = f"{day}T16:00:00Z" if day else as_of(ctx)
    return out


@computation("currency_conversion")
def convert_currency(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    rate = exchange_rate(args["from_currency"], args["to_currency"], ctx)
    return {"amount": args["amount"], "from_currency": args["from_currency"], "to_currency": args["to_currency"],
            "rate": rate, "converted_amount": round(args["amount"] * rate, 2), "as_of": as_of(ctx)}


PER_YEAR = {"monthly": 12, "biweekly": 26}


def loan_payment(principal: float, annual_rate_percent: float, years: int, per_year: int) -> tuple[float, int]:
    n = years * per_year
    r = annual_rate_percent / 100 / per_year
    payment = principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n)
    return round(payment, 2), n


@computation("loan_payment")
def calculate_loan_payment(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    frequency = args.get("payment_frequency", "monthly")
    payment, n = loan_payment(args["principal"], args["annual_rate_percent"], args["term_years"], PER_YEAR[frequency])
    return {"principal": args["principal"], "annual_rate_percent": args["annual_rate_percent"],
            "term_years": args["term_years"], "payment_frequency": frequency, "payment": payment,
            "number_of_payments": n, "total_interest": round(payment * n - args["principal"], 2)}


def days_ago(ctx: ComputeContext, days: int) -> str:
    return (ctx.today - timedelta(days=days)).isoformat()


# Price levels a crypto quote is drawn around (USD; supply in billions of coins, for the cap):
# an offline bitcoin at 34.49 USD teaches a model a number no one has seen.
COINS = {
    "bitcoin": (60000.0, 0.0197), "ethereum": (3000.0, 0.12), "solana": (150.0, 0.46), "cardano": (0.45, 35.0),
    "dogecoin": (0.12, 145.0), "xrp": (0.55, 55.0), "litecoin": (80.0, 0.075), "polkadot": (6.5, 1.4),
}


@computation("crypto_price")
def crypto_price(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """A coin's price around its level (±15 %, the same within an episode), in the currency asked
    (through the shared rate table), with a market cap that is price times supply."""
    coin = args["coin"]
    if coin not in COINS:
        raise ComputeError(f"unknown coin {coin!r}")
    level, supply = COINS[coin]
    rng = ctx.rng("crypto", coin)
    usd = level * (1 + rng.uniform(-0.15, 0.15))
    currency = args.get("currency") or "USD"
    price = usd * exchange_rate("USD", currency, ctx) if currency != "USD" else usd
    return {
        "coin": coin, "currency": currency, "price": round(price, 2 if price >= 1 else 4),
        "change_24h_percent": round(rng.uniform(-6, 6), 2),
        "market_cap_billions": round(usd * supply, 1),
    }
