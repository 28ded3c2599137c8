"""Everything a user writes in YAML, as strict pydantic models.

`extra="forbid"` everywhere: a misspelt key is an error with a line number, never silently
ignored. The loader (`simulator.loader`) maps validation errors back to `file:line`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")
Category = Literal["positive", "negative", "clarification", "multi-turn", "error-recovery", "hard"]
CATEGORIES: tuple[str, ...] = (
    "positive", "negative", "clarification", "multi-turn", "error-recovery", "hard",
)
HardCase = Literal[
    "relative_date", "alias", "number_words", "missing_argument", "mixed_intent", "tool_error",
    "near_miss", "tool_boundary",
]
HARD_CASES: tuple[str, ...] = (
    "relative_date", "alias", "number_words", "missing_argument", "mixed_intent", "tool_error",
    "near_miss", "tool_boundary",
)
FakeKind = Literal[
    "order_id", "email", "name", "first_name", "phone", "street", "city", "postal_code", "date",
    "amount", "integer", "item", "word", "sentence", "uuid",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LocalizedText(Strict):
    """Template variants per language. YAML may give a bare string or list (meaning English)."""

    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": [value]}
        if isinstance(value, list):
            return {"en": value}
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    def for_language(self, language: str) -> list[str]:
        return list(getattr(self, language, []) or [])

    def languages(self) -> set[str]:
        return {lang for lang in LANGUAGES if getattr(self, lang)}


# ---------------------------------------------------------------- tools


class ToolSpec(Strict):
    """A tool exactly as the model sees it (plus an optional `returns` schema for sims)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
    description: str
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    returns: dict[str, Any] | None = None

    def openai_tool(self) -> dict[str, Any]:
        """The `tools` entry of the canonical record (no `returns`: models never see it)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required", []))


class ToolsFile(Strict):
    """`tools.yaml`: schema-only tools served by the generic schema-driven sim."""

    tools: list[ToolSpec]


# ---------------------------------------------------------------- personas


class Persona(Strict):
    """Who the simulated user is and how they talk (`personas/*.yaml`)."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    description: str = ""
    language: Language = "en"
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    verbosity: Literal["terse", "normal", "verbose"] = "normal"
    typo_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages with typos/abbreviations")
    frustration: float = Field(0.0, ge=0.0, le=1.0, description="chance a message sounds frustrated")
    cooperativeness: float = Field(
        0.5, ge=0.0, le=1.0, description="chance of volunteering facts before being asked"
    )
    patience: int = Field(3, ge=0, le=20, description="clarifying questions tolerated calmly")
    # Optional traits (defaults = no effect): each changes *how* the offline user writes
    # (`simulator.agents.style`), never what it says, so a persona never changes the right answer.
    expertise: Literal["novice", "average", "expert"] = Field(
        "average", description="novices hedge and apologise, experts skip pleasantries"
    )
    emotion: Literal["calm", "cheerful", "anxious"] = Field(
        "calm", description="baseline mood shown in asides (frustration is its own knob)"
    )
    native_speaker: bool = Field(True, description="False: second-language phrasing (no contractions, no articles)")
    code_switching: float = Field(
        0.0, ge=0.0, le=1.0, description="share of messages mixing in words of the other language (zh <-> en)"
    )
    abbreviation_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages in chat shorthand (pls, u, thx)")
    punctuation: Literal["normal", "none"] = Field("normal", description="none: no sentence punctuation at all")
    asks_for_human: float = Field(
        0.0, ge=0.0, le=1.0, description="chance the first message (half that later) also asks for a human"
    )
    rambling: float = Field(0.0, ge=0.0, le=1.0, description="chance a request wanders into an unrelated aside")
    vagueness: float = Field(
        0.0, ge=0.0, le=1.0, description="chance of vague wording and of a script line that names no id"
    )


# ---------------------------------------------------------------- scenarios


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
    `simulator.relative_dates`): `tomorrow`, `day_after_tomorrow`, `in_3_days`, `this_saturday`,
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
        from simulator.relative_dates import check_expression

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


# ---------------------------------------------------------------- domain and generation


class ToolLink(Strict):
    """A declared data link for the tool graph (`simulator.tool_graph`): an output field of one
    tool feeds a parameter of another, e.g. `{from: lookup_order.orders.0.order_id, to:
    initiate_refund.order_id}`. For links the name, type and format matching would not find."""

    source: str = Field(alias="from", description="tool.path of an output field (array items as 0)")
    to: str = Field(description="tool.parameter it feeds")


