"""Values as prose reads them, in both directions (simulator.words.value_words and calendar_dates)."""

from datetime import date

from simulator.words.calendar_dates import calendar_dates
from simulator.words.value_words import ValueWords, humanised

WORDS = ValueWords({"zh": {"shipped": "已发货", "processing": "处理中", "pending": "处理中"}})


def test_a_value_is_written_through_its_label_and_read_back():
    assert WORDS.written("shipped", "zh") == "已发货" and WORDS.written("shipped", "en") == "shipped"
    assert WORDS.forms("shipped") == ["shipped", "已发货"]
    assert WORDS.meanings("处理中") == {"processing", "pending"}  # one label, two values
    assert humanised("changed_mind") == "changed mind" and WORDS.forms("in_air") == ["in_air", "in air"]


def test_calendar_dates_in_words():
    today = date(2026, 12, 20)
    assert [iso for *_, iso in calendar_dates("It arrives on March 14, 2026.", today)] == ["2026-03-14"]
    assert [iso for *_, iso in calendar_dates("arrives 14 March", today)] == ["2027-03-14"]  # the nearer one
    assert [iso for *_, iso in calendar_dates("on Jan 3rd", today)] == ["2027-01-03"]
    assert [iso for *_, iso in calendar_dates("预计2026年3月14日送达，或3月15号", today)] == ["2026-03-14", "2027-03-15"]
    assert calendar_dates("March 2026, 30 days", today) == [] and calendar_dates("February 30", today) == []
