"""`reply_grounded`: what a reply states must come from what it was shown, and must not
contradict the latest result about the same thing."""

from __future__ import annotations

import pytest

from tests.judge.traces import judged, offline_trace, replies, with_reply


@pytest.fixture(scope="module")
def shipped(support_pack):
    """check_status of a shipped order: "Order ORD-30821 is currently shipped (tracking ...)"."""
    return offline_trace(support_pack, "status_of_shipped_order")


@pytest.fixture(scope="module")
def by_email(support_pack):
    """A lookup by e-mail that lists two orders, then a refund of one of them."""
    return offline_trace(support_pack, "lookup_by_email_then_refund")


def test_offline_replies_pass(support_pack, shipped, by_email):
    assert "reply_grounded" not in judged(shipped, support_pack)
    assert "reply_grounded" not in judged(by_email, support_pack)


def test_an_invented_identifier_fails_and_the_reason_quotes_the_result(support_pack, shipped):
    result = shipped.messages[3].content
    reply = replies(shipped)[0]
    order = shipped.facts["order_id"]
    bad = with_reply(shipped, reply, f"Order {order} is on its way, tracking number 9505349999.")
    reason = judged(bad, support_pack)["reply_grounded"]
    assert "'9505349999'" in reason and "tracking_number" in reason
    assert '"tracking_number": "9505349270"' in result and "'9505349270'" in reason


@pytest.mark.parametrize("said,ok", [
    ("is currently delivered", False),                    # status contradicts the result
    ("已送达", False),                                     # the same, through the pack's Chinese label
    ("has not been delivered yet, it is shipped", True),  # negated: no statement of fact
    ("will be delivered by the estimated date; it is shipped", True),  # the future
    ("已发货", True),                                      # shipped, said in Chinese
])
def test_a_status_is_read_through_labels_and_hedges(support_pack, shipped, said, ok):
    order = shipped.facts["order_id"]
    bad = with_reply(shipped, replies(shipped)[0], f"Order {order} {said}.")
    failures = judged(bad, support_pack)
    assert ("reply_grounded" not in failures) is ok, failures
    if not ok:
        assert "returned status 'shipped'" in failures["reply_grounded"]


def test_numbers_are_checked_by_value_and_may_be_rounded(support_pack, by_email):
    refund = replies(by_email)[-1]
    amount = by_email.messages[refund - 1].content  # the refund's result
    assert '"amount": 45.0' in amount
    ok = with_reply(by_email, refund, "Refund RF-1001 of $45 is pending.")
    assert "reply_grounded" not in judged(ok, support_pack)
    bad = with_reply(by_email, refund, "Refund RF-1001 of 40.50 is pending.")
    assert "says '40.50', but initiate_refund returned amount 45.0" in judged(bad, support_pack)["reply_grounded"]


def test_dates_written_out_are_read_back(support_pack, shipped):
    day = "2026-05-01"  # the estimated delivery in the result
    assert day in shipped.messages[3].content
    reply = replies(shipped)[0]
    assert "reply_grounded" not in judged(with_reply(shipped, reply, "It should arrive on May 1, 2026."), support_pack)
    assert "reply_grounded" not in judged(with_reply(shipped, reply, "预计5月1日送达。"), support_pack)
    bad = judged(with_reply(shipped, reply, "It should arrive on May 3."), support_pack)
    assert "says 'May 3'" in bad["reply_grounded"] and "estimated_delivery '2026-05-01'" in bad["reply_grounded"]


def test_a_clause_about_one_record_must_not_state_another_records_value(support_pack, by_email):
    lookup = by_email.messages[3].content
    first, second = (o["order_id"] for o in __import__("json").loads(lookup)["orders"][:2])
    totals = [o["total"] for o in __import__("json").loads(lookup)["orders"][:2]]
    reply = replies(by_email)[0]
    good = with_reply(by_email, reply, f"{first} came to {totals[0]:.2f} USD; {second} came to {totals[1]:.2f} USD.")
    assert "reply_grounded" not in judged(good, support_pack)
    swapped = with_reply(by_email, reply, f"{first} came to {totals[1]:.2f} USD.")
    reason = judged(swapped, support_pack)["reply_grounded"]
    assert f"about {first}" in reason and f"is {second}'s" in reason


def test_a_name_in_place_of_the_one_the_result_shows(support_pack, by_email):
    import json

    lookup = json.loads(by_email.messages[3].content)
    item = lookup["orders"][0]["items"][0]["name"]
    reply = replies(by_email)[0]
    text = by_email.messages[reply].content
    other = "Desk Lamp" if item != "Desk Lamp" else "Ceramic Mug Set"
    assert other not in by_email.messages[3].content
    bad = with_reply(by_email, reply, text.replace(item, other))
    assert f"names '{other}', but lookup_order returned name" in judged(bad, support_pack)["reply_grounded"]


def test_before_any_result_only_identifiers_are_checked(support_pack, shipped):
    """Before a lookup, numbers and dates are the assistant's own knowledge (a policy's 30 days);
    an id nobody gave is still invented."""
    ask = with_reply(shipped, 2, "Items can be returned within 30 days of delivery, since 2026.")
    ask.messages = ask.messages[:3] + shipped.messages[5:]
    assert "reply_grounded" not in judged(ask, support_pack)
    invented = with_reply(shipped, 2, "Is it order ORD-99999?")
    invented.messages = invented.messages[:3] + shipped.messages[5:]
    assert "'ORD-99999'" in judged(invented, support_pack)["reply_grounded"]