class DomainConfig(Strict):
    """The tools, the assistant's system prompt, and the offline assistant's reply templates."""

    tools: str = Field(description="path to a tool_sims .py module or a tools.yaml, relative to this file")
    system_prompt: str | None = None
    system_prompt_file: str | None = None
    replies: dict[str, LocalizedText] = Field(
        default_factory=dict, description="per tool: how the offline assistant answers from a result"
    )
    error_reply: LocalizedText = Field(
        default_factory=lambda: LocalizedText(en=["Sorry, that didn't work: {error}"], zh=["抱歉，操作没有成功：{error}"])
    )
    ask: dict[str, LocalizedText] = Field(
        default_factory=dict, description="per slot (or `default`): the clarifying question"
    )
    labels: dict[str, LocalizedText] = Field(
        default_factory=dict,
        description="per slot (or result field): how it is named in prose, e.g. departure_city: "
        "{en: departure city, zh: 出发城市}; every variant also counts as asking for it",
    )
    value_labels: dict[Language, dict[str, str]] = Field(
        default_factory=dict,
        description="per language: how result values read in replies, e.g. zh: {shipped: 已发货}",
    )
    links: list[ToolLink] = Field(
        default_factory=list, description="declared tool-graph edges: output field -> parameter"
    )

    @model_validator(mode="after")
    def _one_prompt(self) -> "DomainConfig":
        if (self.system_prompt is None) == (self.system_prompt_file is None):
            raise ValueError("give exactly one of system_prompt or system_prompt_file")
        return self


