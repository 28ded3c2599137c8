"""`sim: live` for an OpenAPI-described HTTP API: a tool call becomes the tool's HTTP operation.

The arguments (already validated against the tool's schema) go where the tool's `http.params`
says — the path (each value percent-encoded whole, so no value can change the host or climb the
path), the query, a header, a member of the JSON body or the whole body. The API key, read from
the environment variable the tools file names, is added to requests for the service's own host
and nothing else: the URL is always `base_url` + the operation's path, redirects are not followed
(a 3xx is an error result), and a URL whose origin is not the base URL's is refused before
anything is sent. Error texts pass through `redact`, so a service that echoes the key back does
not put it in a trace.

Results: a JSON object as it is; any other JSON value wrapped as `{result_key: value}` (what the
importer wrote `returns` for); an empty body (`204`) as `{"status": "ok"}`. Errors: HTTP 4xx
(the service's answer: cached) and 5xx, timeouts and refused connections (outages: not cached)
become `LiveFailure`, which the environment turns into the tool's error result.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any
from urllib.parse import quote, urlsplit

from simulator.llm.redact import redact
from simulator.simulate.live.registry import LiveFailure, LiveSource, tool_source
from simulator.spec.service import HttpService
from simulator.spec.tools import ToolSpec

MAX_ERROR_TEXT = 300
_BODYLESS = ("GET", "DELETE", "HEAD", "OPTIONS")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)) and not (isinstance(value, list) and all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def path_segment(value: Any) -> str:
    """A value as one path segment: every reserved character encoded (`/`, `?`, `#`, `@`), and
    `.`/`..` too, so a value can neither leave the host nor climb out of the operation's path."""
    text = value if isinstance(value, str) else json.dumps(value)
    quoted = quote(text, safe="")
    return quoted.replace(".", "%2E") if set(text) <= {"."} else quoted


def build_request(service: HttpService, spec: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
    """The request a call makes (without the key): method, url, query (a list of pairs), headers, json."""
    op = spec.http
    assert op is not None, "checked at load: a live tool of an openapi service has an http operation"
    path = op.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {"Accept": "application/json"}
    body: Any = None
    for arg, value in args.items():
        param = op.params.get(arg)
        place = param.place if param else ("query" if op.method in _BODYLESS else "body")
        wire = (param.name if param else None) or arg
        if place == "path":
            path = path.replace("{" + wire + "}", path_segment(value))
        elif place == "query":
            value = _query_value(value)
            for item in value if isinstance(value, list) else [value]:
                query.append((wire, str(_query_value(item))))
        elif place == "header":
            headers[wire] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        elif place == "body_value":
            body = value
        else:
            body = body if isinstance(body, dict) else {}
            body[wire] = value
    return {"method": op.method, "url": service.base_url + path, "query": query, "headers": headers, "json": body}


def _detail(raw: bytes) -> str:
    """The service's own words for an error: a JSON `message`/`error`/`detail`, else the text."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        return text[:MAX_ERROR_TEXT]
    for key in ("message", "error", "detail", "title"):
        value = payload.get(key) if isinstance(payload, dict) else None
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_ERROR_TEXT]
    return text[:MAX_ERROR_TEXT]


def result_of(raw: bytes, result_key: str | None) -> Any:
    """A successful response as the tool's result (a JSON object)."""
    if not raw.strip():
        return {"status": "ok"}
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw.decode("utf-8", "replace")
    if isinstance(value, dict):
        return value
    return {result_key or "result": value}


@tool_source("openapi")
class HttpSource(LiveSource):
    service: HttpService

    def __init__(self, service: HttpService, folder: Any = None) -> None:
        super().__init__(service, folder)
        self._session: Any = None

    @property
    def identity(self) -> str:
        return f"openapi {self.service.base_url}"

    def _secret_names(self) -> list[str]:
        return [self.service.auth.env] if self.service.auth else []

    def _with_key(self, request: dict[str, Any]) -> dict[str, Any]:
        auth = self.service.auth
        if auth is None:
            return request
        key = os.environ.get(auth.env)
        if not key:
            raise LiveFailure(f"the API key variable {auth.env} is not set")
        if _origin(request["url"]) != _origin(self.service.base_url):
            raise LiveFailure("refused: the request would leave the service's host with its key")
        if auth.place == "header":
            request = {**request, "headers": {**request["headers"], auth.name: auth.prefix + key}}
        else:
            request = {**request, "query": [*request["query"], (auth.name, auth.prefix + key)]}
        return request

    async def call(self, spec: ToolSpec, args: dict[str, Any]) -> Any:
        import aiohttp

        import yarl

        request = self._with_key(build_request(self.service, spec, args))
        url = yarl.URL(request["url"], encoded=True)  # as built: yarl must not undo the encoding
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            async with self._session.request(
                request["method"], url, params=request["query"] or None, headers=request["headers"],
                json=request["json"] if request["json"] is not None else None, allow_redirects=False,
            ) as response:
                raw = await response.read()
                status = response.status
        except asyncio.TimeoutError:
            raise LiveFailure(f"{spec.name} timed out after {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            reason = redact(f"{type(exc).__name__}: {exc}", self._secret_names())
            raise LiveFailure(f"{spec.name}: the service could not be reached ({reason})") from None
        if 200 <= status < 300:
            return result_of(raw, spec.http.result_key if spec.http else None)
        if 300 <= status < 400:
            raise LiveFailure(f"HTTP {status}: the service redirected; redirects are not followed", status=status)
        detail = redact(_detail(raw), self._secret_names())
        cacheable = 400 <= status < 500 and status not in (408, 429)
        message = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
        raise LiveFailure(message, cacheable=cacheable, status=status)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
