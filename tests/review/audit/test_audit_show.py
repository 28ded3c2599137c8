"""`toolsim audit RUN --show ID`: the trace as labelled blocks, then every check and the judge model."""

import json

import pytest

from simulator.core.errors import InputError
from tests.review.audit.sample_run import run_cli, write_sample_run


@pytest.fixture
def sample(tmp_path):
    return write_sample_run(tmp_path / "run")


def _show(sample, role, capsys, *extra):
    assert run_cli(["audit", str(sample.run.path), "--show", sample.ids[role], *extra]) == 0
    return capsys.readouterr().out


def test_show_prints_every_message_with_its_label(sample, capsys):
    out = _show(sample, "multi_turn", capsys)
    assert "trace r0-00003-track_then_cancel-calm_en" in out
    for text in ("where is my last order?", "Could you tell me the e-mail on the order?", "it's kim@example.com",
                 "Sorry, that didn't work: service unavailable"):
        assert text in out
    assert "#1 user" in out and "#2 assistant" in out
    assert "tool call lookup_order (call_1)" in out
    assert '"email": "kim@example.com"' in out  # arguments pretty-printed, one key per line
    assert "#5 tool ERROR ← lookup_order" in out  # the error result is flagged


def test_show_lists_every_check_with_mark_and_reason(sample, capsys):
    out = _show(sample, "multi_turn", capsys)
    assert "✗ │ expected_calls" in out and "missing cancel_order(order_id=…)" in out
    assert out.count("✓") == 5
    assert "judge model: not run" in out
    assert "final decision: REJECT" in out


def test_show_includes_the_judge_model(sample, capsys):
    out = _show(sample, "model_failed", capsys)
    assert "judge model (openai/gpt-judge): scored" in out
    assert "The answer 'Done.' gives no refund id." in out
    assert "score helpfulness" in out and "│ 2 " in out


def test_show_includes_override_history(sample, capsys):
    out = _show(sample, "overridden", capsys)
    assert "overrides (oldest first)" in out
    assert "ana" in out and "short but fine" in out
    assert "ACCEPT  (judge said reject; overridden by a human)" in out
    assert "(empty message)" in out  # the empty final assistant turn is made visible


def test_show_json_holds_trace_verdict_and_final_decision(sample, capsys):
    data = json.loads(_show(sample, "overridden", capsys, "--json"))
    assert data["trace"]["id"] == sample.ids["overridden"]
    assert data["verdict"]["decision"] == "reject" and data["final_decision"] == "accept"


def test_show_does_not_parse_markup_in_messages(tmp_path, capsys):
    sample = write_sample_run(tmp_path / "run")
    path = sample.run.traces_path
    path.write_text(path.read_text().replace("where is my last order?", "[bold red]where[/] is it?"))
    out = _show(sample, "multi_turn", capsys)
    assert "[bold red]where[/] is it?" in out


def test_unknown_trace_is_input_error(sample):
    with pytest.raises(InputError, match="no trace 'nope'"):
        run_cli(["audit", str(sample.run.path), "--show", "nope"])
