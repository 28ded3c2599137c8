"""Hard cases end to end: relative days, aliases and counts in words, run offline through the CLI.

The dataset must carry the *resolved* values (the ISO date of "this Saturday" against the episode's
simulated today, `New York` for "NYC", 12 for "a dozen"), the system prompt must say which day
today is, and the rule judge must reject a call that resolved the day wrongly."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulator.core.messages import AssistantMessage, ToolCall
from simulator.core.records import Trace
from simulator.core.rundir import iter_jsonl
from simulator.judge.rules import judge_rules
from simulator.load.loader import load_pack
from simulator.spec.generation import today_for
from tests.day_reader import WEEKDAYS, day_meant
from tests.pack_copy import ROOT
from tests.pack_runs import read_records, run_pack

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "hard_cases" / "hard.yaml"
ALIASES = {"魔都": "Shanghai", "帝都": "Beijing", "NYC": "New York", "纽约": "New York"}
COUNTS = {"a couple of": 2, "两": 2, "three": 3, "三": 3, "a dozen": 12, "十二": 12}


@pytest.fixture(scope="module")
def pack_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture pack beside a copy of the shipped personas (a pack references files inside
    its own folder only)."""
    base = tmp_path_factory.mktemp("hard")
    shutil.copytree(PACK.parent, base / "pack")
    shutil.copytree(ROOT / "personas", base / "personas")
    pack = base / "pack" / PACK.name
    pack.write_text(PACK.read_text(encoding="utf-8").replace("../../../personas", "../personas"), encoding="utf-8")
    return pack


@pytest.fixture(scope="module")
def run(pack_file: Path) -> Path:
    return run_pack(pack_file, pack_file.parents[1] / "run")


def test_calls_carry_resolved_days_canonical_cities_and_counts(run: Path, pack_file: Path):
    pack = load_pack(pack_file)
    checked = {"relative_date": 0, "alias": 0, "number_words": 0}
    for trace in map(Trace.model_validate, iter_jsonl(run / "traces.jsonl")):
        if trace.episode.scenario_id != "book_relative_alias_words":
            continue
        today = today_for(trace.episode.seed, pack.file.generation.today)
        assert trace.messages[0].content.endswith(f"Today is {today.isoformat()} ({WEEKDAYS[today.weekday()].capitalize()}).")
        user = trace.messages[1].content
        call = next(m for m in trace.messages if isinstance(m, AssistantMessage) and m.tool_calls).tool_calls[0]
        args = json.loads(call.arguments)
        when, city, people = trace.facts["when"], trace.facts["city"], trace.facts["people"]
        said = when["zh"] if when["zh"] in user else when["en"]
        assert said in user
        assert args["date"] == day_meant(said, today).isoformat(), (user, today)
        checked["relative_date"] += 1
        alias = city["zh"] if city["zh"] in user else city["en"]
        if alias in ALIASES:
            assert args["city"] == ALIASES[alias] and alias != args["city"]
            checked["alias"] += 1
        words = people["zh"] if people["zh"] in user else people["en"]
        assert args["party_size"] == COUNTS[words]
        checked["number_words"] += 1
    assert all(n >= 5 for n in checked.values()), checked


def test_dataset_prompts_say_the_day_and_every_call_is_resolved(run: Path):
    records = read_records(run)
    assert len(records) >= 40
    prompts = {r["messages"][0]["content"] for r in records}
    assert len(prompts) > 10  # one simulated today per episode, not one for the whole run
    assert all(re.fullmatch(r"You book restaurant tables\. Today is \d{4}-\d{2}-\d{2} \(\w+day\)\.", p) for p in prompts)
    for record in records:
        for m in record["messages"]:
            for call in m.get("tool_calls") or []:
                args = json.loads(call["function"]["arguments"])
                assert args["city"] in ("Shanghai", "Beijing", "New York")
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", args["date"])
                assert isinstance(args["party_size"], int)


def test_the_rule_judge_rejects_a_day_resolved_wrongly(run: Path, pack_file: Path):
    pack = load_pack(pack_file)
    traces = [Trace.model_validate(t) for t in iter_jsonl(run / "traces.jsonl")]
    dated = [t for t in traces if t.episode.scenario_id in ("book_relative_alias_words", "book_at_a_time")]
    assert dated and all(judge_rules(t, pack).decision == "accept" for t in dated)
    for trace in dated[:10]:
        for i, message in enumerate(trace.messages):
            if isinstance(message, AssistantMessage) and message.tool_calls:
                call = message.tool_calls[0]
                args = json.loads(call.arguments)
                args["date"] = (date.fromisoformat(args["date"]) + timedelta(days=1)).isoformat()
                wrong = ToolCall(id=call.id, name=call.name, arguments=json.dumps(args))
                trace.messages[i] = AssistantMessage(content=message.content, tool_calls=[wrong])
                break
        verdict = judge_rules(trace, pack)
        assert verdict.decision == "reject"
        assert "arguments_grounded" in verdict.reasons, verdict.reasons


def test_a_clock_time_said_in_words_grounds_the_call(run: Path):
    traces = [Trace.model_validate(t) for t in iter_jsonl(run / "traces.jsonl")]
    timed = [t for t in traces if t.episode.scenario_id == "book_at_a_time"]
    assert timed
    times = set()
    for trace in timed:
        call = next(m for m in trace.messages if isinstance(m, AssistantMessage) and m.tool_calls).tool_calls[0]
        times.add(json.loads(call.arguments)["time"])
    assert times <= {"19:00", "12:30"} and times


def test_the_dataset_card_counts_hard_cases_as_shares_of_the_dataset(run: Path):
    records = read_records(run)
    card = (run / "dataset" / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \| [\d.]+% \|$", card.split("### Per hard case")[1].split("###")[0], re.M))
    calls = sum(1 for r in records if any(m.get("tool_calls") for m in r["messages"]))
    assert int(rows["relative_date"]) == calls  # both booking scenarios resolve a day
    assert int(rows["near_miss"]) == len(records) - calls
    assert 0 < int(rows["alias"]) == int(rows["number_words"]) < calls
    share = re.search(r"^\| relative_date \| \d+ \| ([\d.]+)% \|$", card, re.M).group(1)
    assert abs(float(share) - 100 * calls / len(records)) < 0.1  # of the dataset, not of the tags
