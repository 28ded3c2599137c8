"""The offline user: plays a scenario's script in a persona's voice, without a model.

Each scripted turn becomes one message (a `say` variant filled with the episode's facts). A
cooperative persona also volunteers the facts the turn needs; a guarded one keeps them back and
gives them only when the assistant asks, which is what produces clarification dialogues. A vague
persona (`vagueness`) also prefers, by that chance, a script line that names no id or e-mail, so
the assistant has to ask for it. After the last turn is answered, the user says goodbye and ends
with the stop token.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Sequence

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    Message,
    ToolMessage,
    UserMessage,
    user_text,
)
from simulator.simulate.agents.base import count_call, new_usage
from simulator.simulate.agents.script import names_an_id, script_of, template_slots
from simulator.simulate.agents.slot_words import mentions_slot
from simulator.simulate.agents.style import Styler
from simulator.spec.blueprint import render_prose
from simulator.words.chinese_script import to_simplified

if TYPE_CHECKING:  # the episode module pulls in the tool environment; agents only read the context
    from simulator.simulate.episode import EpisodeContext


def is_question(message: AssistantMessage) -> bool:
    content = message.content or ""
    return not message.tool_calls and ("?" in content or "？" in content)


class OfflineUser:
    """Deterministic `UserAgent` driven by the scenario script and the persona."""

    def __init__(self, ctx: "EpisodeContext") -> None:
        self.usage = new_usage()
        self.scenario = ctx.scenario
        self.persona = ctx.persona
        self.facts = ctx.facts
        # An own stream: the assistant drawing more or fewer numbers must not change the user.
        self.rng = random.Random(ctx.rng.getrandbits(64))
        self.labels = ctx.domain.config.labels
        self.style = Styler(ctx.persona, self.rng, ctx.facts, self.labels, ctx.domain.config.asides)
        self.may_volunteer = ctx.scenario.category != "clarification"
        self.template = ctx.template  # the first turn's seed, drawn per episode (episode.choose_template)
        self.turn = -1  # index of the scripted turn said last
        self.said: set[str] = set()  # slots that have appeared in a user message
        self._needs = [[s for s in plan.needed if s in ctx.facts] for plan in script_of(ctx.scenario)]

    async def respond(self, messages: Sequence[Message]) -> UserMessage:
        count_call(self.usage)
        return user_text(self.next_message(messages))

    def next_message(self, messages: Sequence[Message]) -> str:
        """The text of the next user message (synchronous core of `respond`)."""
        if self.turn < 0:
            return self._say_turn(0, messages)
        last = _last_assistant(messages)
        missing = self.missing_slots()
        if last is not None and missing and not last.tool_calls:
            text = (last.content or "").lower()
            if self.persona.script == "traditional":  # its keywords are written in Simplified
                text = to_simplified(text)
            # "请提供订单号。" asks without a question mark: naming a missing fact counts too.
            if is_question(last) or any(mentions_slot(text, s, self.labels) for s in missing):
                return self._answer(missing, text)
        if self.turn + 1 < len(self.scenario.turns):
            return self._say_turn(self.turn + 1, messages)
        return f"{self.style.closing()} {STOP_TOKEN}"

    def missing_slots(self) -> list[str]:
        """Facts the current turn needs that the user has not said yet."""
        return [s for s in self._needs[self.turn] if s not in self.said]

    def _say_turn(self, index: int, messages: Sequence[Message]) -> str:
        self.turn = index
        turn = self.scenario.turns[index]
        variants = turn.say.for_language(self.persona.language) or turn.say.en
        if index == 0:
            template = variants[self.template % len(variants)]
        else:
            if self.persona.vagueness and self.rng.random() < self.persona.vagueness:
                variants = [v for v in variants if not names_an_id(v, self.facts)] or variants
            template = self.rng.choice(variants)
        core = render_prose(template, self.facts, language=self.persona.language)
        self.said |= template_slots(template)
        volunteered: list[str] = []
        missing = self.missing_slots()
        if missing:  # an order number a lookup already showed is not the user's to repeat
            shown = _shown_in_conversation(missing, self.facts, messages)
            self.said.update(shown)
            missing = [s for s in missing if s not in shown]
        if missing and self.may_volunteer and self.rng.random() < self.persona.cooperativeness:
            volunteered = self.style.fact_sentences(missing, "volunteer")
            self.said.update(missing)
        return self.style.request(core, volunteered, first=index == 0)

    def _answer(self, missing: list[str], question: str) -> str:
        """Give what was asked for; a cooperative persona adds the rest of what is missing."""
        asked = [s for s in missing if mentions_slot(question, s, self.labels)]
        if not asked:
            asked = missing
        elif self.may_volunteer and self.rng.random() < self.persona.cooperativeness:
            asked = missing
        self.said.update(asked)
        return self.style.answer(asked)


def _shown_in_conversation(slots: list[str], facts: dict, messages: Sequence[Message]) -> set[str]:
    """Slots whose value already appears in an assistant message or a tool result."""
    texts = [m.content for m in messages if isinstance(m, (AssistantMessage, ToolMessage)) and m.content]
    if not texts:
        return set()
    seen = " ".join(texts).lower()
    return {s for s in slots if isinstance(facts[s], str) and facts[s].lower() in seen}


def _last_assistant(messages: Sequence[Message]) -> AssistantMessage | None:
    for message in reversed(messages):
        if isinstance(message, AssistantMessage):
            return message
        if isinstance(message, UserMessage):
            return None
    return None
