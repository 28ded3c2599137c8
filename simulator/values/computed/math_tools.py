"""Arithmetic, equations in one variable and descriptive statistics, computed exactly.

Expressions are parsed with `ast` into a small whitelist (numbers, + - * / ^ **, %, parentheses,
sqrt/abs/round) — never `eval` — after rewriting the ways people write them: "18% of 240",
"2^10", "3 × 4", "10 ÷ 4".
"""

from __future__ import annotations

import ast
import math
import operator
import re
import statistics
from collections.abc import Mapping
from typing import Any

from simulator.values.computed import ComputeContext, ComputeError, computation

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow, ast.Mod: operator.mod}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS = {"sqrt": math.sqrt, "abs": abs, "round": round}
_PERCENT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*of\s*(\d+(?:\.\d+)?)", re.I)


def _rewrite(expression: str) -> str:
    text = expression.strip().rstrip("=?").replace("×", "*").replace("÷", "/").replace("^", "**")
    text = _PERCENT_OF.sub(r"(\1/100*\2)", text)
    return re.sub(r"(\d)\s*\(", r"\1*(", text)  # 3(x - 4) -> 3*(x - 4)


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ComputeError("exponent too large")
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ComputeError("division by zero") from None
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and len(node.args) == 1:
        try:
            return _FUNCTIONS[node.func.id](_value(node.args[0]))
        except ValueError:
            raise ComputeError(f"{node.func.id} of a negative number") from None
    raise ComputeError("unsupported expression")


def evaluate(expression: str) -> float:
    """The value of an arithmetic expression (ComputeError if it is not one)."""
    try:
        tree = ast.parse(_rewrite(expression), mode="eval")
    except SyntaxError:
        raise ComputeError(f"cannot parse the expression {expression!r}") from None
    return float(_value(tree))


def tidy(value: float, places: int = 4) -> float | int:
    """A result as people write it: 57 not 57.0, 0.3333 not 0.333333333."""
    rounded = round(value, places)
    return int(rounded) if rounded == int(rounded) else rounded


@computation("arithmetic")
def arithmetic(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    precision = args.get("precision", 4)
    return {"expression": args["expression"], "result": tidy(evaluate(args["expression"]), precision),
            "precision": precision}


def _side(text: str, variable: str) -> tuple[float, float, float]:
    """(a, b, c) with side = a·x² + b·x + c, found by evaluating the side at three points (the
    sides people type are polynomials of degree two at most)."""
    def at(x: float) -> float:
        return evaluate(re.sub(rf"(?<=[\d)])\s*{variable}", f"*({x})", text).replace(variable, f"({x})"))
    f0, f1, fm = at(0.0), at(1.0), at(-1.0)
    a = (f1 + fm) / 2 - f0
    b = (f1 - fm) / 2
    if abs(at(2.0) - (4 * a + 2 * b + f0)) > 1e-9:
        raise ComputeError("only equations of degree two or less are supported")
    return a, b, f0


@computation("solve_equation")
def solve_equation(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    equation, variable = args["equation"], args.get("variable", "x")
    if equation.count("=") != 1:
        raise ComputeError("an equation needs exactly one equals sign")
    left, right = equation.split("=")
    la, lb, lc = _side(left, variable)
    ra, rb, rc = _side(right, variable)
    a, b, c = la - ra, lb - rb, lc - rc
    if abs(a) < 1e-12:
        if abs(b) < 1e-12:
            raise ComputeError("the equation has no unique solution")
        solutions = [-c / b]
    else:
        disc = b * b - 4 * a * c
        if disc < -1e-12:
            solutions = []
        else:
            root = math.sqrt(max(disc, 0.0))
            solutions = sorted({(-b - root) / (2 * a), (-b + root) / (2 * a)})
    return {"equation": equation, "variable": variable, "solutions": [tidy(s) for s in solutions]}


MEASURES = ("mean", "median", "mode", "stdev", "variance", "min", "max", "range", "sum")


@computation("statistics")
def describe(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    numbers = [float(n) for n in args["numbers"]]
    if len(numbers) < 2:
        raise ComputeError("need at least two numbers")
    values = {
        "count": len(numbers),
        "mean": statistics.fmean(numbers),
        "median": statistics.median(numbers),
        "mode": statistics.mode(numbers),
        "stdev": statistics.stdev(numbers),  # the sample standard deviation, as spreadsheets give it
        "variance": statistics.variance(numbers),
        "min": min(numbers),
        "max": max(numbers),
        "range": max(numbers) - min(numbers),
        "sum": sum(numbers),
    }
    wanted = args.get("measures") or ["mean", "median", "stdev", "min", "max"]
    out: dict[str, Any] = {m: None for m in MEASURES}  # None: not asked for, so not in the result
    out.update({m: tidy(values[m], 2) for m in wanted})
    out["count"] = len(numbers)
    return out
