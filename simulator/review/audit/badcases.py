"""Rejected traces as scenario stubs: the raw material for new hard cases.

A rejection is the cheapest pointer to what the assistant finds hard. Each stub is a `Scenario`
(category `hard`) built from the trace and the scenario it was planned from: the same goal,
record query and slots, the user's actual messages as `say` templates (fact values put back as
`{slot}` placeholders so the case replays with fresh values), and the blueprint's expected calls.
A comment block above each stub says why the judge rejected it. The stubs validate as written;
the TODO comments mark what a human has to decide (usually: what *should* happen here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from simulator.core.atomic import atomic_write
from simulator.core.messages import has_stop_token, strip_stop_token
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.review.audit.query import (
    AuditFilters,
    failed_reasons,
    final_decision,
    latest_verdicts,
    make_row,
)

_NOT_ID = re.compile(r"[^a-z0-9_\-]+")
_MIN_TEMPLATED_VALUE = 3  # shorter fact values ("1", "no") would turn ordinary words into slots


@dataclass
class BadCase:
    scenario: dict[str, Any]
    comments: list[str] = field(default_factory=list)


def stub_id(trace_id: str) -> str:
    """A valid scenario id (`^[a-z0-9_-]+$`) that still says which trace it came from."""
    return "hard-" + (_NOT_ID.sub("-", trace_id.lower()).strip("-") or "case")


def _fact_paths(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(text, dotted path) of every scalar in a fact: `reason.en` for a choice of dicts."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _fact_paths(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _fact_paths(inner, f"{path}.{index}")
    elif isinstance(value, float):
        yield f"{value:.2f}", path  # as a template says a number (`blueprint.render_text`): 20.0 -> "20.00"
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield str(value), path


def templated(text: str, facts: dict[str, Any]) -> str:
    """Put `{slot}` back where the user said a fact's value, longest values first."""
    values = [
        (value, path) for name, fact in facts.items() for value, path in _fact_paths(fact, name)
        if len(value) >= _MIN_TEMPLATED_VALUE
    ]
    for value, path in sorted(values, key=lambda p: -len(p[0])):
        # not inside a longer number or word: "2" is not the 2 of "20", "20.0" not the start of "20.00"
        pattern = r"(?<![0-9A-Za-z])" + re.escape(value) + r"(?![0-9A-Za-z]|\.[0-9])"
        text = re.sub(pattern, lambda _: "{" + path + "}", text)
    return text


def _say(text: str, language: str) -> Any:
    return text if language == "en" else {language: text}


def _clean_call(call: dict[str, Any]) -> dict[str, Any]:
    """An expected call without the defaults the manifest dump spelled out."""
    out: dict[str, Any] = {"tool": call["tool"]}
    if call.get("args"):
        out["args"] = call["args"]
    if call.get("expect_error"):
        out["expect_error"] = True
    return out


def _user_turns(trace: dict[str, Any], script_turns: int) -> tuple[list[tuple[int, str]], str | None]:
    """(message index, text) of each user message, and the closing message left out, if any.

    The simulated user ends with a goodbye carrying the stop token; it is not a turn of the
    script, so it is dropped when the user said more messages than the script has turns.
    """
    messages = trace.get("messages") or []
    turns = [
        (index, strip_stop_token(m.get("content") or ""))
        for index, m in enumerate(messages)
        if m.get("role") == "user" and strip_stop_token(m.get("content") or "")
    ]
    closing: str | None = None
    if turns and len(turns) > script_turns and has_stop_token(messages[turns[-1][0]].get("content")):
        last_user = max(i for i, m in enumerate(messages) if m.get("role") == "user")
        if turns[-1][0] == last_user:
            closing = turns.pop()[1]
    return turns, closing


def _assign_calls(
    trace: dict[str, Any], users: list[tuple[int, str]], expected: list[dict[str, Any]]
) -> list[list[dict]]:
    """Give each expected call to the user turn that preceded the assistant's matching call.

    Used when the trace's user messages do not line up one-to-one with the script (answers to
    clarifying questions add turns). An expected call the assistant never made goes to the last
    turn, for the human to place.
    """
    made = [
        (index, c["name"])
        for index, m in enumerate(trace.get("messages") or [])
        if m.get("role") == "assistant"
        for c in m.get("tool_calls") or []
    ]
    assigned: list[list[dict]] = [[] for _ in users]
    cursor = 0
    for call in expected:
        hit = next((k for k in range(cursor, len(made)) if made[k][1] == call["tool"]), None)
        turn = len(users) - 1
        if hit is not None:
            cursor = hit + 1
            turn = max((t for t, (index, _) in enumerate(users) if index < made[hit][0]), default=turn)
        assigned[turn].append(_clean_call(call))
    return assigned


