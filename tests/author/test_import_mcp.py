"""`toolsim new --from-mcp`: the tools of a local MCP server (`tests/fakes/mcp_library.py`, on the
SDK's own server class) listed over stdio and over streamable HTTP, imported with the schemas the
server gives, then validated and run offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SERVER = f"{sys.executable} -m tests.fakes.mcp_library"


def _check_library_tools(tools: dict) -> None:
    assert list(tools) == ["search_books", "get_loan", "list_branches", "renew_loan", "place_hold"]
    # `get-loan` is no function name: renamed, the server's name kept for live calls
    assert tools["get_loan"]["mcp"] == {"tool": "get-loan"} and "mcp" not in tools["search_books"]
    assert {n for n, t in tools.items() if t.get("read_only")} == {"search_books", "get_loan", "list_branches"}
    search = tools["search_books"]["parameters"]
    assert search["required"] == ["query"]
    assert search["properties"]["genre"] == {"default": "fiction", "enum": ["fiction", "history", "science", "poetry"],
                                             "type": "string"}
    assert search["properties"]["limit"] == {"default": 3, "maximum": 5, "minimum": 1, "type": "integer"}
    assert tools["get_loan"]["parameters"]["properties"]["loan_id"]["pattern"] == "^LN-[0-9]{4}$"
    # the Member model's $ref into $defs, inlined; the SDK's generated titles gone
    member = tools["place_hold"]["parameters"]["properties"]["member"]
    assert member["properties"]["card_number"] == {"pattern": "^CARD-[0-9]{6}$", "type": "string"}
    text = json.dumps(tools)
    assert "$ref" not in text and "$defs" not in text and '"title"' not in text
    # an output schema becomes `returns`; a tool without one has none (the schema sim acknowledges)
    assert tools["get_loan"]["returns"]["properties"]["status"]["enum"] == ["active", "overdue"]
    assert tools["list_branches"]["returns"]["properties"]["result"]["type"] == "array"
    assert "returns" not in tools["search_books"]


@pytest.mark.slow
def test_a_stdio_server_is_imported_and_its_pack_validates_and_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # the command runs from here (`-m tests.fakes...`); the pack goes to tmp_path
    assert main(["new", "library", "--from-mcp", SERVER, "--dir", str(tmp_path), "--server-env", "PYTHONPATH"]) == 0
    tools_file = yaml.safe_load((tmp_path / "scenarios/library.tools.yaml").read_text())
    service = tools_file["service"]
    assert service["command"] == [sys.executable, "-m", "tests.fakes.mcp_library"]
    assert (tmp_path / "scenarios" / service["cwd"]).resolve() == ROOT and service["env"] == ["PYTHONPATH"]
    _check_library_tools({t["name"]: t for t in tools_file["tools"]})
    prompt = (tmp_path / "scenarios/library.system.md").read_text()
    assert prompt.startswith("You are the assistant of City Library. Search the city library's catalogue")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "scenarios/library.yaml"]) == 0
    # eight requests per tool from the generated lines alone may come out too alike (near-duplicates):
    # the run may be short by an example or two until the `say` lines are rewritten
    assert main(["run", "scenarios/library.yaml", "--quiet", "--no-cache", "--allow-short"]) == 0
    manifest = json.loads((tmp_path / "runs/library/manifest.json").read_text())
    assert manifest["counts"]["rejected"] == 0
    per_tool = manifest["counts"]["dataset_per_cell"]
    assert all(per_tool.get(t["name"], 0) >= 6 for t in tools_file["tools"]), per_tool


@pytest.mark.slow
def test_an_http_server_is_imported_with_the_same_tools_and_its_pack_runs_offline(tmp_path, monkeypatch):
    from tests.fakes.mcp_library import serve_http

    url, stop = serve_http()
    try:
        monkeypatch.chdir(tmp_path)
        assert main(["new", "library", "--from-mcp", url, "--include", "*", "--exclude", "nothing*"]) == 0
    finally:
        stop()
    tools_file = yaml.safe_load((tmp_path / "scenarios/library.tools.yaml").read_text())
    assert tools_file["service"] == {"kind": "mcp", "url": url}
    _check_library_tools({t["name"]: t for t in tools_file["tools"]})
    assert "--exclude 'nothing*' matched no tool" in (tmp_path / "scenarios/library.tools.yaml").read_text()
    # the server is gone: the pack (sim: schema) validates and runs offline all the same
    assert main(["validate", "scenarios/library.yaml"]) == 0
    assert main(["run", "scenarios/library.yaml", "--quiet", "--no-cache", "--allow-short"]) == 0
    manifest = json.loads((tmp_path / "runs/library/manifest.json").read_text())
    assert manifest["counts"]["rejected"] == 0 and "live" not in manifest
    assert all(manifest["counts"]["dataset_per_cell"].get(t["name"], 0) >= 6 for t in tools_file["tools"])


def test_a_server_that_cannot_start_is_bad_input_with_what_it_said(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    command = f"{sys.executable} -c \"import sys; sys.stderr.write('no config file found\\n'); sys.exit(3)\""
    assert main(["new", "library", "--from-mcp", command]) == 2
    err = capsys.readouterr().err
    assert "--from-mcp: could not list the server's tools" in err and "no config file found" in err
    assert "Traceback" not in err and not (tmp_path / "scenarios").exists()


@pytest.mark.slow
def test_a_command_that_does_not_speak_mcp_is_bad_input_without_the_sdks_traceback(tmp_path):
    """The SDK logs a traceback for each stdout line that is not JSON-RPC; toolsim keeps its first
    line for the message instead of letting it reach the terminal (run as a user would: a process)."""
    import subprocess

    command = f"{sys.executable} -c \"import sys; print('hello'); sys.stderr.write('no config\\n'); sys.exit(3)\""
    done = subprocess.run([sys.executable, "-m", "simulator.cli", "new", "library", "--from-mcp", command],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "could not list the server's tools" in done.stderr and "no config" in done.stderr
    assert "(mcp SDK) Failed to parse JSONRPC message" in done.stderr
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []
