"""Did the calls the scenario's blueprint expects happen, in order, with the right key arguments?

Each expected call is rendered with the episode's facts and the tool results the assistant had *at
that point* (`{@lookup_order.orders.0.order_id}` means the latest successful `lookup_order` result
before the call), then compared with the actual calls in order.

Decisions:
- Only the arguments the blueprint names are compared ("key arguments"); further arguments are
  the schema rule's business. A blueprint literal that is free text (three or more words, no
  placeholder, e.g. an escalation reason) only has to be present and non-empty: any wording
  is right, and demanding the blueprint's exact sentence would reject every real model.
- Values compare normalised: strings case- and whitespace-insensitively, numbers by value
  (`5 == 5.0 == "5.00"` when one side is a number), containers element-wise.
- Extra calls are tolerated when the tool declares itself read-only (`read_only: true` in its
  spec): looking something up once more is harmless, while an unexpected write (a second refund,
  a cancellation nobody asked for) is exactly what a training set must not teach. A tool that
  never said (an old snapshot) or is unknown counts as a write.
- A blueprint value that is a set (`priority: [high, normal]` for a parameter that takes no
  arrays) matches any of its values: the policy allows either.
- An expected call with `expect_error: true` only matches a call whose result was an error; the
  ids of such calls are reported so the error-result rule can tell expected errors from misuse.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from simulator.judge.conversation import CallSite
from simulator.spec import ExpectedCall, ToolSpec
from simulator.spec.blueprint import PLACEHOLDER, MissingValue, acceptable_values, render_args

_NUMERIC_STRING = re.compile(r"^\s*[+-]?\d+(?:,\d{3})*(?:\.\d+)?\s*$")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_equals_string(number: float, text: str) -> bool:
    return bool(_NUMERIC_STRING.match(text)) and math.isclose(
        float(number), float(text.replace(",", "")), rel_tol=0.0, abs_tol=1e-9
    )


def _norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_free_text(raw: Any) -> bool:
    """A blueprint literal written as prose rather than as a value to reproduce."""
    return isinstance(raw, str) and len(raw.split()) >= 3 and PLACEHOLDER.search(raw) is None


def values_equal(expected: Any, actual: Any) -> bool:
    """Normalised equality of a rendered blueprint value and an actual argument value."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if _is_number(expected) and _is_number(actual):
        return math.isclose(float(expected), float(actual), rel_tol=0.0, abs_tol=1e-9)
    if _is_number(expected) and isinstance(actual, str):
        return _number_equals_string(expected, actual)
    if isinstance(expected, str) and _is_number(actual):
        return _number_equals_string(actual, expected)
    if isinstance(expected, str) and isinstance(actual, str):
        return _norm_text(expected) == _norm_text(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(values_equal(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(values_equal(v, actual[k]) for k, v in expected.items())
    return expected == actual


@dataclass(slots=True)
class ExpectedMatch:
    matched: list[tuple[ExpectedCall, CallSite]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # why each unmatched expected call failed
    tolerated: list[CallSite] = field(default_factory=list)  # extra read-only calls
    unexpected: list[CallSite] = field(default_factory=list)  # extra calls that change things
    expected_error_ids: set[str] = field(default_factory=set)
    # id(site) -> the expected call's arguments rendered at that site (the final-state check
    # reuses them rather than rendering the blueprint again)
    rendered: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unexpected


def _mismatch(expected: ExpectedCall, site: CallSite, facts: dict[str, Any], spec: ToolSpec | None,
              rendered: dict[int, dict[str, Any]] | None = None) -> str | None:
    """None when `site` satisfies `expected`, else a short reason (`rendered` keeps the
    arguments rendered for the site)."""
    if site.call.name != expected.tool:
        return f"called {site.call.name}"
    if site.args is None:
        return "arguments are not a JSON object"
    try:
        wanted = render_args(expected, facts, site.results)
    except MissingValue as exc:
        return f"cannot render {exc.args[0]!r} at that point"
    if rendered is not None:
        rendered[id(site)] = wanted  # read, never changed (a replay copies it)
    properties = spec.parameters.get("properties", {}) if spec is not None else {}
    for key, value in wanted.items():
        if key not in site.args:
            return f"{key} missing"
        if is_free_text(expected.args.get(key)):
            if not (isinstance(site.args[key], str) and site.args[key].strip()):
                return f"{key} is empty"
            continue
        options = acceptable_values(value, properties.get(key))
        if options is not None:
            if not any(values_equal(option, site.args[key]) for option in options):
                return f"{key}={site.args[key]!r}, expected one of {options!r}"
        elif not values_equal(value, site.args[key]):
            return f"{key}={site.args[key]!r}, expected {value!r}"
    if expected.expect_error and not (site.result is not None and site.result.is_error):
        return "expected an error result"
    return None


def match_expected(
    calls: list[CallSite], expected: list[ExpectedCall], facts: dict[str, Any],
    tools: Mapping[str, ToolSpec] | None = None,
) -> ExpectedMatch:
    """Greedy in-order matching; linear in the number of calls. `tools` say which are read-only
    (without them, no extra call is tolerated) and which parameters take arrays."""
    tools = tools or {}
    result = ExpectedMatch()
    position = 0
    closest: dict[int, str] = {}  # expected index -> reason the nearest same-tool call failed
    for site in calls:
        if position < len(expected):
            reason = _mismatch(expected[position], site, facts, tools.get(expected[position].tool), result.rendered)
            if reason is None:
                result.matched.append((expected[position], site))
                if expected[position].expect_error:
                    result.expected_error_ids.add(site.call.id)
                position += 1
                continue
            if site.call.name == expected[position].tool:
                closest.setdefault(position, reason)
        spec = tools.get(site.call.name)
        if spec is not None and not spec.writes:
            result.tolerated.append(site)
        else:
            result.unexpected.append(site)
    for index in range(position, len(expected)):
        call = expected[index]
        detail = closest.get(index, "no such call")
        result.missing.append(f"{call.tool}: {detail}")
    return result
