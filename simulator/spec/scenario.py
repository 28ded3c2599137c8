"""One situation a user can be in: its facts (slots), its script (turns) and the blueprint of
what the assistant should do (expected calls, answers)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from simulator.core.names import LANGUAGES
from simulator.spec.base import Category, FakeKind, HardCase, LocalizedText, Strict


class StateQuery(Strict):
    """Pick one record of the episode's tool state, e.g. a delivered order.

    `where` maps a field to a value or a list of accepted values. `unique` names the fields the
    user will identify the record by ("the order with the {item}" by e-mail: `[email,
    items.0.name]`): only a record that no other record of the collection shares all of them
    with is picked, so the blueprint's answer is the only right one. A list index in such a path
    (`items.0.name`) stands for any element of the other records' lists (another order of the
    same customer that contains the item anywhere makes it ambiguous).
    """

    collection: str = Field(description="a collection of the Python sims' seeded state (not for tools.yaml packs)",
                            examples=["prescriptions"])
    where: dict[str, Any] = Field(
        default_factory=dict,
        description="field (dotted path) -> the value, or a list of accepted values, the picked record must have; "
                    "`toolsim validate` says when no seeded record matches",
        examples=[{"status": "active"}, {"status": ["shipped", "delivered"]}],
    )
    unique: list[str] = Field(
        default_factory=list,
        description="fields the user identifies the record by; only records no other record shares them all with",
        examples=[["email", "items.0.name"]],
    )


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

    field: str | None = Field(None, description="dotted path into the scenario's picked record",
                              examples=["rx_id", "items.0.price"])
    fake: FakeKind | None = Field(None, description="a generated, seeded value of this kind", examples=["email"])
    choice: list[Any] | None = Field(
        None, description="one entry drawn per episode: plain values, or mappings that say the value per language "
                          "(`{code: Shanghai, en: Shanghai, zh: 魔都}`: say `{city.zh}`, call with `{city.code}`)",
        examples=[["cardiology", "dermatology"], [{"code": 2, "en": "a couple of", "zh": "两"}]],
    )
    value: Any = Field(None, description="one fixed value", examples=["expired"])
    date: str | list[str] | None = Field(
        None, description="a relative day, resolved against the episode's simulated today: `{when.en}` / `{when.zh}` "
                          "is what the user says, `{when.code}` the ISO date the call carries (keywords above)",
        examples=[["tomorrow", "next_monday"]],
    )
    scale: list[float] | None = Field(
        None, min_length=1,
        description="with `field` only: factors (0 < f <= 1) of the field's number; each episode draws one, "
                    "the slot's value is round(value * factor, 2) — e.g. a partial refund of an item's price",
        examples=[[1, 0.5]],
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
    `{slot}` for a fact of the user, `{@tool.path}` for a value of that tool's latest result.

    A list given for a parameter that does not take arrays is a set of acceptable values, for
    where the system prompt's policy allows either (`priority: [high, normal]`): the judge
    accepts any of them, the offline assistant says the first. (For an array parameter a list
    is the literal array, as always.) See `simulator.spec.blueprint.acceptable_values`."""

    tool: str = Field(description="the tool the assistant must call", examples=["book_appointment"])
    args: dict[str, Any] = Field(
        default_factory=dict,
        description="the key arguments and their values: literals, `{slot}` (a fact of the user; a whole-string "
                    "placeholder keeps the value's type) or `{@tool.path}` (from that tool's latest result); "
                    "a list for a parameter that does not take arrays is a set of acceptable values",
        examples=[{"doctor_id": "{@find_doctor.doctors.0.id}", "date": "{when.code}"},
                  {"priority": ["normal", "high"]}],
    )
    expect_error: bool = Field(
        False, description="the call must be answered with an error (an error-recovery scenario); `toolsim "
                           "validate` says when the tool never refuses it",
        examples=[True],
    )


class Turn(Strict):
    """One user turn of the script and what the assistant should do about it."""

    say: LocalizedText = Field(
        description="what the user writes, per language: seed templates with `{slot}` placeholders (a variant "
                    "leaving a slot out makes the assistant ask for it)",
        examples=[{"en": ["Please refill my {medication}, prescription {rx_id}."],
                   "zh": ["请帮我续药 {medication}，处方号 {rx_id}。"]}],
    )
    expect: list[ExpectedCall] = Field(
        default_factory=list, description="the calls the assistant must make for this turn, in order (none: "
                                          "a no-tool turn, which needs an `answer`)",
        examples=[[{"tool": "refill_prescription", "args": {"rx_id": "{rx_id}"}}]],
    )
    answer: LocalizedText | None = Field(
        None, description="conversational answer when no tool fits (the offline assistant's reply; may name slots)",
        examples=[{"en": ["In moderation coffee is fine; ask your doctor if unsure."]}],
    )
    variant_of: dict[str, list[int]] = Field(
        default_factory=dict,
        description="set by the loader, not written by hand: per language, the hand-written `say` "
                    "seed each generated variant (appended after the seeds) rephrases",
        json_schema_extra={"set_by": "loader"},
    )

    def seed_index(self, language: str, index: int) -> int:
        """The hand-written seed that `say` variant `index` is, or rephrases: a generated
        variant counts as its seed's template, so a held-out split keeps it with its seed."""
        generated = self.variant_of.get(language) or []
        hand_written = len(self.say.for_language(language)) - len(generated)
        return generated[index - hand_written] if hand_written <= index < hand_written + len(generated) else index


class Scenario(Strict):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$", description="unique in the file: lowercase, digits, _ and -",
                    examples=["refill_expired"])
    category: Category = Field(description="what the scenario teaches; `generation.mix.categories` shares count it",
                               examples=["error-recovery"])
    goal: str = Field(description="what the user wants, in a sentence (a model user is told it)",
                      examples=["Refill a prescription that has expired"])
    tool: str | None = Field(None, description="primary tool label; defaults to the last expected call",
                             examples=["refill_prescription"])
    record: StateQuery | None = Field(
        None, description="Python sims only: pick one record of the episode's seeded state for `field` slots",
        examples=[{"collection": "prescriptions", "where": {"status": "active"}}],
    )
    slots: dict[str, SlotSpec] = Field(
        default_factory=dict, description="the facts the user knows, by name: each from exactly one source",
        examples=[{"rx_id": {"choice": ["RX-1042", "RX-2231"]}, "when": {"date": "tomorrow"}}],
    )
    turns: list[Turn] = Field(min_length=1, description="the user's requests, in order, and what each should get",
                              examples=[[{"say": "Is coffee bad for me?", "answer": "In moderation it is fine."}]])
    weight: float = Field(1.0, gt=0, description="how often the planner picks it relative to its cell's others",
                          examples=[2.0])
    personas: list[str] | None = Field(None, description="only these personas play it (default: all who speak "
                                                         "its languages)", examples=[["formal_polite", "zh_polite"]])
    hard_cases: list[HardCase] = Field(
        default_factory=list,
        description="which hard cases the scenario teaches (relative_date, alias, number_words, ...)",
        examples=[["relative_date", "alias"]],
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
