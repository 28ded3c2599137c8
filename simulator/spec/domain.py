"""The `domain:` section: the tools, the system prompt, the offline assistant's reply templates,
labels, and declared tool-graph links."""

from __future__ import annotations

from pydantic import Field, model_validator

from simulator.spec.base import Language, LocalizedText, Strict


class ToolLink(Strict):
    """A declared data link for the tool graph (`simulator.load.tool_graph`): an output field of one
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
