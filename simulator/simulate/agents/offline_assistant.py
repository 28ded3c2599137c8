"""The offline assistant: a reference policy that follows the scenario's blueprint.

Per scripted turn it makes the expected calls, in order, as soon as their arguments are known
from what the user said (independent calls go out together as parallel calls), asks a clarifying
question when a needed fact is missing, and then answers from the tool results with the domain's
reply templates. Turns without expected calls get the scenario's conversational answer. The
result is the "gold" behaviour the fine-tuning data teaches.
"""

from __future__ import annotations

import json
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from simulator.core.data_files import read_data_yaml
from simulator.core.messages import (
    AssistantMessage,
    Message,
    ToolCall,
    ToolMessage,
    UserMessage,
    arguments_json,
    assistant_calls,
    assistant_text,
    tool_call,
)
from simulator.simulate.agents.base import count_call, new_usage
from simulator.simulate.agents.named_item import (
    named_items,
    uses_list_summaries,
    uses_named_items,
)
from simulator.simulate.agents.reply_ranking import reply_ranker
from simulator.simulate.agents.result_reading import (
    cites_results,
    mentions_results,
    reads_as_chinese,
    without_nulls,
)
from simulator.simulate.agents.script import TurnPlan, script_of
from simulator.simulate.agents.style import slot_label
from simulator.spec import LocalizedText, Turn
from simulator.spec.blueprint import (
    MissingValue,
    first_choices,
    latest_results,
    render_args,
    render_prose,
)
from simulator.words.chinese_script import to_traditional
from simulator.words.heard import HeardFacts

if TYPE_CHECKING:
    from simulator.simulate.episode import EpisodeContext

PHRASES_FILE = Path(__file__).with_name("assistant_phrases.yaml")
MAX_DETAILS = 6  # plain result fields listed by the generic fallback answer


@lru_cache(maxsize=None)
def fallback_phrases(language: str) -> dict[str, Any]:
    book = read_data_yaml(PHRASES_FILE)
    return book.get(language) or book["en"]


