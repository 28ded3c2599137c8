"""The quality report: the glitch checker finds each glitch and passes the correct sentence, and
the figures (skeletons, canned phrases, template overlap) count what they say."""

from __future__ import annotations

import json

import pytest

from simulator.export.quality.glitches import chinese_glitches, english_glitches
from simulator.export.quality.metrics import QualityReport, forbidden_tokens, mask

ENGLISH = [
    ("I found 2 order(s).", "I found 2 orders.", "plural placeholder"),
    ("There are 1 events on Friday.", "There is 1 event on Friday.", "plural after one"),
    ("Only 1 rooms left.", "Only 1 room left.", "plural after one"),
    ("You prefer a aisle seat.", "You prefer an aisle seat.", "article"),
    ("That takes an day.", "That takes an hour.", "article"),
    ("You're a Member member of SkyTeam.", "You're a member of SkyTeam.", "doubled word"),
    ("Specialty: general_practice.", "Specialty: general practice.", "raw enum value"),
    ("Order {order_id} is on its way.", "Order ORD-12345 is on its way.", "unfilled placeholder"),
    ("The carrier is None.", "The carrier is UPS.", "null value"),
    ("My when is Friday next week.", "My appointment is on Friday next week.", "slot name as a word"),
]


@pytest.mark.parametrize(("bad", "good", "kind"), ENGLISH)
def test_each_english_glitch_is_found_and_the_correct_sentence_passes(bad, good, kind):
    assert kind in english_glitches(bad, assistant=True)
    assert english_glitches(good, assistant=True) == []


def test_a_reply_sentence_in_lower_case_is_a_glitch_but_an_id_is_not():
    assert "sentence in lower case" in english_glitches("Done. the refund is pending.", assistant=True)
    assert english_glitches("dev-9261 is online. It is a user device, a university one.", assistant=True) == []


def test_chinese_replies_with_english_enum_or_error_words():
    forbidden = {"delivered", "aisle", "fully", "booked"}
    assert "English enum/error token" in chinese_glitches("当前状态为delivered。", forbidden)
    assert "English enum/error token" in chinese_glitches("系统提示：Atour Tokyo is fully booked。", forbidden)
    assert chinese_glitches("订单ORD-12345已送达，承运商UPS。", forbidden) == []
    # a URL or an e-mail address is a value, not prose: its words are not English in the reply
    assert chinese_glitches("排在前面的有：delivered.com（https://delivered.com/delivered/7225）。", forbidden) == []
    assert "English enum/error token" in chinese_glitches("见https://medium.com/x，状态delivered。", forbidden)


def test_forbidden_tokens_are_the_english_enum_words_not_codes():
    tools = [{"parameters": {"properties": {"seat": {"enum": ["aisle", "window"]}, "cur": {"enum": ["USD", "EUR"]},
                                            "app": {"enum": ["Spotify", "Apple Music"]}}},
              "returns": {"properties": {"status": {"enum": ["delivered", "in transit"]}}}}]
    assert forbidden_tokens(tools) == {"aisle", "window", "delivered", "in transit"}


def test_mask_takes_out_facts_and_numbers():
    assert mask("Refund ORD-48291 for 27.50, mail me at a@b.com", ["ord-48291"]) == "refund <v> for <v>, mail me at <v>"


def _trace(i: int, first: str, template: str, language: str = "en", reply: str = "Done.") -> dict:
    return {"id": f"t{i}", "episode": {"language": language}, "template": template,
            "facts": {"order_id": f"ORD-{10000 + i}"},
            "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": first},
                         {"role": "assistant", "content": reply}, {"role": "user", "content": "thanks ###STOP###"}]}


def test_report_counts_skeletons_canned_turns_and_template_overlap():
    report = QualityReport(canned=["I've been a customer for years, by the way."])
    report.add(_trace(1, "Where is ORD-10001? I've been a customer for years, by the way.", "s#en.0"), "train")
    report.add(_trace(2, "Where is ORD-10002?", "s#en.0"), "test")
    report.add(_trace(3, "Can you track ORD-10003?", "s#en.1"), "test")
    report.add(_trace(4, "Can you track ORD-10004?", "s#en.1"), "validation")
    result = report.result()
    assert result["skeletons"] == 3 and result["top_skeleton_share"] == 0.5
    assert result["canned_phrase_share"] == 0.25  # the closing after the last reply is not exported
    assert result["eval_records_sharing_train_template"] == {"test": 1, "validation": 0}
    assert result["seed_templates"] == 2 and result["records_per_template"] == 2.0


def test_report_flags_an_error_message_left_in_english_in_a_chinese_reply():
    trace = _trace(1, "帮我改地址", "s#zh.0", "zh", reply="抱歉：Order ORD-10001 has already shipped。")
    trace["messages"].insert(2, {"role": "tool", "content": json.dumps({"error": "Order ORD-10001 has already shipped"})})
    report = QualityReport()
    report.add(trace, "train")
    assert report.result()["zh_records_with_english_enum_or_error"] == 1
