"""`arguments_grounded` for arguments the blueprint does not name: a word-like value must be the
schema's default or have been said or shown (issue 11)."""

from __future__ import annotations

import pytest

from tests.judge.traces import judged, offline_trace, with_call_args


@pytest.fixture(scope="module")
def escalation(support_pack):
    """escalate_on_request names a reason and the order, not the priority."""
    return offline_trace(support_pack, "escalate_on_request")


def test_an_unnamed_enum_value_nobody_said_fails(support_pack, escalation):
    low = with_call_args(support_pack, escalation, 0, priority="low")
    assert "escalate_to_human: priority='low' not in the conversation" in judged(low, support_pack)["arguments_grounded"]


def test_the_schemas_default_is_no_guess(support_pack, escalation):
    normal = with_call_args(support_pack, escalation, 0, priority="normal")
    assert "arguments_grounded" not in judged(normal, support_pack)


def test_a_value_the_user_said_is_grounded_in_either_language(support_pack, escalation):
    said = escalation.model_copy(deep=True)
    said.messages[1] = said.messages[1].model_copy(update={"content": said.messages[1].content + " It's urgent, high priority."})
    assert "arguments_grounded" not in judged(with_call_args(support_pack, said, 0, priority="high"), support_pack)


def test_an_unnamed_country_nobody_gave(support_pack):
    trace = offline_trace(support_pack, "update_address_before_shipping")
    moved = with_call_args(support_pack, trace, 0, country="DE")
    assert "update_address: country='DE' not in the conversation" in judged(moved, support_pack)["arguments_grounded"]


def test_named_arguments_are_the_blueprints_business(support_pack):
    """reason is named by the refund blueprint: inferred from "it arrived broken", never said."""
    trace = offline_trace(support_pack, "refund_delivered_order")
    assert "arguments_grounded" not in judged(trace, support_pack)


def test_an_enum_argument_other_than_the_one_the_user_said():
    """Reported with issue 15 (the clinic pack written from the README): a call whose enum
    argument differs from what the user asked for. Both checks see it: the blueprint's, and
    grounding, which also holds where no blueprint names the argument."""
    from pathlib import Path

    from simulator.load.loader import load_pack

    pack = load_pack(Path(__file__).resolve().parents[1] / "fixtures" / "clinic" / "scenarios" / "clinic_schema.yaml")
    trace = offline_trace(pack, "find_a_doctor")
    said = __import__("json").loads(trace.messages[2].tool_calls[0].arguments)["specialty"]
    assert said in trace.messages[1].content
    other = next(s for s in ("cardiology", "dermatology", "pediatrics") if s != said)
    failures = judged(with_call_args(pack, trace, 0, specialty=other), pack)
    assert f"find_doctor: specialty='{other}' not in the conversation" in failures["arguments_grounded"]
    assert f"specialty='{other}', expected '{said}'" in failures["expected_calls"]
    assert "arguments_grounded" not in judged(trace, pack)
