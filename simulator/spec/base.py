"""What every YAML model shares: strictness, per-language text, and the closed vocabularies
(languages, scenario categories, hard-case tags, fake kinds).

`extra="forbid"` everywhere: a misspelt key is an error with a line number, never silently
ignored. The loader (`simulator.load`) maps validation errors back to `file:line`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.core.names import LANGUAGES

Language = Literal["en", "zh"]
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
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)  # .nan / .inf are never meant


class LocalizedText(Strict):
    """Template variants per language. YAML may give a bare string or list (meaning English)."""

    en: list[str] = Field(default_factory=list, description="English variants (a bare string or list means this)",
                          examples=[["Where is my order {order_id}?", "Any news on {order_id}?"]])
    zh: list[str] = Field(default_factory=list, description="Chinese variants",
                          examples=[["我的订单 {order_id} 到哪了？"]])

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
