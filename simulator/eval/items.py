"""The items of a turn-level evaluation: every assistant turn of the records of one split.

An item is what BFCL calls a test case: the conversation up to an assistant turn (the record's
system prompt, its user messages, and the reference's own earlier calls and their results — the
model is scored turn by turn, never on a conversation it derailed itself), the record's tools, and
the turn's answer key (`simulator.export.answers`). The records are rebuilt from the run's
traces exactly as `dataset/` holds them (`to_openai_record`), which also keeps each one's
scenario, persona, language and behaviours for the per-group tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator.core.errors import InputError
from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.core.names import NO_TOOL, SPLITS
from simulator.core.records import Trace
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.export.answers import Turn, aliases, record_turns
from simulator.export.openai import to_openai_record
from simulator.judge.conversation import Evidence, normalize, numbers_in
from simulator.review.behaviours import trace_behaviours
from simulator.spec.pack import Pack
from simulator.spec.snapshot import read_snapshot


@dataclass
class EvalItem:
    id: str  # "<trace id>#<turn number>"
    trace_id: str
    turn: Turn
    messages: list[Message]  # the prompt
    reference: dict[str, Any]  # the reference assistant message, as the dataset writes it
    evidence: Evidence
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def last_user(self) -> str:
        return next((m.content for m in reversed(self.messages) if isinstance(m, UserMessage)), "")


def to_messages(records: list[dict[str, Any]]) -> list[Message]:
    """Dataset messages (OpenAI shape) back into the message model; a tool result gets the name
    of the call it answers."""
    out: list[Message] = []
    names: dict[str, str] = {}
    for m in records:
        role = m.get("role")
        if role == "system":
            out.append(SystemMessage(content=m.get("content") or ""))
        elif role == "user":
            out.append(UserMessage(content=m.get("content") or ""))
        elif role == "assistant":
            calls = tuple(
                ToolCall(id=c.get("id") or "", name=c["function"]["name"], arguments=c["function"]["arguments"])
                for c in m.get("tool_calls") or []
            )
            names.update({c.id: c.name for c in calls})
            out.append(AssistantMessage(content=m.get("content") or None, tool_calls=calls))
        elif role == "tool":
            call_id = m.get("tool_call_id") or ""
            out.append(ToolMessage(tool_call_id=call_id, name=names.get(call_id, ""), content=m.get("content") or ""))
    return out


class EvidenceLog:
    """What the conversation has told the assistant so far (user messages and tool results), read
    the way the judge's grounding rule reads it; `add` each message in order, `now()` before a turn."""

    def __init__(self, today: Any) -> None:
        self.today = today
        self.parts: list[str] = []
        self.said: list[str] = []
        self.numbers: set[float] = set()
        self._now: Evidence | None = None

    def add(self, message: Message) -> None:
        if isinstance(message, (UserMessage, ToolMessage)):
            text = normalize(message.content)
            self.parts.append(text)
            self.numbers.update(numbers_in(text))
            if isinstance(message, UserMessage):
                self.said.append(text)
            self._now = None

    def now(self) -> Evidence:
        if self._now is None:
            self._now = Evidence("\n".join(self.parts), frozenset(self.numbers), "\n".join(self.said), self.today)
        return self._now


def trace_tags(trace: Trace, pack: Pack) -> dict[str, Any]:
    """What every item of a trace shares for the per-group tables."""
    episode = trace.episode
    scenario = pack.scenarios.get(episode.scenario_id)
    _, behaviours = trace_behaviours(
        [m.model_dump() for m in trace.messages], hard_cases=scenario.hard_cases if scenario else ()
    )
    behaviours = [b for b in behaviours if b not in ("no_tool", "single_call")]
    if episode.multi_turn:
        behaviours.append("multi_turn")
    return {"category": episode.category, "behaviour": behaviours, "persona": episode.persona_id,
            "language": episode.language, "scenario": episode.scenario_id}


def _tags(shared: dict[str, Any], turn: Turn) -> dict[str, Any]:
    tools = list(dict.fromkeys(c.tool for c in turn.calls)) or [NO_TOOL]
    return {"tool": tools, **shared, "kind": turn.kind}


def trace_items(trace: Trace, pack: Pack, table: dict[str, frozenset[str]] | None = None) -> list[EvalItem]:
    """One item per assistant turn of the trace's dataset record."""
    today = pack.today_of(trace)
    record = to_openai_record(trace, pack.domain, today)
    conversation = to_messages(record["messages"])
    log = EvidenceLog(today)
    shared = trace_tags(trace, pack)
    seen = 0
    items = []
    for turn in record_turns(trace, record, pack, table):
        for message in conversation[seen: turn.position]:
            log.add(message)
        seen = turn.position
        items.append(EvalItem(
            id=f"{trace.id}#{turn.number}", trace_id=trace.id, turn=turn, messages=conversation[: turn.position],
            reference=record["messages"][turn.position], evidence=log.now(), tags=_tags(shared, turn),
        ))
    return items


def selected_traces(run: RunDir, split: str, limit: int | None = None) -> tuple[Pack, list[Trace]]:
    """The run's pack and the traces of `split` (in id order), at most `limit` of them."""
    if split not in SPLITS:
        raise InputError.single("--split", f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    selection = run.read_selection()
    if not selection:
        raise InputError.single(str(run.path), "the run has no dataset yet; finish it with `toolsim run` first")
    wanted = {tid for tid, s in selection.items() if s == split}
    if not wanted:
        raise InputError.single(str(run.path), f"the {split} split of this run is empty")
    pack = read_snapshot(run)
    traces: dict[str, Trace] = {}
    for raw in iter_jsonl(run.traces_path):
        if raw.get("id") in wanted:
            traces[raw["id"]] = Trace.model_validate(raw)  # a re-simulated trace: the later line wins
    chosen = sorted(traces)[:limit] if limit is not None else sorted(traces)
    return pack, [traces[tid] for tid in chosen]


def turns_in(trace: Trace) -> int:
    """How many items `trace_items` makes of a trace (its exported assistant messages), cheaply."""
    last = max((i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage)), default=-1)
    return sum(1 for m in trace.messages[: last + 1] if isinstance(m, AssistantMessage))


def iter_items(pack: Pack, traces: list[Trace]) -> Iterator[EvalItem]:
    table = aliases(pack)
    for trace in traces:
        yield from trace_items(trace, pack, table)


def split_items(run: RunDir, split: str, limit: int | None = None) -> tuple[Pack, list[EvalItem]]:
    """The run's pack and the items of every record in `split` (in trace-id order), at most
    `limit` records."""
    pack, traces = selected_traces(run, split, limit)
    return pack, list(iter_items(pack, traces))
