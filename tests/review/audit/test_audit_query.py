"""`toolsim audit RUN`: verdicts joined with episodes, filtered, final decision honouring overrides."""

import json

import pytest

from simulator.review.audit.query import AuditFilters, failed_reasons, load_rows
from tests.review.audit.sample_run import run_cli, write_sample_run


@pytest.fixture
def sample(tmp_path):
    return write_sample_run(tmp_path / "run")


def _ids(rows):
    return {r.trace_id for r in rows}


def test_rows_join_verdicts_with_their_episodes(sample):
    rows = {r.trace_id: r for r in load_rows(sample.run)}
    assert len(rows) == 7
    schema = rows[sample.ids["schema"]]
    assert (schema.decision, schema.scenario, schema.persona, schema.tool, schema.category) == (
        "reject", "refund_broken", "casual_en", "initiate_refund", "positive")
    assert schema.reasons == ("arguments_schema", "arguments_grounded")
    assert rows[sample.ids["model_passed"]].tool == "(none)"


def test_final_decision_honours_the_human_override(sample):
    row = next(r for r in load_rows(sample.run) if r.trace_id == sample.ids["overridden"])
    assert (row.decision, row.judge_decision, row.overridden) == ("accept", "reject", True)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AuditFilters(decision="reject"), {"schema", "multi_turn", "model_failed", "chinese"}),
        (AuditFilters(decision="accept"), {"accepted", "model_passed", "overridden"}),
        (AuditFilters(reason="arguments_grounded"), {"schema", "chinese"}),
        (AuditFilters(reason="helpfulness"), {"model_failed"}),  # a judge criterion, not a rule check
        (AuditFilters(scenario="smalltalk"), {"model_passed", "overridden"}),
        (AuditFilters(persona="casual_en"), {"schema", "overridden"}),
        (AuditFilters(tool="cancel_order"), {"multi_turn"}),
        (AuditFilters(tool="none"), {"model_passed", "overridden"}),
        (AuditFilters(category="multi-turn"), {"multi_turn"}),
        (AuditFilters(decision="reject", persona="calm_en"), {"multi_turn"}),
    ],
)
def test_filters(sample, filters, expected):
    assert _ids(filters.apply(load_rows(sample.run))) == {sample.ids[k] for k in expected}


def test_limit_keeps_the_first_matches_in_file_order(sample):
    rows = AuditFilters(decision="reject", limit=2).apply(load_rows(sample.run))
    assert [r.trace_id for r in rows] == [sample.ids["schema"], sample.ids["multi_turn"]]


def test_failed_checks_missing_from_reasons_are_still_listed():
    verdict = {"decision": "reject", "reasons": [], "checks": [{"name": "final_answer", "passed": False}]}
    assert failed_reasons(verdict) == ["final_answer"]
    human = {"decision": "accept", "checks": [], "overrides": [{"decision": "reject"}]}
    assert failed_reasons(human) == ["override"]


def test_cli_lists_json_with_filters(sample, capsys):
    assert run_cli(["audit", str(sample.run.path), "--decision", "reject", "--tool", "initiate_refund", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["trace_id"] for r in listed] == [sample.ids[k] for k in ("schema", "model_failed", "chinese")]
    assert listed[0]["reasons"] == ["arguments_schema", "arguments_grounded"]


def test_cli_table_names_overrides_and_counts(sample, capsys):
    assert run_cli(["audit", str(sample.run.path), "--persona", "casual_en"]) == 0
    out = capsys.readouterr().out
    assert "2 shown of 2 matching (7 verdicts)" in out
    assert "accept*" in out and "human override" in out


def test_cli_says_which_values_exist_when_nothing_matches(sample, capsys):
    assert run_cli(["audit", str(sample.run.path), "--reason", "arguments_shcema"]) == 0
    captured = capsys.readouterr()
    assert "0 shown of 0 matching" in captured.out
    assert "arguments_schema" in captured.err  # the hint lists the real reason names
