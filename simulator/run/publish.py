"""Curate the accepted traces and write `dataset/`: the last two stages of a run.

Works from the small summaries the runner kept, then streams `traces.jsonl` once to write the
chosen records into their split files, so memory does not grow with the trace count. Every file
is written to a temporary name and renamed, so a crash never leaves a half-written dataset.
`selection.json` records which trace went to which split (stats, audit and re-export read it).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any, Iterable, Mapping

from simulator.core.atomic import FileSet
from simulator.core.names import NO_TOOL, SPLITS
from simulator.core.records import Trace
from simulator.core.rundir import RunDir, trace_id_of_line
from simulator.curate.curator import Curator
from simulator.curate.quotas import balance_report
from simulator.curate.summaries import TraceSummary
from simulator.export.card import render_card
from simulator.export.quality import quality_report
from simulator.export.openai import to_openai_record
from simulator.plan.targets import Targets, compute_targets
from simulator.run.state import RunResult, RunState, judged_traces
from simulator.spec.pack import Pack
from simulator.spec.snapshot import read_snapshot


def _offsets(path, wanted: Mapping[str, str]) -> dict[str, int]:
    """Byte offset of each wanted trace's line: one pass, a few bytes per trace in memory."""
    found: dict[str, int] = {}
    with open(path, "rb") as f:
        offset = 0
        for line in f:
            if line.strip():
                trace_id = trace_id_of_line(line)
                if trace_id in wanted:
                    found[trace_id] = offset
            offset += len(line)
    return found


def write_split_files(run_dir: RunDir, pack: Pack, assignment: dict[str, str], files: FileSet) -> None:
    """Write each chosen trace, as an OpenAI record, to its split file of `files` — in trace-id
    order, not the order episodes happened to finish in (that varies with concurrency and resume),
    so the same run always writes the same bytes. Traces are read back one at a time by offset."""
    out = run_dir.dataset_dir
    offsets = _offsets(run_dir.traces_path, assignment)
    handles = {name: files.open(out / f"{name}.jsonl") for name in SPLITS}
    with open(run_dir.traces_path, "rb") as traces:
        for trace_id in sorted(offsets):
            traces.seek(offsets[trace_id])
            trace = Trace.model_validate_json(traces.readline())
            record = to_openai_record(trace, pack.domain, pack.today_of(trace))
            name = assignment[trace_id]
            handles[name].write(json.dumps(record, ensure_ascii=False))
            handles[name].write("\n")


def publish_dataset(
    run_dir: RunDir, pack: Pack, targets: Targets, state: RunState, *, seed: int,
    curator: Curator | None = None, settings: Mapping[str, Any] | None = None,
) -> RunResult:
    """Curate, split and write `dataset/`, `selection.json` and the card. `curator` is the
    runner's (its near-duplicate index already holds every accepted trace); without one a new
    curator uses the scenario file's dedupe settings. `settings` adds to the card's generation
    settings (the runner passes its budgets and agents)."""
    dedupe = pack.file.generation.dedupe
    curator = curator or Curator(targets, dedupe.near_threshold, dedupe.leak_threshold)
    curated = curator.curate(state.accepted)
    chosen = curated.chosen
    split_config = pack.file.generation.split
    ratios = split_config.ratios()
    assignment = curator.split(chosen, ratios, seed, hold_out=split_config.hold_out)

    # The split files, selection.json and the card are published together (see FileSet): a kill
    # never leaves a new train.jsonl beside an old validation.jsonl.
    files = FileSet(run_dir.publishing_marker)
    try:
        write_split_files(run_dir, pack, assignment, files)
        json.dump(assignment, files.open(run_dir.selection_path), indent=0, sort_keys=True)
        result = _finish(run_dir, pack, targets, state, seed, curator, curated, assignment, settings, files)
    except BaseException:
        files.abort()
        raise
    files.commit()
    return result


