"""Render each record to one training text with a model's own Jinja chat template: `{"text": ...}`.

For trainers that take pre-rendered text, or to see exactly what a model will be trained on.
The template comes from the user: a `.jinja` file, or a `tokenizer_config.json` /
`chat_template.json` whose `chat_template` is a string or a list of named templates
(`[{"name": "default", "template": ...}, {"name": "tool_use", ...}]`).

Special tokens (`bos_token`, `eos_token`, ...) come from the tokenizer_config.json, or for a
`.jinja` file from the `tokenizer_config.json` beside it (how Hugging Face model repos ship
`chat_template.jinja` today), or from the `bos_token` / `eos_token` options. A template that
writes `bos_token` (Llama 3.1 begins with `<|begin_of_text|>`) while none is known is refused up
front rather than rendered without it.

Rendering reproduces Hugging Face `apply_chat_template` (transformers' chat_template_utils):
an `ImmutableSandboxedEnvironment` with `trim_blocks` and `lstrip_blocks`, the `loopcontrols`
extension, a `{% generation %}` block tag (rendered as its body), a `tojson` filter that does not
HTML-escape, and the globals `raise_exception` and `strftime_now`. The context is
`messages` (arguments as dicts, via `to_chat_template_messages`), `tools` (None when the record
has none), `add_generation_prompt=False`, and the special tokens (`bos_token`, `eos_token`, ...)
read from tokenizer_config.json. Among named templates, a record with tools uses `tool_use` when
there is one, otherwise `default`, as HF does; `template_name` forces one.

A record the template refuses (its `raise_exception`, e.g. Llama 3.1 on parallel calls) or cannot
render is skipped and counted as `template_error: <message>`; `parallel_calls="split"` renders
a turn of several calls as consecutive single-call turns instead (what Llama 3.1 takes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

from simulator.export.formats.base import PARALLEL_POLICIES, Converter, SkipRecord, check_choice, messages_of
from simulator.export.formats.registry import export_format
from simulator.export.formats.trl import (
    to_chat_template_messages,
    to_chat_template_tools,
)

SPECIAL_TOKEN_KEYS = ("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token")


class GenerationBlock(Extension):
    """HF marks assistant spans with `{% generation %}...{% endgeneration %}` for loss masking;
    we only need the text, so the block renders as its body."""

    tags = {"generation"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(lineno)

    def _render_body(self, caller: Any) -> str:
        return caller()


def _raise_exception(message: str) -> None:
    raise jinja2.exceptions.TemplateError(message)


def _tojson(
    value: Any, ensure_ascii: bool = False, indent: int | None = None, separators: Any = None, sort_keys: bool = False
) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def _strftime_now(format: str) -> str:
    return datetime.now().strftime(format)


def template_environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, loopcontrols]
    )
    environment.filters["tojson"] = _tojson
    environment.globals["raise_exception"] = _raise_exception
    environment.globals["strftime_now"] = _strftime_now
    return environment


def load_chat_template(path: str | Path) -> tuple[dict[str, str], dict[str, str]]:
    """(named template sources, special tokens) from a `.jinja` file (special tokens from a
    tokenizer_config.json beside it, if any) or a JSON config."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".json":
        sibling = path.with_name("tokenizer_config.json")
        tokens = special_tokens_of(json.loads(sibling.read_text(encoding="utf-8"))) if sibling.exists() else {}
        return {"default": text}, tokens
    config = json.loads(text)
    return named_templates(config.get("chat_template"), source=str(path)), special_tokens_of(config)


def special_tokens_of(config: Mapping[str, Any]) -> dict[str, str]:
    tokens = {}
    for key in SPECIAL_TOKEN_KEYS:
        value = config.get(key)
        if isinstance(value, Mapping):  # serialized AddedToken
            value = value.get("content")
        if isinstance(value, str):
            tokens[key] = value
    return tokens


def named_templates(chat_template: Any, source: str = "config") -> dict[str, str]:
    if isinstance(chat_template, str):
        return {"default": chat_template}
    if isinstance(chat_template, Mapping):
        return dict(chat_template)
    if isinstance(chat_template, list) and all(isinstance(t, Mapping) for t in chat_template):
        return {t["name"]: t["template"] for t in chat_template}
    raise ValueError(f"{source}: no usable `chat_template` (a string or a list of named templates)")


@export_format()
class ChatTemplateConverter(Converter):
    name = "chat-template"

    def __init__(
        self,
        template: str | Path | None = None,
        template_name: str | None = None,
        special_tokens: Mapping[str, str] | None = None,
        context: Mapping[str, Any] | None = None,
        bos_token: str | None = None,
        eos_token: str | None = None,
        parallel_calls: str = "keep",
    ) -> None:
        """`template`: path of a `.jinja` file or tokenizer_config.json / chat_template.json.
        `special_tokens`, `bos_token`, `eos_token` and `context` add to / override what the
        template sees."""
        if template is None:
            raise ValueError("the chat-template format needs --template FILE (a .jinja file or tokenizer_config.json)")
        self.parallel_calls = check_choice("parallel_calls", parallel_calls, PARALLEL_POLICIES)
        sources, tokens = load_chat_template(template)
        given = {k: v for k, v in {"bos_token": bos_token, "eos_token": eos_token}.items() if v is not None}
        self._setup(sources, template_name, {**tokens, **(special_tokens or {}), **given}, context)
        missing = sorted(
            key for key in ("bos_token", "eos_token") if key not in self.render_context
            and Path(template).suffix != ".json" and any(key in source for source in sources.values())
        )
        if missing:
            raise ValueError(
                f"{template}: the template writes {' and '.join(missing)} but no value is known; put the model's "
                f"tokenizer_config.json beside it or pass {' '.join('--' + k.replace('_', '-') + ' TOKEN' for k in missing)}"
            )

    @classmethod
    def from_string(
        cls,
        source: str,
        template_name: str | None = None,
        special_tokens: Mapping[str, str] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> "ChatTemplateConverter":
        """A converter for template text held in memory (tests, templates built in code)."""
        converter = cls.__new__(cls)
        converter.parallel_calls = "keep"
        converter._setup({"default": source}, template_name, dict(special_tokens or {}), context)
        return converter

    def _setup(
        self, sources: dict[str, str], template_name: str | None, tokens: dict[str, str], context: Any
    ) -> None:
        Converter.__init__(self)
        if template_name is not None and template_name not in sources:
            raise ValueError(f"no chat template named {template_name!r}; have {sorted(sources)}")
        environment = template_environment()
        self.templates = {name: environment.from_string(source) for name, source in sources.items()}
        self.template_name = template_name
        self.render_context = {**tokens, **dict(context or {})}

    def template_for(self, has_tools: bool) -> jinja2.Template:
        if self.template_name is not None:
            return self.templates[self.template_name]
        if has_tools and "tool_use" in self.templates:
            return self.templates["tool_use"]
        if "default" in self.templates:
            return self.templates["default"]
        if len(self.templates) == 1:
            return next(iter(self.templates.values()))
        raise SkipRecord("no_default_chat_template")

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        chosen = self.apply_parallel_policy(messages_of(record), self.parallel_calls)
        try:
            messages = to_chat_template_messages(chosen)
        except ValueError:
            raise SkipRecord("arguments_not_json_object") from None
        tools = to_chat_template_tools(record)
        template = self.template_for(tools is not None)
        try:
            text = template.render(
                messages=messages, tools=tools, add_generation_prompt=False, **self.render_context
            )
        except (jinja2.TemplateError, TypeError, KeyError, ValueError) as error:
            raise SkipRecord(f"template_error: {str(error)[:120]}") from None
        return {"text": text}
