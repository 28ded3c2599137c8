"""The one place our messages meet a provider: every model call of every role goes through
`LLMClient.complete`, over `litellm.acompletion`.

It converts our message model to the OpenAI chat shape litellm takes (litellm converts further
for Anthropic and others), applies the prompt-based tool format when a model has no native tool
calling, consults the response cache, holds a concurrency slot while calling, retries transient
failures, and turns the reply back into an `AssistantMessage` with its usage and cost.

litellm is imported on first use: importing it costs about two seconds, and offline runs never
need it. `LITELLM_LOCAL_MODEL_COST_MAP` is set first, or the import fetches a price table from
the network.

Per-call CPU matters at high concurrency: one event loop serves every call, so each millisecond a
call spends in Python delays every other reply. `bench/llm_client.py` measures it. What we
do about it here: `openai/` calls take litellm's own HTTP handler rather than the OpenAI SDK (a
litellm switch); `litellm_tuning` switches off litellm's success logging when nobody listens and
its response pricing when we will not read the price (own prices, or a model its table does not
know, which is looked up once per client); the ~300k objects the litellm import leaves behind
are frozen out of the garbage collector's full scans, each of which stalled the loop ~0.2 s; and
each call yields to the loop once before litellm prepares its request, so replies already in
hand are handled first. For every transport: a request is encoded once, joined from its
messages' kept encodings, for the cache key and the wire alike (`request.py`; a conversation is
re-sent whole at every turn), and the first call settles the garbage collector for a phase of
many calls (`simulator.core.gc_tuning`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Sequence

from simulator.core import gc_tuning
from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.core.records import RoleUsage
from simulator.llm import litellm_tuning
from simulator.llm.cache import FLUSH_EVERY, ResponseCache
from simulator.llm.limits import CallLimits, Pacer
from simulator.llm.openai_http import OpenAIHTTP, speaks
from simulator.llm.prices import table_cost
from simulator.llm.prompt_tools import count_tool_calls, parse_reply, to_prompt_messages
from simulator.llm.request import EncodedRequest, RequestEncoder
from simulator.llm.retry import Backoff, call_with_retries
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings

_litellm: Any = None
TRANSPORT_VARIABLE = "TOOLSIM_TRANSPORT"  # "litellm": every call through litellm, none over `openai_http`
OPENAI_HTTP_HANDLER_SWITCH = "EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER"


def litellm_module() -> Any:
    """Import litellm once, offline and quiet."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        # litellm's own switch: `openai/...` calls go through its HTTP handler (as `hosted_vllm/`
        # always does) instead of the OpenAI SDK, whose per-call TypedDict walk of the request
        # alone cost ~1 ms for one message and ~4 ms for a 22-message conversation with tools.
        # Same request on the wire, same usage, cost and error classes (tests/llm covers them).
        # Set it to "false" to go back to the SDK.
        os.environ.setdefault(OPENAI_HTTP_HANDLER_SWITCH, "true")
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        litellm_tuning.install(litellm)
        # The import leaves ~300k long-lived objects (provider configs, price table, pydantic
        # schemas); each full collection would re-scan them all. Freeze them out of the scans.
        gc.collect()
        gc.freeze()
        _litellm = litellm
    return _litellm


@dataclass
class Completion:
    """One model answer in our terms. `raw_content` is the text exactly as the model wrote it
    (before `<tool_call>` parsing), which the judge stores as its raw reply."""

    message: AssistantMessage
    usage: RoleUsage
    cached: bool = False
    finish_reason: str | None = None
    raw_content: str | None = None


# ------------------------------------------------------------------ our messages -> provider shape


# Providers whose API takes tool-call arguments as a JSON object, not a string: a malformed
# argument string from an earlier turn cannot be sent to them verbatim (litellm refuses it).
_OBJECT_ARGUMENT_PROVIDERS = frozenset({"anthropic", "bedrock", "bedrock_converse", "vertex_ai", "vertex_ai_beta", "gemini"})


def _sendable_arguments(arguments: str, object_only: bool) -> str:
    if not object_only:
        return arguments
    try:
        if isinstance(json.loads(arguments), dict):
            return arguments
    except ValueError:
        pass
    return json.dumps({"unparsed_arguments": arguments}, ensure_ascii=False)


def provider_message(message: Message, *, object_arguments: bool = False) -> dict[str, Any]:
    """One message in the OpenAI chat shape litellm takes. `object_arguments`: the provider needs
    tool arguments to be a JSON object (malformed ones are wrapped, not dropped)."""
    if isinstance(message, (SystemMessage, UserMessage)):
        return {"role": message.role, "content": message.content}
    if isinstance(message, ToolMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    out: dict[str, Any] = {"role": "assistant", "content": message.content if message.content or message.tool_calls else ""}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": _sendable_arguments(c.arguments, object_arguments)},
            }
            for c in message.tool_calls
        ]
    return out


