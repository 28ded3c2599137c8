"""OpenAI-compatible chat completions straight over aiohttp, for self-hosted servers.

Why not litellm here: a run against a vLLM (or Ollama, LM Studio, any OpenAI-compatible) server
is where concurrency is high and the server is fast, so the client's own CPU per call decides the
throughput — and litellm spends ~1.5 ms of CPU per call (call wrapper, logging object, a worker
thread hand-off, httpx objects over aiohttp, response objects; `bench/llm_client.py`) on a
request that is already in the server's shape, plus ~2-3 s importing itself before the first
request can leave. This module sends the same JSON body litellm sends (the model name without its
provider prefix, the messages, tools and sampling parameters; `tests/llm` compares the two on the
wire) and reads the reply into the same neutral dict, for ~0.3 ms.

It is used for `openai/<model>` and `hosted_vllm/<model>` with an `api_base` — a server the user
runs or names — and nothing else: OpenAI's own API (model-specific parameter rules), Anthropic and
every other provider keep going through litellm, and `TOOLSIM_TRANSPORT=litellm` sends everything
through litellm. Failures raise `ProviderError`, which `retry.classify` sorts like litellm's.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from simulator.llm.retry import ProviderError
from simulator.spec.models import ModelSettings

# provider prefix -> the environment variable litellm reads its key from (and its stand-in key)
KEY_VARIABLES = {"openai": ("OPENAI_API_KEY", None), "hosted_vllm": ("HOSTED_VLLM_API_KEY", "fake-api-key")}
_PARAMETERS = ("temperature", "max_tokens", "seed", "tools", "response_format")


def speaks(settings: ModelSettings) -> bool:
    """Whether this module serves `settings` (an OpenAI-compatible server at a given address)."""
    provider, _, name = settings.model.partition("/")
    return bool(name) and provider in KEY_VARIABLES and bool(settings.api_base)


def request_body(settings: ModelSettings, request: dict[str, Any]) -> dict[str, Any]:
    """The JSON body litellm would send for this request."""
    messages = [{k: v for k, v in m.items() if v is not None} for m in request["messages"]]
    body: dict[str, Any] = {"model": settings.model.partition("/")[2], "messages": messages}
    for name in _PARAMETERS:
        if request.get(name) is not None:
            body[name] = request[name]
    return body


def reply_of(payload: Any) -> dict[str, Any]:
    """The neutral reply (as `client._reply_of` makes it from litellm's response object)."""
    choice = (payload.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    calls = []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)
        calls.append({"id": call.get("id") or "", "name": function.get("name") or "", "arguments": arguments})
    usage = payload.get("usage") or {}
    return {
        "content": message.get("content"),
        "tool_calls": calls,
        "finish_reason": choice.get("finish_reason"),
        "input_tokens": int(usage.get("prompt_tokens") or 0),
        "output_tokens": int(usage.get("completion_tokens") or 0),
    }


def _error_message(status: int, raw: bytes) -> str:
    try:
        error = json.loads(raw).get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    return f"HTTP {status}: {message or raw[:200].decode('utf-8', 'replace') or 'no body'}"


class OpenAIHTTP:
    """One keep-alive connection pool per event loop (a client may outlive an `asyncio.run`)."""

    def __init__(self) -> None:
        self._sessions: dict[asyncio.AbstractEventLoop, Any] = {}
        self._timeouts: dict[float, Any] = {}  # one aiohttp.ClientTimeout per timeout (building one is not free)

    def _session(self) -> Any:
        import aiohttp

        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            for old in [lp for lp in self._sessions if lp.is_closed()]:
                _forget(self._sessions.pop(old))
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
            # No cookie jar: these APIs set none we need, and the jar is read and written per request.
            session = self._sessions[loop] = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        return session

    async def complete(self, settings: ModelSettings, body: bytes) -> dict[str, Any]:
        """POST `body` (`request_body`'s JSON, encoded by the caller: `request.EncodedRequest.body`)."""
        import aiohttp

        provider = settings.model.partition("/")[0]
        variable, stand_in = KEY_VARIABLES[provider]
        key = settings.api_key() or os.environ.get(variable) or stand_in
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = str(settings.api_base).rstrip("/") + "/chat/completions"
        timeout = self._timeouts.get(settings.timeout)
        if timeout is None:
            timeout = self._timeouts[settings.timeout] = aiohttp.ClientTimeout(total=settings.timeout)
        try:
            async with self._session().post(url, data=body, headers=headers, timeout=timeout) as response:
                raw = await response.read()
                status = response.status
        except aiohttp.ClientError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}", connection=True) from None
        if not 200 <= status < 300:  # the headers are read only here (Retry-After)
            raise ProviderError(_error_message(status, raw), status=status, headers=dict(response.headers))
        try:
            return reply_of(json.loads(raw))
        except (ValueError, AttributeError, TypeError, IndexError):
            raise ProviderError(f"HTTP {status}: unreadable reply body", status=status) from None

    async def aclose(self) -> None:
        for loop, session in list(self._sessions.items()):
            if loop is asyncio.get_running_loop():
                await session.close()
            self._sessions.pop(loop, None)

    def close(self) -> None:
        """Outside any loop: drop the pools (their loops are over)."""
        for session in self._sessions.values():
            _forget(session)
        self._sessions.clear()


def _forget(session: Any) -> None:
    """Drop a pool whose event loop has ended: mark it and its connector closed (their sockets
    cannot be closed through a closed loop; they close when collected), so neither warns."""
    connector = session.connector
    if not session.closed:
        session.detach()
    if connector is not None:
        try:
            connector._close()  # sets the closed flag first; closing a dead loop's transports may fail
        except RuntimeError:
            pass
