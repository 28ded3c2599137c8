"""The pieces the eval's figures are made of, on their own: Wilson intervals, pass^k, value
comparison and the AST argument check."""

from __future__ import annotations

import math

import pytest

from simulator.eval.arguments import check_arguments, has_type
from simulator.eval.metrics import pass_hat, pass_hat_k, wilson
from simulator.export.answers import ArgAnswer, CallAnswer, normalize_text, strictly_equal, values_match
from simulator.spec import ToolSpec

def test_wilson_interval_against_its_formula() -> None:
    k, n, z = 14, 23, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    rate = wilson(k, n)
    assert (rate["low"], rate["high"]) == pytest.approx((centre - half, centre + half))
    # published values: 10/10 → [0.7225, 1], 8/10 → [0.4902, 0.9433]
    assert (wilson(10, 10)["low"], wilson(10, 10)["high"]) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert (wilson(8, 10)["low"], wilson(8, 10)["high"]) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson(0, 0)["rate"] is None




def test_pass_hat_k_definition() -> None:
    assert pass_hat_k(4, 3, 2) == 0.5 and pass_hat_k(4, 4, 4) == 1.0 and pass_hat_k(5, 0, 1) == 0.0
    assert pass_hat({"a": [True, False], "b": [True, True, True]}) == {1: pytest.approx(0.75), 2: pytest.approx(0.5)}
    with pytest.raises(ValueError):
        pass_hat_k(2, 1, 3)


def test_values_compare_the_way_bfcl_standardises_them() -> None:
    assert normalize_text("New  York") == normalize_text("new-york") == "newyork"
    assert normalize_text("April 1, 2024") == normalize_text("april 1 2024")
    assert normalize_text("ａ@b.com") == "a@bcom" and normalize_text("a@b.com") != normalize_text("ab.com")
    assert values_match(3, 3.0) and not values_match(True, 1) and not values_match("5", 5)
    assert values_match(["b", "A"], ["a", "b"]) and not values_match(["a"], ["a", "a"])
    assert values_match({"x": "Paris", "n": 2}, {"n": 2.0, "x": "paris"}) and not values_match({"x": 1}, {"y": 1})
    assert strictly_equal(20, 20.0) and not strictly_equal("NYC", "nyc") and not strictly_equal(1, True)


SPEC = ToolSpec(name="f", description="d", parameters={
    "type": "object", "required": ["a"],
    "properties": {"a": {"type": "number"}, "b": {"type": "string", "default": "x"}, "c": {"type": "integer"}}})


def _answer(**args: ArgAnswer) -> CallAnswer:
    return CallAnswer(tool="f", reference={k: v.values[0] for k, v in args.items() if v.values}, args=args)


@pytest.mark.parametrize("given, ok, reason", [
    ({"a": 2}, True, ""),                                   # an int for a number
    ({"a": 2.0, "b": "x"}, True, ""),                       # the schema default, unasked
    ({"a": 2.0, "b": "y"}, False, "unexpected argument 'b'"),
    ({"b": "x"}, False, "missing required argument 'a'"),
    ({"a": "2"}, False, "a: expected number, got string '2'"),
    ({"a": 3.0}, False, "a=3.0, expected one of [2.0]"),
    ({"a": 2.0, "z": 1}, False, "unexpected argument 'z'"),
])
def test_the_ast_check_fails_at_the_first_rule_broken(given: dict, ok: bool, reason: str) -> None:
    check = check_arguments(given, _answer(a=ArgAnswer(values=(2.0,))), SPEC)
    assert (check.ok, check.reason) == (ok, reason)


def test_optional_free_text_and_counts() -> None:
    answer = _answer(a=ArgAnswer(values=(2.0,)), c=ArgAnswer(values=(5,), optional=True))
    assert check_arguments({"a": 2.0}, answer, SPEC).ok  # an optional argument left out
    note = CallAnswer(tool="f", reference={"a": 2.0, "b": "window seat"},
                      args={"a": ArgAnswer(values=(2.0,)), "b": ArgAnswer(values=("window seat",), free_text=True)})
    check = check_arguments({"a": 2.0, "b": "any wording at all"}, note, SPEC)
    assert check.ok and (check.given, check.right, check.expected, check.found) == (2, 2, 2, 2)
    assert not check_arguments({"a": 2.0, "b": "  "}, note, SPEC).ok
    assert has_type(1, {"type": ["integer", "null"]}) and not has_type(True, {"type": "integer"})