def _finish(
    run_dir: RunDir, pack: Pack, targets: Targets, state: RunState, seed: int, curator: Curator, curated: Any,
    assignment: dict[str, str], settings: Mapping[str, Any] | None, files: FileSet,
) -> RunResult:
    """The card (into `files`) and the run's result."""
    chosen = curated.chosen
    split_config = pack.file.generation.split
    ratios = split_config.ratios()

    counts = composition(chosen, assignment)
    hard = Counter(tag for s in chosen if s.scenario in pack.scenarios for tag in pack.scenarios[s.scenario].hard_cases)
    if hard:
        counts["hard_case"] = dict(sorted(hard.items()))
    balance = balance_report(chosen, [c for c in targets.cells if c != NO_TOOL], targets.balance_tolerance)
    mix = pack.file.generation.mix
    card_settings = {
        "scenario_file": str(pack.path),
        "seed": seed,
        "targets": targets.cells,
        "min_multi_turn": targets.min_multi_turn,
        **({"category_targets": targets.categories} if targets.categories else {}),
        **({"language_targets": targets.languages} if targets.languages else {}),
        "mix": mix.model_dump(mode="json", exclude_none=True),
        "split": ratios,
        "split_hold_out": split_config.hold_out,
        "near_duplicate_threshold": curator.index.threshold if curator.index else "off",
        "leak_threshold": curator.leak_threshold,
        **(settings or {}),
    }
    card_settings["agents"] = _agents_text(card_settings.get("agents"))
    judge_stats = {
        "episodes": len(state.done),
        "accepted": len(state.accepted),
        "rejected_by_reason": dict(state.rejected.most_common()),
        "exact_duplicates_removed": curated.exact_removed,
        "near_duplicates_removed": curated.near_removed,
    }
    report = quality_report(run_dir, pack, assignment)
    quality = {"short": curated.short, "balance": balance.as_dict(), "report": report}
    files.open(run_dir.dataset_dir / "README.md").write(
        render_card(pack.name, counts, card_settings, judge_stats, quality=quality))

    per_cell = Counter(s.tool or NO_TOOL for s in chosen)
    return RunResult(
        run_dir=run_dir.path,
        episodes=len(state.done),
        accepted=len(state.accepted),
        rejected=state.rejected,
        failed=state.failed,
        duplicates_removed=curated.exact_removed,
        per_cell=dict(per_cell),
        targets=dict(targets.cells),
        short=curated.short,
        multi_turn=sum(1 for s in chosen if s.multi_turn),
        splits=counts["split"],
        usage=state.usage,
        near_duplicates_removed=curated.near_removed,
        composition={k: counts[k] for k in ("category", "language")},
        balance=balance.as_dict(),
        causes=state.failures.ranked(),
    )


def republish(run_dir: RunDir) -> RunResult:
    """Curate again from the run directory alone — its pack snapshot, traces and *final* verdicts —
    and rewrite `dataset/`, `selection.json` and the card: what `toolsim export RUN` does, so
    human overrides recorded by `toolsim audit --override` change the dataset. The settings come
    from the manifest, so without overrides the files come out byte for byte as the run wrote them."""
    pack = read_snapshot(run_dir)
    manifest = run_dir.read_manifest() or {}
    options = manifest.get("options") or {}
    targets = compute_targets(pack, options.get("n"))
    dedupe = pack.file.generation.dedupe
    near = options["near_dup_threshold"] if "near_dup_threshold" in options else dedupe.near_threshold
    state = RunState()
    for trace, verdict in judged_traces(run_dir):
        if verdict is not None:
            state.record_trace(trace, verdict)
    settings = {"max_episodes": options.get("max_episodes"), "max_cost_usd": options.get("max_cost"),
                "samples_per_episode": options.get("samples_per_episode", 1), "agents": manifest.get("agents")}
    seed = manifest.get("seed", pack.file.generation.seed)
    result = publish_dataset(run_dir, pack, targets, state, seed=seed,
                             curator=Curator(targets, near, dedupe.leak_threshold), settings=settings)
    manifest.setdefault("counts", {}).update(result.counts())
    run_dir.write_manifest(manifest)
    return result


def _agents_text(agents: Any) -> str:
    """`{"user": "offline", "assistant": "openai/gpt-4o-mini", ...}` as one readable line."""
    if not isinstance(agents, Mapping) or all(model == "offline" for model in agents.values()):
        return "offline (template- and blueprint-driven)"
    return ", ".join(f"{role}: {model}" for role, model in agents.items())


def composition(chosen: Iterable[TraceSummary], assignment: Mapping[str, str]) -> dict[str, Any]:
    """Counts per tool, category, language, persona, split and tool × split (the card's tables)."""
    chosen = list(chosen)
    per_split = Counter(assignment[s.id] for s in chosen)
    tool_split: dict[str, Counter] = defaultdict(Counter)
    for s in chosen:
        tool_split[s.tool or NO_TOOL][assignment[s.id]] += 1
    return {
        "tool": dict(sorted(Counter(s.tool or NO_TOOL for s in chosen).items())),
        "category": dict(sorted(Counter(s.category for s in chosen).items())),
        "split": {k: per_split.get(k, 0) for k in SPLITS},
        "tool_split": {t: {k: c.get(k, 0) for k in SPLITS} for t, c in sorted(tool_split.items())},
        "language": dict(sorted(Counter(s.language for s in chosen).items())),
        "persona": dict(sorted(Counter(s.persona for s in chosen).items())),
    }
