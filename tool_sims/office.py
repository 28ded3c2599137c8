"""The office domain: a workspace database (documents, people, calendar events) and a calendar.

Two tools, chosen because real assistants chain them: `query_database` finds things ("the
budget sheet", "Dana's e-mail", "what's on tomorrow") and `add_calendar_event` books a meeting,
often with an id or an e-mail the query just returned ("find the budget sheet and book a review
with its owner tomorrow at 3 pm").

State (scenario YAML picks records by these names, keep them stable):
    people:    id, name, email, team, title
    documents: id, name, type (sheet | doc | slides), owner (an e-mail), folder, modified (date)
    events:    id, title, start, end (local ISO date-times), duration_minutes, attendees
               (e-mails), organizer, related_document_id, location

Every seeded state has 10 people (one per team first, so every team has someone; the first three
lead their teams), every document of `CATALOGUE` (so "the budget sheet" always exists and is the
only match for "budget"), a few past meetings and future ones that sit only in the 11:00–13:00
lunch band. Two of them are fixed, for error-recovery scenarios: "Leadership sync" tomorrow
11:00–12:00 with the three leads, and "Design review" the day after tomorrow 12:00–13:00.
Scenarios that book at 09:00 (for up to two hours) or from 14:00 therefore never collide by
accident, and ones that book inside the band with a lead collide on purpose.

Business rules of `add_calendar_event`: no start before today, every attendee must be in the
directory, no attendee may already be busy then, a related document must exist.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from typing import Any

from simulator import SimContext, State, ToolError, ToolSimModule
from simulator.values.fakes import (
    ascii_slug,
    between,
    digits,
    fake_name,
    pick,
    shuffled,
)

sims = ToolSimModule("office")

DOMAIN = "meridian.example"
TABLES = ("documents", "people", "events")
DOC_TYPES = ("sheet", "doc", "slides")
TEAMS = ("Finance", "Sales", "Engineering", "Marketing", "Design", "Operations", "People")
TITLES = {
    "Finance": ("Financial Analyst", "Controller"), "Sales": ("Account Executive", "Sales Manager"),
    "Engineering": ("Software Engineer", "Engineering Manager"), "Marketing": ("Marketing Manager", "Content Lead"),
    "Design": ("Product Designer", "UX Researcher"), "Operations": ("Operations Manager", "Office Manager"),
    "People": ("Recruiter", "HR Business Partner"),
}
N_PEOPLE = 10
N_LEADS = 3
# keyword (what a user calls it; unique: it matches this name only), name, type, team/folder
CATALOGUE: tuple[tuple[str, str, str, str], ...] = (
    ("budget", "Annual Budget", "sheet", "Finance"),
    ("forecast", "Quarterly Sales Forecast", "sheet", "Sales"),
    ("roadmap", "Product Roadmap", "slides", "Engineering"),
    ("hiring", "Hiring Plan", "sheet", "People"),
    ("brand", "Brand Guidelines", "doc", "Design"),
    ("onboarding", "New Hire Onboarding Checklist", "doc", "People"),
    ("vendor", "Vendor Contracts Tracker", "sheet", "Operations"),
    ("churn", "Customer Churn Analysis", "sheet", "Sales"),
    ("runbook", "Incident Response Runbook", "doc", "Engineering"),
    ("board", "Board Meeting Deck", "slides", "Finance"),
    ("campaign", "Spring Campaign Plan", "doc", "Marketing"),
    ("offsite", "Team Offsite Agenda", "doc", "Operations"),
    ("okr", "OKR Tracker", "sheet", "Operations"),
    ("pricing", "Pricing Proposal", "doc", "Sales"),
    ("expense", "Travel Expense Report", "sheet", "Finance"),
    ("launch", "Launch Checklist", "doc", "Marketing"),
)
PAST_MEETINGS = ("Weekly planning", "Customer call", "Sprint retro", "Budget check-in", "Interview debrief")
ROOMS = ("Harbor room", "Summit room", "Atlas room", "Video call")
ORGANIZER = f"workspace-assistant@{DOMAIN}"  # events booked through the assistant
LOCAL_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"

# ---------------------------------------------------------------- schemas

EMAIL = {"type": "string", "format": "email"}
DOC_ID = {"type": "string", "pattern": r"^DOC-\d{4}$"}
START = {"type": "string", "pattern": LOCAL_DATE_TIME}
PERSON_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": r"^EMP-\d{3}$"}, "name": {"type": "string"}, "email": EMAIL,
        "team": {"enum": list(TEAMS)}, "title": {"type": "string"},
    },
    "required": ["id", "name", "email", "team", "title"],
    "additionalProperties": False,
}
DOCUMENT_ROW = {
    "type": "object",
    "properties": {
        "id": DOC_ID, "name": {"type": "string"}, "type": {"enum": list(DOC_TYPES)}, "owner": EMAIL,
        "folder": {"type": "string"}, "modified": {"type": "string", "format": "date"},
    },
    "required": ["id", "name", "type", "owner", "folder", "modified"],
    "additionalProperties": False,
}
EVENT_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": r"^EVT-\d+$"}, "title": {"type": "string"}, "start": START, "end": START,
        "duration_minutes": {"type": "integer", "minimum": 5}, "attendees": {"type": "array", "items": EMAIL},
        "organizer": EMAIL, "related_document_id": {"anyOf": [DOC_ID, {"type": "null"}]},
        "location": {"type": ["string", "null"]},
    },
    "required": ["id", "title", "start", "end", "duration_minutes", "attendees", "organizer",
                 "related_document_id", "location"],
    "additionalProperties": False,
}
# Which `where` keys each table understands (the schema lists them all; the sim says which fit).
FILTERS = {"documents": ("owner", "folder", "type"), "people": ("team",), "events": ("date", "attendee")}

# ---------------------------------------------------------------- state


def _people(rng: random.Random) -> list[dict[str, Any]]:
    teams = list(TEAMS) + [pick(rng, TEAMS) for _ in range(N_PEOPLE - len(TEAMS))]
    people: list[dict[str, Any]] = []
    names: set[str] = set()
    while len(people) < N_PEOPLE:
        name = fake_name(rng)
        first, *_, last = name.split()
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{DOMAIN}"
        if name in names or any(p["email"] == email for p in people):
            continue
        names.add(name)
        team = teams[len(people)]
        title = f"Head of {team}" if len(people) < N_LEADS else pick(rng, TITLES[team])
        # Field order is the order a listing reads: "Dana Kim (dana.kim@…, Recruiter)".
        people.append({"name": name, "email": email, "title": title, "team": team, "id": f"EMP-{101 + len(people)}"})
    return people


def _documents(rng: random.Random, people: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    ids: set[str] = set()
    documents = []
    for _keyword, name, kind, team in shuffled(rng, CATALOGUE):
        doc_id = f"DOC-{digits(rng, 4)}"
        while doc_id in ids or doc_id == "DOC-0000":
            doc_id = f"DOC-{digits(rng, 4)}"
        ids.add(doc_id)
        owners = [p for p in people if p["team"] == team] or people
        documents.append({
            "name": name, "id": doc_id, "type": kind, "owner": pick(rng, owners)["email"], "folder": team,
            "modified": (today - timedelta(days=between(rng, 0, 60))).isoformat(),
        })
    return documents


def _event(counter: list[int], title: str, start: datetime, minutes: int, attendees: list[str],
           organizer: str, document: str | None = None, location: str | None = None) -> dict[str, Any]:
    counter[0] += 1
    return {
        "title": title, "start": _iso(start), "end": _iso(start + timedelta(minutes=minutes)), "id": f"EVT-{counter[0]}",
        "duration_minutes": minutes, "attendees": attendees, "organizer": organizer,
        "related_document_id": document, "location": location,
    }


def _events(rng: random.Random, people: list[dict[str, Any]], documents: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    counter = [500]
    emails = [p["email"] for p in people]
    leads = emails[:N_LEADS]
    roadmap = next(d["id"] for d in documents if d["name"] == "Product Roadmap")
    events = []
    for title in rng.sample(PAST_MEETINGS, 3):  # last week's meetings, any time of day
        day = today - timedelta(days=between(rng, 1, 7))
        start = datetime(day.year, day.month, day.day, pick(rng, (9, 10, 14, 16)))
        who = rng.sample(emails, between(rng, 2, 4))
        events.append(_event(counter, title, start, pick(rng, (30, 45, 60)), who, who[0], location=pick(rng, ROOMS)))
    tomorrow, after = today + timedelta(days=1), today + timedelta(days=2)
    events.append(_event(counter, "Leadership sync", datetime(tomorrow.year, tomorrow.month, tomorrow.day, 11), 60,
                         list(leads), leads[0], location="Summit room"))
    design = rng.sample(emails[N_LEADS:], 2)
    events.append(_event(counter, "Design review", datetime(after.year, after.month, after.day, 12), 60,
                         design, design[0], roadmap, "Atlas room"))
    for offset, title in ((3, "Vendor call"), (6, "Lunch and learn")):  # the lunch band only
        day = today + timedelta(days=offset)
        who = rng.sample(emails, 3)
        events.append(_event(counter, title, datetime(day.year, day.month, day.day, pick(rng, (11, 12))), 30, who, who[0],
                             location=pick(rng, ROOMS)))
    return events


@sims.state
def seed_state(rng: random.Random, today: date) -> State:
    people = _people(rng)
    documents = _documents(rng, people, today)
    return {"people": people, "documents": documents, "events": _events(rng, people, documents, today)}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _person(ctx: SimContext, email: str) -> dict[str, Any] | None:
    wanted = email.strip().lower()
    return next((p for p in ctx.state["people"] if p["email"] == wanted), None)


# ---------------------------------------------------------------- query_database

_SEARCHED = {"documents": ("name", "type"), "people": ("name", "email", "title"), "events": ("title",)}
_ORDER = {"documents": lambda r: r["modified"], "people": lambda r: r["name"], "events": lambda r: r["start"]}


def _score(table: str, row: dict[str, Any], words: list[str]) -> int:
    """How many search words start a word of the row's text ("board" finds "Board Meeting Deck",
    not "Onboarding"; "plan" finds "planning")."""
    text = [t for f in _SEARCHED[table] for t in re.split(r"[^a-z0-9@]+", str(row[f]).lower()) if t]
    return sum(any(t.startswith(w) for t in text) for w in words)


def _matches(table: str, row: dict[str, Any], key: str, wanted: str) -> bool:
    wanted = wanted.strip().lower()
    if table == "events" and key == "date":
        return row["start"][:10] == wanted
    if table == "events" and key == "attendee":
        return wanted in row["attendees"]
    return str(row[key]).lower() == wanted


@sims.tool(
    description=(
        "Search the company workspace database. Tables: documents (id, name, type, owner e-mail, folder, "
        "modified date), people (id, name, e-mail, team, title) and events (the shared calendar: id, title, "
        "start, end, attendees, organizer, related document). `search` matches words in a document's name, "
        "a person's name, e-mail or title, or an event's title; `where` filters exactly on fields "
        "(documents: owner, folder, type; people: team; events: date, attendee). Returns the total count "
        "and up to `limit` rows (best match first, then most recent for documents, by start for events)."
    ),
    parameters={
        "type": "object",
        "properties": {
            "table": {"type": "string", "enum": list(TABLES), "description": "Which table to query."},
            "search": {
                "type": "string", "minLength": 1, "maxLength": 100,
                "description": "Words to look for, e.g. budget, Dana, retro (case-insensitive).",
            },
            "where": {
                "type": "object",
                "description": "Exact filters; each key applies to one table only.",
                "properties": {
                    "owner": {**EMAIL, "description": "documents: the owner's e-mail."},
                    "folder": {"type": "string", "enum": list(TEAMS), "description": "documents: the team folder."},
                    "type": {"type": "string", "enum": list(DOC_TYPES), "description": "documents: sheet, doc or slides."},
                    "team": {"type": "string", "enum": list(TEAMS), "description": "people: the team."},
                    "date": {"type": "string", "format": "date", "description": "events: the day (YYYY-MM-DD)."},
                    "attendee": {**EMAIL, "description": "events: an attendee's e-mail."},
                },
                "additionalProperties": False,
                "minProperties": 1,
            },
            "limit": {
                "type": "integer", "minimum": 1, "maximum": 50, "description": "Maximum rows to return (default 10).",
            },
        },
        "required": ["table"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {
            "table": {"enum": list(TABLES)},
            "count": {"type": "integer", "minimum": 0},
            "rows": {"type": "array", "items": {"anyOf": [DOCUMENT_ROW, PERSON_ROW, EVENT_ROW]}},
            "note": {"type": "string"},
        },
        "required": ["table", "count", "rows"],
        "additionalProperties": False,
    },
    read_only=True,
)
def query_database(
    ctx: SimContext, table: str, search: str | None = None, where: dict[str, str] | None = None, limit: int = 10
) -> dict[str, Any]:
    where = where or {}
    wrong = [key for key in where if key not in FILTERS[table]]
    if wrong:
        raise ToolError(
            f"Table {table} has no filter {wrong[0]!r}; it can be filtered by {', '.join(FILTERS[table])}"
        )
    rows = [r for r in ctx.state[table] if all(_matches(table, r, k, v) for k, v in where.items())]
    rows.sort(key=_ORDER[table], reverse=table == "documents")
    if search is not None:  # any word may match; rows matching more words come first
        words = [w for w in re.split(r"[^a-z0-9@]+", search.lower()) if w]
        scored = [(_score(table, r, words), i, r) for i, r in enumerate(rows)]
        rows = [r for s, _, r in sorted(scored, key=lambda t: (-t[0], t[1])) if s > 0]
    result: dict[str, Any] = {"table": table, "count": len(rows), "rows": [dict(r) for r in rows[:limit]]}
    if not rows:  # an empty result is an answer, not an error; the note says what was asked
        matching = f" matching {search!r}" if search else ""
        filters = ", ".join(f"{k} {v}" for k, v in where.items())
        result["note"] = f"No {table} found{matching}" + (f" for {filters}" if filters else "")
    return result


# ---------------------------------------------------------------- add_calendar_event


@sims.tool(
    description=(
        "Add a meeting to the shared calendar and invite people. `start` is local office time "
        "(YYYY-MM-DDTHH:MM:SS, no time zone). Fails when the start is in the past, when an attendee is "
        "not in the company directory or is already busy at that time, or when the related document does "
        "not exist. Find e-mails and document ids with query_database first; never guess them."
    ),
    parameters={
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 2, "maxLength": 120, "description": "The meeting's title."},
            "start": {**START, "description": "Local start date and time, e.g. 2026-03-11T15:00:00."},
            "duration_minutes": {
                "type": "integer", "minimum": 5, "maximum": 480,
                "description": "Length in minutes (half an hour = 30, an hour and a half = 90).",
            },
            "attendees": {
                "type": "array", "items": EMAIL, "maxItems": 20, "uniqueItems": True,
                "description": "E-mail addresses of the people to invite (company directory only).",
            },
            "related_document_id": {**DOC_ID, "description": "The document the meeting is about, e.g. DOC-4821."},
            "location": {"type": "string", "maxLength": 80, "description": "A room name or 'Video call'."},
        },
        "required": ["title", "start", "duration_minutes"],
        "additionalProperties": False,
    },
    returns={
        "type": "object",
        "properties": {
            "event_id": {"type": "string", "pattern": r"^EVT-\d+$"}, "title": {"type": "string"},
            "start": START, "end": START, "duration_minutes": {"type": "integer", "minimum": 5},
            "scheduled": {"type": "string", "description": "the slot as people read it"},
            "attendees": {"type": "array", "items": EMAIL}, "attendee_names": {"type": "string"},
            "related_document_id": DOC_ID, "related_document_name": {"type": "string"},
            "location": {"type": "string"}, "status": {"const": "confirmed"},
        },
        "required": ["event_id", "title", "start", "end", "duration_minutes", "scheduled", "attendees", "status"],
        "additionalProperties": False,
    },
    read_only=False,
)
def add_calendar_event(
    ctx: SimContext, title: str, start: str, duration_minutes: int, attendees: list[str] | None = None,
    related_document_id: str | None = None, location: str | None = None,
) -> dict[str, Any]:
    try:
        begin = datetime.fromisoformat(start)
    except ValueError:
        raise ToolError(f"{start} is not a valid date and time") from None
    if begin.date() < ctx.today:
        raise ToolError(f"Cannot book a meeting in the past: {start} is before today ({ctx.today.isoformat()})")
    end = begin + timedelta(minutes=duration_minutes)
    people = []
    for email in attendees or []:
        person = _person(ctx, email)
        if person is None:
            raise ToolError(f"Unknown attendee {email}: not in the company directory")
        people.append(person)
    document = None
    if related_document_id is not None:
        document = next((d for d in ctx.state["documents"] if d["id"] == related_document_id), None)
        if document is None:
            raise ToolError(f"No document with id {related_document_id}")
    for person in people:
        for event in ctx.state["events"]:
            if person["email"] in event["attendees"] and event["start"] < _iso(end) and _iso(begin) < event["end"]:
                raise ToolError(
                    f"{person['name']} is busy from {event['start'][11:16]} to {event['end'][11:16]} on "
                    f"{event['start'][:10]} ({event['title']}); choose another time"
                )
    event_id = ctx.next_id("EVT")  # drawn per episode: a constant EVT-901 could be said without reading the result
    emails = [p["email"] for p in people]
    ctx.state["events"].append({
        "title": title, "start": _iso(begin), "end": _iso(end), "id": event_id, "duration_minutes": duration_minutes,
        "attendees": emails, "organizer": ORGANIZER, "related_document_id": related_document_id,
        "location": location,
    })
    result: dict[str, Any] = {
        "event_id": event_id, "title": title, "start": _iso(begin), "end": _iso(end),
        "duration_minutes": duration_minutes,
        # "Thursday 12 March 2026, 15:00–15:30": what the confirmation says out loud
        "scheduled": f"{begin:%A} {begin.day} {begin:%B %Y}, {begin:%H:%M}–{end:%H:%M}",
        "attendees": emails, "status": "confirmed",
    }
    if people:
        result["attendee_names"] = ", ".join(p["name"] for p in people)
    if document is not None:
        result["related_document_id"] = document["id"]
        result["related_document_name"] = document["name"]
    if location:
        result["location"] = location
    return result
