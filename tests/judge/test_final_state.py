"""`final_state` / `compare_final_state`: the state a trace's calls left against the one the
blueprint's calls leave on the same seeded state."""

from __future__ import annotations

import pytest

from simulator.judge.final_state import apply_changes, compare_final_state
from simulator.spec.snapshot import PackSnapshot
from tests.judge.traces import judged, offline_trace, with_call_args


@pytest.fixture(scope="module")
def refund(support_pack):
    return offline_trace(support_pack, "refund_delivered_order")


def test_the_blueprints_own_calls_leave_the_blueprints_state(support_pack, refund):
    comparison = compare_final_state(refund, support_pack)
    assert comparison.matches and comparison.skipped is None
    assert comparison.touched == [p for p in comparison.touched if p.startswith(("/orders/", "/refunds/"))]
    assert "/refunds/0" in comparison.touched
    assert "final_state" not in judged(refund, support_pack)


def test_a_partial_refund_where_the_whole_order_was_meant(support_pack, refund):
    """amount is not in the blueprint, and 1.00 may even be grounded: only the state tells."""
    partial = with_call_args(support_pack, refund, 0, amount=1.0)
    comparison = compare_final_state(partial, support_pack)
    assert not comparison.matches
    assert any(d.startswith("/orders/") and "refunded_amount: expected" in d and "got 1.0" in d
               for d in comparison.differences)
    reason = judged(partial, support_pack)["final_state"]
    assert reason.startswith("final state differs: ")


def test_a_replayed_state_is_compared_not_assumed(support_pack):
    """An argument the blueprint does not name (a country) changes the address record."""
    trace = offline_trace(support_pack, "update_address_before_shipping")
    moved = with_call_args(support_pack, trace, 0, country="DE")
    differences = compare_final_state(moved, support_pack).differences
    assert differences == [d for d in differences if "shipping_address/country: expected 'US', got 'DE'" in d]
    assert differences


def test_generated_ids_and_free_text_are_no_difference(support_pack):
    """An escalation's reason is the model's own words, the ticket id is the sim's."""
    trace = offline_trace(support_pack, "escalate_on_request")
    worded = with_call_args(support_pack, trace, 0, reason="The customer would like to talk to a person")
    assert compare_final_state(worded, support_pack).matches


def test_without_sims_it_says_why(support_pack, refund, tmp_path):
    """A pack read back from a run's pack.json has no Python sims: skip with a reason, no crash."""
    snapshot = PackSnapshot.of(support_pack).pack()
    comparison = compare_final_state(refund, snapshot)
    assert comparison.skipped and "no Python tool sims" in comparison.skipped
    from simulator.judge import judge

    check = next(c for c in judge(refund, snapshot).checks if c.name == "final_state")
    assert check.passed and "no Python tool sims" in check.reason


def test_apply_changes_rebuilds_the_final_state(support_pack, refund):
    from simulator.simulate.environment import seeded_state

    initial = seeded_state(support_pack.domain, refund.episode.seed, support_pack.today_of(refund))
    final = apply_changes(initial, refund.state_diff)
    assert len(final["refunds"]) == 1 and initial["refunds"] == []
