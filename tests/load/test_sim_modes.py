"""`domain.sim` and the live bindings of a tools file, checked at load: every mistake at its line,
and a live call of a tool that may write refused unless `--allow-live-writes` says so — at
`validate` and at `run`, before anything is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from simulator.cli import main
from simulator.core.errors import InputError
from simulator.load.loader import load_pack

CLINIC = Path(__file__).parents[1] / "fixtures" / "clinic"
TOOLS = {
    "service": {"kind": "openapi", "base_url": "http://127.0.0.1:9/v1",
                "auth": {"env": "SHOP_TEST_KEY", "in": "header", "name": "X-API-Key", "prefix": ""}},
    "tools": [
        {"name": "get_item", "description": "Look up an item.", "read_only": True,
         "parameters": {"type": "object", "properties": {"item_id": {"type": "string"}}, "required": ["item_id"]},
         "http": {"method": "GET", "path": "/items/{item_id}", "params": {"item_id": {"in": "path"}}}},
        {"name": "order_item", "description": "Order an item.", "read_only": False,
         "parameters": {"type": "object", "properties": {"item_id": {"type": "string"}}, "required": ["item_id"]},
         "http": {"method": "POST", "path": "/orders"}},
    ],
}


def _pack(tmp_path: Path, sim, tools: dict | None = None) -> Path:
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    shutil.copytree(CLINIC / "personas", tmp_path / "personas", dirs_exist_ok=True)
    (tmp_path / "scenarios/shop.tools.yaml").write_text(yaml.safe_dump(tools or TOOLS, sort_keys=False))
    scenario = {
        "name": "shop", "domain": {"tools": "shop.tools.yaml", "system_prompt": "You sell things.", "sim": sim},
        "scenarios": [{"id": "look", "category": "positive", "goal": "look up an item",
                       "slots": {"item_id": {"value": "ITM-1"}},
                       "turns": [{"say": {"en": ["Look up {item_id}"]},
                                  "expect": [{"tool": "get_item", "args": {"item_id": "{item_id}"}}]}]}],
    }
    if sim is None:
        del scenario["domain"]["sim"]
    path = tmp_path / "scenarios/shop.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def _line(path: Path, text: str) -> int:
    return next(i for i, row in enumerate(path.read_text().splitlines(), 1) if text in row)


def _problems(path: Path, **kwargs) -> list:
    with pytest.raises(InputError) as caught:
        load_pack(path, **kwargs)
    return caught.value.problems


def test_modes_by_name_and_pattern_an_exact_name_first(tmp_path):
    path = _pack(tmp_path, {"order_item": "schema", "*_item": "live"})  # the pattern matches both tools
    pack = load_pack(path)
    assert pack.domain.sim_modes == {"get_item": "live", "order_item": "schema"}
    assert pack.domain.live_tools == ["get_item"]
    assert load_pack(_pack(tmp_path, None)).domain.sim_modes == {}
    named = load_pack(_pack(tmp_path, {"get_item": "live"})).domain
    assert named.sim_modes == {"get_item": "live", "order_item": "schema"}  # the unnamed tool stays offline
    assert named.sim_mode("order_item", tool_model=True) == "schema"
    assert load_pack(_pack(tmp_path, None)).domain.sim_mode("order_item", tool_model=True) == "model"


def test_a_live_write_is_refused_at_its_line_unless_allowed(tmp_path):
    path = _pack(tmp_path, {"get_item": "live", "order_item": "live"})
    [problem] = _problems(path)
    assert problem.line == _line(path, "order_item: live")
    assert "domain.sim.order_item: order_item: a live call may change the real service" in problem.message
    assert "--allow-live-writes" in problem.message
    assert load_pack(path, allow_live_writes=True).domain.live_tools == ["get_item", "order_item"]
    path = _pack(tmp_path, "live")  # one mode for all: the write is named, at the `sim:` line
    [problem] = _problems(path)
    assert problem.line == _line(path, "sim: live") and "order_item:" in problem.message


def test_unknown_tools_patterns_that_match_nothing_and_live_without_a_service(tmp_path):
    path = _pack(tmp_path, {"get_itme": "live", "zz_*": "model"})
    problems = _problems(path)
    assert [p.line for p in problems] == [_line(path, "get_itme"), _line(path, "zz_*")]
    assert "no tool named 'get_itme' (did you mean 'get_item'?)" in problems[0].message
    assert "no tool matches 'zz_*'" in problems[1].message
    offline = {"tools": [{k: v for k, v in t.items() if k != "http"} for t in TOOLS["tools"]]}
    path = _pack(tmp_path, {"get_item": "live"}, tools=offline)
    [problem] = _problems(path)
    assert "sim: live needs a `service:` in the tools file" in problem.message


def test_bindings_are_checked_in_the_tools_file(tmp_path):
    tools = yaml.safe_load(yaml.safe_dump(TOOLS))
    tools["tools"][0]["http"] = {"method": "GET", "path": "/items/{id}/{item_id}",
                                 "params": {"item_id": {"in": "path"}, "colour": {"in": "query"}}}
    path = _pack(tmp_path, None, tools=tools)
    problems = _problems(path)
    tools_path = tmp_path / "scenarios/shop.tools.yaml"
    by_message = {p.message: p.line for p in problems}
    assert by_message["tools[0].http.params.colour: 'colour' is not a parameter of get_item"] == _line(
        tools_path, "colour:")
    assert by_message["tools[0].http.path: {id} in the path is filled by no argument with `in: path`"] == _line(
        tools_path, "path: /items/")


def test_a_python_sim_is_never_model_or_live(tmp_path):
    shutil.copytree(CLINIC, tmp_path / "clinic")
    path = tmp_path / "clinic/scenarios/clinic.yaml"
    text = path.read_text().replace("domain:\n", "domain:\n  sim: {find_doctor: model}\n", 1)
    path.write_text(text)
    [problem] = _problems(path)
    assert "find_doctor: sim: model is for tools of a tools.yaml; a Python sim answers from its own state" in (
        problem.message)


def test_validate_and_run_refuse_what_they_cannot_do_and_write_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = _pack(tmp_path, {"order_item": "live"})
    assert main(["validate", str(path)]) == 2
    assert "--allow-live-writes" in capsys.readouterr().err
    assert main(["validate", str(path), "--allow-live-writes"]) == 0
    monkeypatch.delenv("SHOP_TEST_KEY", raising=False)
    assert main(["run", str(path), "--allow-live-writes", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"shop.yaml:{_line(path, 'sim:')}:" in err and "environment variable SHOP_TEST_KEY" in err
    path = _pack(tmp_path, {"get_item": "model"})
    assert main(["run", str(path), "--quiet"]) == 2
    assert "sim: model for get_item needs a tool model: --tool-model MODEL" in capsys.readouterr().err
    path = _pack(tmp_path, "schema")  # and a tool model that sim: gives nothing to answer
    assert main(["run", str(path), "--quiet", "--tool-model", "openai/any"]) == 2
    assert "a tool model is given (--tool-model or models.tool) but sim: gives it no tool" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
