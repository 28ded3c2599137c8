"""The offline assistant playing a labelled mistake, for preference pairs made offline.

`toolsim run --mistake-share S` plans, next to a share S of the episodes, a twin (`<id>-mistake`,
`Episode.mistake`) played by `MistakenAssistant`: the reference assistant, except that at its
first chance it makes one mistake of a class in mistakes.yaml — each a class the rule judge
rejects — and records its name on the trace (`Trace.mistake`). Everything before the mistake is
the same as in the correct twin (same seed, same user), so `toolsim export --format dpo` pairs
the accepted twin (chosen) with the rejected one (rejected) over a shared prompt. A mistake twin
never enters the dataset, even if the judge were to miss it (`simulator.run.state`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.data_files import read_data_yaml
from simulator.core.messages import AssistantMessage, Message, ToolCall
from simulator.core.records import Episode
from simulator.simulate.agents.offline_assistant import OfflineAssistant

if TYPE_CHECKING:
    from simulator.simulate.episode import EpisodeContext

TABLE_FILE = Path(__file__).with_name("mistakes.yaml")
MISTAKE_SUFFIX = "-mistake"
_ID_LIKE = re.compile(r"\d{3,}")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@cache
def mistake_table() -> dict[str, Any]:
    return read_data_yaml(TABLE_FILE)


def mistake_classes() -> dict[str, dict[str, str]]:
    """Class name → {check, when, what}, in the table's order."""
    return dict(mistake_table()["classes"])


def with_mistake_twins(episodes: Sequence[Episode], share: float) -> list[Episode]:
    """The episodes, each followed by its mistake twin when the episode is among the `share`
    picked (a deterministic draw per episode id and seed)."""
    if share <= 0:
        return list(episodes)
    out: list[Episode] = []
    for episode in episodes:
        out.append(episode)
        if not episode.mistake and random.Random(f"mistake:{episode.seed}:{episode.id}").random() < share:
            out.append(episode.model_copy(update={"id": episode.id + MISTAKE_SUFFIX, "mistake": True}))
    return out


class MistakenAssistant(OfflineAssistant):
    """The reference assistant, wrong once on purpose; `mistake` names what it did (None until then)."""

    def __init__(self, ctx: "EpisodeContext") -> None:
        super().__init__(ctx)
        self.mistake: str | None = None
        self.mistake_rng = random.Random(f"mistake-class:{ctx.episode.seed}:{ctx.episode.id}")
        self.tools = ctx.domain.tools
        self.no_tool = not any(plan.calls for plan in self.script)

    def next_message(self, messages: Sequence[Message]) -> AssistantMessage:
        message = super().next_message(messages)
        if self.mistake is not None:
            return message
        if message.tool_calls:
            return self._mistake_in_calls(message)
        if (self.no_tool and self.tools and not message.tool_calls and not self.awaiting_answer
                and "needless_call" in mistake_classes()):
            return self._needless_call()
        return message

    # ------------------------------------------------------------ the classes

    def _mistake_in_calls(self, message: AssistantMessage) -> AssistantMessage:
        calls = list(message.tool_calls)
        options = {
            "wrong_tool": self._wrong_tool(calls),
            "skipped_call": lambda: self._claim(),
            "missing_argument": self._missing_argument(calls),
            "invented_value": self._invented_value(calls),
        }
        applicable = [name for name in mistake_classes() if options.get(name) is not None]
        if not applicable:  # a table without skipped_call may have nothing for this batch: try the next one
            return message
        self.mistake = self.mistake_rng.choice(applicable)
        return options[self.mistake]()

    def _wrong_tool(self, calls: list[ToolCall]):
        others = sorted(name for name in self.tools if name != calls[0].name)
        if not others:
            return None
        other = self.mistake_rng.choice(others)
        return lambda: AssistantMessage(tool_calls=(calls[0].model_copy(update={"name": other}), *calls[1:]))

    def _claim(self) -> AssistantMessage:
        """Answer as if done; the turn's calls are over (never made)."""
        self.emitted = len(self.script[self.turn].calls)
        claims = mistake_table()["claims"]
        return AssistantMessage(content=self.mistake_rng.choice(claims.get(self.language) or claims["en"]))

    def _missing_argument(self, calls: list[ToolCall]):
        for index, call in enumerate(calls):
            spec = self.tools.get(call.name)
            args = _arguments(call)
            required = [name for name in (spec.parameters.get("required") or []) if name in args] if spec else []
            if required:
                dropped = self.mistake_rng.choice(required)
                rest = {k: v for k, v in args.items() if k != dropped}
                return lambda: _replace(calls, index, rest)
        return None

    def _invented_value(self, calls: list[ToolCall]):
        for index, call in enumerate(calls):
            args = _arguments(call)
            for name, value in args.items():
                if isinstance(value, str) and _ID_LIKE.search(value) and not _DATE_LIKE.match(value):
                    changed = _other_digits(value, self.mistake_rng)
                    return lambda: _replace(calls, index, {**args, name: changed})
        return None

    def _needless_call(self) -> AssistantMessage:
        self.mistake = "needless_call"
        tool = self.mistake_rng.choice(sorted(self.tools))
        self._calls_made += 1
        return AssistantMessage(tool_calls=(ToolCall(id=f"call_{self._calls_made}", name=tool, arguments="{}"),))


def _arguments(call: ToolCall) -> dict[str, Any]:
    try:
        value = json.loads(call.arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _replace(calls: list[ToolCall], index: int, args: dict[str, Any]) -> AssistantMessage:
    changed = calls[index].model_copy(update={"arguments": json.dumps(args, ensure_ascii=False)})
    return AssistantMessage(tool_calls=(*calls[:index], changed, *calls[index + 1:]))


def _other_digits(value: str, rng: random.Random) -> str:
    """The value with its first run of 3+ digits replaced by different digits of the same length."""
    match = _ID_LIKE.search(value)
    digits = match.group()
    while True:
        new = "".join(rng.choice("0123456789") for _ in digits)
        if new != digits:
            return value[: match.start()] + new + value[match.end():]