@dataclass
class StubTurns:
    turns: list[dict[str, Any]]
    aligned: bool  # one user message per script turn, so expects/answers were copied turn by turn
    closing: str | None = None  # the user's goodbye, left out


def _reply_after(trace: dict[str, Any], index: int) -> str | None:
    """The assistant's first text reply without calls after message `index` (before the next user message)."""
    for m in (trace.get("messages") or [])[index + 1:]:
        if m.get("role") == "user":
            return None
        if m.get("role") == "assistant" and not m.get("tool_calls") and strip_stop_token(m.get("content") or ""):
            return strip_stop_token(m["content"])
    return None


def _answers_in(answer: Any, language: str) -> bool:
    if isinstance(answer, str):
        return language == "en"
    if isinstance(answer, list):
        return language == "en" and bool(answer)
    return isinstance(answer, dict) and bool(answer.get(language))


def _answer_what_was_said(turns: list[dict[str, Any]], users: list[tuple[int, str]], trace: dict[str, Any],
                          facts: dict[str, Any], language: str) -> None:
    """A turn without calls needs an answer in the stub's language (the loader says so): the
    assistant's own reply to that message, with fact values put back as placeholders."""
    for turn, (index, _) in zip(turns, users):
        if turn.get("expect") or _answers_in(turn.get("answer"), language):
            continue
        reply = _reply_after(trace, index)
        if not reply:
            continue
        said = templated(reply.replace("{", "(").replace("}", ")"), facts)
        answer = turn.get("answer")
        if isinstance(answer, dict):
            turn["answer"] = {**answer, language: [said]}
        else:
            turn["answer"] = _say(said, language)


def stub_turns(trace: dict[str, Any], original: dict[str, Any] | None, language: str) -> StubTurns:
    script = (original or {}).get("turns") or []
    facts = (trace.get("facts") or {}) if (original or {}).get("slots") else {}
    users, closing = _user_turns(trace, len(script))
    if not users:
        copied = [{k: v for k, v in t.items() if v} for t in script]
        return StubTurns(copied or [{"say": "TODO: what the user says"}], True)
    turns: list[dict[str, Any]] = [{"say": _say(templated(text, facts), language)} for _, text in users]
    if len(users) == len(script):
        for turn, planned in zip(turns, script):
            if planned.get("expect"):
                turn["expect"] = [_clean_call(c) for c in planned["expect"]]
            if planned.get("answer"):
                turn["answer"] = planned["answer"]
        _answer_what_was_said(turns, users, trace, facts, language)
        return StubTurns(turns, True, closing)
    expected = [c for t in script for c in t.get("expect") or []]
    for turn, calls in zip(turns, _assign_calls(trace, users, expected)):
        if calls:
            turn["expect"] = calls
    answer = next((t["answer"] for t in reversed(script) if t.get("answer")), None)
    if answer and "expect" not in turns[-1]:
        turns[-1]["answer"] = answer
    _answer_what_was_said(turns, users, trace, facts, language)
    return StubTurns(turns, False, closing)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def rejection_comments(trace: dict[str, Any], verdict: dict[str, Any], original: dict[str, Any] | None) -> list[str]:
    episode = trace.get("episode") or {}
    lines = [
        f"from trace {trace['id']}: scenario {episode.get('scenario_id')}, persona {episode.get('persona_id')}, "
        f"tool {episode.get('tool') or '(none)'}, category {episode.get('category')}",
        "rejected for: " + ", ".join(failed_reasons(verdict)),
    ]
    lines += [
        f"  {c['name']}: {_one_line(c.get('reason') or 'failed')}"
        for c in verdict.get("checks") or []
        if not c.get("passed", True)
    ]
    model = verdict.get("model") or {}
    if model.get("status", "not_run") != "not_run":
        why = _one_line(model.get("rationale") or model.get("reason") or "")
        lines.append(f"  judge model ({model.get('status')}): {why}")
    lines += [
        f"  override by {o['who']} at {o['when']}: {o['decision']} — {_one_line(o['reason'])}"
        for o in verdict.get("overrides") or []
    ]
    if trace.get("error"):
        lines.append(f"  error: {_one_line(trace['error'])}")
    if original is None:
        lines.append(
            f"TODO: scenario {episode.get('scenario_id')!r} is not in the run's manifest; "
            "write the goal and expected calls"
        )
    return lines


