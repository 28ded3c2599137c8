"""The one message model every stage shares.

Agents produce these, tool sims answer with them, the judge reads them and exporters convert
them. Shapes follow the OpenAI chat format (our canonical record), so exporting to it is a dump,
and provider conversion lives in exactly one module (the LLM client).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

STOP_TOKEN = "###STOP###"


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolCall(_Msg):
    """A call the assistant asked for. `arguments` is the raw JSON *string* the model produced,
    kept verbatim: malformed JSON is data (an error-recovery example), not a crash."""

    id: str
    name: str
    arguments: str = "{}"

    def parsed_arguments(self) -> dict[str, Any] | None:
        """The arguments as a dict, or None when they are not a JSON object."""
        try:
            value = json.loads(self.arguments)
        except (ValueError, TypeError):
            return None
        return value if isinstance(value, dict) else None


class SystemMessage(_Msg):
    role: Literal["system"] = "system"
    content: str


class UserMessage(_Msg):
    role: Literal["user"] = "user"
    content: str


class AssistantMessage(_Msg):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


class ToolMessage(_Msg):
    """A tool result. `content` is a JSON string; `is_error` marks results the model should
    read as failures (bad arguments, business-rule errors) so judge and stats need not re-parse."""

    role: Literal["tool"] = "tool"
    tool_call_id: str
    name: str
    content: str
    is_error: bool = False


Message = Annotated[
    Union[SystemMessage, UserMessage, AssistantMessage, ToolMessage], Field(discriminator="role")
]
MESSAGE_LIST = TypeAdapter(list[Message])
_M = TypeVar("_M", bound=_Msg)


_SURROGATE = re.compile("[\ud800-\udfff]")
# `json.dumps(payload, ensure_ascii=False, default=str)` with its encoder built once, not per result.
_RESULT_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
_MARKERS: dict[int, Any] = {}  # the circular-reference markers of `_RESULT_C`, empty between results
_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_RESULT_C = None if _make_encoder is None else _make_encoder(
    _MARKERS, _RESULT_ENCODER.default, json.encoder.encode_basestring, None, _RESULT_ENCODER.key_separator,
    _RESULT_ENCODER.item_separator, _RESULT_ENCODER.sort_keys, _RESULT_ENCODER.skipkeys, _RESULT_ENCODER.allow_nan)


def _result_json(payload: Any) -> str:
    """`_RESULT_ENCODER.encode(payload)` through one C encoder made once: `encode` makes a new
    one for every value (a third of encoding a small result). The C encoder is the one `encode`
    makes, with the same arguments, so the text is the same; its markers (circular references)
    are emptied as each container is left, and after a failure here. When they are not empty
    on entry (an encoding under way: a `default` that encodes a result), the encoder as it is."""
    if isinstance(payload, str) or _RESULT_C is None or _MARKERS:
        return _RESULT_ENCODER.encode(payload)
    try:
        return "".join(_RESULT_C(payload, 0))
    except BaseException:
        _MARKERS.clear()
        raise
_new = object.__new__
_set = object.__setattr__


def _trusted(cls: type[_M], fields: dict[str, Any], given: set[str]) -> _M:
    """A message from values already of their declared types, as `cls(**given values)` makes it
    (same `__dict__` in field order, same fields set) without pydantic checking them again: the
    offline agents and the tool environment make a few such messages per episode, and checking
    cost more than the rest of making them. `fields` holds every field, in declaration order."""
    message = _new(cls)
    _set(message, "__dict__", fields)
    _set(message, "__pydantic_fields_set__", given)
    _set(message, "__pydantic_extra__", None)
    _set(message, "__pydantic_private__", None)
    return message


def user_text(content: str) -> UserMessage:
    """`UserMessage(content=content)` for a `content` known to be a str."""
    return _trusted(UserMessage, {"role": "user", "content": content}, {"content"})


def assistant_text(content: str) -> AssistantMessage:
    """`AssistantMessage(content=content)` for a `content` known to be a str."""
    return _trusted(AssistantMessage, {"role": "assistant", "content": content, "tool_calls": ()}, {"content"})


def assistant_calls(calls: tuple[ToolCall, ...]) -> AssistantMessage:
    """`AssistantMessage(tool_calls=calls)` for a tuple of `ToolCall`s."""
    return _trusted(AssistantMessage, {"role": "assistant", "content": None, "tool_calls": calls}, {"tool_calls"})


def tool_call(id: str, name: str, arguments: str) -> ToolCall:
    """`ToolCall(id=id, name=name, arguments=arguments)` for three strs."""
    return _trusted(ToolCall, {"id": id, "name": name, "arguments": arguments}, {"id", "name", "arguments"})


_ARGUMENTS_JSON = json.JSONEncoder(ensure_ascii=False).encode
_quoted = json.encoder.encode_basestring  # the C encoder's own quoting of a str (ensure_ascii=False)
_int_text = int.__repr__


def arguments_json(args: dict[str, Any]) -> str:
    """`json.dumps(args, ensure_ascii=False)`: a call's arguments as the offline assistant writes
    them. Most are a few strings or whole numbers under string keys, written here directly (the
    encoder's setup cost more than writing them), and what the text parses back to is known
    (`known_arguments`); anything else goes to the encoder."""
    parts = []
    for key, value in args.items():
        kind = type(value)
        if type(key) is not str or (kind is not str and kind is not int):
            return _ARGUMENTS_JSON(args)
        parts.append(f"{_quoted(key)}: {_quoted(value) if kind is str else _int_text(value)}")
    text = "{" + ", ".join(parts) + "}"
    remember_arguments(text, dict(args))
    return text


# A call's arguments text -> the flat dict it parses to (atoms under string keys), for the last
# calls made or parsed: the tool environment parses a call's arguments when it runs the call and
# the judge again right after, and the offline assistant knows them before either does.
_PARSED: dict[str, dict[str, Any]] = {}
_PARSED_LIMIT = 1024
_FLAT_VALUE = frozenset({str, int, float, bool, type(None)})


def remember_arguments(text: str, parsed: dict[str, Any]) -> None:
    """Keep what `text` parses to (`json.loads(text)`, which the caller knows it equals), when it
    is a flat dict: `known_arguments` then gives copies of it; anything else is not kept."""
    for key, value in parsed.items():
        if type(key) is not str or type(value) not in _FLAT_VALUE or value != value:  # (a NaN: parsed anew
            return  # it is another object, and a container holding it compares unequal to one holding that)
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[text] = parsed


def known_arguments(text: Any) -> dict[str, Any] | None:
    """`json.loads(text)` as a new dict, when `text` is a call's arguments remembered above (a
    shallow copy is a whole one: its values are atoms); None otherwise."""
    parsed = _PARSED.get(text) if type(text) is str else None
    return None if parsed is None else parsed.copy()


def tool_result(call: ToolCall, payload: Any, *, is_error: bool = False) -> ToolMessage:
    """Wrap a JSON-able payload as the tool message answering `call`."""
    content = _result_json(payload)
    if not content.isascii() and _SURROGATE.search(content):  # a sim's bug: such text cannot be written to UTF-8
        raise ValueError(f"the result of {call.name!r} holds a lone surrogate (not valid Unicode text)")
    return _trusted(
        ToolMessage,
        {"role": "tool", "tool_call_id": call.id, "name": call.name, "content": content, "is_error": bool(is_error)},
        {"tool_call_id", "name", "content", "is_error"},
    )


def tool_error(call: ToolCall, error: str) -> ToolMessage:
    """A tool result the model sees as a failure: `{"error": "..."}`."""
    return tool_result(call, {"error": error}, is_error=True)


def has_stop_token(text: str | None) -> bool:
    return bool(text) and STOP_TOKEN in text  # type: ignore[operator]


def strip_stop_token(text: str) -> str:
    return text.replace(STOP_TOKEN, "").strip()
