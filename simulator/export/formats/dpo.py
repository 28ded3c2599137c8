"""DPO preference pairs: `{"prompt": [...], "chosen": [...], "rejected": [...], "tools": [...]}`.

The pair comes from two records of the same episode plan (same scenario, persona, slots and
seed; different samples) that the judge accepted and rejected. TRL's conversational preference
format ("Preference", docs/source/dataset_formats.md) splits the conversation into a shared
prompt and two continuations:

- `prompt` is the longest shared prefix of messages, cut back to end at a user message. TRL
  renders the prompt with a generation prompt and refuses any other last role ("Invalid role in
  the last message: tool"), so a divergence after a shared tool round keeps that round inside
  both continuations (identical tokens on both sides cancel in the DPO loss). The prompt always
  holds the system message (if any) and at least the first user message; pairs that differ
  before that skip (`no_shared_prompt`).
- `chosen` / `rejected` are each record's answer to that prompt: what follows it up to the
  next user message (the assistant's reply with its tool rounds). Later turns are left out:
  after a mistake the two conversations are no longer about the same thing, and the preference
  is about the answer that differs. Both are in the TRL representation (`arguments`
  as objects, tool messages with `name`; see trl.py): `DPOTrainer` renders prompt + chosen and
  prompt + rejected with `apply_chat_template(..., tools=tools)`, so both sides render exactly
  as the model's template renders the conversation.
- `tools` is the shared tool list (a list, as `apply_chat_template` takes it); pairs whose
  tools differ skip. `parallel_calls` works as in `trl`.

Offline runs make pairs too: `toolsim run --mistake-share 0.2` has the offline assistant play a
share of episodes with a labelled mistake the judge rejects (`simulator.simulate.agents.mistakes`),
next to the same plan played correctly.

Messages are compared ignoring tool-call ids, which differ between two runs of one plan.
`pairs_from(groups)` turns judged records grouped by episode plan into (chosen, rejected) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from simulator.export.formats.base import (
    PARALLEL_POLICIES,
    Converter,
    SkipRecord,
    calls_of,
    check_choice,
    messages_of,
    tool_specs,
)
from simulator.export.formats.registry import export_format
from simulator.export.formats.trl import trl_messages

Pair = tuple[Mapping[str, Any], Mapping[str, Any]]
#: One episode plan's judged records: (canonical record, "accept" / "reject" / bool).
JudgedGroup = Sequence[tuple[Mapping[str, Any], Any]]


def comparable(message: Mapping[str, Any]) -> Any:
    """A message without the ids that differ between two runs of the same plan."""
    calls = [
        (call.get("function", call).get("name"), call.get("function", call).get("arguments"))
        for call in calls_of(message)
    ]
    return (message.get("role"), message.get("content") or "", tuple(calls))


def shared_prompt_length(chosen: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> int:
    """How many leading messages form the prompt: the shared prefix cut back to its last user
    message (0 when the prefix holds no user message)."""
    shared = 0
    for a, b in zip(chosen, rejected):
        if comparable(a) != comparable(b):
            break
        shared += 1
    while shared and chosen[shared - 1]["role"] != "user":
        shared -= 1
    return shared


def answer_after(messages: list[dict[str, Any]], cut: int) -> list[dict[str, Any]]:
    """The messages after the prompt up to (not including) the next user message."""
    end = next((i for i in range(cut, len(messages)) if messages[i]["role"] == "user"), len(messages))
    return messages[cut:end]


@export_format()
class DPOConverter(Converter):
    name = "dpo"
    input_kind = "pair"

    def __init__(self, parallel_calls: str = "keep") -> None:
        super().__init__()
        self.parallel_calls = check_choice("parallel_calls", parallel_calls, PARALLEL_POLICIES)

    def _convert(self, pair: Pair) -> dict[str, Any]:
        chosen_record, rejected_record = pair
        chosen = self.apply_parallel_policy(messages_of(chosen_record), self.parallel_calls)
        rejected = self.apply_parallel_policy(messages_of(rejected_record), self.parallel_calls)
        if tool_specs(chosen_record) != tool_specs(rejected_record):
            raise SkipRecord("tools_differ")
        cut = shared_prompt_length(chosen, rejected)
        if cut == 0:
            raise SkipRecord("no_shared_prompt")
        chosen_answer, rejected_answer = answer_after(chosen, cut), answer_after(rejected, cut)
        if [comparable(m) for m in chosen_answer] == [comparable(m) for m in rejected_answer]:
            raise SkipRecord("identical_completions")
        return {
            "prompt": trl_messages(chosen[:cut]),
            "chosen": trl_messages(chosen_answer),
            "rejected": trl_messages(rejected_answer),
            "tools": tool_specs(chosen_record),
        }


def _accepted(decision: Any) -> bool:
    if isinstance(decision, bool):
        return decision
    if decision in ("accept", "reject"):
        return decision == "accept"
    raise ValueError(f"decision must be 'accept', 'reject' or a bool, not {decision!r}")


def pairs_from(groups: Mapping[Any, JudgedGroup] | Iterable[JudgedGroup]) -> Iterator[Pair]:
    """(chosen, rejected) pairs from judged records grouped by episode plan.

    Each group is a sequence of (canonical record, decision) with decision "accept"/"reject"
    (a `Verdict.final_decision`) or a bool. Every rejected record is used once, paired with the
    group's accepted records in turn (round robin), so no rejected sample is lost and no
    accepted one dominates; groups without both kinds give nothing. Deterministic: input order.
    """
    for group in groups.values() if isinstance(groups, Mapping) else groups:
        judged = [(record, _accepted(decision)) for record, decision in group]
        accepted = [record for record, ok in judged if ok]
        rejected = [record for record, ok in judged if not ok]
        if not accepted:
            continue
        for index, record in enumerate(rejected):
            yield accepted[index % len(accepted)], record
