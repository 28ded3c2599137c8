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
    rf = __import__("json").loads(amount)["refund_id"]  # drawn per episode
    ok = with_reply(by_email, refund, f"Refund {rf} of $45 is pending.")
    assert "reply_grounded" not in judged(ok, support_pack)
    bad = with_reply(by_email, refund, f"Refund {rf} of 40.50 is pending.")
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


def test_a_number_with_a_fields_unit_must_be_its_value(support_pack, by_email):
    """"within 8 business days" when initiate_refund returned estimated_days 5: a small number
    the conversation holds elsewhere, tied to a unit a result's field is named by."""
    import json

    refund = replies(by_email)[-1]
    days = json.loads(by_email.messages[refund - 1].content)["estimated_days"]
    rf = json.loads(by_email.messages[refund - 1].content)["refund_id"]  # drawn per episode
    wrong = days + 3
    ok = with_reply(by_email, refund, f"Refund {rf} is pending; expect it within {days} business days.")
    assert "reply_grounded" not in judged(ok, support_pack)
    bad = judged(with_reply(by_email, refund, f"Refund {rf} is pending; expect it within {wrong} business days."),
                 support_pack)
    assert f"gives {wrong} days, but initiate_refund returned estimated_days {days}" in bad["reply_grounded"]
    zh = judged(with_reply(by_email, refund, f"退款{rf}处理中，预计{wrong}个工作日内到账。"), support_pack)
    assert f"gives {wrong} days" in zh["reply_grounded"]


def test_the_size_of_a_list_must_be_the_results(support_pack, by_email):
    import json

    reply = replies(by_email)[0]
    orders = json.loads(by_email.messages[3].content)["orders"]
    first = orders[0]["order_id"]
    n = len(orders)
    assert "reply_grounded" not in judged(with_reply(by_email, reply, f"I found {n} orders; {first} is first."),
                                          support_pack)
    assert "reply_grounded" not in judged(with_reply(by_email, reply, f"The first {n - 1} orders: {first}."),
                                          support_pack)  # a part of the list
    bad = judged(with_reply(by_email, reply, f"I found {n + 2} order(s); {first} is first."), support_pack)
    assert f"counts '{n + 2} order(s)', but the result lists {n} orders" in bad["reply_grounded"]
    zh = judged(with_reply(by_email, reply, f"共查到{n + 2}个订单：{first}。"), support_pack)
    assert f"counts '{n + 2}个订单'" in zh["reply_grounded"]


def test_a_date_only_the_calendar_gives_is_not_a_results_date(support_pack, shipped):
    """The prompt's calendar grounds "tomorrow's" date, but a reply about a result with dates that
    states a day no result, call or message gave has misread the result."""
    reply = replies(shipped)[0]
    order = shipped.facts["order_id"]
    today = support_pack.today_of(shipped)
    from datetime import timedelta

    tomorrow = (today + timedelta(days=2)).isoformat()
    assert tomorrow not in shipped.messages[3].content
    bad = with_reply(shipped, reply, f"Order {order} should arrive on {tomorrow}.")
    bad.messages[0] = bad.messages[0].model_copy(update={"content": bad.messages[0].content + f"\nIn two days: {tomorrow}."})
    bad = judged(bad, support_pack)
    assert f"says '{tomorrow}', a date no result, call or message gave" in bad["reply_grounded"]
    ok = with_reply(shipped, reply, f"Order {order} is shipped; today is {today.isoformat()}.")
    assert "reply_grounded" not in judged(ok, support_pack)


def test_a_name_glued_to_chinese_text_is_read(support_pack, by_email):
    import json

    lookup = json.loads(by_email.messages[3].content)
    item = lookup["orders"][0]["items"][0]["name"]
    other = "Desk Lamp" if item != "Desk Lamp" else "Ceramic Mug Set"
    assert other not in by_email.messages[3].content
    first = lookup["orders"][0]["order_id"]
    bad = with_reply(by_email, replies(by_email)[0], f"订单{first}包含{other}。")
    assert f"names '{other}'" in judged(bad, support_pack)["reply_grounded"]


def test_a_quoted_titles_words_hedge_nothing():
    from simulator.judge.reply_words import hedged

    text = "saved the note “podcast to try” in personal."
    assert not hedged(text, text.index("personal"))  # "try" is the title's, not a hedge
    text = "i will try personal."
    assert hedged(text, text.index("personal"))


def test_a_value_another_result_shows_about_the_same_record_is_no_other_records(support_pack):
    """parallel_status_and_orders: check_status gives ORD-1's estimated delivery, lookup_order lists
    ORD-1 among orders one of which was placed that day; the delivery date said of ORD-1 is ORD-1's."""
    import json

    trace = offline_trace(support_pack, "parallel_status_and_orders", persona="zh_second_language", seed=3851)
    status = next(json.loads(m.content) for m in trace.messages if getattr(m, "name", None) == "check_status")
    lookup = next(json.loads(m.content) for m in trace.messages if getattr(m, "name", None) == "lookup_order")
    other = next(o for o in lookup["orders"] if o["order_id"] != status["order_id"])
    # the other order was placed on the day this one is expected: a clause about this one may say it
    edited = trace.model_copy(deep=True)
    other["order_date"] = status["estimated_delivery"]
    for i, m in enumerate(edited.messages):
        if getattr(m, "name", None) == "lookup_order":
            edited.messages[i] = m.model_copy(update={"content": json.dumps(lookup)})
    reply = replies(edited)[-1]
    text = f"订单{status['order_id']}预计{status['estimated_delivery']}送达。{other['order_id']}于{status['estimated_delivery']}下单。"
    assert "reply_grounded" not in judged(with_reply(edited, reply, text), support_pack)


def test_claims_hedged_in_english_and_in_traditional_characters():
    from simulator.judge.reply_words import claims

    for text in ("nothing has been changed on your order.", "抱歉，操作沒有成功：訂單已出貨。"):
        assert not claims(text.lower()), text  # negated: no claim
    assert claims("your address has been changed.") and claims("操作成功。")
    assert not claims("“vendor call” is on the calendar from 10:00 to 10:30.")  # a lookup's finding


def test_a_time_stamp_said_in_words_is_read_back_and_a_wrong_day_is_caught():
    """The offline assistant says a result's date-time in words ("at 20:40 UTC on August 22, 2026"):
    the judge reads the day and the clock time back, and flags a day the result does not hold."""
    import json
    from pathlib import Path

    from simulator.load.loader import load_pack
    from simulator.words.calendar_dates import date_time_in_words

    pack = load_pack(Path(__file__).resolve().parents[2] / "scenarios" / "smart_home.yaml")
    trace = offline_trace(pack, "lock_one_door")
    reply = replies(trace)[-1]
    stamp = json.loads(trace.messages[reply - 1].content)["locked_at"]
    assert "reply_grounded" not in judged(trace, pack)
    for language, said in (("en", "The door is locked (at {})."), ("zh", "门已锁好（{}）。")):
        words = date_time_in_words(stamp, language)
        assert words is not None and stamp not in words
        assert "reply_grounded" not in judged(with_reply(trace, reply, said.format(words)), pack), words
        day = int(stamp[8:10])
        wrong = words.replace(f" {day}, ", f" {day % 28 + 1}, ").replace(f"月{day}日", f"月{day % 28 + 1}日")
        assert wrong != words
        assert "reply_grounded" in judged(with_reply(trace, reply, said.format(wrong)), pack), wrong
