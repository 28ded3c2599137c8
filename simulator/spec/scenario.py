"""One situation a user can be in: its facts (slots), its script (turns) and the blueprint of
what the assistant should do (expected calls, answers)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from simulator.core.names import LANGUAGES
from simulator.spec.base import Category, FakeKind, HardCase, LocalizedText, Strict


class StateQuery(Strict):
    """Pick one record of the episode's tool state, e.g. a delivered order.

    `where` maps a field to a value or a list of accepted values.
    """

    collection: str
    where: dict[str, Any] = Field(default_factory=dict)


def factor_problem(factor: Any) -> str | None:
    """What is wrong with one `scale` factor (None: nothing). Shared with variant files and expand."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float)):
        return f"a factor is a number more than 0 and at most 1, got {factor!r}"
    if not 0 < factor <= 1:
        return (f"a factor must be more than 0 and at most 1 (a share of the field's value: 0.5 is half), "
                f"got {factor:g}")
    return None


class SlotSpec(Strict):
    """Where a fact the user knows comes from. Exactly one source is given.

    `date` is a relative day resolved against the episode's simulated today (see
    `simulator.words.relative_dates`): `tomorrow`, `day_after_tomorrow`, `in_3_days`, `this_saturday`,
    `next_monday`, a list of those, or `any`. The slot's value is a mapping like a `choice`:
    `{when.en}` is what the user says ("this Saturday"), `{when.zh}` (这周六), `{when.code}` the ISO
    date the call must carry.

    `scale` (with `field` only) turns a number of the record into a share of it: each episode draws
    one factor, and the slot's value is `round(value * factor, 2)` — `{field: items.0.price, scale:
    [1, 0.5]}` is the item's full price or half of it, a partial refund that still fits the state.
    """

    field: str | None = Field(None, description="dotted path into the scenario's picked record")
    fake: FakeKind | None = Field(None, description="a generated, seeded value")
    choice: list[Any] | None = None
    value: Any = None
    date: str | list[str] | None = Field(None, description="a relative day: tomorrow, next_monday, ... or any")
    scale: list[float] | None = Field(
        None, min_length=1,
        description="with `field` only: factors (0 < f <= 1) of the field's number; each episode draws one, "
                    "the slot's value is round(value * factor, 2) — e.g. a partial refund of an item's price",
    )

    @model_validator(mode="after")
    def _one_source(self) -> "SlotSpec":
        given = [k for k in ("field", "fake", "choice", "value", "date") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a slot takes exactly one of field, fake, choice, value, date (got {given or 'none'})"
            )
        if self.scale is not None and self.field is None:
            raise ValueError(
                f"`scale` multiplies a number read from the record, so it goes with `field` only (got {given[0]})"
            )
        return self

    @field_validator("scale")
    @classmethod
    def _factors(cls, value: list[float] | None) -> list[float] | None:
        for factor in value or []:
            problem = factor_problem(factor)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("date")
    @classmethod
    def _known_days(cls, value: str | list[str] | None) -> str | list[str] | None:
        from simulator.words.relative_dates import check_expression

        for expression in [value] if isinstance(value, str) else value or []:
            check_expression(expression)
        return value


class ExpectedCall(Strict):
    """One call the blueprint expects. Argument values are literals or templates:
    `{slot}` for a fact of the user, `{@tool.path}` for a value of that tool's latest result."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    expect_error: bool = False


class Turn(Strict):
    """One user turn of the script and what the assistant should do about it."""

    say: LocalizedText
    expect: list[ExpectedCall] = Field(default_factory=list)
    answer: LocalizedText | None = Field(None, description="conversational answer when no tool fits")


class Scenario(Strict):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    category: Category
    goal: str
    tool: str | None = Field(None, description="primary tool label; defaults to the last expected call")
    record: StateQuery | None = None
    slots: dict[str, SlotSpec] = Field(default_factory=dict)
    turns: list[Turn] = Field(min_length=1)
    weight: float = Field(1.0, gt=0)
    personas: list[str] | None = None
    hard_cases: list[HardCase] = Field(
        default_factory=list,
        description="which hard cases the scenario teaches (relative_date, alias, number_words, ...)",
    )

    @property
    def primary_tool(self) -> str | None:
        if self.tool is not None:
            return self.tool
        calls = [c for t in self.turns for c in t.expect]
        return calls[-1].tool if calls else None

    @property
    def languages(self) -> set[str]:
        langs = set(LANGUAGES)
        for turn in self.turns:
            langs &= turn.say.languages()
        return langs
