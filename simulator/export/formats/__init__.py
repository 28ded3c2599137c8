"""Every export format, by name (`registry.FORMATS`; the canonical OpenAI record is `openai`).

Each format is a `Converter` class registered with `@export_format`; `get_converter(name,
**options)` returns a fresh instance
whose `convert(record)` gives the converted dict or None (skipped, reason counted in
`.skipped`), whose `.notes` counts lossy-but-kept conversions, and whose
`extra_files(out_dir, split_files)` writes what the format needs beside its split files
(LLaMA-Factory's dataset_info.json). Converters with `input_kind == "pair"` (dpo) take
(chosen_record, rejected_record) pairs, e.g. from `pairs_from(groups)`, instead of records; those with
`input_kind == "trace"` (bfcl) take (trace, record, pack, aliases) and give a list of rows.

| name | row | options |
| --- | --- | --- |
| openai | the canonical record, unchanged | |
| sharegpt | `conversations` / `system` / `tools` (LLaMA-Factory) + dataset_info.json | `dataset_prefix` |
| trl | `messages` (arguments as JSON strings) / `tools` (JSON string) | |
| hermes | plain `messages`, `<tool_call>` / `<tool_response>` text | `tool_role` ("tool" or "user") |
| llama3 | plain `messages`, `{"name", "parameters"}` calls, `ipython` results | |
| instruction | `instruction` / `output` / `system` / `tools`, single turns only | `tool_calls` ("call" or "skip") |
| chat-template | `text` rendered by the user's Jinja chat template | `template` (required), `template_name` |
| dpo | `prompt` / `chosen` / `rejected` / `tools` from a pair | |
| bfcl | one row per assistant turn: `id` / `category` / `question` / `function` / `ground_truth`, plus BFCL's own files | |

Each module's docstring gives the format's rules and the sources they follow.
"""

from __future__ import annotations

# Importing the format modules registers them, in this order.
from simulator.export.formats import openai as _openai  # noqa: F401
from simulator.export.formats.base import Converter, SkipRecord
from simulator.export.formats.bfcl import BFCLConverter
from simulator.export.formats.chat_template import ChatTemplateConverter
from simulator.export.formats.dpo import DPOConverter, pairs_from
from simulator.export.formats.hermes import HermesConverter
from simulator.export.formats.instruction import InstructionConverter
from simulator.export.formats.llama3 import Llama3Converter
from simulator.export.formats.registry import (
    FORMATS,
    export_format,
    format_names,
    get_converter,
)
from simulator.export.formats.sharegpt import ShareGPTConverter
from simulator.export.formats.trl import (
    TRLConverter,
    to_chat_template_messages,
    to_chat_template_tools,
)

__all__ = [
    "FORMATS",
    "BFCLConverter",
    "ChatTemplateConverter",
    "Converter",
    "DPOConverter",
    "HermesConverter",
    "InstructionConverter",
    "Llama3Converter",
    "ShareGPTConverter",
    "SkipRecord",
    "TRLConverter",
    "export_format",
    "format_names",
    "get_converter",
    "pairs_from",
    "to_chat_template_messages",
    "to_chat_template_tools",
]
