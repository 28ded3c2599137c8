"""The `domain:` section: the tools, the system prompt, the offline assistant's reply templates,
labels, and declared tool-graph links."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from simulator.spec.base import Language, LocalizedText, Strict
from simulator.spec.service import SimMode


class ToolLink(Strict):
    """A declared data link for the tool graph (`simulator.load.tool_graph`): an output field of one
    tool feeds a parameter of another, e.g. `{from: lookup_order.orders.0.order_id, to:
    initiate_refund.order_id}`. For links the name, type and format matching would not find."""

    source: str = Field(alias="from", description="tool.path of an output field (array items as 0)",
                        examples=["find_doctor.doctors.0.id"])
    to: str = Field(description="tool.parameter it feeds", examples=["book_appointment.doctor_id"])


class ErrorText(Strict):
    """How a tool's error reads in a reply, per language: `match` is a regular expression over the
    error message (the tool speaks English, like a real API); its named groups fill `text`, e.g.
    `{match: "^Order (?P<order_id>\\S+) has already shipped", text: {zh: "订单{order_id}已经发货"}}`."""

    match: str = Field(description="a regular expression over the tool's error message; its named groups "
                                   "fill `text`", examples=["^Order (?P<order_id>\\S+) has already shipped"])
    text: LocalizedText = Field(description="the error as a reply says it, per language",
                                examples=[{"zh": ["订单{order_id}已经发货，地址改不了了"]}])

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class DomainConfig(Strict):
    """The tools, the assistant's system prompt, and the offline assistant's reply templates."""

    tools: str = Field(
        description="path to a tool_sims .py module or a tools.yaml, relative to this file (or a dotted module name)",
        examples=["../tool_sims/clinic.py", "clinic.tools.yaml"],
    )
    system_prompt: str | None = Field(
        None, description="the assistant's system prompt, in every exported record; `{today}` and `{weekday}` "
                          "are filled with the episode's simulated day. Give this or `system_prompt_file`",
        examples=["You book clinic appointments. Today is {today} ({weekday})."],
    )
    system_prompt_file: str | None = Field(
        None, description="a file holding the system prompt (relative to this file)", examples=["clinic.system.md"],
    )
    replies: dict[str, LocalizedText] = Field(
        default_factory=dict,
        description="per tool: how the offline assistant answers from a successful result. A template may name "
                    "the result's fields (`{status}`, `{doctors.0.name}`), the scenario's slots, `{@tool.path}`, and "
                    "for each list of objects in the result `{X_count}` (how many) and `{X_list}` (\"DOC-1 (Dr Park, "
                    "cardiology); DOC-2 (...)\"), and `{X_asked.field}`, the item the user named by something it "
                    "holds. A variant naming a field the result lacks is skipped for another",
        examples=[{"find_doctor": {"en": ["I found {doctors_count} doctors: {doctors_list}."],
                                   "zh": ["找到 {doctors_count} 位医生：{doctors_list}。"]}}],
    )
    error_reply: LocalizedText = Field(
        default_factory=lambda: LocalizedText(en=["Sorry, that didn't work: {error}"], zh=["抱歉，操作没有成功：{error}"]),
        description="how the offline assistant answers an error result: `{error}` is the tool's message (without "
                    "its final full stop); the scenario's slots may be named too",
        examples=[{"en": ["That didn't go through: {error}."], "zh": ["没有成功：{error}。"]}],
    )
    error_texts: list[ErrorText] = Field(
        default_factory=list,
        description="tool errors as replies say them per language (a Chinese reply never quotes the English "
        "error); an error already in the reply's language is said as it is, one no entry matches with a "
        "generic phrase",
        examples=[[{"match": "^Prescription (?P<rx_id>\\S+) has expired", "text": {"zh": ["处方{rx_id}已过期"]}}]],
    )
    ask: dict[str, LocalizedText] = Field(
        default_factory=dict,
        description="per slot (or `default`): the offline assistant's question when the user has not given it; "
                    "`{slot}` / `{label}` name the slot as `labels` says",
        examples=[{"rx_id": {"en": ["What's the prescription number? It looks like RX-1234."]},
                   "default": {"en": ["Could you tell me the {label}?"]}}],
    )
    labels: dict[str, LocalizedText] = Field(
        default_factory=dict,
        description="per slot (or result field): how it is named in prose, e.g. departure_city: "
        "{en: departure city, zh: 出发城市}; every variant also counts as asking for it",
        examples=[{"rx_id": {"en": ["prescription number"], "zh": ["处方号"]}}],
    )
    value_labels: dict[Language, dict[str, str]] = Field(
        default_factory=dict,
        description="per language: how result values read in replies, e.g. zh: {shipped: 已发货}",
        examples=[{"zh": {"active": "有效", "expired": "已过期"}}],
    )
    sim: SimMode | dict[str, SimMode] | None = Field(
        None, description="how tool calls are answered: `schema` (offline: the schema sim, or the Python sim), `model` "
                          "(the tool model, `--tool-model`), `live` (the real service of the tools file's `service:`; "
                          "read-only tools only unless `--allow-live-writes`). One mode for every tool, or per tool "
                          "name or glob pattern (an exact name wins, then the first pattern that matches; a tool the "
                          "mapping does not name is `schema`). Unset: `model` for the tools of a tools.yaml when a "
                          "tool model is given, else `schema`",
        examples=[{"get_book": "live", "search_*": "live", "create_order": "model"}],
    )
    asides: dict[Literal["context", "rambling", "vague", "human"], LocalizedText] = Field(
        default_factory=dict,
        description="the domain's own persona asides (added to the generic ones of style_phrases.yaml): "
        "`context` (why a verbose user asks), `rambling`, `vague` wording, and `human` — asking for a "
        "person, only for packs that can hand over to one",
        examples=[{"context": {"en": ["I'm flying out on Friday, so I need it before then."],
                               "zh": ["我周五出发，得在那之前拿到。"]}}],
    )
    links: list[ToolLink] = Field(
        default_factory=list, description="declared tool-graph edges: output field -> parameter",
        examples=[[{"from": "find_doctor.doctors.0.id", "to": "book_appointment.doctor_id"}]],
    )

    @model_validator(mode="after")
    def _one_prompt(self) -> "DomainConfig":
        if (self.system_prompt is None) == (self.system_prompt_file is None):
            raise ValueError("give exactly one of system_prompt or system_prompt_file")
        return self
