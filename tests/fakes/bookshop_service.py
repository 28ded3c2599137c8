"""A local bookshop REST service on 127.0.0.1 that implements
`examples/bring-your-own-tools/bookshop.openapi.yaml`, for `sim: live` tests of the OpenAPI source.

Answers are a pure function of the request (so a test can say what a live call must have
returned: `expected(method, path, query, body)`), every request is recorded with its headers, and
the service can be made to misbehave: `key` (requests without `X-API-Key: key` get 401),
`fail` (paths answered with a 500), `slow` (seconds to wait before answering), `redirect` (a URL
every request is redirected to). ISBNs starting 9790 do not exist (404, the service's answer).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

PREFIX = "/v1"


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any


def _n(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _book(isbn: str) -> dict[str, Any]:
    n = _n(isbn)
    return {"isbn": isbn, "title": ["Dune", "Foundation", "Hyperion", "Solaris"][n % 4] + f" vol. {1 + n % 5}",
            "author": {"author_id": f"AUT-{n % 10000:04d}", "name": ["Ursula Le Guin", "Stanisław Lem"][n % 2]},
            "genre": ["fiction", "science_fiction", "history"][n % 3],
            "price": {"amount": round(5 + n % 2000 / 100, 2), "currency": "EUR"}, "in_stock": n % 7}


def _order(order_id: str, **changes: Any) -> dict[str, Any]:
    n = _n(order_id)
    order = {"order_id": order_id, "status": ["pending", "paid", "shipped", "delivered"][n % 4],
             "items": [{"isbn": f"978{n % 10**10:010d}", "quantity": 1 + n % 3}], "shipping": "standard",
             "total": {"amount": round(10 + n % 5000 / 100, 2), "currency": "EUR"}}
    order.update({k: v for k, v in changes.items() if v is not None})
    return order


def expected(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    """What the service answers (status, JSON body or None), without the network."""
    routes = [
        ("GET", r"/books", lambda m: (200, {"books": [_book(f"978{_n(query.get('q'), i) % 10**10:010d}")
                                                       for i in range(min(int(query.get("limit", 3)), 3))],
                                             "total": 3})),
        ("GET", r"/books/([^/]+)", lambda m: (404, {"message": f"No book with ISBN {m[0]}"}) if m[0].startswith("9790")
         else (200, _book(m[0]))),
        ("GET", r"/authors/([^/]+)", lambda m: (200, {"author_id": m[0], "name": "Ursula Le Guin", "born": 1929,
                                                       "books": [_book(f"978{_n(m[0]) % 10**10:010d}")]})),
        ("POST", r"/orders", lambda m: (201, _order(f"ORD-{_n(json.dumps(body, sort_keys=True)) % 100000:05d}",
                                                     items=(body or {}).get("items"),
                                                     shipping=(body or {}).get("shipping")))),
        ("GET", r"/orders/([^/]+)", lambda m: (200, _order(m[0]))),
        ("PATCH", r"/orders/([^/]+)", lambda m: (200, _order(m[0], shipping=(body or {}).get("shipping")))),
        ("DELETE", r"/orders/([^/]+)", lambda m: (204, None)),
        ("POST", r"/orders/([^/]+)/returns", lambda m: (201, {"return_id": f"RET-{_n(m[0]) % 100000:05d}",
                                                              "order_id": m[0], "status": "requested",
                                                              "refund_amount": 12.5})),
        ("GET", r"/orders/([^/]+)/tracking", lambda m: (200, {"carrier": "DHL", "status": "in_transit",
                                                              "eta": "2026-03-14", "order": m[0]})),
        ("GET", r"/stores", lambda m: (200, [{"store_id": f"STO-{i:03d}", "name": f"{query.get('city')} {name}",
                                               "city": query.get("city"), "open_now": i % 2 == 0}
                                              for i, name in enumerate(["Old Town", "Station"], 1)])),
        ("GET", r"/legacy/orders/([^/]+)", lambda m: (200, _order(m[0]))),
    ]
    for verb, pattern, answer in routes:
        match = re.fullmatch(pattern, path)
        if verb == method and match:
            return answer([unquote(g) for g in match.groups()])
    return 404, {"message": f"no route {method} {path}"}


@dataclass
class BookshopService:
    key: str | None = None
    fail: set[str] = field(default_factory=set)  # paths (under /v1) answered with a 500
    slow: float = 0.0
    redirect: str | None = None
    seen: list[Seen] = field(default_factory=list)

    def start(self) -> "BookshopService":
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                query = parse_qsl(parts.query, keep_blank_values=True)
                service.seen.append(Seen(self.command, parts.path, query, headers, body))
                path = parts.path[len(PREFIX):] if parts.path.startswith(PREFIX) else parts.path
                if service.slow:
                    time.sleep(service.slow)
                if service.redirect:
                    return self._send(302, None, {"Location": service.redirect + parts.path})
                if service.key is not None and headers.get("x-api-key") != service.key:
                    return self._send(401, {"message": "missing or wrong API key"})
                if path in service.fail:
                    return self._send(500, {"message": "internal error, try later"})
                self._send(*expected(self.command, path, dict(query), body))

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle  # noqa: N815 - http.server naming

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "BookshopService":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
