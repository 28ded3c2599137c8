"""Length, mass and volume conversions, temperatures, body-mass index and calories burned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.values.computed import ComputeContext, ComputeError, computation
from simulator.values.computed.math_tools import tidy

# One base unit per dimension: metres, grams, millilitres.
FACTORS = {
    "mm": ("length", 0.001), "cm": ("length", 0.01), "m": ("length", 1.0), "km": ("length", 1000.0),
    "in": ("length", 0.0254), "ft": ("length", 0.3048), "yd": ("length", 0.9144), "mi": ("length", 1609.344),
    "mg": ("mass", 0.001), "g": ("mass", 1.0), "kg": ("mass", 1000.0), "oz": ("mass", 28.349523125),
    "lb": ("mass", 453.59237),
    "ml": ("volume", 1.0), "l": ("volume", 1000.0), "cup": ("volume", 236.5882365),
    "fl oz": ("volume", 29.5735295625), "gal": ("volume", 3785.411784),
}


def convert(value: float, source: str, target: str) -> float:
    if source not in FACTORS or target not in FACTORS:
        raise ComputeError(f"unknown unit {source if source not in FACTORS else target!r}")
    (dim_a, fa), (dim_b, fb) = FACTORS[source], FACTORS[target]
    if dim_a != dim_b:
        raise ComputeError(f"cannot convert {dim_a} ({source}) to {dim_b} ({target})")
    return value * fa / fb


@computation("unit_conversion")
def convert_units(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    result = convert(args["value"], args["from_unit"], args["to_unit"])
    return {"value": args["value"], "from_unit": args["from_unit"], "to_unit": args["to_unit"], "result": tidy(result, 2)}


def to_celsius(value: float, scale: str) -> float:
    return {"celsius": value, "fahrenheit": (value - 32) * 5 / 9, "kelvin": value - 273.15}[scale]


def from_celsius(value: float, scale: str) -> float:
    return {"celsius": value, "fahrenheit": value * 9 / 5 + 32, "kelvin": value + 273.15}[scale]


@computation("temperature_conversion")
def convert_temperature(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    result = from_celsius(to_celsius(args["value"], args["from_scale"]), args["to_scale"])
    return {"value": args["value"], "from_scale": args["from_scale"], "to_scale": args["to_scale"],
            "result": tidy(result, 1)}


def bmi_category(bmi: float) -> str:
    return "underweight" if bmi < 18.5 else "normal" if bmi < 25 else "overweight" if bmi < 30 else "obese"


@computation("bmi")
def calculate_bmi(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    bmi = round(args["weight_kg"] / (args["height_cm"] / 100) ** 2, 1)
    return {"weight_kg": args["weight_kg"], "height_cm": args["height_cm"], "bmi": bmi}


# Metabolic equivalents (Compendium of Physical Activities, moderate effort).
METS = {"running": 9.8, "walking": 3.5, "cycling": 7.5, "swimming": 7.0, "yoga": 2.5, "weight training": 5.0,
        "hiking": 6.0, "dancing": 5.0, "rowing": 7.0}
DEFAULT_WEIGHT_KG = 70


@computation("calories_burned")
def estimate_calories_burned(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    weight = args.get("weight_kg", DEFAULT_WEIGHT_KG)
    calories = round(METS[args["activity"]] * weight * args["duration_minutes"] / 60)
    return {"activity": args["activity"], "duration_minutes": args["duration_minutes"], "calories": calories}
