"""The `generation:` section: seed, simulated today, composition (`mix`), budgets, dedupe,
splits and chain generation."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from simulator.core.bounds import MAX_EPISODES, MAX_EXAMPLES, MAX_GENERATED, MAX_TURNS
from simulator.spec.base import Category, Language, Strict

YEAR_START = date(2026, 1, 1)


def today_for(seed: int, fixed: date | None = None) -> date:
    """An episode's simulated 'today': the scenario file's `generation.today` when it fixes one,
    else a day of 2026 derived from the seed, so dates in the state, in tool results and in
    "tomorrow" are reproducible and never depend on the wall clock."""
    if fixed is not None:
        return fixed
    return YEAR_START + timedelta(days=random.Random(f"today:{seed}").randrange(365))


class Mix(Strict):
    """Target composition of the accepted dataset.

    Every share is a share of the whole dataset. `per_tool` is one count for every tool, a count
    per tool (unlisted tools get none), or a share per tool (needs a total, `n`, and adds up to 1
    with `no_tool_share`). `categories` and `languages` steer scenario and persona choice; when
    their shares add up to 1, unlisted categories/languages get none, otherwise they fill the rest.
    """

    per_tool: int | dict[str, int] | dict[str, float] = Field(
        100, description="accepted examples per tool (by primary tool): a count, or a count or share per tool",
        examples=[50, {"find_doctor": 60, "book_appointment": 40}],
    )
    no_tool_share: float = Field(0.2, ge=0.0, lt=1.0, description="share of the total with no tool call",
                                 examples=[0.15])
    min_multi_turn: int = Field(25, ge=0, le=MAX_EXAMPLES, description="at least this many scripted multi-turn sequences",
                                examples=[10])
    categories: dict[Category, float] | None = Field(
        None, description="share of the total per scenario category", examples=[{"positive": 0.6, "hard": 0.3,
                                                                                  "negative": 0.1}])
    languages: dict[Language, float] | None = Field(
        None, description="share of the total per user language; it holds within every scenario too (±1)",
        examples=[{"en": 0.6, "zh": 0.4}])
    balance_tolerance: float = Field(
        0.3, ge=0.0, description="per-tool counts within ±this fraction of the mean count as balanced",
        examples=[0.2],
    )

    @field_validator("per_tool")
    @classmethod
    def _per_tool_values(cls, value: int | dict[str, Any]) -> int | dict[str, Any]:
        if isinstance(value, int):
            if not 0 <= value <= MAX_EXAMPLES:
                raise ValueError(f"per_tool must be from 0 to {MAX_EXAMPLES:,}")
            return value
        if not value:
            raise ValueError("per_tool needs at least one tool")
        if all(isinstance(v, int) for v in value.values()):
            if any(not 0 <= v <= MAX_EXAMPLES for v in value.values()):
                raise ValueError(f"per-tool counts must be from 0 to {MAX_EXAMPLES:,}")
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


HoldOut = Literal["template", "persona", "none"]


class SplitConfig(Strict):
    train: float = Field(0.8, ge=0.0, le=1.0, description="share of the dataset in train.jsonl", examples=[0.9])
    validation: float = Field(0.1, ge=0.0, le=1.0, description="share in validation.jsonl", examples=[0.05])
    test: float = Field(0.1, ge=0.0, le=1.0, description="share in test.jsonl", examples=[0.05])
    hold_out: HoldOut = Field(
        "template",
        description="what validation and test hold out whole: `template` (every record opening with one "
        "hand-written seed stays in one split), `persona` (every record of one persona), or `none` (only "
        "shared and similar user messages are kept together)",
        examples=["persona"],
    )

    def ratios(self) -> dict[str, float]:
        return {"train": self.train, "validation": self.validation, "test": self.test}

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
        examples=[0.85],
    )
    leak_threshold: float = Field(
        0.5, gt=0.0, le=1.0, description="similarity at which kept examples must share a split", examples=[0.6],
    )


class ChainsConfig(Strict):
    """Multi-step scenarios made automatically from the tool graph (`simulator.load.tool_graph`)."""

    count: int = Field(0, ge=0, le=MAX_GENERATED, description="chain scenarios to add (0: none)", examples=[4])
    min_calls: int = Field(2, ge=2, le=4, description="fewest calls in a chain", examples=[2])
    max_calls: int = Field(3, ge=2, le=4, description="most calls in a chain", examples=[3])
    parallel: int = Field(0, ge=0, le=MAX_GENERATED, description="scenarios of independent calls made in one turn",
                          examples=[2])

    @model_validator(mode="after")
    def _range(self) -> "ChainsConfig":
        if self.min_calls > self.max_calls:
            raise ValueError(f"min_calls ({self.min_calls}) is more than max_calls ({self.max_calls})")
        return self


class GenerationConfig(Strict):
    seed: int = Field(0, description="the run seed: the same seed gives the same dataset (`--seed` overrides)",
                      examples=[7])
    today: date | None = Field(
        None, strict=False, description="the simulated today of every episode (default: a day of 2026 per episode)",
        examples=["2026-03-11"],
    )
    chains: ChainsConfig = Field(default_factory=ChainsConfig,
                                 description="multi-call scenarios made from the tool graph when the file loads",
                                 examples=[{"count": 4, "parallel": 2}])
    n: int | None = Field(None, ge=1, le=MAX_EXAMPLES, description="total examples; overrides mix.per_tool",
                          examples=[500])
    mix: Mix = Field(default_factory=Mix, description="what the accepted dataset should contain",
                     examples=[{"per_tool": 80, "no_tool_share": 0.15, "languages": {"en": 0.6, "zh": 0.4}}])
    max_turns: int = Field(12, ge=1, le=MAX_TURNS, description="user turns before an episode is cut off",
                           examples=[8])
    max_episodes: int | None = Field(None, ge=1, le=MAX_EPISODES,
                                     description="budget of simulated episodes (default 3 × the target)",
                                     examples=[2000])
    max_cost: float | None = Field(None, gt=0.0, description="budget in USD: no new episodes once spent",
                                   examples=[5.0])
    dedupe: DedupeConfig = Field(default_factory=DedupeConfig, description="near-duplicate removal",
                                 examples=[{"near_threshold": 0.85}])
    split: SplitConfig = Field(default_factory=SplitConfig, description="train / validation / test shares",
                               examples=[{"train": 0.9, "validation": 0.05, "test": 0.05}])
