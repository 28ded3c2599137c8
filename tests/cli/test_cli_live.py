"""From an API description to a dataset with `sim: live`, through the CLI, against local services
on 127.0.0.1: the bookshop REST service (`tests/fakes/bookshop_service.py`) for an imported
OpenAPI document, and the library MCP server (`tests/fakes/mcp_library.py`) over stdio and HTTP.

What is checked: every live answer recorded in the run is what the service answered (its own
words, errors included), the key went with every request and nowhere else (not a file on disk),
a rerun asks the service nothing and gives the same dataset byte for byte, a failing service
gives error results and rejected traces instead of a crash, and writes go live only when allowed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from simulator.cli import main
from simulator.simulate.live.http import build_request
from simulator.spec.service import HttpService
from simulator.spec.tools import ToolSpec
from tests.fakes.bookshop_service import PREFIX, BookshopService, expected

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples/bring-your-own-tools/bookshop.openapi.yaml"
KEY = "bk-live-7c1e4f2a99"
READS = '{"get_*": live, search_books: live, list_stores: live}'

pytestmark = pytest.mark.slow


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _dataset(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run / "dataset").glob("*.jsonl"))}


def _with_sim(scenario: Path, sim: str) -> None:
    text = scenario.read_text()
    assert "  sim: schema\n" in text
    scenario.write_text(text.replace("  sim: schema\n", f"  sim: {sim}\n"))


def _bookshop(tmp_path: Path, monkeypatch, shop: BookshopService, sim: str) -> tuple[Path, dict[str, ToolSpec]]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOOKSHOP_API_KEY", KEY)
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["new", "bookshop", "--from-openapi", str(SPEC), "--exclude", "admin*",
                 "--base-url", shop.base_url]) == 0
    scenario = tmp_path / "scenarios/bookshop.yaml"
    _with_sim(scenario, sim)
    tools = yaml.safe_load((tmp_path / "scenarios/bookshop.tools.yaml").read_text())
    return scenario, {t["name"]: ToolSpec.model_validate(t) for t in tools["tools"]}


def _live_answers(run: Path) -> list[tuple[str, dict, dict, str]]:
    """(tool, arguments, result as recorded, origin) of every live call of the run."""
    found = []
    for trace in _jsonl(run / "traces.jsonl"):
        calls = {c["id"]: c for m in trace["messages"] for c in m.get("tool_calls") or []}
        results = {m["tool_call_id"]: m for m in trace["messages"] if m["role"] == "tool"}
        for live in trace["live_calls"]:
            call = calls[live["call_id"]]
            found.append((live["tool"], json.loads(call["arguments"]), json.loads(results[live["call_id"]]["content"]),
                          live["origin"]))
    return found


def test_an_imported_api_answers_live_records_it_and_a_rerun_asks_nothing(tmp_path, monkeypatch):
    with BookshopService(key=KEY) as shop:
        scenario, tools = _bookshop(tmp_path, monkeypatch, shop, READS)
        assert main(["run", str(scenario), "--quiet"]) == 0
        run = tmp_path / "runs/bookshop"
        answers = _live_answers(run)
        requests = len(shop.seen)
        manifest = json.loads((run / "manifest.json").read_text())
        assert requests > 0 and manifest["live"]["requests"] == requests
        assert sum(origin == "service" for *_, origin in answers) == requests  # each request asked once
        assert {tool for tool, *_ in answers} == {"search_books", "get_book", "get_author", "get_order",
                                                  "get_orders_order_id_tracking", "list_stores", "get_order_2"}
        service = HttpService(kind="openapi", base_url=shop.base_url)
        for tool, args, result, _ in answers:  # what the run recorded is what the service said
            request = build_request(service, tools[tool], args)
            path = request["url"].split(PREFIX, 1)[1]
            status, body = expected(request["method"], path, dict(request["query"]), request["json"])
            if status >= 400:
                assert result == {"error": f"HTTP {status}: {body['message']}"}
            else:
                key = tools[tool].http.result_key
                assert result == ({key: body} if key else body), tool
        assert {s.method for s in shop.seen} == {"GET"}  # the tools that write were simulated
        assert all(s.headers["x-api-key"] == KEY for s in shop.seen)
        stored = [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
        assert stored == []  # not in the run, the cache, the pack files or the snapshot
        first = _dataset(run)

        assert main(["run", str(scenario), "--quiet", "--force"]) == 0
        assert len(shop.seen) == requests  # the rerun made no live call
        assert _dataset(run) == first
        again = _live_answers(run)
        assert {origin for *_, origin in again} == {"cache"} and len(again) == len(answers)


def test_a_failing_service_gives_error_results_not_a_crash_and_is_asked_again(tmp_path, monkeypatch):
    with BookshopService(key=KEY, fail={"/books"}) as shop:
        scenario, _ = _bookshop(tmp_path, monkeypatch, shop, "{search_books: live}")
        assert main(["run", str(scenario), "--quiet", "--allow-short", "--max-episodes", "40"]) == 0
        run = tmp_path / "runs/bookshop"
        answers = _live_answers(run)
        assert answers and all(r == {"error": "HTTP 500: internal error, try later"} for _, _, r, _ in answers)
        verdicts = {v["trace_id"]: v for v in _jsonl(run / "verdicts.jsonl")}
        failed = [t["id"] for t in _jsonl(run / "traces.jsonl") if t["live_calls"]]
        assert all(t["termination"] == "user_stop" for t in _jsonl(run / "traces.jsonl") if t["live_calls"])
        assert all(not all(c["passed"] for c in verdicts[i]["checks"]) for i in failed)  # none reaches the dataset
        asked = len(shop.seen)
        shop.fail.clear()
        assert main(["run", str(scenario), "--quiet", "--force"]) == 0  # an outage is not kept: asked again
        assert len(shop.seen) > asked
        assert all("error" not in r for _, _, r, _ in _live_answers(run))


def test_a_write_goes_live_only_when_allowed_with_the_body_the_call_made(tmp_path, monkeypatch, capsys):
    with BookshopService(key=KEY) as shop:
        scenario, _ = _bookshop(tmp_path, monkeypatch, shop, "{create_order: live}")
        assert main(["validate", str(scenario)]) == 2
        assert "create_order: a live call may change the real service" in capsys.readouterr().err
        assert shop.seen == []
        assert main(["run", str(scenario), "--quiet", "--allow-live-writes"]) == 0
        answers = _live_answers(tmp_path / "runs/bookshop")
        posted = [s for s in shop.seen if s.method == "POST"]
        assert posted and len(posted) == sum(origin == "service" for *_, origin in answers)
        sent = [{k: v for k, v in args.items() if k != "x_store_region"} for _, args, _, o in answers if o == "service"]
        def canonical(bodies):  # episodes run side by side: the order of arrival is not the traces' order
            return sorted(json.dumps(b, sort_keys=True) for b in bodies)

        assert canonical(s.body for s in posted) == canonical(sent)  # the nested customer and items, as called


def _library(tmp_path: Path, monkeypatch, target: str, extra: list[str]) -> tuple[Path, Path]:
    monkeypatch.chdir(ROOT)
    assert main(["new", "library", "--from-mcp", target, "--dir", str(tmp_path), *extra]) == 0
    scenario = tmp_path / "scenarios/library.yaml"
    _with_sim(scenario, '{search_books: live, get_loan: live, list_branches: live}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    return scenario, tmp_path / "runs/library"


def _check_library_answers(answers: list) -> None:
    from tests.fakes.mcp_library import book, loan

    assert {tool for tool, *_ in answers} == {"search_books", "get_loan", "list_branches"}
    for tool, args, result, _ in answers:
        if tool == "get_loan":
            assert result == loan(args["loan_id"]), args
        elif tool == "list_branches":
            assert result == {"result": [f"{args['city']} {b}" for b in ("central", "riverside", "old_town")]}
        else:
            query, genre, limit = args["query"], args.get("genre", "fiction"), args.get("limit", 3)
            assert result == {"books": [book(query, genre, i) for i in range(limit)], "query": query}


def test_an_mcp_server_over_stdio_answers_live_and_a_rerun_starts_nothing(tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("LIBRARY_CALL_LOG", str(log))
    scenario, run = _library(tmp_path, monkeypatch, f"{sys.executable} -m tests.fakes.mcp_library",
                             ["--server-env", "PYTHONPATH", "--server-env", "LIBRARY_CALL_LOG"])
    assert main(["run", str(scenario), "--quiet", "--allow-short"]) == 0
    answers = _live_answers(run)
    calls = _jsonl(log)
    assert len(calls) == json.loads((run / "manifest.json").read_text())["live"]["requests"] > 0
    assert len(calls) == sum(origin == "service" for *_, origin in answers)
    _check_library_answers(answers)
    first = _dataset(run)
    assert main(["run", str(scenario), "--quiet", "--allow-short", "--force"]) == 0
    assert len(_jsonl(log)) == len(calls) and _dataset(run) == first


def test_an_mcp_server_over_http_answers_live_a_rerun_asks_nothing_and_refusals_are_errors(tmp_path, monkeypatch):
    from tests.fakes import mcp_library

    url, stop = mcp_library.serve_http()
    try:
        scenario, run = _library(tmp_path, monkeypatch, url, [])
        before = len(mcp_library.CALLS)
        assert main(["run", str(scenario), "--quiet", "--allow-short"]) == 0
        answers = _live_answers(run)
        assert len(mcp_library.CALLS) - before == sum(origin == "service" for *_, origin in answers) > 0
        _check_library_answers(answers)
        first, asked = _dataset(run), len(mcp_library.CALLS)
        assert main(["run", str(scenario), "--quiet", "--allow-short", "--force"]) == 0
        assert len(mcp_library.CALLS) == asked and _dataset(run) == first  # the rerun made no live call
        assert {origin for *_, origin in _live_answers(run)} == {"cache"}
        from simulator.simulate.live.mcp import MCPSource
        from simulator.simulate.live.registry import LiveFailure
        from simulator.spec.service import MCPService
        import asyncio

        spec = ToolSpec.model_validate({"name": "get_loan", "description": "d", "mcp": {"tool": "get-loan"},
                                        "parameters": {"type": "object", "properties": {}}})

        async def refused():
            source = MCPSource(MCPService(kind="mcp", url=url))
            try:
                return await source.call(spec, {"loan_id": "LN-9001"})
            finally:
                await source.aclose()

        with pytest.raises(LiveFailure, match="No loan LN-9001 on this card") as failure:
            asyncio.run(refused())
        assert failure.value.cacheable  # the server's answer, kept like a result
    finally:
        stop()


def test_each_tool_is_answered_its_own_way_schema_model_or_live(tmp_path, monkeypatch, fake_keys):
    from simulator.values.schema_sim import simulate
    from tests.fakes.openai_server import FakeOpenAIServer, text

    asked: list[str] = []

    def tool_model(request):  # a model that answers `returns` with the schema sim's value for another seed
        call = json.loads(request.body["messages"][1]["content"])
        asked.append(call["tool"])
        return text(json.dumps(simulate(tools[call["tool"]], call["arguments"], 99)))

    with BookshopService(key=KEY) as shop, FakeOpenAIServer() as server:
        server.responder = tool_model
        scenario, tools = _bookshop(tmp_path, monkeypatch, shop, '{"get_*": live, create_order: model}')
        assert main(["run", str(scenario), "--quiet"]) == 2  # `model` without a tool model: said at the start
        assert main(["run", str(scenario), "--quiet", "--tool-model", "openai/fake-tool", "--api-base",
                     server.base_url, "--no-cache"]) == 0
    traces = _jsonl(tmp_path / "runs/bookshop/traces.jsonl")
    answered = {}
    for trace in traces:
        live = {c["call_id"] for c in trace["live_calls"]}
        for message in trace["messages"]:
            for call in message.get("tool_calls") or []:
                way = "live" if call["id"] in live else "model" if call["name"] == "create_order" else "schema"
                answered.setdefault(call["name"], set()).add(way)
    assert answered["get_book"] == answered["get_order"] == {"live"}
    assert answered["create_order"] == {"model"} and set(asked) == {"create_order"}
    assert answered["search_books"] == answered["cancel_order"] == {"schema"}
    assert {s.path.split("/")[2] for s in shop.seen} <= {"books", "authors", "orders", "legacy"}
    assert all(s.method == "GET" for s in shop.seen)


def test_live_tools_on_workers_are_refused_at_the_sim_line_before_anything_is_written(tmp_path, monkeypatch, capsys):
    """One process answers live tools (one rate limit, one memory of shared answers): asking for
    worker processes or Ray actors is bad input at `domain.sim`, exit 2, no run directory, no request."""
    with BookshopService(key=KEY) as shop:
        scenario, _ = _bookshop(tmp_path, monkeypatch, shop, READS)
        capsys.readouterr()
        for flags in (["--workers", "2"], ["--executor", "ray"]):
            assert main(["run", str(scenario), "--quiet", "--out", "runs/w", *flags]) == 2
            err = capsys.readouterr().err.strip().splitlines()
            assert err[0].startswith("scenarios/bookshop.yaml:") and "nothing was written" in err[-1], err
            assert "domain.sim" in err[0] and "answered in the run's own process" in err[0]
        assert not (tmp_path / "runs/w").exists() and shop.seen == []
