"""The model family's native rendering of a conversation: its published chat template, applied by
transformers' own `apply_chat_template` to the canonical record in the shape templates take
(arguments as objects, tools as a list). This is the reference every export is held to.

The templates are the ones TRL ships in `trl/chat_templates/` (verbatim copies of the models'
Hub templates, which TRL keeps in sync to recognise them): `qwen2_5.jinja` (Qwen2.5-Instruct),
`llama3_1.jinja` (Llama 3.1-Instruct) and `llama3.jinja` (Llama 3's plain, tool-less template,
which trainers use to render text formats role by role).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from simulator.export.formats.base import split_parallel_calls
from simulator.export.formats.trl import (
    to_chat_template_messages,
    to_chat_template_tools,
)

from byte_tokenizer import byte_tokenizer

TEMPLATES = {"qwen2.5": "qwen2_5.jinja", "llama3.1": "llama3_1.jinja", "llama3": "llama3.jinja"}
#: The family whose tokenizer a template goes with.
FAMILY = {"qwen2.5": "qwen2.5", "llama3.1": "llama3.1", "llama3": "llama3.1"}


def template_path(name: str):
    return files("trl") / "chat_templates" / TEMPLATES[name]


def template_text(name: str) -> str:
    return template_path(name).read_text(encoding="utf-8")


def conversation(record: dict[str, Any], split_parallel: bool = False) -> list[dict[str, Any]]:
    messages = list(record["messages"])
    if split_parallel:
        messages = split_parallel_calls(messages)
    return to_chat_template_messages(messages)


def native_texts(records: list[dict[str, Any]], template: str, split_parallel: bool = False) -> list[str]:
    tokenizer = byte_tokenizer(FAMILY[template], template_text(template))
    return [
        tokenizer.apply_chat_template(conversation(r, split_parallel), tools=to_chat_template_tools(r), tokenize=False)
        for r in records
    ]


def native_text(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, template: str) -> str:
    tokenizer = byte_tokenizer(FAMILY[template], template_text(template))
    return tokenizer.apply_chat_template(messages, tools=tools or None, tokenize=False)
