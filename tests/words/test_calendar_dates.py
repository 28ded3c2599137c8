"""ISO date-times said in words for a reply, and read back as the same day and clock time."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.words.calendar_dates import calendar_dates, date_time_in_words


@pytest.mark.parametrize("stamp,language,said", [
    ("2026-11-19T19:00:00+01:00", "en", "19:00 on November 19, 2026"),
    ("2026-08-22T20:40:00Z", "en", "20:40 UTC on August 22, 2026"),
    ("2026-03-04T07:05:30.5+00:00", "en", "07:05 UTC on March 4, 2026"),
    ("2026-11-19T19:00:00+01:00", "zh", "2026年11月19日 19:00"),
    ("2026-08-22T20:40:00Z", "zh", "2026年8月22日 20:40 UTC"),
])
def test_a_date_time_is_said_in_words(stamp, language, said):
    assert date_time_in_words(stamp, language) == said


@pytest.mark.parametrize("value", ["2026-11-19", "19:00", "2026-13-01T10:00:00Z", "ORD-2026-11-19T1", "2026-11-19T19:00:00+01:00 ok"])
def test_anything_else_is_left_alone(value):
    assert date_time_in_words(value, "en") is None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_words_read_back_as_the_stamps_day(language):
    said = date_time_in_words("2026-01-03T09:30:00-05:00", language)
    assert [iso for _, _, iso in calendar_dates(said, date(2025, 12, 28))] == ["2026-01-03"]
    assert "09:30" in said
