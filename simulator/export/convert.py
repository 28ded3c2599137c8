"""`toolsim export RUN --format NAME`: write a finished run's dataset in a trainer's format.

Every format is converted from the canonical OpenAI records of `dataset/` into
`runs/<name>/export/<format>/` (or `--out`); `dpo` pairs accepted and rejected traces of the same
episode plan (run with `--samples-per-episode k` to get both), read with the run's pack snapshot.
Rebuilding `dataset/` itself (`--format openai`, honouring human overrides) is a re-publish:
`simulator.run.publish.republish`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.core.atomic import FileSet
from simulator.core.run_files import PUBLISHING, written_by_toolsim
from simulator.core.errors import InputError
from simulator.core.names import SPLITS
from simulator.core.records import Trace, Verdict
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.export.formats import Converter, format_names, get_converter, pairs_from
from simulator.export.openai import to_openai_record
from simulator.spec.snapshot import read_snapshot

# A plan's samples (`-s0`, `-s1`, ...) and mistake twins (`-mistake`) share the plan's id.
SAMPLE_SUFFIX = re.compile(r"(-s\d+)?(-mistake)?$")


@dataclass
class ExportResult:
    format: str
    out_dir: Path
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    extra_files: list[str] = field(default_factory=list)


def _pair_rows(run: RunDir, converter: Converter) -> dict[str, list[Any]]:
    """Pairs of (accepted, rejected) records of one episode plan, filed under the accepted one's split."""
    pack = read_snapshot(run)
    decisions = {v["trace_id"]: Verdict.model_validate(v).final_decision for v in iter_jsonl(run.verdicts_path)}
    selection = run.read_selection()
    groups: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    split_of: dict[int, str] = {}
    for raw in iter_jsonl(run.traces_path):
        trace = Trace.model_validate(raw)
        if trace.id not in decisions:
            continue
        record = to_openai_record(trace, pack.domain, pack.today_of(trace))
        split_of[id(record)] = selection.get(trace.id, "train")
        groups[SAMPLE_SUFFIX.sub("", trace.id)].append((trace.id, record, decisions[trace.id]))
    rows: dict[str, list[Any]] = defaultdict(list)
    # In id order (files are in completion order, which varies with concurrency).
    ordered = {plan: [(r, d) for _, r, d in sorted(members, key=lambda m: m[0])] for plan, members in sorted(groups.items())}
    for chosen, rejected in pairs_from(ordered):
        row = converter.convert((chosen, rejected))
        if row is not None:
            rows[split_of[id(chosen)]].append(row)
    return rows


def _traced_rows(run: RunDir, converter: Converter) -> dict[str, list[Any]]:
    """For a converter fed traces (`input_kind == "trace"`, e.g. `bfcl`): each selected trace with
    its canonical record, the pack and the pack's aliases; a converter may give several rows."""
    from simulator.export.answers import aliases

    selection = run.read_selection()
    if not selection:
        raise InputError.single(str(run.path), "the run has no dataset yet; finish it with `toolsim run` first")
    pack = read_snapshot(run)
    table = aliases(pack)
    traces = {raw["id"]: raw for raw in iter_jsonl(run.traces_path) if raw.get("id") in selection}
    rows: dict[str, list[Any]] = defaultdict(list)
    for trace_id in sorted(traces):
        trace = Trace.model_validate(traces[trace_id])
        record = to_openai_record(trace, pack.domain, pack.today_of(trace))
        converted = converter.convert((trace, record, pack, table))
        rows[selection[trace_id]].extend(converted or [])
    return rows


def export_run(run: RunDir, fmt: str, out: Path | None = None, **options: Any) -> ExportResult:
    """Convert the run's dataset (or, for a pair format such as `dpo`, its accepted and rejected
    traces) with the format `fmt` of the registry, into `out` (default `RUN/export/<fmt>/`)."""
    if fmt not in format_names():
        raise InputError.single("--format", f"unknown format {fmt!r}; choose one of {', '.join(format_names())}")
    try:
        converter = get_converter(fmt, **options)
    except (ValueError, TypeError, OSError) as exc:
        raise InputError.single(f"--format {fmt}", str(exc)) from None
    out_dir = out or run.path / "export" / fmt
    if converter.input_kind == "pair":
        rows = _pair_rows(run, converter)
    elif converter.input_kind == "trace":
        rows = _traced_rows(run, converter)
    else:
        if not (run.dataset_dir / "train.jsonl").exists():
            raise InputError.single(str(run.path), "the run has no dataset yet; finish it with `toolsim run` first")
        rows = {}
        for split in SPLITS:
            records = iter_jsonl(run.dataset_dir / f"{split}.jsonl")
            rows[split] = [r for r in map(converter.convert, records) if r is not None]
    result = ExportResult(format=fmt, out_dir=out_dir)
    result.written = {split: len(rows.get(split, [])) for split in SPLITS}
    result.skipped = dict(converter.skipped)
    result.notes = dict(converter.notes)
    # An empty split file makes `datasets.load_dataset` raise, so a split without rows gets no
    # file and a format without any row writes nothing at all. A split file an earlier export of
    # this run left there is removed (it is in the run's ledger of toolsim's files).
    files: dict[str, Path] = {}
    if any(rows.get(split) for split in SPLITS):
        with FileSet(out_dir / PUBLISHING) as split_files:  # the splits appear together
            for split in SPLITS:
                if not rows.get(split):
                    continue
                path = out_dir / f"{split}.jsonl"
                f = split_files.open(path)
                for row in rows[split]:
                    f.write(json.dumps(row, ensure_ascii=False))
                    f.write("\n")
                files[split] = path
        result.extra_files = [str(p) for p in converter.extra_files(out_dir, files)]
    for split in SPLITS:
        stale = out_dir / f"{split}.jsonl"
        if split not in files and written_by_toolsim(run.path, stale):
            stale.unlink(missing_ok=True)
    return result
