"""What a run produces: episodes (the plan), traces (the simulation), verdicts (the judge).

These are written to `runs/<name>/*.jsonl`, one object per line, and read back by resume,
curation, export, stats and audit. Unknown keys are forbidden so a file from a different
version fails loudly instead of half-loading.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.core.messages import AssistantMessage, Message, UserMessage

Role = Literal["user", "assistant", "judge", "tool"]
Termination = Literal["user_stop", "max_turns", "error", "user_defect"]
Decision = Literal["accept", "reject"]


_SECOND = [-1, ""]  # the whole second last said, as "YYYY-MM-DDTHH:MM:SS"


def now_iso() -> str:
    """A trace's `created_at`: the time now, in UTC, ISO 8601 — the text of
    `datetime.now(timezone.utc).isoformat()` (microseconds, left out when zero). The date and
    time of day are worked out once per second: `datetime.now(timezone.utc)` cost 3-9 us an
    episode (a calendar conversion each time), the clock read and the microseconds well under 1."""
    second, micro = divmod(time.time_ns() // 1000, 1_000_000)
    if second != _SECOND[0]:
        _SECOND[1] = datetime.fromtimestamp(second, timezone.utc).isoformat()[:-6]  # without "+00:00"
        _SECOND[0] = second
    return f"{_SECOND[1]}.{micro:06d}+00:00" if micro else f"{_SECOND[1]}+00:00"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Episode(Record):
    """One planned conversation: scenario × persona × seed (× sample for DPO pairs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    scenario_id: str
    persona_id: str
    seed: int
    sample: int = 0
    category: str
    tool: str | None = Field(description="primary tool label, None for no-tool episodes")
    language: str
    multi_turn: bool = Field(False, description="the scenario scripts two or more user requests")
    today: date | None = Field(
        None, description="the simulated day the episode plays on (the plan fills it; see spec.generation.today_for)"
    )
    mistake: bool = Field(
        False, description="a twin played with a labelled mistake, for preference pairs (simulate.agents.mistakes)"
    )


class RoleUsage(Record):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    cached_calls: int = 0

    def add(self, other: "RoleUsage") -> None:
        if not (other.calls or other.input_tokens or other.output_tokens or other.cached_calls) and other.cost_usd == 0.0:
            return  # nothing to add (an offline role): pydantic's attribute writes are not free
        if not (other.input_tokens or other.output_tokens or other.cached_calls) and other.cost_usd == 0.0:
            self.calls += other.calls  # an offline role's calls: the other fields would not change
            return
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_calls += other.cached_calls
        if self.cost_usd is None or other.cost_usd is None:
            self.cost_usd = None
        else:
            self.cost_usd += other.cost_usd


class StateChange(Record):
    """One changed value of the tool state, addressed by a JSON pointer."""

    path: str
    before: Any = None
    after: Any = None


class LiveCall(Record):
    """One `sim: live` call of an episode: which tool call it answered and where the answer came from
    (the answer itself is the trace's tool message). `service` means a request was made."""

    call_id: str
    tool: str
    origin: Literal["service", "cache"]
    ok: bool
    status: int | None = None  # the HTTP status, when there was one
    ms: float | None = None  # how long the service took (requests only)


class Trace(Record):
    """What the simulation produced for one episode."""

    id: str
    episode: Episode
    messages: list[Message]
    termination: Termination
    error: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict, description="slot values the user knew")
    template: str | None = Field(
        None, description="the hand-written seed the conversation opens with: `scenario#language.index` "
        "(held-out splits keep every record of one seed in one split)",
    )
    state_diff: list[StateChange] = Field(default_factory=list)
    usage: dict[str, RoleUsage] = Field(default_factory=dict)
    agents: dict[str, str] = Field(default_factory=dict, description="role -> 'offline' or model string")
    live_calls: list[LiveCall] = Field(default_factory=list, description="provenance of `sim: live` results")
    mistake: str | None = Field(None, description="the mistake class a mistake twin played (simulate.agents.mistakes)")
    created_at: str = Field(default_factory=now_iso)

    def user_texts(self) -> list[str]:
        return [m.content for m in self.messages if isinstance(m, UserMessage)]

    def tool_calls(self) -> list[tuple[str, str]]:
        """(name, arguments-string) of every call in order."""
        return [
            (c.name, c.arguments)
            for m in self.messages
            if isinstance(m, AssistantMessage)
            for c in m.tool_calls
        ]


class RuleCheck(Record):
    # frozen: the judge shares one passed check of each name between every verdict of a process
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    passed: bool
    reason: str = ""


class ModelJudgement(Record):
    """The judge-model layer. `not_run` offline; `unscored` when the reply could not be parsed."""

    status: Literal["not_run", "scored", "unscored"] = "not_run"
    model: str | None = None
    prompt_hash: str | None = None
    raw: str | None = None
    rationale: str | None = None
    scores: dict[str, float] = Field(default_factory=dict)
    passed: bool | None = None
    reason: str | None = None
    agreement: float | None = None
    votes: list[dict[str, Any]] = Field(default_factory=list)


class Override(Record):
    who: str
    when: str
    decision: Decision
    reason: str


class Verdict(Record):
    trace_id: str
    checks: list[RuleCheck]
    model: ModelJudgement = Field(default_factory=ModelJudgement)
    decision: Decision
    reasons: list[str] = Field(default_factory=list, description="names of failed checks / criteria")
    overrides: list[Override] = Field(default_factory=list)

    @property
    def final_decision(self) -> Decision:
        """The human's last word where there is one, else the judge's."""
        return self.overrides[-1].decision if self.overrides else self.decision
