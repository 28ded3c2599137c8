"""End to end through the CLI: the customer-support file becomes a dataset that obeys the
format rules, hits the composition targets, and is the same on every run."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from simulator.cli import main

pytestmark = pytest.mark.slow  # runs a pack end to end

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
TOOLS = {"lookup_order", "check_status", "initiate_refund", "update_address", "escalate_to_human"}


@pytest.fixture(scope="module")
def run_dir(pack_run) -> Path:
    return pack_run("customer_support")


def _records(run_dir: Path) -> dict[str, list[dict]]:
    return {
        split: [json.loads(line) for line in (run_dir / "dataset" / f"{split}.jsonl").read_text().splitlines()]
        for split in ("train", "validation", "test")
    }


def _check_record(record: dict, system_prompt: str, tools: list) -> None:
    assert set(record) <= {"messages", "tools", "parallel_tool_calls"}
    assert record["tools"] == tools
    messages = record["messages"]
    assert messages[0] == {"role": "system", "content": system_prompt}
    assert messages[1]["role"] == "user"
    assert messages[-1]["role"] == "assistant" and messages[-1]["content"] and "tool_calls" not in messages[-1]
    open_calls: dict[str, str] = {}
    for m in messages:
        assert "###STOP###" not in json.dumps(m, ensure_ascii=False)
        if m["role"] in ("system", "user") or (m["role"] == "assistant" and "tool_calls" not in m):
            assert list(m) == ["role", "content"]
        if m["role"] == "assistant" and "tool_calls" in m:
            assert list(m) in (["role", "tool_calls"], ["role", "content", "tool_calls"])
            for call in m["tool_calls"]:
                assert call["type"] == "function"
                assert isinstance(call["function"]["arguments"], str)
                assert isinstance(json.loads(call["function"]["arguments"]), dict)
                assert call["function"]["name"] in TOOLS
                open_calls[call["id"]] = call["function"]["name"]
        if m["role"] == "tool":
            assert list(m) == ["role", "tool_call_id", "content"]
            assert m["tool_call_id"] in open_calls
            assert isinstance(m["content"], str) and isinstance(json.loads(m["content"]), dict)
            open_calls.pop(m["tool_call_id"])
    assert not open_calls, "every call is answered by a tool message"


def test_every_record_follows_the_openai_format(run_dir):
    records = _records(run_dir)
    prompt = (ROOT / "scenarios" / "customer_support.system.md").read_text().strip()
    first = records["train"][0]
    assert {t["function"]["name"] for t in first["tools"]} == TOOLS
    assert first["messages"][0]["content"].strip() == prompt
    for split_records in records.values():
        for record in split_records:
            _check_record(record, first["messages"][0]["content"], first["tools"])


def test_composition_is_the_classic_starter_set(run_dir):
    selection = json.loads((run_dir / "selection.json").read_text())
    traces = {}
    for line in (run_dir / "traces.jsonl").read_text().splitlines():
        t = json.loads(line)
        if t["id"] in selection:
            traces[t["id"]] = t
    per_tool = Counter(t["episode"]["tool"] or "none" for t in traces.values())
    assert {k: v for k, v in per_tool.items() if k != "none"} == {tool: 100 for tool in TOOLS}
    assert per_tool["none"] == 125 and per_tool["none"] / len(traces) == pytest.approx(0.2)
    assert sum(t["episode"]["multi_turn"] for t in traces.values()) >= 25
    mean = 100
    assert all(abs(per_tool[t] - mean) <= 0.3 * mean for t in TOOLS)
    # no-tool examples really have no call, tool examples really call their tool
    for t in traces.values():
        names = {c["name"] for m in t["messages"] if m["role"] == "assistant" for c in m.get("tool_calls", [])}
        assert (t["episode"]["tool"] in names) if t["episode"]["tool"] else not names
    assert Counter(selection.values()) == {"train": 500, "validation": 63, "test": 62} or \
        abs(Counter(selection.values())["train"] / len(selection) - 0.8) < 0.03


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def test_no_duplicates_and_no_user_message_crosses_splits(run_dir):
    records = _records(run_dir)
    seen_in: dict[str, str] = {}
    keys = set()
    for split, rs in records.items():
        for r in rs:
            users = tuple(_norm(m["content"]) for m in r["messages"] if m["role"] == "user")
            calls = tuple(
                (c["function"]["name"], json.dumps(json.loads(c["function"]["arguments"]), sort_keys=True))
                for m in r["messages"] if m["role"] == "assistant" for c in m.get("tool_calls", [])
            )
            assert (users, calls) not in keys
            keys.add((users, calls))
            for u in users:
                assert seen_in.setdefault(u, split) == split, f"{u!r} is in {seen_in[u]} and {split}"


def test_run_directory_holds_everything_needed_to_trust_it(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "finished"
    assert manifest["seed"] == 7 and manifest["versions"]["pydantic"] != "not installed"
    assert manifest["counts"]["dataset_per_cell"]["initiate_refund"] == 100
    card = (run_dir / "dataset" / "README.md").read_text()
    assert card.startswith("---\n") and "initiate_refund" in card and "| train" in card.replace("|train", "| train")
    traces = (run_dir / "traces.jsonl").read_text().splitlines()
    verdicts = (run_dir / "verdicts.jsonl").read_text().splitlines()
    assert len(traces) == len(verdicts) == manifest["counts"]["episodes"]
    rejected = [json.loads(v) for v in verdicts if json.loads(v)["decision"] == "reject"]
    selection = json.loads((run_dir / "selection.json").read_text())
    assert not any(v["trace_id"] in selection for v in rejected), "rejected traces never reach the dataset"


def test_a_finished_run_is_not_overwritten_without_force(run_dir, capsys):
    before = (run_dir / "dataset" / "train.jsonl").read_bytes()
    assert main(["run", str(SCENARIO), "--out", str(run_dir), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (run_dir / "dataset" / "train.jsonl").read_bytes() == before


def test_another_seed_gives_another_dataset(run_dir, tmp_path):
    other = tmp_path / "other"
    assert main(["run", str(SCENARIO), "--out", str(other), "--quiet", "--seed", "8", "--n", "60"]) == 0
    assert (other / "dataset" / "train.jsonl").read_bytes() != (run_dir / "dataset" / "train.jsonl").read_bytes()


def test_n_sets_the_total(tmp_path):
    out = tmp_path / "small"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--n", "50"]) == 0
    assert len(json.loads((out / "selection.json").read_text())) == 50


def test_stats_reads_the_run(run_dir, capsys):
    assert main(["stats", str(run_dir), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["dataset_size"] == 625
    assert stats["dataset"]["tool"]["initiate_refund"] == 100
    assert set(stats["dataset"]["language"]) == {"en", "zh"}


def test_chinese_replies_say_statuses_in_chinese(run_dir):
    """`domain.value_labels`: result values read in the reply's language; the calls keep the real values."""
    zh_replies, zh_calls = [], []
    for split in ("train", "validation", "test"):
        for line in (run_dir / "dataset" / f"{split}.jsonl").read_text().splitlines():
            record = json.loads(line)
            users = [m["content"] for m in record["messages"] if m["role"] == "user"]
            if not any(re.search(r"[\u4e00-\u9fff]", u) for u in users):
                continue
            previous = None
            for m in record["messages"]:
                after_error = previous is not None and previous["role"] == "tool" and '"error"' in previous["content"]
                if m["role"] == "assistant" and "content" in m and not after_error:  # errors quote the API verbatim
                    zh_replies.append(m["content"])
                zh_calls += [c["function"]["arguments"] for c in m.get("tool_calls", [])]
                previous = m
    assert zh_replies
    assert not [r for r in zh_replies if re.search(r"\b(processing|shipped|delivered|cancelled)\b", r)]
    assert any("已发货" in r or "已送达" in r or "处理中" in r for r in zh_replies)


