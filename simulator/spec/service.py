"""Where a tools file's tools really live, for `sim: live`: a REST service described by OpenAPI or
an MCP server, and how each tool maps onto it.

A tools file made by `toolsim new --from-openapi` / `--from-mcp` carries a `service:` section (the
base URL or the server command, and the name of the environment variable holding the API key —
never the key) and, per tool, `read_only` and its binding: `http` (the operation: method, path and
where each argument goes) or `mcp` (the server's own tool name). The scenario file's `domain.sim`
then chooses, per tool, whether calls are answered offline (`schema`), by the tool model (`model`)
or by the real service (`live`). The live callers are `simulator.simulate.live`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from simulator.spec.base import Strict

SimMode = Literal["schema", "model", "live"]
SIM_MODES: tuple[str, ...] = ("schema", "model", "live")
HttpMethod = Literal["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ParamPlace = Literal["path", "query", "header", "body", "body_value"]
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


class ApiKeyAuth(Strict):
    """How the API key is sent. The key is read from the environment variable `env` at call time and
    goes only to the service's own host; it is never written to a file, a trace or a log."""

    env: str = Field(description="the environment variable holding the key (its name only, never the key)",
                     examples=["BOOKSHOP_API_KEY"])
    place: Literal["header", "query"] = Field(
        "header", alias="in", description="where the key goes: a request header or a query parameter",
        examples=["header"])
    name: str = Field("Authorization", description="the header or query parameter that carries it",
                      examples=["X-API-Key"])
    prefix: str = Field("Bearer ", examples=[""],
                        description="written before the key (`Bearer ` for bearer tokens, empty for a bare key)")

    @field_validator("env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not ENV_NAME.match(value):
            raise ValueError(f"not an environment variable name: {value!r}")
        return value


class HttpService(Strict):
    """A REST service described by an OpenAPI document: calls go to `base_url` + the operation's path."""

    kind: Literal["openapi"] = Field(description="what serves the tools: an HTTP API described by OpenAPI",
                                     examples=["openapi"])
    base_url: str = Field(description="the API's base URL (http or https); the key is sent to this host only",
                          examples=["https://api.bookshop.example/v1"])
    auth: ApiKeyAuth | None = Field(None, description="how the API key is sent, if the API needs one",
                                    examples=[{"env": "BOOKSHOP_API_KEY", "in": "header", "name": "X-API-Key",
                                               "prefix": ""}])
    timeout: float = Field(10.0, gt=0, le=600, examples=[10],
                           description="seconds a live call may take before it becomes an error result")
    spec: str | None = Field(None, description="the OpenAPI document the tools were imported from (for the record)",
                             examples=["bookshop.openapi.yaml"])

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not URL.match(value):
            raise ValueError(f"expected an http(s) URL without query or fragment, got {value!r}")
        return value.rstrip("/")


class MCPService(Strict):
    """An MCP server: started as a command (stdio) or reached at a URL (streamable HTTP)."""

    kind: Literal["mcp"] = Field(description="what serves the tools: a Model Context Protocol server",
                                 examples=["mcp"])
    command: list[str] | None = Field(None, description="the command that starts the server (stdio transport)",
                                      examples=[["python", "library_server.py"]])
    cwd: str | None = Field(None, description="the folder the command runs in, relative to the tools file",
                            examples=[".."])
    env: list[str] = Field(default_factory=list,
                           description="names of environment variables passed on to the server process (values are "
                                       "read at start, never written down)",
                           examples=[["LIBRARY_TOKEN"]])
    url: str | None = Field(None, description="the server's streamable HTTP endpoint",
                            examples=["http://127.0.0.1:8000/mcp"])
    auth: ApiKeyAuth | None = Field(None, description="how the API key is sent to a `url` server (a header)",
                                    examples=[{"env": "LIBRARY_TOKEN"}])
    timeout: float = Field(10.0, gt=0, le=600, examples=[10],
                           description="seconds a live call may take before it becomes an error result")

    @model_validator(mode="after")
    def _one_transport(self) -> "MCPService":
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of command (stdio) or url (streamable HTTP)")
        if self.url is not None and not URL.match(self.url):
            raise ValueError(f"url: expected an http(s) URL, got {self.url!r}")
        if self.command is not None and not self.command:
            raise ValueError("command: empty")
        if self.auth is not None and (self.url is None or self.auth.place != "header"):
            raise ValueError("auth: only a `url` server takes a key, in a header")
        for name in self.env:
            if not ENV_NAME.match(name):
                raise ValueError(f"env: not an environment variable name: {name!r}")
        return self


Service = Annotated[HttpService | MCPService, Field(discriminator="kind")]


class WireParam(Strict):
    """Where one argument goes in the HTTP request."""

    place: ParamPlace = Field(alias="in", description="path, query, header, body (a member of the JSON body) or "
                                                      "body_value (the whole JSON body)", examples=["query"])
    name: str | None = Field(None, description="its name on the wire, when the argument's name differs "
                                               "(`filter[status]`, `X-Region`)", examples=["X-Store-Region"])


class HttpOperation(Strict):
    """The HTTP operation behind a tool (`toolsim new --from-openapi` writes it)."""

    method: HttpMethod = Field(description="the HTTP method", examples=["GET"])
    path: str = Field(pattern=r"^/", description="the path under the base URL; `{name}` is filled from a path argument",
                      examples=["/books/{isbn}"])
    params: dict[str, WireParam] = Field(default_factory=dict,
                                         description="argument name → where it goes; arguments not listed go in the "
                                                     "query (GET, DELETE) or the JSON body",
                                         examples=[{"isbn": {"in": "path"},
                                                    "region": {"in": "header", "name": "X-Region"}}])
    result_key: str | None = Field(None, description="a response that is not a JSON object is wrapped as "
                                                     "`{result_key: response}` (what `returns` describes)",
                                   examples=["stores"])


class MCPBinding(Strict):
    """The MCP server's tool behind a tool."""

    tool: str = Field(description="the server's name for the tool, when it differs from `name`",
                      examples=["search-books"])
