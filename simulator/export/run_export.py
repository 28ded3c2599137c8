"""`toolsim export RUN --format NAME`: write a finished run's dataset in a trainer's format.

`openai` (the default) rebuilds `runs/<name>/dataset/` from the run's traces and *final*
verdicts, so human overrides recorded by `toolsim audit --override` change what is exported.
Every other format is converted from the canonical OpenAI records of `dataset/` into
`runs/<name>/export/<format>/` (or `--out`); `dpo` pairs accepted and rejected traces of the same
episode plan (run with `--samples-per-episode k` to get both).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.episode import episode_today
from simulator.errors import InputError
from simulator.export.atomic import atomic_write
from simulator.export.formats import format_names, get_converter, pairs_from
from simulator.export.openai import to_openai_record
from simulator.records import Trace, Verdict
from simulator.rundir import RunDir, iter_jsonl

SPLITS = ("train", "validation", "test")
SAMPLE_SUFFIX = re.compile(r"-s\d+$")


@dataclass
class ExportResult:
    format: str
    out_dir: Path
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    extra_files: list[str] = field(default_factory=list)


def all_formats() -> list[str]:
    return ["openai", *format_names()]


def rebuild_openai(run: RunDir) -> ExportResult:
    """Re-curate from traces + final verdicts and rewrite dataset/ (honours overrides)."""
    from simulator.loader import load_pack
    from simulator.publish import publish_dataset
    from simulator.runner import Runner, RunOptions

    manifest = run.read_manifest() or {}
    scenario_file = manifest.get("scenario_file")
    if not scenario_file or not Path(scenario_file).exists():
        raise InputError.single(str(run.manifest_path), f"the run's scenario file {scenario_file!r} is not there any more")
    pack = load_pack(scenario_file)
    options = manifest.get("options", {})
    runner = Runner(pack, RunOptions(out=run.path, n=options.get("n"), seed=manifest.get("seed"),
                                     samples_per_episode=options.get("samples_per_episode", 1),
                                     near_dup_threshold=options.get("near_dup_threshold")))
    asyncio.run(runner._load_existing())
    result = publish_dataset(run, pack, runner.targets, runner.state, seed=runner.seed, curator=runner.curator)
    manifest.setdefault("counts", {}).update(result.counts())
    run.write_manifest(manifest)
    return ExportResult(format="openai", out_dir=run.dataset_dir, written=dict(result.splits))


def _dpo_rows(run: RunDir) -> tuple[dict[str, list[Any]], Any]:
    """Pairs of (accepted, rejected) records of one episode plan, filed under the accepted one's split."""
    from simulator.loader import load_pack

    manifest = run.read_manifest() or {}
    pack = load_pack(manifest["scenario_file"])
    decisions = {v["trace_id"]: Verdict.model_validate(v).final_decision for v in iter_jsonl(run.verdicts_path)}
    selection = run.read_selection()
    groups: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    split_of: dict[int, str] = {}
    for raw in iter_jsonl(run.traces_path):
        trace = Trace.model_validate(raw)
        if trace.id not in decisions:
            continue
        record = to_openai_record(trace, pack.domain, episode_today(pack, trace))
        split_of[id(record)] = selection.get(trace.id, "train")
        groups[SAMPLE_SUFFIX.sub("", trace.id)].append((trace.id, record, decisions[trace.id]))
    converter = get_converter("dpo")
    rows: dict[str, list[Any]] = defaultdict(list)
    # In id order (files are in completion order, which varies with concurrency).
    ordered = {plan: [(r, d) for _, r, d in sorted(members, key=lambda m: m[0])] for plan, members in sorted(groups.items())}
    for chosen, rejected in pairs_from(ordered):
        row = converter.convert((chosen, rejected))
        if row is not None:
            rows[split_of[id(chosen)]].append(row)
    return rows, converter


def export_run(run: RunDir, fmt: str, out: Path | None = None, **options: Any) -> ExportResult:
    if fmt not in all_formats():
        raise InputError.single("--format", f"unknown format {fmt!r}; choose one of {', '.join(all_formats())}")
    if fmt == "openai" and out is None:
        return rebuild_openai(run)
    out_dir = out or run.path / "export" / fmt
    if fmt == "dpo":
        rows, converter = _dpo_rows(run)
    else:
        if not (run.dataset_dir / "train.jsonl").exists():
            raise InputError.single(str(run.path), "the run has no dataset yet; finish it with `toolsim run` first")
        try:
            converter = get_converter(fmt, **options) if fmt != "openai" else None
        except (ValueError, OSError) as exc:
            raise InputError.single(f"--format {fmt}", str(exc)) from None
        rows = {}
        for split in SPLITS:
            records = list(iter_jsonl(run.dataset_dir / f"{split}.jsonl"))
            rows[split] = records if converter is None else [r for r in map(converter.convert, records) if r is not None]
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    result = ExportResult(format=fmt, out_dir=out_dir)
    for split in SPLITS:
        path = out_dir / f"{split}.jsonl"
        with atomic_write(path) as f:
            for row in rows.get(split, []):
                f.write(json.dumps(row, ensure_ascii=False))
                f.write("\n")
        files[split] = path
        result.written[split] = len(rows.get(split, []))
    if converter is not None:
        result.extra_files = [str(p) for p in converter.extra_files(out_dir, files)]
        result.skipped = dict(converter.skipped)
        result.notes = dict(converter.notes)
    return result
