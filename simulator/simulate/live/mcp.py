"""`sim: live` for an MCP server (and the `tools/list` that `toolsim new --from-mcp` imports from),
through the official `mcp` SDK: its stdio transport starts the server's command, its streamable
HTTP transport reaches a URL.

One connection serves the whole run. The SDK is built on anyio, whose contexts must be left in the
task that entered them, while a run's episodes are many asyncio tasks; so one background task owns
the connection (`_Connection`) and serves calls sent to it, concurrently. A server that dies or
cannot start fails the calls waiting on it with `LiveFailure` (error results, never a crash), and
the next call starts a new connection. What a stdio server prints on stderr goes to a temporary
file, quoted (redacted) when the server fails to start — not onto the run's progress display;
and what the SDK itself logs (with tracebacks, e.g. on a line of stdout that is not JSON-RPC) is
kept the same way, one line each, and quoted when the server fails.

A tool's result is its `structuredContent` when the server gives one, else its text (parsed when
it is JSON); a value that is not an object is wrapped as `{"result": value}`. `isError` results
are the server's answer (cached like results); timeouts and lost connections are not.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from simulator.llm.redact import redact
from simulator.simulate.live.registry import LiveFailure, LiveSource, tool_source
from simulator.spec.service import MCPService
from simulator.spec.tools import ToolSpec

MAX_ERROR_TEXT = 300
START_SECONDS = 30.0
LIST_PAGES = 100  # pages of tools/list at most (a server that never stops paginating cannot hang us)


class _SdkLog(logging.Handler):
    """Keeps the last lines the `mcp` SDK logs (message only, no traceback), instead of stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: collections.deque[str] = collections.deque(maxlen=20)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage().splitlines()[0][:MAX_ERROR_TEXT] if record.msg else "")
        self.count += 1

    def since(self, count: int) -> list[str]:
        return list(self.lines)[-min(self.count - count, len(self.lines)):] if self.count > count else []


SDK_LOG = _SdkLog()


def _keep_sdk_log() -> None:
    logger = logging.getLogger("mcp")
    if SDK_LOG not in logger.handlers:
        logger.addHandler(SDK_LOG)
        logger.propagate = False


def innermost(exc: BaseException) -> BaseException:
    """The error inside anyio's task-group wrappers (an `ExceptionGroup` of one says nothing)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def content_text(result: Any) -> str:
    parts = []
    for block in result.content or []:
        if getattr(block, "type", None) == "text":
            parts.append(block.text)
        else:
            kind, mime = getattr(block, "type", "content"), getattr(block, "mime_type", "") or ""
            parts.append(f"[{kind} {mime}]".replace(" ]", "]"))
    return "\n".join(parts).strip()


def result_value(result: Any) -> Any:
    """A `CallToolResult` as the tool's result, or `LiveFailure` for an error result."""
    text = content_text(result)
    if result.is_error:
        raise LiveFailure(text[:MAX_ERROR_TEXT] or "the tool failed", cacheable=True)
    value: Any = result.structured_content
    if value is None:
        try:
            value = json.loads(text)
        except ValueError:
            value = text
    return value if isinstance(value, dict) else {"result": value}


class _Connection:
    """One MCP session, owned by one background task; `request` may be called from any task."""

    def __init__(self, target: Any, timeout: float, errlog: Any) -> None:
        self.target = target
        self.timeout = timeout
        self.errlog = errlog
        self.queue: asyncio.Queue = asyncio.Queue()
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed = False
        self.about: tuple[str, str] = ("", "")  # the server's name and instructions, once connected
        self.task = asyncio.create_task(self._own())

    async def _own(self) -> None:
        import anyio
        from mcp import Client

        try:
            async with Client(self.target, read_timeout_seconds=self.timeout, cache=None) as client:
                info = client.server_info
                self.about = (str(getattr(info, "title", None) or getattr(info, "name", None) or ""),
                              str(client.instructions or ""))
                self.ready.set_result(client)
                async with anyio.create_task_group() as group:
                    while True:
                        item = await self.queue.get()
                        if item is None:
                            break
                        group.start_soon(self._serve, client, *item)
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets it as a LiveFailure
            if not self.ready.done():
                self.ready.set_exception(exc)
                self.ready.exception()
        finally:
            self.closed = True
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if item is not None and not item[-1].done():
                    item[-1].set_exception(ConnectionError("the MCP server connection closed"))

    @staticmethod
    async def _serve(client: Any, method: str, params: dict[str, Any], future: asyncio.Future) -> None:
        try:
            if method == "call":
                value = await client.call_tool(params["name"], params["arguments"])
            else:
                value = await client.list_tools(cursor=params.get("cursor"))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else ConnectionError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        if not future.done():
            future.set_result(value)

    async def request(self, method: str, params: dict[str, Any]) -> Any:
        # a stdio server is a new process (imports and all): it gets longer to start than to answer
        await asyncio.wait_for(asyncio.shield(self.ready), max(START_SECONDS, self.timeout))
        if self.closed:
            raise ConnectionError("the MCP server connection closed")
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((method, params, future))
        return await asyncio.wait_for(asyncio.shield(future), self.timeout + 1)

    async def aclose(self) -> None:
        if not self.task.done():
            await self.queue.put(None)
            try:
                await asyncio.wait_for(self.task, 10)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - closing: nothing left to tell
                self.task.cancel()