def badcase_stub(trace: dict[str, Any], verdict: dict[str, Any], scenarios: dict[str, dict[str, Any]]) -> BadCase:
    episode = trace.get("episode") or {}
    original = scenarios.get(episode.get("scenario_id", ""))
    made = stub_turns(trace, original, episode.get("language") or "en")
    stub: dict[str, Any] = {
        "id": stub_id(trace["id"]),
        "category": "hard",
        "goal": original["goal"] if original else "TODO: the user's goal",
    }
    if original and original.get("tool"):
        stub["tool"] = original["tool"]
    if original and original.get("record"):  # as an author writes it: no empty `unique: []`
        stub["record"] = {k: v for k, v in original["record"].items() if v or k == "collection"}
    if original and original.get("slots"):
        # the manifest spells out every source field; a slot has exactly one that is set
        stub["slots"] = {
            name: {k: v for k, v in spec.items() if v is not None} for name, spec in original["slots"].items()
        }
    stub["turns"] = made.turns
    comments = rejection_comments(trace, verdict, original)
    if made.closing:
        comments.append(f"the user's closing message is left out: {_one_line(made.closing, 80)!r}")
    if not made.aligned:
        comments.append(
            "TODO: the user's messages do not line up with the original script; "
            "check which turn each expected call belongs to"
        )
    comments.append("TODO: decide what the assistant should do here, then adjust `expect` / `answer`")
    return BadCase(stub, comments)


def manifest_scenarios(run: RunDir) -> dict[str, dict[str, Any]]:
    config = (run.read_manifest() or {}).get("config") or {}
    return {s["id"]: s for s in config.get("scenarios") or [] if isinstance(s, dict) and "id" in s}


def badcase_stubs(run: RunDir, filters: AuditFilters | None = None) -> list[BadCase]:
    """A stub for every rejected trace (final decision) that passes the filters."""
    filters = filters or AuditFilters()
    verdicts = {tid: v for tid, v in latest_verdicts(run).items() if final_decision(v) == "reject"}
    scenarios = manifest_scenarios(run)
    stubs: list[BadCase] = []
    for trace in iter_jsonl(run.traces_path):
        verdict = verdicts.get(trace["id"])
        if verdict is None or not filters.matches(make_row(verdict, trace.get("episode") or {})):
            continue
        if filters.limit is not None and len(stubs) >= filters.limit:
            break
        stubs.append(badcase_stub(trace, verdict, scenarios))
    return stubs


def render_badcases(stubs: list[BadCase], run_name: str, title: str | None = None) -> str:
    """The stubs as one YAML file; `title` replaces the first comment line (what the stubs are)."""
    head = [
        "# " + (title or f"Bad cases from toolsim run {run_name}: {len(stubs)} rejected trace(s) as scenario stubs."),
        "# Edit each into a hard case, then paste it under `scenarios:` of a scenario file.",
        "# `say` holds what the user actually said, with fact values put back as {slot} placeholders.",
        "scenarios:",
    ]
    parts = ["\n".join(head) + ("\n" if stubs else " []\n")]
    for case in stubs:
        body = yaml.safe_dump([case.scenario], allow_unicode=True, sort_keys=False, width=100)
        comment = "\n".join("  # " + line for line in case.comments)
        indented = "\n".join("  " + line if line else line for line in body.rstrip("\n").split("\n"))
        parts.append(f"\n{comment}\n{indented}\n")
    return "".join(parts)


def write_badcases(run: RunDir, path: Path, filters: AuditFilters | None = None) -> int:
    """Write the stubs to `path`; returns how many were written."""
    stubs = badcase_stubs(run, filters)
    name = (run.read_manifest() or {}).get("name") or run.path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(render_badcases(stubs, name))
    return len(stubs)
