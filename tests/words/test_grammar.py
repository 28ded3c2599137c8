"""Agreement by construction: the template's words agree with the values at each join, and the
values themselves are never edited (an e-mail, an id, a name stays as it is)."""

import pytest

from simulator.export.quality.glitches import english_glitches
from simulator.spec.blueprint import render_prose
from simulator.words.grammar import article_for, join_list, plural, singular

CASES = [
    ("There are {n} event(s): {rows}.", {"n": 1, "rows": "Standup"}, "There is 1 event: Standup."),
    ("There are {n} event(s): {rows}.", {"n": 3, "rows": "A, B, C"}, "There are 3 events: A, B, C."),
    ("I found {n} person(s).", {"n": 2}, "I found 2 people."),
    ("I found {n} order(s).", {"n": "1"}, "I found 1 order."),
    ("You prefer a {seat} seat in {cabin}.", {"seat": "aisle", "cabin": "premium_economy"},
     "You prefer an aisle seat in premium economy."),
    ("It is a {n}-day trip.", {"n": 8}, "It is an 8-day trip."),
    ("That is an {x} issue.", {"x": "billing"}, "That is a billing issue."),
    ("You're a {tier} member.", {"tier": "Member"}, "You're a Member."),
    ("You're a {tier} member.", {"tier": "Gold"}, "You're a Gold member."),
    ("{day} works for me.", {"day": "this Friday"}, "This Friday works for me."),
    ("{value}", {"value": "jane.doe@example.com"}, "jane.doe@example.com"),
    ("{value}", {"value": "iPhone 15"}, "iPhone 15"),
    ("Done. {id} is booked.", {"id": "ORD-48291"}, "Done. ORD-48291 is booked."),
    ("Recipes for “{q}”.", {"q": "pad thai"}, "Recipes for “pad thai”."),
    ("The roots: {roots}.", {"roots": [2, -2]}, "The roots: 2 and -2."),
    ("My username is {u}.", {"u": "jane_doe1"}, "My username is jane_doe1."),
    ("It takes {n} minutes, with {k} seats left.", {"n": 1, "k": 1}, "It takes 1 minute, with 1 seat left."),
    ("It takes {n} minutes.", {"n": 1.5}, "It takes 1.50 minutes."),
    ("The {pair} rate is {rate}.", {"pair": "GBP/USD", "rate": 1.26}, "The GBP/USD rate is 1.26."),
    ("How did the {team} game go?", {"team": "the Gunners"}, "How did the Gunners game go?"),
]


@pytest.mark.parametrize("template, values, expected", CASES)
def test_words_agree_with_the_values_filled_in(template, values, expected):
    assert render_prose(template, values) == expected


@pytest.mark.parametrize("template, values, expected", CASES)
def test_what_it_renders_passes_the_glitch_checker(template, values, expected):
    assert english_glitches(render_prose(template, values), assistant=True) == []


def test_the_template_text_itself_is_not_rewritten():
    """A value is never run through a rewrite meant for the template: a repeated word inside a
    value, a lower-case word after a full stop inside a value, an underscore in a file name."""
    assert render_prose("Title: {t}", {"t": "Walla Walla trip. see notes"}) == "Title: Walla Walla trip. see notes"
    assert render_prose("File {f} saved.", {"f": "q3_budget.xlsx"}) == "File q3_budget.xlsx saved."


def test_chinese_is_filled_as_written():
    assert render_prose("共{n}个订单：{rows}。", {"n": 1, "rows": ["A", "B"]}, language="zh") == "共1个订单：A和B。"


def test_word_helpers():
    assert [plural(w) for w in ("order", "city", "box", "person", "Day")] == ["orders", "cities", "boxes", "people", "Days"]
    assert [singular(w) for w in ("orders", "cities", "boxes", "status", "people")] == ["order", "city", "box", None, "person"]
    assert [article_for(w) for w in ("aisle", "user", "hour", "FAQ", "UPS", "8", "11", "one-way", "euro")] == \
        ["an", "a", "an", "an", "a", "an", "an", "a", "a"]
    assert join_list(["a", "b", "c"]) == "a, b and c" and join_list(["甲", "乙"], "zh") == "甲和乙"
