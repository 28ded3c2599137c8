"""The office sims (`tool_sims/office.py`): seeded workspace state, `query_database` and
`add_calendar_event` with their business rules. Every result is checked against its `returns`
schema (`check_returns=True`), and every business-rule failure must be a `ToolError` result."""

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from simulator.simulate.environment import ToolEnvironment
from tests.sim_kit import (
    assert_complete_specs,
    checked_env,
    day,
    error_of,
    next_id,
    run,
    sim_domain,
)
from tool_sims.office import CATALOGUE, TEAMS, sims

SEEDS = range(40)
DOMAIN = sim_domain(sims)


def new_env(seed: int = 1) -> ToolEnvironment:
    return checked_env(DOMAIN, seed)  # every result must fit `returns`


def book(env: ToolEnvironment, start: str, minutes: int = 30, **extra):
    return run(env, "add_calendar_event", title="Project sync", start=start, duration_minutes=minutes, **extra)


def event_named(env: ToolEnvironment, title: str) -> dict:
    return next(e for e in env.state["events"] if e["title"] == title)


# ---------------------------------------------------------------- specs

def test_the_two_tools_have_complete_valid_specs():
    assert set(sims.tools) == {"query_database", "add_calendar_event"}
    assert_complete_specs(sims, min_description=80)


# ---------------------------------------------------------------- seeded state

@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_state_invariants(seed):
    env = new_env(seed)
    state, today = env.state, env.today
    people, documents, events = state["people"], state["documents"], state["events"]
    assert len(people) == 10 and {p["team"] for p in people} == set(TEAMS)
    assert len({p["email"] for p in people}) == 10 and len({p["id"] for p in people}) == 10
    assert [p["title"] for p in people[:3]] == [f"Head of {p['team']}" for p in people[:3]]
    emails = {p["email"] for p in people}
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@meridian\.example", e) for e in emails)
    assert sorted(d["name"] for d in documents) == sorted(name for _, name, _, _ in CATALOGUE)
    assert len({d["id"] for d in documents}) == len(documents)
    for doc in documents:
        assert re.fullmatch(r"DOC-\d{4}", doc["id"]) and doc["owner"] in emails
        owner = next(p for p in people if p["email"] == doc["owner"])
        assert owner["team"] == doc["folder"], "a document lives in its owner's team folder"
        assert today - timedelta(days=60) <= date.fromisoformat(doc["modified"]) <= today
    for event in events:
        start, end = datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
        assert end - start == timedelta(minutes=event["duration_minutes"])
        assert set(event["attendees"]) <= emails
        if start.date() >= today:  # future meetings sit in the lunch band only
            assert 11 <= start.hour and end.hour * 60 + end.minute <= 13 * 60, event
    sync = event_named(env, "Leadership sync")
    assert sync["start"] == f"{day(env, 1)}T11:00:00" and sync["attendees"] == [p["email"] for p in people[:3]]
    review = event_named(env, "Design review")
    assert review["start"] == f"{day(env, 2)}T12:00:00"
    assert review["related_document_id"] == next(d["id"] for d in documents if d["name"] == "Product Roadmap")


# ---------------------------------------------------------------- query_database

@pytest.mark.parametrize("keyword,name", [(k, n) for k, n, _, _ in CATALOGUE])
def test_every_catalogue_keyword_finds_exactly_its_document(keyword, name):
    env = new_env(5)
    ok, result = run(env, "query_database", table="documents", search=keyword)
    assert ok and result["count"] == 1 and result["rows"][0]["name"] == name


def test_search_matches_word_starts_and_ranks_the_best_match_first():
    env = new_env(6)
    ok, result = run(env, "query_database", table="documents", search="budget sheet")
    sheets = [d for d in env.state["documents"] if d["type"] == "sheet"]
    assert ok and result["rows"][0]["name"] == "Annual Budget" and result["count"] == len(sheets)
    ok, result = run(env, "query_database", table="documents", search="board")
    assert [r["name"] for r in result["rows"]] == ["Board Meeting Deck"], "not 'Onboarding'"
    person = env.state["people"][4]
    ok, result = run(env, "query_database", table="people", search=person["name"].upper())
    assert ok and result["rows"][0] == person


def test_filters_limits_and_ordering():
    env = new_env(7)
    ok, result = run(env, "query_database", table="documents", where={"folder": "Finance"}, limit=2)
    finance = sorted((d for d in env.state["documents"] if d["folder"] == "Finance"), key=lambda d: d["modified"], reverse=True)
    assert ok and result["count"] == len(finance) and result["rows"] == finance[:2]
    ok, result = run(env, "query_database", table="documents", where={"type": "slides"})
    assert {r["name"] for r in result["rows"]} == {"Product Roadmap", "Board Meeting Deck"}
    ok, result = run(env, "query_database", table="people", where={"team": "Sales"})
    assert ok and all(r["team"] == "Sales" for r in result["rows"]) and result["count"] >= 1
    lead = env.state["people"][0]["email"]
    ok, result = run(env, "query_database", table="events", where={"date": day(env, 1), "attendee": lead})
    assert ok and [r["title"] for r in result["rows"]] == ["Leadership sync"]


