"""`errors:` of a schema-only tool: when the generic sim answers with an error instead of a result.

A real API refuses some calls — an unknown id, an expired prescription, a sold-out flight — and a
dataset that never shows a refusal cannot teach a model to recover from one. Python sims raise
`ToolError`; a `tools.yaml` tool declares its refusals here:

```yaml
errors:
  - when: {args: {rx_id: {pattern: "^RX-9"}}}          # a condition on the call's arguments
    error: "No prescription found with id {rx_id}"
  - when: {facts: {rx_state: expired}}                 # or on the episode's facts (its slots)
    error: "Prescription {rx_id} has expired; a doctor must renew it"
```

Each condition maps a name to a value (equal), a list (any of them) or a mapping (a JSON Schema
the value must satisfy: `{pattern: ...}`, `{minimum: 10}`, `{enum: [...]}`). Argument names are
the tool's parameters; fact names are the scenario's slots, with a dotted path into a `choice`
entry or a date (`reason.code`, `when.code`). Every condition of a rule must hold; an absent
argument or fact never matches. The first rule that matches answers; `error` may name the tool's
parameters and the facts its rule tests (`{rx_id}`). Matching lives in
`simulator.values.tool_errors`; load checks in `simulator.load.tool_errors`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from simulator.spec.base import Strict


class ErrorCondition(Strict):
    """What must hold for a declared error: conditions on arguments and/or on the episode's facts."""

    args: dict[str, Any] = Field(
        default_factory=dict,
        description="argument name -> a value (equal), a list (any of them) or a JSON Schema the argument must satisfy",
        examples=[{"rx_id": {"pattern": "^RX-9"}}],
    )
    facts: dict[str, Any] = Field(
        default_factory=dict,
        description="slot name (or dotted path: `reason.code`) -> a value, a list or a JSON Schema; "
                    "the scenario's facts decide, so a scenario can set up the refusal it teaches",
        examples=[{"rx_state": "expired"}],
    )

    @model_validator(mode="after")
    def _something(self) -> "ErrorCondition":
        if not self.args and not self.facts:
            raise ValueError("a condition needs `args`, `facts` or both (an empty one would refuse every call)")
        return self


class ToolErrorRule(Strict):
    """One refusal a schema-only tool gives: when its condition holds, the call's result is
    `{"error": <error>}` instead of a value from the `returns` schema."""

    when: ErrorCondition = Field(
        description="the condition: `args` and/or `facts`, every entry must hold",
        examples=[{"facts": {"rx_state": "expired"}}],
    )
    error: str = Field(
        min_length=1,
        description="the error message; may name the tool's parameters and the facts its condition tests",
        examples=["Prescription {rx_id} has expired; a doctor must renew it"],
    )
