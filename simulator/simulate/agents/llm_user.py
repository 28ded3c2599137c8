"""The user played by a model, and the checks that keep its known failure modes out of the data.

The model sees a role-flipped conversation: the assistant's words arrive as "user" turns and its
own earlier messages are its "assistant" turns; tool calls and results are invisible to it, as
they are to a real customer. Its system prompt (`prompts/user.md`) gives the persona, the goal,
the facts it may use and the scenario's hand-written script; it ends the chat with `###STOP###`.

User simulators fail in recognisable ways (tau-bench and others report the same list), and one
bad user turn spoils a whole training example, so every reply is checked and a defect ends the
episode with a named reason instead of being recorded as data:

- `empty_message`: nothing to say and no stop token;
- `premature_stop`: stopping before any call the scenario expects has happened;
- `role_leak`: speaking as the assistant ("How can I help you?", role labels, tool markup);
- `invented_fact`: an identifier or e-mail address the scenario never gave and the assistant
  never said.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Sequence

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    Message,
    SystemMessage,
    ToolMessage,
    UserMessage,
    has_stop_token,
    strip_stop_token,
)
from simulator.core.records import RoleUsage
from simulator.llm.client import LLMClient
from simulator.llm.templates import fill, load_prompt
from simulator.simulate.agents.base import UserDefect
from simulator.simulate.episode import EpisodeContext
from simulator.spec import Persona
from simulator.spec.blueprint import MissingValue, render_text
from simulator.spec.models import ModelSettings

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (Simplified)"}

# Identifier-like strings a user could only know from the scenario or the assistant.
# ASCII classes, not \w/\b: in Chinese text "订单ORD-83304里" has no word boundary around the id.
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,6}-\d{3,}(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

ROLE_LEAK = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*\**(assistant|agent|system|ai|support)\**\s*[:：]",
        r"<\s*/?\s*tool_(call|response)\s*>|\"tool_calls\"",
        r"\bhow (can|may) i (help|assist) you\b",
        r"\bis there anything else i can (help|assist|do)\b",
        r"\bas an ai\b",
        r"\bi('m| am) an? (ai|language model|virtual assistant)\b",
        r"有什么(可以|能)(帮|为)(您|你)",
        r"我(是|作为)(一个)?(人工智能|AI|智能)?助手",
    )
]


def _style(persona: Persona) -> str:
    parts = [f"{persona.formality} tone", f"{persona.verbosity} messages"]
    if persona.typo_rate > 0:
        parts.append(f"typos or abbreviations in about {round(persona.typo_rate * 100)}% of your messages")
    if persona.frustration >= 0.3:
        parts.append("you are frustrated and it shows")
    elif persona.frustration > 0:
        parts.append("now and then a little impatient")
    parts.append(f"you tolerate about {persona.patience} clarifying question(s) calmly before getting annoyed")
    return "; ".join(parts) + "."


def _traits(persona: Persona) -> str:
    """The optional traits as instructions, one line each ("- (none)" when all are defaults)."""
    lines = []
    if persona.expertise == "novice":
        lines.append("You are not at home with these things: you hedge, apologise and sometimes have to look details up.")
    elif persona.expertise == "expert":
        lines.append("You know how these systems work: precise, no small talk.")
    if persona.emotion != "calm":
        lines.append(f"Your mood is {persona.emotion}, and it shows now and then.")
    if not persona.native_speaker:
        lines.append(f"{LANGUAGE_NAMES.get(persona.language, persona.language)} is not your first language: "
                     "simple, slightly textbook phrasing, no contractions or idioms.")
    if persona.code_switching:
        other = "English" if persona.language == "zh" else "Chinese"
        lines.append(f"In about {_percent(persona.code_switching)} of your messages you mix in {other} words "
                     "(e.g. order, refund, check 一下), as bilingual people do.")
    if persona.abbreviation_rate:
        lines.append(f"About {_percent(persona.abbreviation_rate)} of your messages use chat shorthand (pls, u, thx).")
    if persona.punctuation == "none":
        lines.append("You type on a phone and use no punctuation at all (ids, e-mails and amounts stay exact).")
    if persona.asks_for_human:
        lines.append("Early on you say you would rather talk to a human if this gets complicated, but you keep "
                     "answering and pursuing your goal; you do not insist on a transfer.")
    if persona.rambling:
        lines.append("You drift into unrelated asides (something you meant to ask, a story), then drop them: "
                     "an aside never becomes a new request.")
    if persona.vagueness:
        lines.append("You are vague: you refer to things loosely and give ids or e-mail addresses only when asked.")
    return "\n".join(f"- {line}" for line in lines) or "- (none)"


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _volunteer(persona: Persona) -> str:
    if persona.cooperativeness >= 0.7:
        return "You tend to give the relevant facts up front, without being asked."
    if persona.cooperativeness <= 0.3:
        return "You rarely volunteer facts: give each one only when the assistant asks for it."
    return "You sometimes mention facts up front, and give the rest when asked."


def _script(ctx: EpisodeContext) -> str:
    lines = []
    for number, turn in enumerate(ctx.scenario.turns, 1):
        variants = turn.say.for_language(ctx.persona.language) or turn.say.for_language("en")
        if not variants:
            continue
        # The opening line is the episode's seed (held-out splits group by it); later ones the first.
        seed = variants[ctx.template % len(variants)] if number == 1 else variants[0]
        try:
            lines.append(f"{number}. {render_text(seed, ctx.facts)}")
        except MissingValue:  # refers to a tool result the assistant has not given yet
            lines.append(f"{number}. (react to what the assistant told you) {seed}")
    return "\n".join(lines) or "(no script: follow your goal)"


def system_prompt(ctx: EpisodeContext) -> str:
    persona = ctx.persona
    language = ctx.persona.language
    facts = "\n".join(f"- {name}: {_as_text(value, language)}" for name, value in ctx.facts.items()) or "- (none)"
    return fill(
        load_prompt("simulator.simulate.agents", "user.md"),
        persona=f"{persona.name}. {persona.description}".strip(),
        language=("Chinese in Traditional characters, as written in Taiwan" if persona.script == "traditional"
                  else LANGUAGE_NAMES.get(persona.language, persona.language)),
        style=_style(persona),
        traits=_traits(persona),
        goal=ctx.scenario.goal,
        facts=facts,
        volunteer=_volunteer(persona),
        script=_script(ctx),
        stop=STOP_TOKEN,
    )


def _as_text(value: Any, language: str = "en") -> str:
    """A fact as the user should think of it. A phrase-per-language mapping (a relative day, an
    alias, a reason) is said in the user's words, with what it means for reference: "this
    Saturday" (means 2026-03-14) — a user who types the ISO date teaches no resolving."""
    if isinstance(value, dict) and isinstance(value.get(language), str) and "code" in value:
        return f'say it as "{value[language]}" (it means {value["code"]})'
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def flipped(messages: Sequence[Message], opening: str) -> list[Message]:
    """The conversation from the user's side: the assistant's words become "user" turns, the
    user's own become "assistant" turns; tool traffic and the system prompt are dropped.
    Consecutive turns of one side are merged (providers want alternation)."""
    out: list[Message] = [UserMessage(content=opening)]
    for message in messages:
        if isinstance(message, UserMessage):
            turn: Message = AssistantMessage(content=message.content)
        elif isinstance(message, AssistantMessage) and message.content:
            turn = UserMessage(content=message.content)
        else:
            continue
        last = out[-1]
        if type(last) is type(turn):
            out[-1] = type(turn)(content=f"{last.content}\n\n{turn.content}")  # type: ignore[call-arg]
        else:
            out.append(turn)
    return out


