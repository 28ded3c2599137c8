"""`--agreement`: rules vs judge model vs human, as counts and confusion tables."""

import json

import pytest

from simulator.review.audit.agreement import compute_agreement
from tests.review.audit.sample_run import run_cli, write_sample_run


def _verdict(rules_ok, model=None, decision=None, human=None):
    v = {
        "checks": [{"name": "expected_calls", "passed": rules_ok}],
        "model": {"status": "not_run"} if model is None else
                 {"status": "unscored"} if model == "unscored" else {"status": "scored", "passed": model == "accept"},
        "decision": decision or ("accept" if rules_ok and model in (None, "accept") else "reject"),
        "overrides": [] if human is None else [{"decision": human}],
    }
    return v


def test_counts_and_confusion_tables_on_hand_made_verdicts():
    verdicts = [
        _verdict(True, "accept"), _verdict(True, "accept"), _verdict(True, "reject"), _verdict(True, "unscored"),
        _verdict(False), _verdict(False, human="accept"), _verdict(True, "accept", human="reject"),
    ]
    result = compute_agreement(verdicts)
    assert result["verdicts"] == 7 and result["overridden"] == 2
    assert result["model_status"] == {"not_run": 2, "scored": 4, "unscored": 1}
    assert result["decisions"]["rules"] == {"accept": 5, "reject": 2}
    assert result["decisions"]["model"] == {"accept": 3, "reject": 2}  # unscored counts as reject
    assert result["decisions"]["final"] == {"accept": 3, "reject": 4}

    rules_model = result["comparisons"]["rules_vs_model"]
    assert rules_model["n"] == 5
    assert rules_model["matrix"] == {"accept": {"accept": 3, "reject": 2}, "reject": {"accept": 0, "reject": 0}}
    assert rules_model["agreement"] == 0.6
    assert rules_model["kappa"] == 0.0  # rules always said accept: no better than chance

    auto_human = result["comparisons"]["automatic_vs_human"]
    assert auto_human["n"] == 2
    assert auto_human["matrix"] == {"accept": {"accept": 0, "reject": 1}, "reject": {"accept": 1, "reject": 0}}
    assert auto_human["agreement"] == 0.0
    assert result["comparisons"]["model_vs_human"]["n"] == 1


def test_kappa_corrects_for_chance():
    # 8 agree-accept, 1 agree-reject, 1 disagreement: raw 90%, kappa lower.
    verdicts = [_verdict(True, "accept")] * 8 + [_verdict(False, "reject")] + [_verdict(True, "reject")]
    table = compute_agreement(verdicts)["comparisons"]["rules_vs_model"]
    assert table["agreement"] == 0.9
    assert table["kappa"] == pytest.approx(0.6154, abs=1e-4)


def test_cli_agreement_on_the_sample_run(tmp_path, capsys):
    sample = write_sample_run(tmp_path / "run")
    assert run_cli(["audit", str(sample.run.path), "--agreement", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["comparisons"]["rules_vs_model"]["matrix"]["accept"] == {"accept": 1, "reject": 1}
    assert result["comparisons"]["automatic_vs_human"]["matrix"]["reject"]["accept"] == 1
    assert run_cli(["audit", str(sample.run.path), "--agreement"]) == 0
    out = capsys.readouterr().out
    assert "rules (rows) vs model (columns)" in out and "agreement 50.0%" in out
    assert "model vs human: nothing to compare" in out


def test_kappa_is_undefined_when_both_sides_always_agree_on_one_answer():
    table = compute_agreement([_verdict(True, "accept")] * 3)["comparisons"]["rules_vs_model"]
    assert table["agreement"] == 1.0 and table["kappa"] is None