def test_empty_results_carry_a_note_and_bad_filters_are_errors():
    env = new_env(8)
    ok, result = run(env, "query_database", table="documents", search="zebra")
    assert ok and result == {"table": "documents", "count": 0, "rows": [], "note": "No documents found matching 'zebra'"}
    ok, result = run(env, "query_database", table="events", where={"date": day(env, 40)})
    assert ok and result["count"] == 0 and "note" in result
    assert error_of(env, "query_database", table="people", where={"folder": "Finance"}) == (
        "Table people has no filter 'folder'; it can be filtered by team"
    )
    assert "is not one of" in error_of(env, "query_database", table="calendar")
    assert "is not one of" in error_of(env, "query_database", table="people", where={"team": "HR"})
    assert "should be non-empty" in error_of(env, "query_database", table="people", where={})


# ---------------------------------------------------------------- add_calendar_event

def test_booking_a_meeting_with_a_document_and_a_room():
    env = new_env(9)
    doc = env.state["documents"][0]
    owner = next(p for p in env.state["people"] if p["email"] == doc["owner"])
    ok, result = book(env, f"{day(env, 1)}T15:00:00", 90, attendees=[owner["email"].upper()],
                      related_document_id=doc["id"], location="Atlas room")
    start = datetime.fromisoformat(f"{day(env, 1)}T15:00:00")
    assert ok and re.fullmatch(r"EVT-\d{5}", result["event_id"]) and result == {
        "event_id": result["event_id"], "title": "Project sync", "start": f"{day(env, 1)}T15:00:00",
        "end": f"{day(env, 1)}T16:30:00", "duration_minutes": 90,
        "scheduled": f"{start:%A} {start.day} {start:%B %Y}, 15:00–16:30",
        "attendees": [owner["email"]], "attendee_names": owner["name"], "status": "confirmed",
        "related_document_id": doc["id"], "related_document_name": doc["name"], "location": "Atlas room",
    }
    stored = env.state["events"][-1]
    assert stored["id"] == result["event_id"] and stored["related_document_id"] == doc["id"]
    ok, second = book(env, f"{day(env, 2)}T09:00")  # seconds are optional; nobody invited
    assert ok and second["event_id"] == next_id(result["event_id"]) and second["start"].endswith("T09:00:00") and second["attendees"] == []
    assert [c.path for c in env.diff()] == ["/events/7", "/events/8"]


@pytest.mark.parametrize("clash", ["11:00", "11:30", "10:30"])
def test_an_attendee_who_is_busy_blocks_the_booking(clash):
    env = new_env(10)
    lead = env.state["people"][1]
    before = len(env.state["events"])
    assert error_of(env, "add_calendar_event", title="Project sync", start=f"{day(env, 1)}T{clash}:00",
                    duration_minutes=60, attendees=[lead["email"]]) == (
        f"{lead['name']} is busy from 11:00 to 12:00 on {day(env, 1)} (Leadership sync); choose another time"
    )
    assert len(env.state["events"]) == before


def test_back_to_back_is_not_a_conflict_and_a_new_booking_blocks_the_next():
    env = new_env(11)
    lead = env.state["people"][2]["email"]
    assert book(env, f"{day(env, 1)}T10:00:00", 60, attendees=[lead])[0]
    assert book(env, f"{day(env, 1)}T12:00:00", 60, attendees=[lead])[0]
    assert "busy from 12:00 to 13:00" in error_of(
        env, "add_calendar_event", title="Another", start=f"{day(env, 1)}T12:30:00", duration_minutes=15, attendees=[lead]
    )


def test_booking_errors():
    env = new_env(12)
    person = env.state["people"][5]["email"]
    assert error_of(env, "add_calendar_event", title="Retro", start=f"{day(env, -1)}T15:00:00", duration_minutes=30) == (
        f"Cannot book a meeting in the past: {day(env, -1)}T15:00:00 is before today ({env.today.isoformat()})"
    )
    assert error_of(env, "add_calendar_event", title="Retro", start=f"{day(env, 1)}T15:00:00", duration_minutes=30,
                    attendees=[person, "dana@gmail.com"]) == "Unknown attendee dana@gmail.com: not in the company directory"
    assert error_of(env, "add_calendar_event", title="Retro", start=f"{day(env, 1)}T15:00:00", duration_minutes=30,
                    related_document_id="DOC-0000") == "No document with id DOC-0000"
    assert error_of(env, "add_calendar_event", title="Retro", start=f"{day(env, 1)}T25:00:00",
                    duration_minutes=30).endswith("is not a valid date and time")
    assert "does not match" in error_of(env, "add_calendar_event", title="Retro", start="tomorrow 3pm", duration_minutes=30)
    assert "is greater than the maximum" in error_of(
        env, "add_calendar_event", title="Retro", start=f"{day(env, 1)}T15:00:00", duration_minutes=600
    )
    assert "missing required argument 'duration_minutes'" in error_of(
        env, "add_calendar_event", title="Retro", start=f"{day(env, 1)}T15:00:00"
    )
    assert env.diff() == []


def test_today_is_bookable_and_the_same_seed_replays():
    def play(seed):
        env = new_env(seed)
        return book(env, f"{env.today.isoformat()}T16:00:00"), env.diff()
    assert play(13)[0][0]
    assert play(13) == play(13)
    assert Counter(new_env(s).today for s in SEEDS).most_common(1)[0][1] < 5, "today moves with the seed"