class Mix(Strict):
    """Target composition of the accepted dataset.

    Every share is a share of the whole dataset. `per_tool` is one count for every tool, a count
    per tool (unlisted tools get none), or a share per tool (needs a total, `n`, and adds up to 1
    with `no_tool_share`). `categories` and `languages` steer scenario and persona choice; when
    their shares add up to 1, unlisted categories/languages get none, otherwise they fill the rest.
    """

    per_tool: int | dict[str, int] | dict[str, float] = Field(
        100, description="accepted examples per tool (by primary tool): a count, or a count or share per tool"
    )
    no_tool_share: float = Field(0.2, ge=0.0, lt=1.0, description="share of the total with no tool call")
    min_multi_turn: int = Field(25, ge=0)
    categories: dict[Category, float] | None = Field(None, description="share of the total per scenario category")
    languages: dict[Language, float] | None = Field(None, description="share of the total per user language")
    balance_tolerance: float = Field(
        0.3, ge=0.0, description="per-tool counts within ±this fraction of the mean count as balanced"
    )

    @field_validator("per_tool")
    @classmethod
    def _per_tool_values(cls, value: int | dict[str, Any]) -> int | dict[str, Any]:
        if isinstance(value, int):
            if value < 0:
                raise ValueError("per_tool must be at least 0")
            return value
        if not value:
            raise ValueError("per_tool needs at least one tool")
        if all(isinstance(v, int) for v in value.values()):
            if any(v < 0 for v in value.values()):
                raise ValueError("per-tool counts must be at least 0")
            return value
        if any(not 0.0 <= v <= 1.0 for v in value.values()):
            raise ValueError("per-tool shares must be between 0 and 1 (whole numbers are counts)")
        return value

    @field_validator("categories", "languages")
    @classmethod
    def _shares(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        if any(not 0.0 <= v <= 1.0 for v in value.values()):
            raise ValueError("shares must be between 0 and 1")
        if sum(value.values()) > 1.0 + 1e-6:
            raise ValueError(f"shares add up to {sum(value.values()):g}, more than 1")
        return value

    @model_validator(mode="after")
    def _tool_shares_fill_the_rest(self) -> "Mix":
        shares = self.per_tool_shares
        if shares is not None and abs(sum(shares.values()) + self.no_tool_share - 1.0) > 1e-6:
            raise ValueError(
                f"per-tool shares ({sum(shares.values()):g}) and no_tool_share ({self.no_tool_share:g}) "
                "must add up to 1"
            )
        return self

    @property
    def per_tool_shares(self) -> dict[str, float] | None:
        """The per-tool shares, or None when `per_tool` gives counts."""
        if isinstance(self.per_tool, dict) and not all(isinstance(v, int) for v in self.per_tool.values()):
            return {k: float(v) for k, v in self.per_tool.items()}
        return None


class SplitConfig(Strict):
    train: float = Field(0.8, ge=0.0, le=1.0)
    validation: float = Field(0.1, ge=0.0, le=1.0)
    test: float = Field(0.1, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _sums_to_one(self) -> "SplitConfig":
        if abs(self.train + self.validation + self.test - 1.0) > 1e-6:
            raise ValueError("split ratios must add up to 1")
        return self


class DedupeConfig(Strict):
    """Near-duplicate filtering over user turns (exact duplicates are always removed)."""

    near_threshold: float | None = Field(
        0.8, gt=0.0, le=1.0,
        description="MinHash Jaccard similarity at which two traces are near-duplicates; null turns it off",
    )
    leak_threshold: float = Field(
        0.5, gt=0.0, le=1.0, description="similarity at which kept examples must share a split",
    )


class ChainsConfig(Strict):
    """Multi-step scenarios made automatically from the tool graph (`simulator.tool_graph`)."""

    count: int = Field(0, ge=0, description="chain scenarios to add (0: none)")
    min_calls: int = Field(2, ge=2, le=4)
    max_calls: int = Field(3, ge=2, le=4)
    parallel: int = Field(0, ge=0, description="scenarios of independent calls made in one turn")

    @model_validator(mode="after")
    def _range(self) -> "ChainsConfig":
        if self.min_calls > self.max_calls:
            raise ValueError(f"min_calls ({self.min_calls}) is more than max_calls ({self.max_calls})")
        return self


class GenerationConfig(Strict):
    seed: int = 0
    today: date | None = Field(
        None, strict=False, description="the simulated today of every episode (default: a day of 2026 per episode)"
    )
    chains: ChainsConfig = Field(default_factory=ChainsConfig)
    n: int | None = Field(None, ge=1, description="total examples; overrides mix.per_tool")
    mix: Mix = Field(default_factory=Mix)
    max_turns: int = Field(12, ge=1, description="user turns before an episode is cut off")
    max_episodes: int | None = Field(None, ge=1, description="budget of simulated episodes")
    max_cost: float | None = Field(None, gt=0.0, description="budget in USD: no new episodes once spent")
    dedupe: DedupeConfig = Field(default_factory=DedupeConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)


class ModelsConfig(BaseModel):
    """`models:` in a scenario file — which roles are LLMs. Command-line flags override it.

    Each role takes the same keys as the flags: `model` (any litellm model string), `api_base`,
    `api_key_env` (the *name* of the variable holding the key — never the key), `temperature`,
    `max_tokens`, `timeout`, `seed`, `price_in`/`price_out` (USD per million tokens),
    `tool_format` (native | prompt), `retries`.
    """

    model_config = ConfigDict(extra="forbid")

    user: "ModelSettings | None" = None
    assistant: "ModelSettings | None" = None
    judge: "ModelSettings | None" = None
    tool: "ModelSettings | None" = None
    judges: list["ModelSettings"] = Field(default_factory=list, description="a judge committee voting by majority")
    judge_samples: int = Field(1, ge=1, le=25)
    judge_threshold: float = Field(4.0, ge=1, le=5, description="every criterion must score at least this")
    rubric: dict[str, str] | None = Field(None, description="criterion -> what it means; default rubric if omitted")
    rpm: float | None = Field(None, gt=0)


class ScenarioFile(Strict):
    """A scenario file: one domain, its personas, generation settings and scenarios."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    domain: DomainConfig
    personas: list[str] = Field(
        default_factory=lambda: ["../personas"],
        description="persona files or folders (relative to this file), or persona ids in ../personas",
    )
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    scenarios: list[Scenario] = Field(min_length=1)
    models: ModelsConfig | None = None
    variants: list[str] | None = Field(
        None,
        description="files of generated `say` variants (relative to this file; `toolsim expand` writes them); "
                    "default: X.variants.yaml next to X.yaml when it exists; [] for none",
    )

    @field_validator("scenarios")
    @classmethod
    def _unique_ids(cls, scenarios: list[Scenario]) -> list[Scenario]:
        seen: set[str] = set()
        for s in scenarios:
            if s.id in seen:
                raise ValueError(f"duplicate scenario id {s.id!r}")
            seen.add(s.id)
        return scenarios


from simulator.llm.settings import ModelSettings  # noqa: E402  (light module; no litellm import)

ModelsConfig.model_rebuild()
ScenarioFile.model_rebuild()