# ------------------------------------------------------------------ provider reply -> neutral dict


def _reply_of(response: Any) -> dict[str, Any]:
    """The parts of a litellm ModelResponse we keep (and cache): plain JSON, provider-neutral."""
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    calls = []
    for tc in getattr(message, "tool_calls", None) or []:
        fn = getattr(tc, "function", None)
        arguments = getattr(fn, "arguments", None)
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)
        calls.append({"id": getattr(tc, "id", None) or "", "name": getattr(fn, "name", None) or "", "arguments": arguments})
    usage = getattr(response, "usage", None)
    return {
        "content": getattr(message, "content", None),
        "tool_calls": calls,
        "finish_reason": getattr(choices[0], "finish_reason", None) if choices else None,
        "input_tokens": int(getattr(usage, "prompt_tokens", 0) or 0),
        "output_tokens": int(getattr(usage, "completion_tokens", 0) or 0),
    }


def _table_cost(response: Any) -> float | None:
    """litellm's own price for the call, which it computes while logging every response when
    its table knows the model (None otherwise). Asking `completion_cost` again for an unknown
    model costs ~0.5 ms of CPU per call to learn nothing, so we don't."""
    cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    return float(cost) if cost is not None else None


def _litellm_prices(litellm: Any, model: str) -> bool:
    """Whether litellm's price table has an entry for `model` (asked once per unpriced model)."""
    try:
        info = litellm.get_model_info(model=model)
    except Exception:  # noqa: BLE001 - litellm raises a bare Exception for an unknown model
        return False
    return bool(info.get("input_cost_per_token") or info.get("output_cost_per_token"))


def _message_of(reply: dict[str, Any], first_call_number: int, prompt_tools: bool) -> AssistantMessage:
    if prompt_tools:
        return parse_reply(reply["content"], first_call_number)
    calls = tuple(
        ToolCall(id=c["id"] or f"call_{first_call_number + i}", name=c["name"], arguments=c["arguments"])
        for i, c in enumerate(reply["tool_calls"])
    )
    content = reply["content"]
    return AssistantMessage(content=content if content else None, tool_calls=calls)


# ------------------------------------------------------------------ the client


def _needs_object_arguments(model: str) -> bool:
    provider, _, rest = model.partition("/")
    return bool(rest) and provider in _OBJECT_ARGUMENT_PROVIDERS


