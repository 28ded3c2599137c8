"""argparse value types shared by every subcommand, so a bad number reads the same everywhere
(`argument --n: must be at least 1, got 0`, exit 2, no traceback).

Every numeric flag has one of these types: a range, and for real numbers a finite value (`nan`
and `inf` parse as floats but mean nothing as a rate, a price or a timeout).
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

from simulator.core.bounds import MAX_CONCURRENCY, MAX_EPISODES, MAX_EXAMPLES, MAX_GENERATED, MAX_RPM, MAX_SAMPLES


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from `low` to `high` (inclusive)."""

    def parse(text: str) -> int:
        value = whole_number(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {value:,}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


def float_in(low: float, high: float | None = None, *, low_open: bool = False) -> Callable[[str], float]:
    """A finite number from `low` (excluded when `low_open`) to `high`."""

    def parse(text: str) -> float:
        value = _number(text)
        if value < low or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"must be {'more than' if low_open else 'at least'} {low:g}, got {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:g}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


positive_int = int_in(1)
positive_float = float_in(0, low_open=True)
examples = int_in(1, MAX_EXAMPLES)  # --n
episodes = int_in(1, MAX_EPISODES)  # --max-episodes
concurrency = int_in(1, MAX_CONCURRENCY)
samples = int_in(1, MAX_SAMPLES)  # --samples-per-episode
generated = int_in(1, MAX_GENERATED)  # --per-scenario, personas --n, graph --chains
retries = int_in(0, 20)
judge_samples = int_in(1, 25)
max_tokens = int_in(1, 10_000_000)
temperature = float_in(0, 2)
price = float_in(0)  # USD per million tokens
judge_threshold = float_in(1, 5)
rpm = float_in(0, MAX_RPM, low_open=True)
seconds = float_in(0, 24 * 3600, low_open=True)  # --timeout
share = float_in(0, 1)  # --mistake-share


def similarity(text: str) -> float:
    """A Jaccard similarity threshold in (0, 1]."""
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"a similarity is at most 1, got {text}")
    return value