def _flatten(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    elif value is not None:
        yield str(value)


def _known_text(ctx: EpisodeContext, messages: Sequence[Message]) -> str:
    """Everything the user may legitimately repeat: its facts and all earlier text."""
    parts = list(_flatten(ctx.facts))
    for message in messages:
        if isinstance(message, (UserMessage, ToolMessage)):
            parts.append(message.content)
        elif isinstance(message, AssistantMessage):
            parts.append(message.content or "")
            parts.extend(c.arguments for c in message.tool_calls)
    return "\n".join(parts).lower()


def find_defect(ctx: EpisodeContext, messages: Sequence[Message], reply: str) -> tuple[str, str] | None:
    """(reason, detail) of the first defect in the user's reply, or None when it is fine."""
    stops = has_stop_token(reply)
    text = strip_stop_token(reply) if stops else reply.strip()
    if not text and not stops:
        return "empty_message", "the user model wrote nothing"
    if stops:
        expected = {c.tool for t in ctx.scenario.turns for c in t.expect}
        made = {c.name for m in messages if isinstance(m, AssistantMessage) for c in m.tool_calls}
        if expected and not expected & made:
            return "premature_stop", f"stopped before any expected call ({', '.join(sorted(expected))})"
    for pattern in ROLE_LEAK:
        if pattern.search(text):
            return "role_leak", f"speaks as the assistant: {pattern.pattern!r}"
    known = _known_text(ctx, messages)
    for pattern in (IDENTIFIER, EMAIL):
        for value in pattern.findall(text):
            if value.lower() not in known:
                return "invented_fact", f"{value!r} is neither a scenario fact nor said earlier"
    return None


class LLMUser:
    def __init__(self, ctx: EpisodeContext, settings: ModelSettings, client: LLMClient) -> None:
        self.ctx = ctx
        self.settings = settings
        self.client = client
        self.usage = RoleUsage()
        self._system = SystemMessage(content=system_prompt(ctx))  # one object: its encoding is kept by the client
        self._opening = load_prompt("simulator.simulate.agents", "user_start.md").strip()

    async def respond(self, messages: Sequence[Message]) -> UserMessage:
        conversation = [self._system, *flipped(messages, self._opening)]
        completion = await self.client.complete(self.settings, conversation, cache_salt=self.ctx.episode.id)
        self.usage.add(completion.usage)
        reply = (completion.message.content or "").strip()
        defect = find_defect(self.ctx, messages, reply)
        if defect is not None:
            raise UserDefect(*defect)
        return UserMessage(content=reply)


def make_llm_user(ctx: EpisodeContext, settings: ModelSettings, client: LLMClient) -> LLMUser:
    """The user role played by `settings.model` for one episode."""
    return LLMUser(ctx, settings, client)
