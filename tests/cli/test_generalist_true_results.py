"""Every computable result of a default generalist run is the true one, recomputed here from the
call's arguments without toolsim's code: arithmetic, equations, statistics, unit, temperature and
currency conversion (the converted amount is the amount times the rate shown, the rate agrees
with `get_exchange_rate` in the same episode and lies within 2 % of a reference), loan payments,
BMI, calories, time zones, the current time against the episode's today, date arithmetic, and the
text tools answered from real pairs (never boilerplate)."""

from __future__ import annotations

import ast
import json
import math
import operator
import re
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.pack_runs import read_traces, run_pack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

UNITS = {"mm": 0.001, "cm": 0.01, "m": 1, "km": 1000, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344,
         "mg": 0.001, "g": 1, "kg": 1000, "oz": 28.349523125, "lb": 453.59237,
         "ml": 1, "l": 1000, "cup": 236.5882365, "fl oz": 29.5735295625, "gal": 3785.411784}
USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CNY": 0.138, "CHF": 1.13, "CAD": 0.73,
       "AUD": 0.66, "INR": 0.012, "KRW": 0.00073, "SGD": 0.74, "HKD": 0.128, "MXN": 0.058, "BRL": 0.19}
METS = {"running": 9.8, "walking": 3.5, "cycling": 7.5, "swimming": 7.0, "yoga": 2.5, "weight training": 5.0,
        "hiking": 6.0, "dancing": 5.0, "rowing": 7.0}
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
       ast.Pow: operator.pow, ast.USub: operator.neg}


def arith(text: str) -> float:
    text = text.strip()
    text = re.sub(r"(\d+(?:\.\d+)?)% of (\d+(?:\.\d+)?)", r"(\1*\2/100)", text).replace("^", "**")
    text = re.sub(r"(\d)\s*\(", r"\1*(", text)

    def value(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.BinOp):
            return OPS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp):
            return OPS[type(node.op)](value(node.operand))
        if isinstance(node, ast.Call) and node.func.id == "sqrt":
            return math.sqrt(value(node.args[0]))
        raise AssertionError(ast.dump(node))
    return value(ast.parse(text, mode="eval").body)


def solutions(equation: str, v: str = "x") -> list[float]:
    """Roots by brute force over the half-integers in [-100, 100] (the shipped equations have such roots)."""
    left, right = equation.split("=")

    def side(text, x):
        return arith(re.sub(rf"(?<=[\d)])\s*{v}", f"*({x})", text).replace(v, f"({x})"))
    return [x / 2 for x in range(-200, 201) if abs(side(left, x / 2) - side(right, x / 2)) < 1e-9]


def close(a, b, tol=0.011):
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)) * 1e-6) or abs(float(a) - float(b)) <= tol


@pytest.fixture(scope="module")
def calls(tmp_path_factory) -> list[tuple[dict, str, dict, dict]]:
    run = run_pack(ROOT / "scenarios" / "generalist.yaml", tmp_path_factory.mktemp("gen") / "run")
    out = []
    for trace in read_traces(run):
        results = {m["tool_call_id"]: m for m in trace["messages"] if m["role"] == "tool"}
        for m in trace["messages"]:
            for call in m.get("tool_calls") or ():
                result = results[call["id"]]
                out.append((trace, call["name"], json.loads(call["arguments"]), json.loads(result["content"])))
    return out