def test_partial_refunds_ask_for_a_share_of_the_item_price(run_dir):
    """`amount: {field: items.0.price, scale: [1, 0.5]}`: some refunds are for less than the item
    cost, for exactly what the user said, and the judge accepts every one of them."""
    from tool_sims.customer_support_state import PRODUCTS

    prices = dict(PRODUCTS)
    verdicts = {v["trace_id"]: v for v in map(json.loads, (run_dir / "verdicts.jsonl").read_text().splitlines())}
    traces = [t for t in map(json.loads, (run_dir / "traces.jsonl").read_text().splitlines())
              if t["episode"]["scenario_id"] == "partial_refund_one_item"]
    assert traces
    partial = 0
    for trace in traces:
        assert verdicts[trace["id"]]["decision"] == "accept", verdicts[trace["id"]]
        facts, price = trace["facts"], prices[trace["facts"]["item"]]
        assert facts["amount"] in (price, round(price * 0.5, 2))
        said = " ".join(m["content"] for m in trace["messages"] if m["role"] == "user")
        assert f"{facts['amount']:.2f}" in said
        (call,) = [c for m in trace["messages"] for c in m.get("tool_calls", [])]
        assert call["name"] == "initiate_refund" and json.loads(call["arguments"])["amount"] == facts["amount"]
        (refund,) = [d["after"] for d in trace["state_diff"] if d["path"].startswith("/refunds/")]
        assert refund["amount"] == facts["amount"]
        partial += facts["amount"] < price
    assert 0 < partial < len(traces)  # half-price refunds and full-item ones
