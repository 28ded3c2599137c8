"""The scripted assistant of the mistake harness: the offline assistant's correct play, varied the
way a real model varies it, with labelled mistakes injected into a share of its messages.

The correct play is the offline assistant (it follows the blueprint, asks for what it was not
told, answers from the results). On top of it, with no mistake, the brain says what a correct
model also says — a word before its calls, a summary of the result in its own words (dates in
words, values through the pack's labels), a closing question, a harmless second lookup before a
write — so the clean run measures the judge's false rejects on more than template text. With a
probability of `rate` per message it makes one mistake instead, of a class chosen at random
among those that apply (`tests.judge.mistakes.inject`), and records it.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import yaml

from simulator.core.messages import AssistantMessage, Message, ToolCall, ToolMessage, UserMessage
from simulator.simulate.agents.offline_assistant import OfflineAssistant
from simulator.simulate.agents.style import slot_label
from simulator.simulate.episode import EpisodeContext
from simulator.spec import ExpectedCall
from simulator.spec.blueprint import MissingValue, acceptable_values, render_value
from simulator.spec.pack import Pack
from tests.judge.mistakes.inject import MAKERS
from tests.judge.mistakes.values import ISO_DAY, evidence_text, leaves, parsed

PHRASES = Path(__file__).with_name("phrases.yaml")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


@lru_cache(maxsize=None)
def phrases(language: str) -> dict[str, Any]:
    return yaml.safe_load(PHRASES.read_text(encoding="utf-8"))[language]


@dataclass(frozen=True)
class Mistake:
    kind: str
    detail: str


def writes(pack: Pack, tool: str) -> bool:
    """Does the tool change state? (its declaration)"""
    return read_only(pack, tool) is False


def read_only(pack: Pack, tool: str) -> bool | None:
    spec = pack.domain.tools.get(tool)
    return spec.read_only if spec is not None else None


class ScriptedAssistant:
    def __init__(self, ctx: EpisodeContext, pack: Pack, rate: float, seed: int) -> None:
        self.ctx, self.pack, self.rate = ctx, pack, rate
        self.offline = OfflineAssistant(ctx)
        self.rng = random.Random(f"brain:{seed}:{rate}:{ctx.episode.id}")
        self.language = ctx.persona.language
        self.phrases = phrases(self.language)
        self.mistakes: list[Mistake] = []
        self.held: list[AssistantMessage] = []
        self._ids = itertools.count(1)

    def next_message(self, messages: Sequence[Message]) -> AssistantMessage:
        if self.held:
            return self.held.pop(0)
        correct = self.offline.next_message(messages)
        turn = Turn(self, list(messages), correct)
        if self.rng.random() < self.rate:
            kinds = list(MAKERS)
            self.rng.shuffle(kinds)
            for kind in kinds:
                made = MAKERS[kind](turn)
                if made is not None:
                    self.mistakes.append(Mistake(kind, made[1]))
                    return made[0]
        return turn.varied()


@dataclass
class Turn:
    """One message to make: the conversation, the correct message, and the helpers makers use."""

    brain: ScriptedAssistant
    messages: list[Message]
    correct: AssistantMessage
    _evidence: str | None = field(default=None, repr=False)

    # ------------------------------------------------------------ what is known

    @property
    def pack(self) -> Pack:
        return self.brain.pack

    @property
    def rng(self) -> random.Random:
        return self.brain.rng

    @property
    def facts(self) -> dict[str, Any]:
        return self.brain.ctx.facts

    @property
    def evidence(self) -> str:
        if self._evidence is None:
            self._evidence = evidence_text(self.messages)
        return self._evidence

    @property
    def batch(self) -> list[ToolMessage]:
        """The tool results this message answers (empty after a user message)."""
        found: list[ToolMessage] = []
        for message in reversed(self.messages):
            if not isinstance(message, ToolMessage):
                break
            found.insert(0, message)
        return found

    @property
    def results(self) -> list[ToolMessage]:
        return [m for m in self.messages if isinstance(m, ToolMessage) and not m.is_error]

    @property
    def scenario_calls(self) -> bool:
        return any(turn.expect for turn in self.brain.ctx.scenario.turns)

    def writes(self, tool: str) -> bool:
        return writes(self.pack, tool)

    def said(self, value: str) -> str:
        """How a result value reads in a reply of this language (已发货 for shipped)."""
        return self.pack.domain.config.value_labels.get(self.brain.language, {}).get(value, value)

    def state_values(self, key: str) -> list[Any]:
        return sorted({v for _, v in leaves(self.brain.ctx.env.initial_state)
                       if _ and _[-1] == key and isinstance(v, str)})

    def call_of(self, result: ToolMessage) -> dict[str, Any]:
        for message in self.messages:
            if isinstance(message, AssistantMessage):
                for call in message.tool_calls:
                    if call.id == result.tool_call_id:
                        return call.parsed_arguments() or {}
        return {}

    # ------------------------------------------------------------ the blueprint

    def _expected(self, call: ToolCall) -> ExpectedCall | None:
        offline = self.brain.offline
        if not 0 <= offline.turn < len(offline.script):
            return None
        return next((p.call for p in offline.script[offline.turn].calls if p.call.tool == call.name), None)

    def named_args(self, call: ToolCall) -> set[str]:
        expected = self._expected(call)
        return set(expected.args) if expected is not None else set()

    def allowed(self, call: ToolCall, name: str) -> list[Any]:
        expected = self._expected(call)
        try:
            value = render_value(expected.args[name], self.facts) if expected and name in expected.args else None
        except MissingValue:
            return []
        return value if isinstance(value, list) else [value]

    def pending_question_step(self) -> ExpectedCall | None:
        offline = self.brain.offline
        if self.correct.tool_calls or not offline.awaiting_answer:
            return None
        plan = offline.script[offline.turn]
        return plan.calls[offline.emitted].call if offline.emitted < len(plan.calls) else None

    def skip_question(self) -> None:
        offline = self.brain.offline
        offline.awaiting_answer = False
        offline.emitted += 1

    def new_call_id(self) -> str:
        return f"call_h{next(self.brain._ids)}"

    def hold(self, message: AssistantMessage) -> None:
        self.brain.held.append(message)

    def lie(self, tool: str, args: dict[str, Any]) -> str | None:
        lies = self.brain.phrases["lies"]
        templates = list(lies.get(tool) or lies["default"])
        self.rng.shuffle(templates)
        for template in templates:
            try:
                return template.format_map(args)
            except (KeyError, IndexError, ValueError):
                continue
        return self.rng.choice(lies["default"])

    # ------------------------------------------------------------ clean variations

    def varied(self) -> AssistantMessage:
        message, rng, p = self.correct, self.rng, self.brain.phrases
        if message.tool_calls:
            message = self._other_choice(message)
            extra = self._second_lookup()
            if extra is not None and rng.random() < 0.15:
                self.hold(message)
                return extra
            if not message.content and rng.random() < 0.25:
                return AssistantMessage(content=rng.choice(p["preamble"]), tool_calls=message.tool_calls)
            return message
        batch = self.batch
        asking = self.brain.offline.awaiting_answer
        if batch and not asking and not any(m.is_error for m in batch) and message.content:
            if rng.random() < 0.35:
                summary = self._summary(batch)
                if summary:
                    return AssistantMessage(content=summary)
            if rng.random() < 0.2:
                return AssistantMessage(content=message.content + ("" if self.brain.language == "zh" else " ")
                                        + rng.choice(p["closing"]))
        return message

    def _other_choice(self, message: AssistantMessage) -> AssistantMessage:
        """Where the blueprint allows several values (`priority: [high, normal]`), a model may
        pick any of them: half the time, the brain picks another than the offline assistant."""
        calls = []
        names = [c.name for c in message.tool_calls]
        for call in message.tool_calls:
            spec, args = self.pack.domain.tools.get(call.name), call.parsed_arguments()
            expected = self._expected(call) if names.count(call.name) == 1 else None
            for name in expected.args if expected is not None and spec is not None and args is not None else ():
                raw = expected.args[name]
                if not isinstance(raw, list):
                    continue
                options = acceptable_values(self.allowed(call, name), spec.parameters.get("properties", {}).get(name))
                others = [o for o in options or [] if o != args.get(name)]
                if others and self.rng.random() < 0.5:
                    args = {**args, name: self.rng.choice(others)}
            calls.append(call if args == call.parsed_arguments() else
                         ToolCall(id=call.id, name=call.name, arguments=json.dumps(args, ensure_ascii=False)))
        return AssistantMessage(content=message.content, tool_calls=tuple(calls))

    def _second_lookup(self) -> AssistantMessage | None:
        """A read call made earlier, once more, before a write (a careful model re-checks)."""
        if not any(self.writes(c.name) for c in self.correct.tool_calls):
            return None
        earlier = [c for m in self.messages if isinstance(m, AssistantMessage) for c in m.tool_calls
                   if read_only(self.pack, c.name) is True]
        if not earlier:
            return None
        call = earlier[-1]
        return AssistantMessage(tool_calls=(ToolCall(id=self.new_call_id(), name=call.name, arguments=call.arguments),))

    def _summary(self, batch: list[ToolMessage]) -> str | None:
        p, language = self.brain.phrases, self.brain.language
        labels = self.pack.domain.config.labels
        details = []
        for result in batch:
            for path, value in leaves(parsed(result)):
                if value is None or isinstance(value, bool) or not path or not isinstance(path[-1], str):
                    continue
                if isinstance(value, str) and (len(value) > 40 or value.startswith("http")):
                    continue
                label = slot_label(path[-1], language, labels)
                details.append(p["detail"].format(label=label, value=self._written(value)))
                if len(details) >= 5:
                    break
        return self.rng.choice(p["summary"]).format(details=p["joiner"].join(details)) if details else None

    def _written(self, value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.2f}"
        if isinstance(value, str) and ISO_DAY.match(value) and self.rng.random() < 0.5:
            day = date.fromisoformat(value)
            if self.brain.language == "zh":
                return f"{day.month}月{day.day}日"
            return f"{EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
        if isinstance(value, str):
            return self.said(value)
        return str(value)


def provider_to_messages(body: list[dict[str, Any]]) -> list[Message]:
    """The request's OpenAI-shaped messages as toolsim messages (what the brain reads)."""
    from simulator.core.messages import SystemMessage

    out: list[Message] = []
    names: dict[str, str] = {}
    for m in body:
        role = m["role"]
        if role == "system":
            out.append(SystemMessage(content=m["content"]))
        elif role == "user":
            out.append(UserMessage(content=m["content"]))
        elif role == "assistant":
            calls = tuple(ToolCall(id=c["id"], name=c["function"]["name"], arguments=c["function"]["arguments"])
                          for c in m.get("tool_calls") or [])
            names.update({c.id: c.name for c in calls})
            out.append(AssistantMessage(content=m.get("content") or None, tool_calls=calls))
        elif role == "tool":
            content = m["content"]
            try:
                is_error = set(json.loads(content)) == {"error"}
            except (ValueError, TypeError):
                is_error = False
            out.append(ToolMessage(tool_call_id=m["tool_call_id"], name=names.get(m["tool_call_id"], ""),
                                   content=content, is_error=is_error))
    return out