def test_every_computable_result_is_correct(calls):
    checked: dict[str, int] = {}
    rates: dict[tuple[str, str, str], float] = {}
    for trace, name, args, result in calls:
        assert "error" not in result, (name, args, result)
        today = date.fromisoformat(trace["episode"]["today"])
        if name == "calculate":
            assert result["result"] == pytest.approx(round(arith(args["expression"]), args.get("precision", 4))), (args, result)
        elif name == "solve_equation":
            assert result["solutions"] == pytest.approx(solutions(args["equation"], args.get("variable", "x"))), (args, result)
        elif name == "compute_statistics":
            n = args["numbers"]
            truth = {"mean": statistics.mean(n), "median": statistics.median(n), "stdev": statistics.stdev(n),
                     "min": min(n), "max": max(n), "range": max(n) - min(n), "sum": sum(n),
                     "variance": statistics.variance(n), "mode": statistics.mode(n), "count": len(n)}
            asked = set(args.get("measures") or ["mean", "median", "stdev", "min", "max"]) | {"count"}
            assert set(result) == asked, (args, result)  # only what was asked, nothing made up
            assert all(close(result[k], truth[k]) for k in asked), (args, result)
        elif name == "convert_units":
            assert close(result["result"], args["value"] * UNITS[args["from_unit"]] / UNITS[args["to_unit"]]), result
        elif name == "convert_temperature":
            c = {"celsius": args["value"], "fahrenheit": (args["value"] - 32) * 5 / 9, "kelvin": args["value"] - 273.15}[args["from_scale"]]
            want = {"celsius": c, "fahrenheit": c * 9 / 5 + 32, "kelvin": c + 273.15}[args["to_scale"]]
            assert close(result["result"], want, 0.051), (args, result)
        elif name in ("convert_currency", "get_exchange_rate"):
            base, quote = (args["from_currency"], args["to_currency"]) if name == "convert_currency" else (args["base"], args["quote"])
            reference = USD[base] / USD[quote]
            assert abs(result["rate"] / reference - 1) <= 0.041, (base, quote, result)
            key = (trace["id"], base, quote)
            assert rates.setdefault(key, result["rate"]) == result["rate"]  # one rate per pair in an episode
            if name == "convert_currency":
                assert close(result["converted_amount"], args["amount"] * result["rate"]), result
            assert result["as_of"].startswith(args.get("date") or today.isoformat()), (result, today)
        elif name == "calculate_loan_payment":
            k = 26 if args.get("payment_frequency") == "biweekly" else 12
            n, r = args["term_years"] * k, args["annual_rate_percent"] / 100 / k
            payment = args["principal"] / n if r == 0 else args["principal"] * r / (1 - (1 + r) ** -n)
            assert close(result["payment"], payment) and result["number_of_payments"] == n, (args, result)
            assert close(result["total_interest"], result["payment"] * n - args["principal"], 0.02)
        elif name == "calculate_bmi":
            assert close(result["bmi"], args["weight_kg"] / (args["height_cm"] / 100) ** 2, 0.051)
        elif name == "estimate_calories_burned":
            want = METS[args["activity"]] * args.get("weight_kg", 70) * args["duration_minutes"] / 60
            assert abs(result["calories"] - want) <= 0.5, (args, result)
        elif name == "convert_timezone":
            day = date.fromisoformat(args.get("date") or today.isoformat())
            h, mnt = map(int, args["time"].split(":"))
            src = datetime(day.year, day.month, day.day, h, mnt, tzinfo=ZoneInfo(args["from_timezone"]))
            dst = src.astimezone(ZoneInfo(args["to_timezone"]))
            assert result["converted_time"] == dst.strftime("%H:%M") and result["day_offset"] == (dst.date() - day).days
        elif name == "get_current_time":
            assert abs((date.fromisoformat(result["date"]) - today).days) <= 1, (result, today)
        elif name == "days_between_dates":
            start, end = date.fromisoformat(args["start_date"]), date.fromisoformat(args["end_date"])
            if args.get("business_days_only"):
                want = sum(1 for i in range(1, (end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)
            else:
                want = (end - start).days
            assert result["days"] == want, (args, result)
        elif name == "add_to_date":
            start, amount, unit = date.fromisoformat(args["start_date"]), args["amount"], args["unit"]
            if unit in ("days", "weeks"):
                want = start + timedelta(days=amount * (7 if unit == "weeks" else 1))
            else:
                months = start.month - 1 + amount * (12 if unit == "years" else 1)
                y, mo = start.year + months // 12, months % 12 + 1
                last = (date(y + mo // 12, mo % 12 + 1, 1) - timedelta(days=1)).day
                want = date(y, mo, min(start.day, last))
            assert result["result_date"] == want.isoformat() and result["weekday"] == want.strftime("%A")
        elif name == "translate_text":
            assert result["translated_text"] != args["text"] and "request" not in result["translated_text"].lower()
        elif name == "summarize_text":
            assert result["summary_words"] < result["original_words"] and result["summary"] not in args["text"]
        elif name == "spell_check":
            assert (result["corrected_text"] != args["text"]) == (result["issues_found"] > 0), result
        elif name == "detect_language":
            assert result["language"] in ("pl", "no", "pt", "it", "fi", "sv"), result
        elif name == "get_forecast":
            first = date.fromisoformat(args.get("date") or today.isoformat())
            assert [d["date"] for d in result["forecast"]] == [
                (first + timedelta(days=i)).isoformat() for i in range(len(result["forecast"]))]
        else:
            continue
        checked[name] = checked.get(name, 0) + 1
    assert len(checked) >= 19, sorted(checked)  # every computed tool was called and checked
    assert sum(checked.values()) >= 200


def test_current_timestamps_are_the_episode_today(calls):
    for trace, name, args, result in calls:
        today = trace["episode"]["today"]
        for key in ("as_of", "observed_at"):
            if key in result and not args.get("date"):
                assert result[key].startswith(today), (name, result, today)
