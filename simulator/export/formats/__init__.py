"""Every export format besides the canonical OpenAI record, by name.

Each format is a `Converter` class; `get_converter(name, **options)` returns a fresh instance
whose `convert(record)` gives the converted dict or None (skipped, reason counted in
`.skipped`), whose `.notes` counts lossy-but-kept conversions, and whose
`extra_files(out_dir, split_files)` writes what the format needs beside its split files
(LLaMA-Factory's dataset_info.json). Converters with `input_kind == "pair"` (dpo) take
(chosen_record, rejected_record) pairs, e.g. from `pairs_from(groups)`, instead of records.

| name | row | options |
| --- | --- | --- |
| sharegpt | `conversations` / `system` / `tools` (LLaMA-Factory) + dataset_info.json | `dataset_prefix` |
| trl | `messages` (arguments as JSON strings) / `tools` (JSON string) | |
| hermes | plain `messages`, `<tool_call>` / `<tool_response>` text | `tool_role` ("tool" or "user") |
| llama3 | plain `messages`, `{"name", "parameters"}` calls, `ipython` results | |
| instruction | `instruction` / `output` / `system` / `tools`, single turns only | `tool_calls` ("call" or "skip") |
| chat-template | `text` rendered by the user's Jinja chat template | `template` (required), `template_name` |
| dpo | `prompt` / `chosen` / `rejected` / `tools` from a pair | |

Each module's docstring gives the format's rules and the sources they follow.
"""

from __future__ import annotations

from typing import Any

from simulator.export.formats._common import Converter, SkipRecord
from simulator.export.formats.chat_template import ChatTemplateConverter
from simulator.export.formats.dpo import DPOConverter, pairs_from
from simulator.export.formats.hermes import HermesConverter
from simulator.export.formats.instruction import InstructionConverter
from simulator.export.formats.llama3 import Llama3Converter
from simulator.export.formats.sharegpt import ShareGPTConverter
from simulator.export.formats.trl import TRLConverter, to_chat_template_messages, to_chat_template_tools

FORMATS: dict[str, type[Converter]] = {
    converter.name: converter
    for converter in (
        ShareGPTConverter,
        TRLConverter,
        HermesConverter,
        Llama3Converter,
        InstructionConverter,
        ChatTemplateConverter,
        DPOConverter,
    )
}


def format_names() -> list[str]:
    return list(FORMATS)


def get_converter(name: str, **options: Any) -> Converter:
    """A fresh converter for `name`, configured with the format's options (see the table)."""
    if name not in FORMATS:
        raise ValueError(f"unknown export format {name!r}; known: {', '.join(FORMATS)}")
    if name == "chat-template" and "template" not in options:
        raise ValueError("the chat-template format needs template=<.jinja file or tokenizer_config.json>")
    return FORMATS[name](**options)


__all__ = [
    "FORMATS",
    "ChatTemplateConverter",
    "Converter",
    "DPOConverter",
    "HermesConverter",
    "InstructionConverter",
    "Llama3Converter",
    "ShareGPTConverter",
    "SkipRecord",
    "TRLConverter",
    "format_names",
    "get_converter",
    "pairs_from",
    "to_chat_template_messages",
    "to_chat_template_tools",
]
