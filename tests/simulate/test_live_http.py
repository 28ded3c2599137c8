"""`sim: live` over HTTP (`simulator.simulate.live.http`) against a local bookshop service on
127.0.0.1: arguments go where the binding says, the key goes to the configured host only, and
every way the service can fail becomes a `LiveFailure` (an error result), never an exception."""

from __future__ import annotations

import asyncio

import pytest

from simulator.simulate.live.http import HttpSource, build_request, path_segment, result_of
from simulator.simulate.live.registry import LiveFailure
from simulator.spec.service import HttpService
from simulator.spec.tools import ToolSpec
from tests.fakes.bookshop_service import BookshopService, expected

KEY = "bk-test-key-5f2a9c"


def _spec(name: str, method: str, path: str, params: dict, properties: dict, result_key: str | None = None,
          required: list[str] | None = None) -> ToolSpec:
    return ToolSpec.model_validate({
        "name": name, "description": name, "read_only": method == "GET",
        "parameters": {"type": "object", "properties": properties, "required": required or []},
        "http": {"method": method, "path": path, "params": params,
                 **({"result_key": result_key} if result_key else {})},
    })


GET_BOOK = _spec("get_book", "GET", "/books/{isbn}", {"isbn": {"in": "path"}}, {"isbn": {"type": "string"}},
                 required=["isbn"])
SEARCH = _spec("search_books", "GET", "/books", {"q": {"in": "query"}, "limit": {"in": "query"}},
               {"q": {"type": "string"}, "limit": {"type": "integer"}})
STORES = _spec("list_stores", "GET", "/stores", {"city": {"in": "query"}}, {"city": {"type": "string"}}, "stores")
CREATE = _spec("create_order", "POST", "/orders", {
    "region": {"in": "header", "name": "X-Store-Region"}, "customer": {"in": "body"}, "items": {"in": "body"}},
    {"region": {"type": "string"}, "customer": {"type": "object"}, "items": {"type": "array"}})
TRACK = _spec("track", "GET", "/orders/{order-id}/tracking", {"order_id": {"in": "path", "name": "order-id"}},
              {"order_id": {"type": "string"}}, required=["order_id"])


def _call(service: HttpService, spec: ToolSpec, args: dict):
    async def go():
        source = HttpSource(service)
        try:
            return await source.call(spec, args)
        finally:
            await source.aclose()

    return asyncio.run(go())


@pytest.fixture()
def shop(monkeypatch):
    monkeypatch.setenv("BOOKSHOP_API_KEY", KEY)
    with BookshopService(key=KEY) as service:
        yield service


def _service(shop: BookshopService, **extra) -> HttpService:
    return HttpService.model_validate({"kind": "openapi", "base_url": shop.base_url, "timeout": 5,
                                       "auth": {"env": "BOOKSHOP_API_KEY", "in": "header", "name": "X-API-Key",
                                                "prefix": ""}, **extra})


def test_arguments_go_to_the_path_the_query_a_header_and_the_json_body():
    service = HttpService(kind="openapi", base_url="https://api.example/v1")
    request = build_request(service, CREATE, {"region": "eu", "customer": {"name": "Ada"}, "items": [{"isbn": "1"}]})
    assert request["method"] == "POST" and request["url"] == "https://api.example/v1/orders"
    assert request["headers"]["X-Store-Region"] == "eu" and request["json"] == {"customer": {"name": "Ada"},
                                                                                 "items": [{"isbn": "1"}]}
    request = build_request(service, SEARCH, {"q": "dune", "limit": 3})
    assert request["query"] == [("q", "dune"), ("limit", "3")] and request["json"] is None
    assert build_request(service, TRACK, {"order_id": "ORD-1"})["url"].endswith("/orders/ORD-1/tracking")


def test_a_path_value_can_neither_leave_the_host_nor_climb_the_path():
    assert path_segment("a/b?c#d") == "a%2Fb%3Fc%23d"
    assert path_segment("@evil.example") == "%40evil.example"
    assert path_segment("..") == "%2E%2E" and path_segment(".") == "%2E"
    service = HttpService(kind="openapi", base_url="https://api.example/v1")
    assert build_request(service, GET_BOOK, {"isbn": "//evil.example/x"})["url"] == (
        "https://api.example/v1/books/%2F%2Fevil.example%2Fx")


def test_a_call_gets_the_services_answer_with_the_key_in_its_header(shop):
    assert _call(_service(shop), GET_BOOK, {"isbn": "9780441013593"}) == expected("GET", "/books/9780441013593", {},
                                                                                 None)[1]
    assert _call(_service(shop), STORES, {"city": "Lyon"}) == {"stores": expected("GET", "/stores", {"city": "Lyon"},
                                                                                  None)[1]}
    order = _call(_service(shop), CREATE, {"region": "eu", "customer": {"name": "Ada"}, "items": [
        {"isbn": "9780441013593", "quantity": 2}]})
    assert order["items"] == [{"isbn": "9780441013593", "quantity": 2}]
    seen = shop.seen[-1]
    assert seen.method == "POST" and seen.path == "/v1/orders" and seen.headers["x-store-region"] == "eu"
    assert seen.body == {"customer": {"name": "Ada"}, "items": [{"isbn": "9780441013593", "quantity": 2}]}
    assert all(s.headers["x-api-key"] == KEY for s in shop.seen)


def test_the_services_refusals_are_cacheable_failures_and_outages_are_not(shop):
    with pytest.raises(LiveFailure) as missing:
        _call(_service(shop), GET_BOOK, {"isbn": "9790000000001"})
    assert str(missing.value) == "HTTP 404: No book with ISBN 9790000000001" and missing.value.cacheable
    shop.fail.add("/books")
    with pytest.raises(LiveFailure) as broken:
        _call(_service(shop), SEARCH, {"q": "dune"})
    assert str(broken.value) == "HTTP 500: internal error, try later" and not broken.value.cacheable
    shop.slow = 1.5
    with pytest.raises(LiveFailure, match="timed out after 0.5 s") as slow:
        _call(_service(shop, timeout=0.5), GET_BOOK, {"isbn": "9780441013593"})
    assert not slow.value.cacheable


def test_an_unreachable_service_or_a_missing_key_is_a_failure_not_a_crash(shop, monkeypatch):
    url = shop.base_url
    shop.stop()
    with pytest.raises(LiveFailure, match="could not be reached"):
        _call(HttpService(kind="openapi", base_url=url), GET_BOOK, {"isbn": "9780441013593"})
    monkeypatch.delenv("BOOKSHOP_API_KEY")
    with pytest.raises(LiveFailure, match="BOOKSHOP_API_KEY is not set"):
        _call(HttpService.model_validate({"kind": "openapi", "base_url": url, "auth": {"env": "BOOKSHOP_API_KEY"}}),
              GET_BOOK, {"isbn": "9780441013593"})


def test_a_redirect_is_not_followed_so_the_key_never_reaches_another_host(shop, monkeypatch):
    with BookshopService() as elsewhere:
        shop.redirect = elsewhere.base_url.rsplit("/v1", 1)[0]
        with pytest.raises(LiveFailure, match="HTTP 302: the service redirected; redirects are not followed"):
            _call(_service(shop), GET_BOOK, {"isbn": "9780441013593"})
        assert elsewhere.seen == []  # not even a request, let alone the key


def test_a_key_the_service_echoes_in_an_error_is_redacted(shop, monkeypatch):
    monkeypatch.setenv("BOOKSHOP_API_KEY", "wrong-" + KEY)
    with pytest.raises(LiveFailure) as refused:
        _call(_service(shop), GET_BOOK, {"isbn": "9780441013593"})
    assert str(refused.value) == "HTTP 401: missing or wrong API key"
    shop.key = None
    spec = _spec("echo", "GET", "/books/{isbn}", {"isbn": {"in": "path"}}, {"isbn": {"type": "string"}},
                 required=["isbn"])
    with pytest.raises(LiveFailure) as echoed:  # the 404 message quotes the path value: here, the key itself
        _call(_service(shop), spec, {"isbn": "9790" + "wrong-" + KEY})
    assert KEY not in str(echoed.value) and "[REDACTED]" in str(echoed.value)


def test_results_that_are_not_objects_are_wrapped():
    assert result_of(b"", None) == {"status": "ok"}
    assert result_of(b"[1, 2]", "numbers") == {"numbers": [1, 2]}
    assert result_of(b"plain text", None) == {"result": "plain text"}
    assert list(result_of(b'{"b": 1, "a": 2}', None)) == ["b", "a"]  # the service's order
