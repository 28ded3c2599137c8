"""Curate the accepted traces and write `dataset/`: the last two stages of a run.

Works from the small summaries the runner kept, then streams `traces.jsonl` once to write the
chosen records into their split files, so memory does not grow with the trace count. Every file
is written to a temporary name and renamed, so a crash never leaves a half-written dataset.
`selection.json` records which trace went to which split (stats, audit and re-export read it).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from simulator.curate import dedupe_exact, select_quota, split
from simulator.export.atomic import atomic_write
from simulator.export.card import render_card
from simulator.export.openai import to_openai_record
from simulator.pack import Pack
from simulator.plan import NO_TOOL, Targets
from simulator.records import Trace
from simulator.rundir import RunDir, iter_jsonl

if TYPE_CHECKING:
    from simulator.runner import RunResult, RunState

SPLITS = ("train", "validation", "test")
SELECTION = "selection.json"


def write_split_files(run_dir: RunDir, pack: Pack, assignment: dict[str, str]) -> None:
    """Stream traces once and write each chosen one, as an OpenAI record, to its split file."""
    out = run_dir.dataset_dir
    out.mkdir(parents=True, exist_ok=True)
    writers = {name: atomic_write(out / f"{name}.jsonl") for name in SPLITS}
    files = {name: w.__enter__() for name, w in writers.items()}
    error: BaseException | None = None
    try:
        for raw in iter_jsonl(run_dir.traces_path):
            name = assignment.get(raw["id"])
            if name is None:
                continue
            record = to_openai_record(Trace.model_validate(raw), pack.domain)
            files[name].write(json.dumps(record, ensure_ascii=False))
            files[name].write("\n")
    except BaseException as exc:  # close every writer with the error so none is published
        error = exc
        raise
    finally:
        for w in writers.values():
            if error is None:
                w.__exit__(None, None, None)
            else:
                w.__exit__(type(error), error, error.__traceback__)


def publish_dataset(run_dir: RunDir, pack: Pack, targets: Targets, state: "RunState", *, seed: int) -> "RunResult":
    from simulator.runner import RunResult

    # Sorted by id: completion order varies with concurrency and resume, the dataset must not.
    kept, removed = dedupe_exact(sorted(state.accepted, key=lambda s: s.id))
    per_tool = {c: n for c, n in targets.cells.items() if c != NO_TOOL}
    chosen = select_quota(kept, per_tool, targets.cells.get(NO_TOOL, 0), targets.min_multi_turn)
    ratios = pack.file.generation.split.model_dump()
    assignment = split(chosen, ratios, seed)

    write_split_files(run_dir, pack, assignment)
    with atomic_write(run_dir.path / SELECTION) as f:
        json.dump(assignment, f, indent=0, sort_keys=True)

    per_cell = Counter(s.tool or NO_TOOL for s in chosen)
    per_category = Counter(s.category for s in chosen)
    per_split = Counter(assignment.values())
    tool_split: dict[str, Counter] = defaultdict(Counter)
    for s in chosen:
        tool_split[s.tool or NO_TOOL][assignment[s.id]] += 1
    short = {c: t - per_cell.get(c, 0) for c, t in targets.cells.items() if per_cell.get(c, 0) < t}
    multi = sum(1 for s in chosen if s.multi_turn)

    counts: dict[str, Any] = {
        "tool": dict(sorted(per_cell.items())),
        "category": dict(sorted(per_category.items())),
        "split": {k: per_split.get(k, 0) for k in SPLITS},
        "tool_split": {t: {k: c.get(k, 0) for k in SPLITS} for t, c in sorted(tool_split.items())},
        "language": dict(sorted(Counter(s.language for s in chosen).items())),
        "persona": dict(sorted(Counter(s.persona for s in chosen).items())),
    }
    settings = {
        "scenario_file": str(pack.path),
        "seed": seed,
        "targets": targets.cells,
        "min_multi_turn": targets.min_multi_turn,
        "split": ratios,
        "agents": "offline (template- and blueprint-driven)",
    }
    judge_stats = {
        "episodes": len(state.done),
        "accepted": len(state.accepted),
        "rejected_by_reason": dict(state.rejected.most_common()),
        "duplicates_removed": removed,
    }
    with atomic_write(run_dir.dataset_dir / "README.md") as f:
        f.write(render_card(pack.name, counts, settings, judge_stats))

    return RunResult(
        run_dir=run_dir.path,
        episodes=len(state.done),
        accepted=len(state.accepted),
        rejected=state.rejected,
        failed=state.failed,
        duplicates_removed=removed,
        per_cell=dict(per_cell),
        targets=dict(targets.cells),
        short=short,
        multi_turn=multi,
        splits=counts["split"],
        usage=state.usage,
    )