class OfflineAssistant:
    """Deterministic `AssistantAgent` driven by the scenario blueprint."""

    def __init__(self, ctx: "EpisodeContext") -> None:
        self.usage = new_usage()
        self.script = script_of(ctx.scenario)
        self.facts = ctx.facts
        self.config = ctx.domain.config
        self.tools = ctx.domain.tools
        # Parsing every earlier tool result costs; only templates with `{@tool...}` need them.
        self._replies_read_results = mentions_results(self.config)
        self.language = ctx.persona.language
        self.writes = ctx.persona.script  # the user's characters: Traditional Chinese gets Traditional back
        # Enum-like result values ("shipped") as the reply's language says them ("已发货").
        self.labels = self.config.value_labels.get(self.language, {})
        self.phrases = fallback_phrases(self.language)
        self.joiner = "" if self.language == "zh" else " "
        self.rng = random.Random(ctx.rng.getrandbits(64))
        self.heard = HeardFacts()
        self.turn = -1  # index of the scripted turn being served
        self.emitted = 0  # expected calls of this turn already made
        self.awaiting_answer = False  # the last thing we said was a clarifying question
        self.turn_start = 0  # index of the user message that opened this turn
        self._calls_made = 0
        # Called with every set of templates about to be rendered and its context, before the
        # rendering: `toolsim validate` watches which variants can never render (author/rehearse).
        self.watch: Callable[[LocalizedText, Mapping[str, Any], Mapping[str, Any] | None], None] | None = None
        self.ranking = reply_ranker(self.config, self.language)  # which reply variant fits the question

    async def respond(self, messages: Sequence[Message]) -> AssistantMessage:
        count_call(self.usage)
        return self.next_message(messages)

    def next_message(self, messages: Sequence[Message]) -> AssistantMessage:
        """The next assistant message (synchronous core of `respond`). Every sentence is a
        template filled by `render_prose`, so English words agree with the values filled in;
        a user who writes Traditional Chinese is answered in it."""
        message = self._next_message(messages)
        if self.writes == "traditional" and message.content:
            return assistant_text(to_traditional(message.content))
        return message

    def _next_message(self, messages: Sequence[Message]) -> AssistantMessage:
        self.heard.update(messages)
        last = messages[-1] if messages else None
        if isinstance(last, UserMessage):
            if not self.awaiting_answer:  # a new request, not the answer to our question
                self.turn += 1
                self.emitted = 0
                self.turn_start = len(messages) - 1
            self.awaiting_answer = False
        if not 0 <= self.turn < len(self.script):
            return _text(self._pick(self.phrases["beyond_script"]))
        plan = self.script[self.turn]
        if not plan.calls:
            return _text(self._conversational_answer(plan.turn, messages))
        if self.emitted < len(plan.calls) and not _last_batch_failed(messages):
            step = self._next_calls_or_question(plan, messages)
            if step is not None:
                return step
        self.emitted = len(plan.calls)  # the turn is over: answer from what came back
        return _text(self._report(messages))

    # ------------------------------------------------------------ calls and questions

    def _next_calls_or_question(self, plan: TurnPlan, messages: Sequence[Message]) -> AssistantMessage | None:
        """Tool calls for the next expected calls that are ready, or a question for a missing
        fact; None when nothing can be called (a result it depends on is missing)."""
        results: dict[str, Any] | None = None
        batch: list[ToolCall] = []
        batch_tools: set[str] = set()
        for step in plan.calls[self.emitted:]:
            missing = next((s for s in step.slots if not self.heard.knows(self.facts.get(s))), None)
            if missing is not None:
                if batch:
                    break
                self.awaiting_answer = True
                return _text(self._ask(missing))
            if batch_tools.intersection(step.reads):
                break  # needs the result of a call in this batch: next round
            if step.reads and results is None:
                results = latest_results(messages)
            try:
                args = render_args(step.call, self.facts, results)
                spec = self.tools.get(step.call.tool)
                args = first_choices(args, spec.parameters if spec else None)
            except MissingValue:
                break
            self._calls_made += 1
            batch.append(tool_call(f"call_{self._calls_made}", step.call.tool, arguments_json(args)))
            batch_tools.add(step.call.tool)
        if not batch:
            return None
        self.emitted += len(batch)
        return assistant_calls(tuple(batch))

    def _ask(self, slot: str) -> str:
        label = slot_label(slot, self.language, self.config.labels)
        templates = self.config.ask.get(slot) or self.config.ask.get("default")
        rendered = self._render_any(templates, {"slot": label, "label": label})
        return rendered or self._fill(self._pick(self.phrases["ask"]), slot=label)

    # ------------------------------------------------------------ answers

    def _conversational_answer(self, turn: Turn, messages: Sequence[Message]) -> str:
        """The turn's `answer`; it may cite an earlier result (`{@search_flights.flights.0...}`:
        "that flight is sold out; the earliest with seats is ..."), so results are passed along."""
        results = latest_results(messages) if cites_results(turn.answer) else None
        return self._render_any(turn.answer, self.facts, results) or self._pick(self.phrases["no_answer"])

    def _report(self, messages: Sequence[Message]) -> str:
        """Answer from the results of this turn's last batch of calls."""
        batch: list[ToolMessage] = []
        for index in range(len(messages) - 1, self.turn_start, -1):
            message = messages[index]
            if not isinstance(message, ToolMessage):
                break
            batch.append(message)
        if not batch:
            return self._pick(self.phrases["no_result"])
        results = latest_results(messages) if self._replies_read_results else None
        question = (messages[self.turn_start].content or "").lower() if isinstance(messages[self.turn_start], UserMessage) else ""
        return self.joiner.join(self._reply(m, results, question) for m in reversed(batch))

    def _reply(self, message: ToolMessage, results: Mapping[str, Any] | None, question: str = "") -> str:
        try:
            payload = json.loads(message.content)
        except ValueError:
            payload = message.content
        if message.is_error:
            error = payload.get("error", payload) if isinstance(payload, dict) else payload
            if isinstance(error, str):  # templates end the sentence themselves
                error = self._error_text(error).rstrip(".。 ")
            context = {**self.facts, "error": error}
            return self._render_any(self.config.error_reply, context, results) or str(error)
        # Null fields are left out so a template that mentions them (a carrier before shipping)
        # fails to render and another variant is used instead of saying "None".
        payload = without_nulls(payload)
        templates = self.config.replies.get(message.name)
        if isinstance(payload, dict):
            shown = {k: self._label_deep(v) for k, v in payload.items()} if self.labels else payload
            context = {**self.facts, **shown}
            if self.watch is not None or uses_list_summaries(templates, self.language):
                context.update(self._list_summaries(payload))
        else:
            context = {**self.facts, "result": payload}
        if isinstance(payload, dict) and uses_named_items(templates, self.language):
            context.update(named_items(payload, shown, question))  # the order holding the item the user named
        rank = self.ranking.ranker(payload, question, context) if isinstance(payload, dict) else None
        rendered = self._render_any(templates, context, results, rank)
        spec = self.tools.get(message.name)
        return rendered or self._generic_result(payload, writes=spec is not None and spec.writes)

    def _error_text(self, error: str) -> str:
        """The error as our language says it: the domain's `error_texts` entry that matches, the
        message itself when it is already in our language, else a generic phrase (never English in
        a Chinese reply)."""
        for entry in self.config.error_texts:
            found = re.search(entry.match, error)
            if found is None:
                continue
            variants = entry.text.for_language(self.language)
            if variants:
                values = {k: self._label(v) for k, v in found.groupdict().items() if v is not None}
                try:
                    return self._fill(self.rng.choice(variants), **values)
                except MissingValue:
                    break
            break
        if self.language == "en" or (self.language == "zh" and reads_as_chinese(error)):
            return error  # a sim that speaks the reply's language already ("没有人物“张无极”，您是不是要找：张无忌")
        return self._pick(self.phrases["error_unknown"])

    def _list_summaries(self, payload: dict[str, Any]) -> dict[str, Any]:
        """`{orders_count}` and `{orders_list}` ("ORD-1 (shipped, 2026-03-01); ORD-2 (...)") for
        each list of objects in a result, so one template can speak of one order or several."""
        extra: dict[str, Any] = {}
        p = self.phrases
        for key, value in payload.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                entries = []
                for element in value:
                    scalars = _first_scalars(element, self.labels)
                    if scalars:
                        rest = p["list_rest_joiner"].join(scalars[1:3])
                        entries.append(self._fill(p["list_item"], head=scalars[0], rest=rest) if rest else scalars[0])
                extra[f"{key}_count"] = len(value)
                extra[f"{key}_list"] = p["list_joiner"].join(entries)
        return extra

    def _generic_result(self, payload: Any, writes: bool) -> str:
        """A plain but natural sentence from a result's scalar fields; "Done." only for a tool that
        changes something (said of a lookup, it claims a change nobody made)."""
        phrases = self.phrases["result_of_write" if writes else "result"]
        if not isinstance(payload, dict):
            return self._fill(self._pick(phrases), details=str(payload))
        pairs = [
            self._fill(self.phrases["detail"], label=slot_label(k, self.language, self.config.labels), value=self._label(v))
            for k, v in payload.items()
            if isinstance(v, (str, int, float)) and not isinstance(v, bool)
        ]
        # Lists of objects (the books a search found) are what a result is about: name them too,
        # rather than answer a search with its count alone, or with "couldn't find" when it has
        # nothing else.
        pairs += [
            self.phrases["detail"].format(label=slot_label(k[:-5], self.language, self.config.labels), value=v)
            for k, v in self._list_summaries(payload).items() if k.endswith("_list") and v
        ]
        pairs += [  # a list of plain values (the branches of a city)
            self.phrases["detail"].format(label=slot_label(k, self.language, self.config.labels),
                                          value=self.phrases["detail_joiner"].join(str(self._label(x)) for x in v[:5]))
            for k, v in payload.items()
            if isinstance(v, list) and v
            and all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in v)
        ]
        pairs = pairs[:MAX_DETAILS]
        if not pairs:
            return self._pick(self.phrases["no_result"])
        return self._fill(self._pick(phrases), details=self.phrases["detail_joiner"].join(pairs))

    # ------------------------------------------------------------ helpers

    def _label(self, value: Any) -> Any:
        return self.labels.get(value, value) if isinstance(value, str) else value

    def _label_deep(self, value: Any) -> Any:
        """Value labels inside nested objects and lists too (a profile's `preferences.seat`)."""
        if isinstance(value, dict):
            return {k: self._label_deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._label_deep(v) for v in value]
        return self._label(value)

    def _render_any(
        self, templates: LocalizedText | None, context: Mapping[str, Any], results: Mapping[str, Any] | None = None,
        rank: Any = None,
    ) -> str | None:
        """Render one of the variants for our language, starting at a random one (the best ranked
        first when `rank` scores them); None if none fits."""
        if self.watch is not None and templates is not None:
            self.watch(templates, context, results)
        variants = templates.for_language(self.language) if templates else []
        if not variants:
            return None
        start = self.rng.randrange(len(variants))
        ordered = variants[start:] + variants[:start]
        if rank is not None:
            ordered.sort(key=rank, reverse=True)  # stable: ties keep the random order
        for template in ordered:
            try:
                return render_prose(template, context, results, self.language, dates_in_words=True)
            except MissingValue:
                continue
        return None

    def _fill(self, phrase: str, **values: Any) -> str:
        """A phrase-book sentence with its values, agreeing with them (`render_prose`)."""
        return render_prose(phrase, values, None, self.language)

    def _pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)


def _first_scalars(element: dict[str, Any], labels: Mapping[str, Any]) -> list[str]:
    """The first three plain values of a list element, labelled, as text: all a list entry says
    (a search's result elements carry a dozen fields; the rest were stringified for nothing)."""
    scalars: list[str] = []
    for v in element.values():
        if isinstance(v, str):
            scalars.append(str(labels.get(v, v)))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            scalars.append(str(v))
        else:
            continue
        if len(scalars) == 3:
            break
    return scalars


def _text(content: str) -> AssistantMessage:
    return assistant_text(content)


def _last_batch_failed(messages: Sequence[Message]) -> bool:
    """Did any result of the batch that just came back fail?"""
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            return False
        if message.is_error:
            return True
    return False
