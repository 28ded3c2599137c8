"""Issue 11's checks are first-class in a run: a trace they reject is listed by `toolsim audit`
under the check's name with its reason, counted by `toolsim stats`, and shown in the report."""

import json
import re
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.core.messages import AssistantMessage
from simulator.core.records import Trace
from simulator.judge import judge
from simulator.load.loader import load_pack
from tests.judge.traces import with_call_args

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"


def _spoil(run: Path, scenario: str, spoil) -> str:
    """Replace one accepted trace of `scenario` by `spoil(trace)`, judged again."""
    pack = load_pack(SCENARIO)
    traces = [Trace.model_validate_json(line) for line in (run / "traces.jsonl").read_text().splitlines()]
    victim = spoil(next(t for t in traces if t.episode.scenario_id == scenario))
    lines = [t.model_dump_json() if t.id != victim.id else victim.model_dump_json() for t in traces]
    (run / "traces.jsonl").write_text("\n".join(lines) + "\n")
    verdicts = [json.loads(line) for line in (run / "verdicts.jsonl").read_text().splitlines()]
    fresh = json.loads(judge(victim, pack).model_dump_json())
    (run / "verdicts.jsonl").write_text("".join(json.dumps(fresh if v["trace_id"] == victim.id else v) + "\n"
                                                for v in verdicts))
    return victim.id


def _lie(trace: Trace) -> Trace:
    """The last reply claims a refund nobody made."""
    last = max(i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage) and m.content)
    trace.messages[last] = AssistantMessage(content="Good news: your refund has been issued, tracking 1Z9999.")
    return trace


def _partial_refund(trace: Trace) -> Trace:
    """The refund call asks for 1.00 of the order (the calls re-run: the state follows)."""
    return with_call_args(load_pack(SCENARIO), trace, 0, amount=1.0)


@pytest.mark.slow
def test_new_checks_in_audit_stats_and_report(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(run), "--quiet", "--n", "30"]) == 0
    victim = _spoil(run, "status_of_shipped_order", _lie)
    partial = _spoil(run, "refund_delivered_order", _partial_refund)
    capsys.readouterr()

    assert main(["audit", str(run), "--reason", "honest_outcomes", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trace_id"] for r in rows] == [victim]
    assert {"honest_outcomes", "reply_grounded"} <= set(rows[0]["reasons"])

    assert main(["audit", str(run), "--show", victim]) == 0
    shown = capsys.readouterr().out
    assert "reply_grounded" in shown and "1Z9999" in shown and "no change was made" in shown

    assert main(["stats", str(run), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["rejected_by_reason"]["honest_outcomes"] == 1
    assert stats["rejected_by_reason"]["final_state"] == 1

    assert main(["audit", str(run), "--reason", "final_state", "--json"]) == 0
    assert [r["trace_id"] for r in json.loads(capsys.readouterr().out)] == [partial]
    assert main(["audit", str(run), "--show", partial]) == 0
    shown = re.sub(r"[\s│]+", " ", capsys.readouterr().out)  # the table wraps the reason
    assert re.search(r"final_state final state differs: /orders/\d+/refunded_amount: expected [\d.]+, got 1\.0", shown)

    assert main(["report", str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "honest_outcomes" in html and "final_state" in html and "reply_grounded" in html
    assert "refunded_amount: expected" in html and "1Z9999" in html  # the reasons, with their values