@tool_source("mcp")
class MCPSource(LiveSource):
    service: MCPService

    def __init__(self, service: MCPService, folder: Path | None = None) -> None:
        super().__init__(service, folder)
        self._connection: _Connection | None = None
        self._errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        self._lock: asyncio.Lock | None = None
        _keep_sdk_log()
        self._sdk_seen = SDK_LOG.count

    @property
    def identity(self) -> str:
        return f"mcp {self.service.url or ' '.join(self.service.command or [])}"

    def _secret_names(self) -> list[str]:
        return [*self.service.env, *([self.service.auth.env] if self.service.auth else [])]

    def _target(self) -> Any:
        service = self.service
        if service.url is not None:
            headers = {}
            if service.auth is not None:
                key = os.environ.get(service.auth.env)
                if not key:
                    raise LiveFailure(f"the API key variable {service.auth.env} is not set")
                headers[service.auth.name] = service.auth.prefix + key
            if not headers:
                return service.url
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            client = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(service.timeout, read=300))
            return streamable_http_client(service.url, http_client=client)
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        command = service.command or []
        # lexically: the tools file's folder may not exist yet (`toolsim new` lists before it writes)
        cwd = os.path.normpath(os.path.join(self.folder or ".", service.cwd)) if service.cwd else self.folder
        env = {name: os.environ[name] for name in service.env if name in os.environ}
        params = StdioServerParameters(command=command[0], args=command[1:], env=env or None,
                                       cwd=str(cwd) if cwd else None)
        return stdio_client(params, errlog=self._errlog)

    def _server_said(self) -> str:
        try:
            self._errlog.seek(0)
            lines = [line for line in self._errlog.read().splitlines() if line.strip()]
        except (OSError, ValueError):
            lines = []
        lines += [f"(mcp SDK) {line}" for line in SDK_LOG.since(self._sdk_seen) if line]
        return redact(" | ".join(lines[-3:]), self._secret_names())[-MAX_ERROR_TEXT:]

    async def _request(self, method: str, params: dict[str, Any]) -> Any:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._connection is None or self._connection.closed:
                self._connection = _Connection(self._target(), self.timeout, self._errlog)
            connection = self._connection
        try:
            return await connection.request(method, params)
        except asyncio.TimeoutError:
            raise LiveFailure(f"the MCP server did not answer within {self.timeout:g} s") from None
        except LiveFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the server or the transport
            exc = innermost(exc)
            said = self._server_said()
            reason = redact(f"{type(exc).__name__}: {exc}", self._secret_names())[:MAX_ERROR_TEXT]
            raise LiveFailure(f"the MCP server failed ({reason})" + (f"; it said: {said}" if said else "")) from None

    async def call(self, spec: ToolSpec, args: dict[str, Any]) -> Any:
        name = spec.mcp.tool if spec.mcp else spec.name
        result = await self._request("call", {"name": name, "arguments": args})
        try:
            return result_value(result)
        except LiveFailure as refused:  # the server's words may quote what it was given: a key too
            raise LiveFailure(redact(str(refused), self._secret_names()), cacheable=refused.cacheable) from None

    @property
    def about(self) -> tuple[str, str]:
        """The server's name and its instructions (known once connected)."""
        return self._connection.about if self._connection is not None else ("", "")

    async def list_tools(self) -> list[dict[str, Any]]:
        """Every tool the server lists, as JSON (`name`, `description`, `inputSchema`, ...)."""
        tools: list[dict[str, Any]] = []
        cursor = None
        for _ in range(LIST_PAGES):
            page = await self._request("list", {"cursor": cursor})
            tools += [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in page.tools]
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.aclose()
            self._connection = None
        self._errlog.close()
