"""The eval's state check is the judge's replay (`simulator.judge.final_state`), run for real:
a trial that left the blueprint's state succeeds, one that left another fails with the field
named, and a pack whose tools keep no state is "not checked" with the reason."""

from __future__ import annotations

from pathlib import Path

from simulator.eval.final_state import final_state_check
from simulator.load.loader import load_pack
from tests.judge.traces import offline_trace, with_call_args

ROOT = Path(__file__).resolve().parents[2]


def test_the_blueprints_state_matches_and_another_is_named(support_pack):
    refund = offline_trace(support_pack, "refund_delivered_order")
    assert final_state_check(support_pack, refund).matches is True
    partial = with_call_args(support_pack, refund, 0, amount=1.0)
    check = final_state_check(support_pack, partial)
    assert check.matches is False
    assert "refunded_amount: expected" in check.detail and "got 1.0" in check.detail


def test_tools_without_state_are_not_checked():
    pack = load_pack(ROOT / "tests" / "fixtures" / "clinic" / "scenarios" / "clinic_schema.yaml")
    check = final_state_check(pack, offline_trace(pack, "find_a_doctor"))
    assert check.matches is None and check.detail.startswith("not compared: the pack has no Python tool sims")
