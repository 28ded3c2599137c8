"""The schema-only example pack (`scenarios/smart_home.yaml` over `smart_home.tools.yaml`) end to
end through the CLI: offline, every tool result fits its tool's `returns` schema and a seed gives
the same dataset; with `--tool-model`, results come from a model (a fake OpenAI-compatible server
on 127.0.0.1) that is retried once when its answer does not fit."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from simulator.cli import main
from simulator.llm.cache import canonical_json
from simulator.spec import ToolSpec
from simulator.values.schema_sim import simulate
from tests.fakes.openai_server import FakeOpenAIServer, text

pytestmark = pytest.mark.slow  # runs a pack end to end

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "smart_home.yaml"
TOOLS_FILE = ROOT / "scenarios" / "smart_home.tools.yaml"
SPLITS = ("train", "validation", "test")
FAKE_SEED = 424242  # the fake tool model's own seed: its values differ from the offline sim's


def _specs() -> dict[str, ToolSpec]:
    raw = yaml.safe_load(TOOLS_FILE.read_text(encoding="utf-8"))
    return {t["name"]: ToolSpec.model_validate(t) for t in raw["tools"]}


SPECS = _specs()
VALIDATORS = {name: Draft202012Validator(spec.returns) for name, spec in SPECS.items()}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _tool_results(traces: list[dict]) -> list[tuple[str, dict, object]]:
    """(tool, arguments, parsed result) of every answered call in the traces."""
    found = []
    for trace in traces:
        calls = {c["id"]: c for m in trace["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []}
        for m in trace["messages"]:
            if m["role"] == "tool":
                call = calls[m["tool_call_id"]]
                found.append((call["name"], json.loads(call["arguments"]), json.loads(m["content"])))
    return found


# ---------------------------------------------------------------- offline


@pytest.fixture(scope="module")
def offline_run(pack_run) -> Path:
    return pack_run("smart_home")




def test_every_tool_has_a_returns_schema():
    assert len(SPECS) == 10
    assert all(spec.returns is not None for spec in SPECS.values())


def test_offline_run_makes_a_dataset_the_judge_accepts(offline_run):
    for split in SPLITS:
        assert (offline_run / "dataset" / f"{split}.jsonl").stat().st_size > 0
    manifest = json.loads((offline_run / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["failed"] == 0
    assert counts["rejected"] <= 0.02 * counts["episodes"], "the judge accepts nearly everything"
    records = [r for split in SPLITS for r in _lines(offline_run / "dataset" / f"{split}.jsonl")]
    called = {c["function"]["name"] for r in records for m in r["messages"] if m["role"] == "assistant"
              for c in m.get("tool_calls") or []}
    assert called == set(SPECS), "every schema-only tool appears in the dataset"
    assert all("returns" not in tool["function"] for r in records for tool in r["tools"]), "models never see `returns`"
    traces = _lines(offline_run / "traces.jsonl")
    assert {t["agents"]["tool"] for t in traces} == {"offline"}
    assert all(t["state_diff"] == [] for t in traces), "schema-only tools have no state"


def test_every_tool_result_fits_its_returns_schema(offline_run):
    results = _tool_results(_lines(offline_run / "traces.jsonl"))
    assert len({name for name, _, _ in results}) == len(SPECS)
    for name, args, value in results:
        assert "error" not in value, (name, args, value)
        problems = [e.message for e in VALIDATORS[name].iter_errors(value)]
        assert not problems, (name, args, value, problems)


def test_results_echo_the_arguments_and_chain_into_later_calls(offline_run):
    traces = _lines(offline_run / "traces.jsonl")
    for name, args, value in _tool_results(traces):
        for key in ("room", "door", "device_id", "temperature_c", "minutes", "query", "title", "start", "period"):
            if key in args and key in value:
                assert value[key] == args[key], (name, key, args, value)
    # list, then check the first device listed: the id comes from the earlier result
    chained = [t for t in traces if t["episode"]["scenario_id"] == "list_then_status_of_first"]
    assert chained
    for trace in chained:
        (_, _, listing), (_, status_args, _) = _tool_results([trace])
        assert status_args["device_id"] == listing["devices"][0]["device_id"]




# ---------------------------------------------------------------- a model as the tool simulator


class FakeToolModel:
    """Answers tool-model requests with a value that fits the schema the request carries
    (generated with its own seed), except the very first, which does not fit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_sent = False
        self.served: dict[tuple[str, str], object] = {}
        self.retries = 0
        self.other_requests = 0

    def __call__(self, request):
        body = request.body
        schema_info = (body.get("response_format") or {}).get("json_schema") or {}
        if schema_info.get("name") != "tool_result":
            with self.lock:
                self.other_requests += 1
            return text("not a tool-model request")
        call = json.loads(body["messages"][1]["content"])
        name, args = call["tool"], call["arguments"]
        with self.lock:
            if len(body["messages"]) > 2:
                self.retries += 1
            if not self.first_sent:
                self.first_sent = True
                return text(json.dumps({"status": "ok", "note": "this does not fit any returns schema"}))
        spec = ToolSpec(name=name, description="fake", returns=schema_info["schema"])
        value = simulate(spec, args, FAKE_SEED)
        with self.lock:
            self.served[(name, canonical_json(args))] = value
        return text("```json\n" + json.dumps(value) + "\n```" if len(self.served) % 3 == 0 else json.dumps(value))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(folder))
    return folder


def test_tool_model_answers_schema_only_tools(fake_keys, cache_dir, tmp_path):
    fake = FakeToolModel()
    with FakeOpenAIServer() as server:
        server.responder = fake
        out = tmp_path / "run"
        assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--n", "30", "--max-episodes", "30",
                     "--tool-model", "openai/fake-tool", "--api-base", server.base_url, "--no-cache",
                     "--concurrency", "4"]) == 0
        calls = server.calls
    assert fake.other_requests == 0, "only the tool role is a model"
    assert fake.retries == 1, "the answer that did not fit was retried once, with the validation errors"
    retry = next(r for r in server.requests if len(r.body["messages"]) > 2)
    assert retry.body["messages"][2]["role"] == "assistant"
    assert "does not fit the schema" in retry.body["messages"][3]["content"]

    traces = _lines(out / "traces.jsonl")
    assert len(traces) == 30
    assert {t["agents"]["tool"] for t in traces} == {"openai/fake-tool"}
    assert all(t["termination"] != "error" for t in traces), [t["error"] for t in traces if t["error"]]
    # A computed tool (get_weather: `compute: weather_day`) answers with its true result locally;
    # the model answers the others.
    modelled = {name for name, spec in SPECS.items() if spec.compute is None}
    with_calls = [t for t in traces if any(name in modelled for name, _, _ in _tool_results([t]))]
    assert with_calls
    assert all(t["usage"]["tool"]["calls"] > 0 for t in with_calls)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["usage"]["tool"]["calls"] == calls

    results = [(trace["episode"]["seed"], *found) for trace in traces for found in _tool_results([trace])]
    assert results
    like_offline = 0
    for seed, name, args, value in results:
        if name not in modelled:  # answered locally with its true result, never by the model
            assert (name, canonical_json(args)) not in fake.served and VALIDATORS[name].is_valid(value)
            continue
        assert value == fake.served[(name, canonical_json(args))], "tool results are the model's values"
        assert VALIDATORS[name].is_valid(value)
        like_offline += value == simulate(SPECS[name], args, seed)
    assert like_offline < len(results), "not what the offline schema sim would have answered"
    assert (out / "dataset" / "train.jsonl").stat().st_size > 0
