"""`toolsim new --from-openapi`: the bookshop API written for these tests (12 operations, nested
bodies, `$ref`s to schemas, parameters, bodies and responses, enums, formats, OpenAPI 3.0
keywords) imported as tools whose schemas say what the document says, then validated and run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.author.importers.naming import Filter, name_from_path, snake_case
from simulator.author.importers.openapi import import_openapi
from simulator.cli import main
from simulator.core.errors import InputError
from simulator.spec.validation import schema_problems

SPEC = Path(__file__).parents[2] / "examples" / "bring-your-own-tools" / "bookshop.openapi.yaml"


@pytest.fixture(scope="module")
def bookshop():
    imported = import_openapi(SPEC, name="bookshop", patterns=Filter(exclude=["admin*"]))
    return imported, {tool.name: tool for tool in imported.tools}


def test_every_operation_becomes_a_valid_uniquely_named_function(bookshop):
    imported, tools = bookshop
    assert list(tools) == ["search_books", "get_book", "get_author", "create_order", "get_order", "cancel_order",
                           "update_order", "request_return", "get_orders_order_id_tracking", "list_stores",
                           "get_order_2"]
    # operationId `get_order` collides with `getOrder` once both are snake_case: renamed, and said
    assert any("get_order_2" in note and "GET /legacy/orders/{id}" in note for note in imported.notes)
    for tool in tools.values():
        assert schema_problems(tool.parameters) == [] and tool.parameters["type"] == "object"
        assert tool.returns is None or schema_problems(tool.returns) == []
        assert "$ref" not in json.dumps(tool.parameters) + json.dumps(tool.returns)
    assert {n for n, t in tools.items() if t.read_only} == {"search_books", "get_book", "get_author", "get_order",
                                                           "get_orders_order_id_tracking", "list_stores", "get_order_2"}


def test_path_query_header_and_body_are_one_object_and_the_binding_says_where_each_goes(bookshop):
    _, tools = bookshop
    order = tools["create_order"]
    properties = order.parameters["properties"]
    assert list(properties) == ["x_store_region", "customer", "items", "shipping", "gift_message"]
    assert order.parameters["required"] == ["customer", "items"]
    # the nested body, every $ref inlined: customer -> address -> country's enum
    customer = properties["customer"]
    assert customer["required"] == ["name", "email", "address"]
    assert "customer_id" not in customer["properties"]  # readOnly: the service sets it, a call never does
    assert customer["properties"]["email"] == {"type": "string", "format": "email"}
    assert customer["properties"]["address"]["properties"]["country"]["enum"] == ["FR", "DE", "GB", "US", "CN"]
    assert properties["items"]["items"]["properties"]["isbn"]["pattern"] == "^97[89][0-9]{10}$"
    assert properties["items"]["items"]["properties"]["quantity"] == {"type": "integer", "minimum": 1, "maximum": 20}
    assert properties["x_store_region"]["enum"] == ["eu", "us", "apac"]
    wire = order.http.model_dump(by_alias=True, exclude_none=True)
    assert wire == {"method": "POST", "path": "/orders", "params": {
        "x_store_region": {"in": "header", "name": "X-Store-Region"}, "customer": {"in": "body"},
        "items": {"in": "body"}, "shipping": {"in": "body"}, "gift_message": {"in": "body"}}}
    # a path-level parameter given by $ref, next to the operation's own query parameter
    cancel = tools["cancel_order"]
    assert cancel.parameters["required"] == ["orderId", "reason"]
    assert cancel.parameters["properties"]["orderId"]["pattern"] == "^ORD-[0-9]{5}$"
    assert {k: v.place for k, v in cancel.http.params.items()} == {"orderId": "path", "reason": "query"}
    # `order-id` is not an identifier: the argument is order_id, the wire keeps its name
    tracking = tools["get_orders_order_id_tracking"]
    assert tracking.http.params["order_id"].name == "order-id"


def test_search_keeps_enums_defaults_formats_and_the_parameter_descriptions(bookshop):
    _, tools = bookshop
    search = tools["search_books"].parameters
    assert search["required"] == ["q"]
    assert search["properties"]["q"] == {"type": "string", "minLength": 2, "examples": ["dune"],
                                         "description": "words of the title or the author's name"}
    assert search["properties"]["genre"]["enum"] == ["fiction", "science_fiction", "history", "science", "children",
                                                     "poetry"]
    assert search["properties"]["limit"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 10,
                                             "description": "how many results at most"}
    returns = tools["search_books"].returns
    book = returns["properties"]["books"]["items"]
    assert book["properties"]["published"] == {"type": "string", "format": "date"}
    assert book["properties"]["price"]["properties"]["currency"]["enum"] == ["EUR", "USD", "GBP"]


def test_openapi_3_0_keywords_are_spelt_the_json_schema_way(bookshop):
    _, tools = bookshop
    comment = tools["request_return"].parameters["properties"]["comment"]
    assert comment == {"type": ["string", "null"], "maxLength": 500}  # nullable: true
    refund = tools["request_return"].returns["properties"]["refund_amount"]
    assert refund == {"type": "number", "exclusiveMinimum": 0}  # minimum + exclusiveMinimum: true
    author = tools["get_author"].returns  # allOf of two objects: merged into one
    assert "allOf" not in author and {"author_id", "name", "born", "books"} <= set(author["properties"])
    assert author["properties"]["born"]["type"] == ["integer", "null"]


def test_responses_that_are_not_objects_are_wrapped_and_the_binding_unwraps_nothing(bookshop):
    _, tools = bookshop
    stores = tools["list_stores"]
    assert stores.returns["required"] == ["stores"] and stores.returns["properties"]["stores"]["type"] == "array"
    assert stores.http.result_key == "stores"
    assert tools["cancel_order"].returns == {"type": "object", "properties": {"status": {"type": "string",
                                             "enum": ["ok"]}}, "required": ["status"]}


def test_the_service_is_the_first_server_and_the_api_key_scheme_names_a_variable(bookshop):
    imported, _ = bookshop
    service = imported.service.model_dump(by_alias=True)
    assert service["base_url"] == "https://api.bookshop.example/v1"
    assert service["auth"] == {"env": "BOOKSHOP_API_KEY", "in": "header", "name": "X-API-Key", "prefix": ""}
    assert imported.title == "Bookshop API" and imported.about.startswith("Search the catalogue")


def test_include_and_exclude_patterns_match_names_ids_and_routes():
    only = import_openapi(SPEC, name="b", patterns=Filter(include=["GET /orders*", "searchBooks"]))
    assert [t.name for t in only.tools] == ["search_books", "get_order", "get_orders_order_id_tracking"]
    without = import_openapi(SPEC, name="b", patterns=Filter(exclude=["*order*", "admin*"]))
    assert [t.name for t in without.tools] == ["search_books", "get_book", "get_author", "list_stores"]
    with pytest.raises(InputError) as caught:
        import_openapi(SPEC, name="b", patterns=Filter(include=["nothing_like_this"]))
    assert "'nothing_like_this' matches no operation" in str(caught.value.problems[0])


def test_names_are_snake_case_identifiers():
    assert snake_case("getBookByISBN") == "get_book_by_isbn"
    assert snake_case("search-books") == "search_books"
    assert snake_case("2faVerify") == "op_2fa_verify"
    assert name_from_path("GET", "/orders/{order-id}/tracking") == "get_orders_order_id_tracking"
    assert len(snake_case("x" * 100)) == 64


def test_a_broken_document_is_reported_at_its_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = SPEC.read_text().replace("$ref: '#/components/schemas/OrderLine'}\n                reason",
                                    "$ref: '#/components/schemas/OrderLines'}\n                reason")
    broken.write_text(text)
    with pytest.raises(InputError) as caught:
        import_openapi(broken, name="b", patterns=Filter())
    problem = caught.value.problems[0]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("  /orders/{orderId}/returns:"))
    assert problem.line == line and "'#/components/schemas/OrderLines' does not resolve" in problem.message
    swagger = tmp_path / "swagger.yaml"
    swagger.write_text("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n")
    with pytest.raises(InputError, match="Swagger 2.0"):
        import_openapi(swagger, name="b", patterns=Filter())


def test_an_external_file_ref_is_read_from_disk_and_self_reference_is_cut(tmp_path):
    (tmp_path / "common.yaml").write_text(yaml.safe_dump({"Category": {
        "type": "object", "properties": {"name": {"type": "string"},
                                         "children": {"type": "array", "items": {"$ref": "#/Category"}}}}}))
    (tmp_path / "api.yaml").write_text(yaml.safe_dump({
        "openapi": "3.1.0", "info": {"title": "Cats", "version": "1"}, "servers": [{"url": "/relative"}],
        "paths": {"/categories": {"post": {"operationId": "addCategory", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "common.yaml#/Category"}}}},
            "responses": {"200": {"description": "ok"}}}}}}))
    imported = import_openapi(tmp_path / "api.yaml", name="cats", patterns=Filter())
    category = imported.tools[0].parameters["properties"]  # the body's members, from the other file
    assert category["name"] == {"type": "string"}
    assert category["children"]["items"]["type"] == "object"
    assert "refers to itself" in category["children"]["items"]["description"]
    assert imported.service is None and any("no absolute server URL" in n for n in imported.notes)


@pytest.mark.slow
def test_the_imported_pack_validates_and_runs_offline_with_every_tool(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "bookshop", "--from-openapi", str(SPEC), "--exclude", "admin*"]) == 0
    out = capsys.readouterr().out
    assert "get_order_2" in out  # the collision is said where the user sees it
    tools_file = yaml.safe_load((tmp_path / "scenarios/bookshop.tools.yaml").read_text())
    assert tools_file["service"]["kind"] == "openapi" and len(tools_file["tools"]) == 11
    scenarios = yaml.safe_load((tmp_path / "scenarios/bookshop.yaml").read_text())
    assert scenarios["domain"]["sim"] == "schema"
    positives = {s["turns"][0]["expect"][0]["tool"] for s in scenarios["scenarios"] if s["category"] == "positive"}
    assert positives == {t["name"] for t in tools_file["tools"]}  # one per tool, nested bodies included
    order = next(s for s in scenarios["scenarios"] if s["id"] == "create_order_positive")
    args = order["turns"][0]["expect"][0]["args"]
    assert args["customer"]["address"]["city"] == "{customer_address_city}" and args["items"] == [
        {"isbn": "{items_isbn}", "quantity": "{items_quantity}"}]
    prompt = (tmp_path / "scenarios/bookshop.system.md").read_text()
    assert prompt.startswith("You are the assistant of Bookshop API. Search the catalogue") and "{today}" in prompt
    assert main(["validate", "scenarios/bookshop.yaml"]) == 0
    assert main(["run", "scenarios/bookshop.yaml", "--quiet", "--no-cache"]) == 0
    manifest = json.loads((tmp_path / "runs/bookshop/manifest.json").read_text())
    assert manifest["counts"]["rejected"] == 0 and "live" not in manifest
    assert all(manifest["counts"]["dataset_per_cell"][t["name"]] == 8 for t in tools_file["tools"])
    lines = [json.loads(line) for split in ("train", "validation", "test")
             for line in (tmp_path / f"runs/bookshop/dataset/{split}.jsonl").read_text().splitlines()]
    called = {c["function"]["name"] for r in lines for m in r["messages"] for c in m.get("tool_calls") or []}
    assert called == {t["name"] for t in tools_file["tools"]}
    replies = [m["content"] for r in lines for m in r["messages"][2:] if m["role"] == "assistant" and m.get("content")]
    assert not any("couldn't find" in r or "没能找到" in r for r in replies)  # a result is never answered as none
