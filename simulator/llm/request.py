"""A model request encoded once: its cache key and its wire body are joined from pieces each
message (in the provider shape `client.provider_message` gives) and each tool list encodes once.

Why: a conversation is re-sent whole at every turn (and an eval sends each record's prefix once
per assistant turn), so encoding every request from scratch re-encodes the same messages again
and again — twice, once canonically for the cache key and once for the wire — and at high
concurrency that CPU is taken from the one event loop every reply waits on. JSON encoding is
compositional (a list is its items' encodings joined by the separator), so each message's two
encodings are kept (messages are frozen values: equal messages encode equally) and a request is
a join of strings. The results are the same strings as before, byte for byte: the key is
`cache.request_key` of the request dict (existing caches keep answering) and the body is
`openai_http.request_body`'s JSON (`tests/llm/test_request_encoding.py` compares them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from simulator.core.messages import Message
from simulator.llm.cache import SCHEMA_VERSION, canonical_json
from simulator.spec import ToolSpec

# The body's sampling parameters, in the order litellm's body has them (`openai_http`).
BODY_PARAMETERS = ("temperature", "max_tokens", "seed", "tools", "response_format")
MESSAGES_KEPT = 8192  # encoded messages kept per client (tens of MB at most)


def wire_message(provider: dict[str, Any]) -> dict[str, Any]:
    """A provider message as the body carries it: keys whose value is None left out."""
    return {k: v for k, v in provider.items() if v is not None}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


@lru_cache(maxsize=4096, typed=True)  # typed: 0, 0.0 and False encode differently
def _canonical_scalar(value: Any) -> bytes:
    return canonical_json(value).encode()


def _canonical(value: Any) -> bytes:
    """A parameter's canonical encoding (the few scalars a run uses, encoded once)."""
    if value is None or isinstance(value, (str, int, float)):
        return _canonical_scalar(value)
    return canonical_json(value).encode()


@lru_cache(maxsize=64)
def _field_name(name: str) -> bytes:
    return canonical_json(name).encode() + b":"


class RequestEncoder:
    """Encodes a client's requests. `convert(message, object_arguments)` gives a message's
    provider shape (`client.provider_message`: the one conversion). Keeps the encodings of recent
    messages (a run's conversations in flight re-send theirs at every turn) and of each tool
    list it has seen (a run has a few)."""

    def __init__(self, convert: Callable[..., dict[str, Any]]) -> None:
        self._convert = convert
        self._message_parts = lru_cache(maxsize=MESSAGES_KEPT)(self._encode_message)
        # id of each spec -> (the specs, held so the ids stay theirs; canonical; wire)
        self._tools: dict[tuple[int, ...], tuple[tuple[ToolSpec, ...], bytes, bytes]] = {}

    def _encode_message(self, message: Message, object_arguments: bool) -> tuple[bytes, bytes]:
        """(canonical encoding, wire encoding) of one message, UTF-8."""
        provider = self._convert(message, object_arguments=object_arguments)
        return canonical_json(provider).encode(), _dumps(wire_message(provider))

    def _tool_parts(self, tools: Sequence[ToolSpec]) -> tuple[bytes, bytes]:
        ids = tuple(id(t) for t in tools)
        known = self._tools.get(ids)
        if known is None:
            entries = [t.openai_tool() for t in tools]
            known = (tuple(tools), canonical_json(entries).encode(), _dumps(entries))
            if len(self._tools) > 256:  # tool lists made per call: keep none of them for long
                self._tools.clear()
            self._tools[ids] = known
        return known[1], known[2]

    def encode(self, params: dict[str, Any], messages: Sequence[Message], tools: Sequence[ToolSpec],
               object_arguments: bool) -> EncodedRequest:
        """`params`: the request's fields other than messages and tools (model, api_base, ...)."""
        parts = [self._message_parts(m, object_arguments) for m in messages]
        tool_parts = self._tool_parts(tools) if tools else None
        return EncodedRequest(params, messages, tools, object_arguments, parts, tool_parts, self._convert)


class EncodedRequest:
    """One request: `key` (= `cache.request_key(self.as_dict())`), `body(model_name)` for the
    wire, `as_dict()` for litellm."""

    def __init__(self, params: dict[str, Any], messages: Sequence[Message], tools: Sequence[ToolSpec],
                 object_arguments: bool, parts: list[tuple[bytes, bytes]], tool_parts: tuple[bytes, bytes] | None,
                 convert: Callable[..., dict[str, Any]]) -> None:
        self._convert = convert
        self.params = params
        self.messages = messages
        self.tools = tools
        self.object_arguments = object_arguments
        self._parts = parts
        self._tool_parts = tool_parts
        fields = {name: _canonical(value) for name, value in params.items()}
        fields["v"] = _canonical(SCHEMA_VERSION)
        fields["messages"] = b"[" + b",".join([p[0] for p in parts]) + b"]"
        fields["tools"] = tool_parts[0] if tool_parts is not None else b"null"
        canonical = b"{" + b",".join([_field_name(name) + fields[name] for name in sorted(fields)]) + b"}"
        self.key = hashlib.sha256(canonical).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        """The request as one dict (litellm's arguments; what `key` hashes)."""
        request = dict(self.params)
        request["messages"] = [self._convert(m, object_arguments=self.object_arguments) for m in self.messages]
        request["tools"] = [t.openai_tool() for t in self.tools] if self.tools else None
        return request

    def body(self, model_name: str) -> bytes:
        """The JSON body `openai_http.request_body` gives, as bytes."""
        out = [b'{"model": ', _dumps(model_name), b', "messages": [', b", ".join([p[1] for p in self._parts]), b"]"]
        for name in BODY_PARAMETERS:
            if name == "tools":
                if self._tool_parts is not None:
                    out += [b', "tools": ', self._tool_parts[1]]
            elif self.params.get(name) is not None:
                out += [f', "{name}": '.encode(), _dumps(self.params[name])]
        out.append(b"}")
        return b"".join(out)