@dataclass
class LLMClient:
    """Shared by every role of a run: one cache, one set of limits."""

    cache: ResponseCache | None = None
    limits: CallLimits = field(default_factory=CallLimits)
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    _inflight: dict[str, asyncio.Future] = field(default_factory=dict, init=False, repr=False)
    # Models litellm's price table does not know: their calls skip litellm's pricing.
    _unpriced: set[str] = field(default_factory=set, init=False, repr=False)
    # Backoff jitter; one generator per client (seeding a new one per call costs a urandom read).
    _rng: random.Random = field(default_factory=random.Random, init=False, repr=False)
    # OpenAI-compatible servers at an `api_base` are called directly (`openai_http`) unless this is off.
    direct: bool = field(default_factory=lambda: os.environ.get(TRANSPORT_VARIABLE, "").lower() != "litellm")
    _http: OpenAIHTTP = field(default_factory=OpenAIHTTP, init=False, repr=False)
    _encoder: RequestEncoder = field(default_factory=lambda: RequestEncoder(provider_message), init=False, repr=False)
    _settled: bool = field(default=False, init=False, repr=False)

    @classmethod
    def create(cls, *, cache_path: str | os.PathLike | None, concurrency: int = 8, rpm: float | None = None,
               pacer: Pacer | None = None) -> "LLMClient":
        """The run's client: `cache_path=None` is `--no-cache`; a `pacer` (a worker's) spaces
        the starts of the whole run's calls instead of this client's own `rpm`."""
        cache = ResponseCache(cache_path, batch=FLUSH_EVERY) if cache_path is not None else None
        return cls(cache=cache, limits=CallLimits(concurrency=concurrency, rpm=rpm, pacer=pacer))

    def close(self) -> None:
        self._http.close()
        if self.cache is not None:
            self.cache.close()

    async def aclose(self) -> None:
        """Close from inside the event loop: the direct transport's connections first."""
        await self._http.aclose()
        self.close()

    async def complete(
        self,
        settings: ModelSettings,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        response_format: dict[str, Any] | None = None,
        cache_salt: str | None = None,
    ) -> Completion:
        """Ask `settings.model` for the next assistant message. `cache_salt` separates requests
        that are identical on purpose (a second sample, another committee vote)."""
        if not self._settled:  # the first call: what is alive now lives through the calls
            self._settled = True
            gc_tuning.settle()
        prompt_tools = bool(tools) and settings.tool_format == "prompt"
        sent = to_prompt_messages(messages, tools) if prompt_tools else list(messages)
        params = {
            "model": settings.model,
            "api_base": settings.api_base,
            "response_format": response_format,
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "seed": settings.seed,
            "tool_format": settings.tool_format if tools else None,
            "salt": cache_salt,
        }
        request = self._encoder.encode(params, sent, tools if tools and not prompt_tools else (),
                                       _needs_object_arguments(settings.model))
        first_call_number = count_tool_calls(messages) + 1
        key = request.key
        reply = self.cache.get(key) if self.cache is not None else None
        cached_hit = reply is not None
        if reply is None:
            reply, shared = await self._fetch_once(key, settings, request)
            cached_hit = shared  # a call shared with an identical one in flight cost nothing extra
        usage = RoleUsage(
            calls=1,
            input_tokens=reply["input_tokens"],
            output_tokens=reply["output_tokens"],
            cost_usd=0.0 if cached_hit else reply["cost_usd"],
            cached_calls=1 if cached_hit else 0,
        )
        return Completion(
            message=_message_of(reply, first_call_number, prompt_tools),
            usage=usage,
            cached=cached_hit,
            finish_reason=reply["finish_reason"],
            raw_content=reply["content"],
        )

    async def _fetch_once(self, key: str, settings: ModelSettings, request: EncodedRequest) -> tuple[dict[str, Any], bool]:
        """Identical requests in flight at the same time share one call: (reply, shared)."""
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending), True
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            reply = await self._fetch(settings, request)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        finally:
            self._inflight.pop(key, None)
        future.set_result(reply)
        if self.cache is not None:
            self.cache.put(key, settings.model, reply)
        return reply, False

    async def _fetch(self, settings: ModelSettings, encoded: EncodedRequest) -> dict[str, Any]:
        if self.direct and speaks(settings):
            return await self._fetch_direct(settings, encoded)
        litellm = litellm_module()
        request = encoded.as_dict()
        kwargs: dict[str, Any] = {
            "model": settings.model,
            "messages": request["messages"],
            "timeout": settings.timeout,
            "num_retries": 0,  # retries are ours (retry.py): one policy, one count
            "max_retries": 0,
            "drop_params": True,  # e.g. `seed` for providers without it
        }
        for name in ("api_base", "tools", "response_format", "temperature", "max_tokens", "seed"):
            if request[name] is not None:
                kwargs[name] = request[name]
        api_key = settings.api_key()
        if api_key:
            kwargs["api_key"] = api_key

        # Our own prices win, and a model litellm has been seen not to price stays unpriced:
        # either way litellm's figure would go unread.
        skip_cost = settings.has_own_prices or settings.model in self._unpriced

        async def attempt() -> Any:
            # Let the event loop first run the replies already in hand: preparing a request costs
            # about as much CPU as handling a reply, and done here first it would delay every
            # reply waiting behind it (bench: ratio +0.05 to +0.15 at concurrency 64).
            await asyncio.sleep(0)
            async with self.limits.slot():
                with litellm_tuning.skip_litellm_cost(skip_cost):
                    return await litellm.acompletion(**kwargs)

        response = await call_with_retries(
            attempt, model=settings.model, retries=settings.retries, backoff=self.backoff, sleep=self.sleep, rng=self._rng
        )
        reply = _reply_of(response)
        own = settings.own_cost(reply["input_tokens"], reply["output_tokens"])
        reply["cost_usd"] = own if own is not None else _table_cost(response)
        if own is None and reply["cost_usd"] is None and not skip_cost and not _litellm_prices(litellm, settings.model):
            self._unpriced.add(settings.model)
        return reply

    async def _fetch_direct(self, settings: ModelSettings, request: EncodedRequest) -> dict[str, Any]:
        body = request.body(settings.model.partition("/")[2])  # encoded once, whatever the retries

        async def attempt() -> dict[str, Any]:
            # No yield before the slot here (unlike litellm's path): this request costs a
            # json.dumps to prepare, not litellm's ~1 ms, so it goes out at once.
            async with self.limits.slot():
                return await self._http.complete(settings, body)

        reply = await call_with_retries(
            attempt, model=settings.model, retries=settings.retries, backoff=self.backoff, sleep=self.sleep, rng=self._rng
        )
        own = settings.own_cost(reply["input_tokens"], reply["output_tokens"])
        reply["cost_usd"] = own if own is not None else table_cost(settings.model, reply["input_tokens"], reply["output_tokens"])
        return reply
