"""A scriptable JSON-over-HTTP server on 127.0.0.1 for tests and benchmarks.

litellm talks through an aiohttp transport, so mocking libraries that patch httpx (respx) never
see its requests; a real socket does. The server is a `ThreadingHTTPServer` speaking HTTP/1.1
keep-alive (clients reuse connections, as they would against a real API), with a deep listen
backlog so a benchmark can hold 64+ concurrent connections.

Each request is answered by, in order: the next queued reply (`push`), else the `responder`
function of the request, else the provider's default reply. Every request is recorded, so a test
can assert that a cache hit cost zero calls.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    arrived: float = 0.0  # time.time() when the request was read (benchmarks time the client by it)
    answered: float = 0.0  # time.time() when its reply was sent

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []


@dataclass
class Reply:
    """What the server sends back. `body` is JSON-encoded unless it is bytes (raw, e.g. garbage);
    `delay` sleeps before answering (latency, or a client timeout); `drop` closes the socket."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


Responder = Callable[[Request], Reply]
Scripted = Union[Reply, Responder]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True


class FakeHTTPServer:
    """Base class: subclasses set `paths` (suffixes they serve) and `default_reply`."""

    path_suffixes: tuple[str, ...] = ()

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[Request] = []
        self.responder: Responder | None = None
        self._queue: list[Scripted] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ scripting

    def push(self, *replies: Scripted) -> "FakeHTTPServer":
        """Queue replies (or functions of the request) answered in order, one per request."""
        with self._lock:
            self._queue.extend(replies)
        return self

    def default_reply(self, request: Request) -> Reply:  # pragma: no cover - overridden
        return Reply(body={})

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            scripted = self._queue.pop(0) if self._queue else None
        if scripted is None:
            scripted = self.responder or self.default_reply
        return scripted(request) if callable(scripted) else scripted

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    # ------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeHTTPServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                arrived = time.time()
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                request = Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, arrived)
                if not any(self.path.rstrip("/").endswith(s) for s in fake.path_suffixes):
                    self._send(Reply(status=404, body={"error": {"message": f"no route {self.path}"}}))
                    return
                reply = fake._next_reply(request)
                delay = reply.delay or fake.latency
                if delay:
                    time.sleep(delay)
                if reply.drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                self._send(reply)
                request.answered = time.time()

            def _send(self, reply: Reply) -> None:
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeHTTPServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def error_reply(status: int, message: str = "error", *, retry_after: float | None = None, **kw: Any) -> Reply:
    """An error response in the OpenAI/Anthropic error envelope, optionally with Retry-After."""
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return Reply(status=status, body={"error": {"message": message, "type": "fake_error"}}, headers=headers, **kw)
