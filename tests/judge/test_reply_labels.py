"""`reply_grounded` reads a value beside the words a pack's reply templates put next to a field
("high {temperature_high_c} °C", "座位{seat}", "{lights_on} light(s)"), short and everyday enum
words where they stand alone in a value's slot, and `arguments_grounded` a number of an argument
the blueprint does not name that only an unrelated result field shows (the slip-through classes
of issue 11's precision benchmark). Each catch has a correct near miss that passes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from simulator.judge.reply_labels import prose_labels
from simulator.judge.reply_values import stated_values
from simulator.load.loader import load_pack
from simulator.simulate.environment import seeded_state
from tests.judge.traces import judged, offline_trace, replies, with_call_args, with_reply

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # loads five packs and plays an episode of each


@pytest.fixture(scope="module")
def home():
    return load_pack(ROOT / "scenarios" / "smart_home.yaml")


@pytest.fixture(scope="module")
def generalist():
    return load_pack(ROOT / "scenarios" / "generalist.yaml")


@pytest.fixture(scope="module")
def travel():
    return load_pack(ROOT / "scenarios" / "travel.yaml")


@pytest.fixture(scope="module")
def office_pack():
    return load_pack(ROOT / "scenarios" / "office.yaml")


@pytest.fixture(scope="module")
def wuxia():
    return load_pack(ROOT / "scenarios" / "wuxia.yaml")


def _result(trace, reply: int) -> dict:
    return json.loads(trace.messages[reply - 1].content)


def test_labels_are_read_from_the_templates(home, travel):
    labels = {(e.text, e.before): {f for _, f in e.fields} for e in prose_labels(home)["turn_on_light"]}
    assert labels[("lights", False)] >= {"lights_on"}  # "{lights_on} light(s)": both numbers
    assert ("亮度", True) in labels
    profile = {(e.text, e.before): {f for _, f in e.fields} for e in prose_labels(travel)["get_user_profile"]}
    assert profile[("座位", True)] == {"seat"}  # "偏好：座位{preferences.seat}"
    assert not any(text in ("the", "your", "is") for text, _ in profile)  # particles name no field


def test_a_number_beside_a_label_must_be_the_fields(home):
    trace = offline_trace(home, "weather_on_a_day")
    reply = replies(trace)[0]
    high, low = _result(trace, reply)["temperature_high_c"], _result(trace, reply)["temperature_low_c"]
    wrong = high + 5 if high + 5 != low else high + 6
    bad = judged(with_reply(trace, reply, f"Cloudy, high {wrong} °C, low {low} °C."), home)
    assert f"says 'high {wrong}'" in bad["reply_grounded"] and f"temperature_high_c {high}" in bad["reply_grounded"]
    ok = judged(with_reply(trace, reply, f"Cloudy, high {high} °C, low {low} °C."), home)
    assert "reply_grounded" not in ok


def test_a_count_before_its_plural_label_must_be_the_fields(home):
    trace = offline_trace(home, "lights_dimmed")
    reply = replies(trace)[0]
    on = _result(trace, reply)["lights_on"]
    bad = judged(with_reply(trace, reply, f"Done, {on + 3} lights in the bathroom are on."), home)
    assert f"'{on + 3} lights'" in bad["reply_grounded"] and f"lights_on {on}" in bad["reply_grounded"]
    one = judged(with_reply(trace, reply, f"Done, {on} light(s) in the bathroom are on."), home)
    assert "reply_grounded" not in one


def test_a_short_chinese_value_after_its_label(generalist):
    trace = offline_trace(generalist, "clarify_weather_city", "zh_casual")
    reply = replies(trace)[-1]
    assert _result(trace, reply)["condition"] == "light rain"
    bad = judged(with_reply(trace, reply, "罗马目前天气雪，16°C。"), generalist)
    assert "'目前天气 雪'" in bad["reply_grounded"] and "condition 'light rain'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(with_reply(trace, reply, "罗马目前天气小雨，16°C。"), generalist)
    # 雪 alone, in no value's place, is a word like any other
    assert "reply_grounded" not in judged(with_reply(trace, reply, "罗马目前天气小雨，16°C，不会下雪。"), generalist)


def test_a_value_label_of_a_preference(travel):
    trace = offline_trace(travel, "flights_then_profile", "zh_casual")
    reply = replies(trace)[-1]
    assert _result(trace, reply)["preferences"]["seat"] == "aisle"
    bad = judged(with_reply(trace, reply, "偏好：座位靠窗，舱位公务舱。"), travel)
    assert "'座位 靠窗'" in bad["reply_grounded"] and "seat 'aisle'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(with_reply(trace, reply, "偏好：座位靠过道，舱位公务舱。"), travel)


def test_a_name_before_a_label_written_after_it(wuxia):
    trace = offline_trace(wuxia, "dynasty_by_other_name", "zh_casual")
    reply = replies(trace)[0]
    text = trace.messages[reply].content
    assert text.startswith("辽朝存续于")
    bad = judged(with_reply(trace, reply, "南宋" + text[2:]), wuxia)
    assert "'南宋 存续于'" in bad["reply_grounded"] and "name '辽朝'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(trace, wuxia)


def test_an_everyday_enum_word_alone_in_its_slot(home):
    trace = offline_trace(home, "list_devices_in_room")
    reply = replies(trace)[0]
    devices = _result(trace, reply)["devices"]
    assert [d["type"] for d in devices] == ["sensor", "plug"]
    first = devices[0]["device_id"]
    bad = judged(with_reply(trace, reply, f"Here's what's in the kids room: {first} (light)."), home)
    assert "'light'" in bad["reply_grounded"]
    ok = judged(with_reply(trace, reply, f"Here's what's in the kids room: {first} (sensor). No light there."), home)
    assert "reply_grounded" not in ok


def test_a_short_enum_value_in_a_clause_about_another_record(office_pack):
    trace = offline_trace(office_pack, "recent_documents_in_folder")
    reply = replies(trace)[0]
    rows = _result(trace, reply)["rows"]
    assert [r["type"] for r in rows] == ["slides", "doc"]
    swapped = f"I found 2 documents: {rows[0]['name']} ({rows[0]['id']}, doc); {rows[1]['name']} ({rows[1]['id']}, doc)."
    bad = judged(with_reply(trace, reply, swapped), office_pack)
    assert f"about {rows[0]['id']}" in bad["reply_grounded"] and "'doc'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(trace, office_pack)


def test_a_city_alone_mid_sentence_is_looked_up_in_the_episodes_state(support_pack):
    trace = offline_trace(support_pack, "update_address_before_shipping")
    reply = replies(trace)[0]
    city = _result(trace, reply)["shipping_address"]["city"]
    state = seeded_state(support_pack.domain, trace.episode.seed, support_pack.today_of(trace))
    cities = sorted({c for c in json.dumps(state).split('"') if c.istitle() and c.isalpha() and c != city
                     and c not in trace.messages[1].content})
    other = next(c for c in ("Boston", "Madison", "Raleigh", "Albany", "Denver") if c in cities) if cities else None
    if other is None:
        pytest.skip("the seeded state names no other city")
    text = trace.messages[reply].content
    bad = judged(with_reply(trace, reply, text.replace(city, other)), support_pack)
    assert f"names '{other}'" in bad["reply_grounded"] and f"city '{city}'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(trace, support_pack)


def test_an_unnamed_number_only_an_unrelated_field_shows(home):
    trace = offline_trace(home, "weather_then_event")
    low = json.loads(trace.messages[3].content)["temperature_low_c"]
    bad = with_call_args(home, trace, 1, duration_minutes=low)
    reason = judged(bad, home)["arguments_grounded"]
    assert f"duration_minutes={low} was never said by the user; only get_weather's temperature_low_c" in reason
    said = trace.model_copy(deep=True)
    said.messages[5] = said.messages[5].model_copy(
        update={"content": said.messages[5].content + f" It takes {low} minutes."})
    assert "arguments_grounded" not in judged(with_call_args(home, said, 1, duration_minutes=low), home)


def test_values_of_clean_replies_read_right():
    today = date(2026, 11, 20)
    signed = stated_values("change 24h percent:-1.80, market", today)
    assert [(s.kind, s.value) for s in signed][-1] == ("number", 1.8)  # the sign reads as none, as elsewhere
    assert not [s for s in stated_values("pm25 ugm3:17.80", today) if s.kind == "time"]
    assert [s.value for s in stated_values("下午3:15见", today) if s.kind == "time"] == ["15:15"]
    checkout = stated_values("check in:6月3日,check out:6月5日,入住晚数:2", today)  # NFKC'd labels glued to dates
    assert [(s.kind, s.written) for s in checkout] == [("date", "6月3日"), ("date", "6月5日"), ("number", "2")]


def test_a_person_put_in_a_documents_place_after_an_article(office_pack):
    trace = offline_trace(office_pack, "recent_documents_in_folder")
    reply = replies(trace)[0]
    row = _result(trace, reply)["rows"][0]
    state = seeded_state(office_pack.domain, trace.episode.seed, office_pack.today_of(trace))
    person = state["people"][-1]["name"]
    bad = judged(with_reply(trace, reply, f"The {person} ({row['id']}, slides) is in the Engineering folder."), office_pack)
    assert f"names '{person}'" in bad["reply_grounded"]
    ok = judged(with_reply(trace, reply, f"The {row['name']} ({row['id']}, slides) is in the Engineering folder."), office_pack)
    assert "reply_grounded" not in ok


def test_the_number_one_is_a_value_unless_it_is_a_rates_unit(generalist):
    # x^2 = 49 on a day without a 1 in its date: no list of one, no number of the prompt shows a 1
    trace = offline_trace(generalist, "solve_an_equation", seed=4)
    reply = replies(trace)[-1]
    solutions = _result(trace, reply)["solutions"]
    assert len(solutions) == 2 and 1 not in solutions and -1 not in solutions
    equation = _result(trace, reply)["equation"]
    bad = judged(with_reply(trace, reply, f"The solutions of {equation}: x = 1 and {solutions[-1]}."), generalist)
    assert "says '1'" in bad["reply_grounded"]
    ok = judged(with_reply(trace, reply, f"The solutions of {equation}: x = {solutions[0]} and {solutions[-1]}."), generalist)
    assert "reply_grounded" not in ok
    # the 1 of a rate is its unit: "1 USD = 0.92 EUR" after the same trace's lookup states no 1
    rate = judged(with_reply(trace, reply, f"1 USD = 0.92 EUR; the solutions: x = {solutions[0]} and {solutions[-1]}."),
                  generalist)
    assert "'1'" not in rate.get("reply_grounded", "")


def test_a_second_lookup_repeats_a_date_the_user_said_in_words(office_pack):
    """A lookup again before the write (its arguments named by no expected call) is grounded like
    the first: its date came from "the day after tomorrow", not from a result's date-time."""
    trace = offline_trace(office_pack, "calendar_then_book", "second_language_en")
    assert "the day after tomorrow" in trace.messages[1].content
    again = trace.model_copy(deep=True)
    call, result = trace.messages[2].tool_calls[0], trace.messages[3]
    again.messages[6:6] = [type(trace.messages[2])(content=None, tool_calls=(call.model_copy(update={"id": "again"}),)),
                           result.model_copy(update={"tool_call_id": "again"})]
    assert "arguments_grounded" not in judged(again, office_pack)
    elsewhere = json.loads(call.arguments)
    elsewhere["where"]["date"] = "2026-05-09"  # a day nobody said
    wrong = again.model_copy(deep=True)
    wrong.messages[6] = type(trace.messages[2])(content=None, tool_calls=(call.model_copy(
        update={"id": "again", "arguments": json.dumps(elsewhere)}),))
    assert "where.date='2026-05-09' not in the conversation" in judged(wrong, office_pack)["arguments_grounded"]


def test_a_slot_a_template_writes_is_the_argument_it_fills(home):
    """get_energy_usage's replies write the user's span ({span.zh}), which the blueprint passes as
    `period` and the result echoes: 今天 before 用电 when the result's period is last_month fails."""
    trace = offline_trace(home, "energy_usage_period", "zh_anxious_elder")
    reply = replies(trace)[0]
    text = trace.messages[reply].content
    assert _result(trace, reply)["period"] == "last_month" and text.startswith("上个月用电")
    bad = judged(with_reply(trace, reply, "今天" + text[3:]), home)
    assert "'今天 用电'" in bad["reply_grounded"] and "period 'last_month'" in bad["reply_grounded"]
    assert "reply_grounded" not in judged(with_reply(trace, reply, "上月" + text[3:]), home)  # the pack's own label
    assert "reply_grounded" not in judged(trace, home)


def test_a_date_time_with_a_clock_inside_stays_a_date():
    found = stated_values("Vendor call: 2026-06-21T13:00:00 to 14:00", date(2026, 6, 1))
    assert ("date", "2026-06-21") in [(s.kind, s.value) for s in found]
