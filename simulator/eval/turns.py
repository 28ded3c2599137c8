"""Turn-level evaluation (the BFCL way): every assistant turn of a split, asked of the model, scored.

`evaluate_turns` builds the items (`simulator.eval.items`), asks the model for each
(`simulator.eval.replay`), scores each (`simulator.eval.score`) and sums up
(`simulator.eval.metrics`) into the dict written as eval.json (`simulator.eval.result`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from simulator.core import gc_tuning
from simulator.core.records import RoleUsage, Trace
from simulator.core.rundir import RunDir
from simulator.eval.items import EvalItem, iter_items, selected_traces, turns_in
from simulator.eval.metrics import group_accuracy, turn_metrics
from simulator.eval.replay import Answer, ask_all
from simulator.eval.result import usage_dict
from simulator.eval.score import score_turn
from simulator.export.answers import Turn
from simulator.llm.client import LLMClient
from simulator.spec.models import ModelSettings
from simulator.spec.pack import Pack

MEASURED = [
    "turn level: each assistant turn of the split's records, asked with the reference conversation before it",
    "parse rate, call / no-call decision, tool selection, AST argument match, exact match, per-argument "
    "precision and recall, clarification, hallucination",
]


@dataclass
class TurnEvalOptions:
    split: str = "test"
    concurrency: int = 16
    limit: int | None = None  # records, for a quick look


def answer_key(turn: Turn) -> list[dict[str, Any]]:
    return [
        {"tool": c.tool, "args": {
            name: {"values": list(a.values), **({"free_text": True} if a.free_text else {}),
                   **({"optional": True} if a.optional else {})}
            for name, a in c.args.items()
        }}
        for c in turn.calls
    ]


def output_dict(answer: Answer) -> dict[str, Any] | None:
    if answer.output is None:
        return None
    return {
        "content": answer.output.content,
        "tool_calls": [{"name": c.name, "arguments": c.arguments} for c in answer.output.tool_calls],
    }


def item_record(item: EvalItem, answer: Answer, tools: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": item.id, "trace_id": item.trace_id, "turn": item.turn.number, "tags": item.tags,
        "user": item.last_user, "reference": item.reference, "answer": answer_key(item.turn),
        "output": output_dict(answer),
    }
    if answer.raw is not None and answer.output is not None and answer.raw != (answer.output.content or None):
        record["raw"] = answer.raw
    if answer.error is not None:
        record["status"], record["error"] = "error", answer.error
        return record
    assert answer.output is not None
    record["status"] = "ok"
    record["score"] = score_turn(answer.output, item.turn, tools, item.evidence).as_dict()
    return record


def summarise(items: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics, groups) of the scored items."""
    scored = [i for i in items if i.get("status") == "ok"]
    return turn_metrics([i["score"] for i in scored]), group_accuracy(scored)


async def ask_items(pack: Pack, traces: list[Trace], settings: ModelSettings, client: LLMClient, concurrency: int,
                    progress: Callable[[int], Any] | None = None) -> tuple[list[dict[str, Any]], RoleUsage]:
    """Every item of `traces` asked and scored: (item records in order, usage). `progress(n)` is
    called with the number of items done so far."""
    gc_tuning.settle()  # the pack and the traces live through every call
    tools = list(pack.domain.tools.values())
    built: list[EvalItem] = []
    scored: dict[int, dict[str, Any]] = {}

    def prompts() -> Any:
        """Items are built as workers ask for them, while earlier requests are in flight."""
        for item in iter_items(pack, traces):
            built.append(item)
            yield item.messages

    def done(index: int, answer: Answer) -> None:
        scored[index] = item_record(built[index], answer, pack.domain.tools)
        if progress is not None:
            progress(len(scored))

    answers = await ask_all(client, settings, prompts(), tools, concurrency=concurrency, done=done)
    usage = RoleUsage()
    for answer in answers:
        usage.add(answer.usage)
    return [scored[i] for i in range(len(built))], usage


def held_out(pack: Pack) -> list[str]:
    """What the split does not hold out (said in the report): whole seed templates are held out
    only by a `split: {hold_out: template}` run (issue 12); otherwise test conversations share no
    user message and no near-duplicate with training, but may come from the same templates."""
    if getattr(pack.file.generation.split, "hold_out", None) == "template":
        return []
    return ["held-out templates: this run's split keeps conversations apart (no shared user message, no "
            "near-duplicate), not whole seed templates (split.hold_out: template), so test turns may share "
            "a template with training turns"]


def turn_result(run: RunDir, pack: Pack, settings: ModelSettings, split: str, records: list[dict[str, Any]],
                usage: RoleUsage) -> dict[str, Any]:
    """The eval.json content from the scored items."""
    metrics, groups = summarise(records)
    return {
        "kind": "turns",
        "model": settings.model_dump(mode="json", exclude_none=True),
        "source": str(run.path),
        "pack": pack.name,
        "split": split,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "measured": MEASURED,
        "not_measured": held_out(pack),
        "usage": usage_dict(usage),
        "errors": sum(1 for r in records if r["status"] == "error"),
        "metrics": metrics,
        "groups": groups,
        "items": records,
    }


async def evaluate_turns(run: RunDir, settings: ModelSettings, client: LLMClient, options: TurnEvalOptions,
                         progress: Callable[[int, int], Any] | None = None) -> dict[str, Any]:
    """The eval.json content of one model on one split of a run."""
    pack, traces = selected_traces(run, options.split, options.limit)
    total = sum(turns_in(t) for t in traces)
    records, usage = await ask_items(pack, traces, settings, client, options.concurrency,
                                     None if progress is None else (lambda n: progress(n, total)))
    return turn_result(run, pack, settings, options.split, records, usage)
