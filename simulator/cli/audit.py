"""The `toolsim audit` and `toolsim report` subcommands: flags, dispatch, terminal output.

`simulator.cli` calls `add_audit_parser(sub)` and `add_report_parser(sub)`; each registers its
handler with `set_defaults(handler=...)`. Handlers return an exit code and raise `InputError`
for bad input, which the top-level CLI prints as `path: message` with exit code 2.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from simulator.cli.argtypes import positive_int
from simulator.core.errors import InputError, Problem

DECISIONS = ("accept", "reject")


def add_audit_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "audit", help="list, inspect and override the judge's verdicts of a run",
        description="List verdicts (filtered), show one trace, override a decision, measure judge agreement, "
                    "or export rejected traces as scenario stubs.",
    )
    p.add_argument("run", help="run directory or name under runs/")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--show", metavar="ID", help="print one trace and its verdict")
    mode.add_argument(
        "--override", metavar="ID", help="record a human decision on a trace (with --accept/--reject and --reason)"
    )
    mode.add_argument("--agreement", action="store_true", help="agreement of rules, judge model and human overrides")
    mode.add_argument("--export-badcases", metavar="FILE", type=Path,
                      help="write rejected traces (after filters) as scenario stubs (YAML)")
    verdict = p.add_mutually_exclusive_group()
    verdict.add_argument("--accept", dest="override_decision", action="store_const", const="accept",
                         help="with --override: accept the trace")
    verdict.add_argument("--reject", dest="override_decision", action="store_const", const="reject",
                         help="with --override: reject the trace")
    p.add_argument("--who", help="with --override: who decides (default $USER, else 'human')")
    filters = p.add_argument_group("filters (listing and --export-badcases)")
    filters.add_argument("--decision", choices=DECISIONS, help="final decision, honouring overrides")
    filters.add_argument("--reason", metavar="NAME",
                         help="a failed rule check or judge criterion; with --override: why you override")
    filters.add_argument("--scenario", help="scenario id")
    filters.add_argument("--persona", help="persona id")
    filters.add_argument("--tool", help="primary tool of the episode ('none' for no-tool episodes)")
    filters.add_argument("--category", help="scenario category")
    filters.add_argument("--limit", type=positive_int, help="list at most this many")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.set_defaults(handler=run_audit)
    return p


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("report", help="write a self-contained HTML report of a run (report.html)")
    p.add_argument("run", help="run directory or name under runs/")
    p.add_argument("--out", type=Path, help="output file (default RUN/report.html)")
    p.set_defaults(handler=run_report)
    return p


# ---------------------------------------------------------------- handlers


def _filters(args: argparse.Namespace):
    from simulator.review.audit.query import AuditFilters

    return AuditFilters(decision=args.decision, reason=args.reason, scenario=args.scenario, persona=args.persona,
                        tool=args.tool, category=args.category, limit=args.limit)


def _check_flag_combinations(args: argparse.Namespace) -> None:
    problems: list[Problem] = []
    if args.override:
        if args.override_decision is None:
            problems.append(Problem("--override", None, "say --accept or --reject"))
        if not (args.reason or "").strip():
            problems.append(Problem("--override", None, 'say why with --reason "…"'))
        for flag in ("decision", "scenario", "persona", "tool", "category", "limit"):
            if getattr(args, flag) is not None:
                problems.append(Problem(f"--{flag}", None, "is a listing filter; it does nothing with --override"))
    else:
        if args.override_decision is not None:
            problems.append(Problem(f"--{args.override_decision}", None, "only goes with --override ID"))
        if args.who is not None:
            problems.append(Problem("--who", None, "only goes with --override ID"))
    if problems:
        raise InputError(problems)


def run_audit(args: argparse.Namespace) -> int:
    from simulator.core.rundir import resolve_run

    _check_flag_combinations(args)
    run = resolve_run(args.run)
    if args.show:
        return _show(run, args.show, as_json=args.json)
    if args.override:
        with run.locked("audit --override"):
            return _override(run, args)
    if args.agreement:
        return _agreement(run, as_json=args.json)
    if args.export_badcases:
        return _export_badcases(run, args)
    return _list(run, args)


def _list(run, args: argparse.Namespace) -> int:
    from simulator.cli.console import stderr, stdout
    from simulator.review.audit.query import known_values, load_rows

    rows = load_rows(run)
    filters = _filters(args)
    matching = replace(filters, limit=None).apply(rows)
    shown = matching[: filters.limit] if filters.limit else matching
    if args.json:
        print(json.dumps([r.as_json() for r in shown], indent=2, ensure_ascii=False))
        return 0
    table = Table(title=f"verdicts — {run.path}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("trace", no_wrap=True)
    table.add_column("decision", no_wrap=True)
    table.add_column("failed", min_width=14, overflow="fold")
    for col in ("scenario", "persona", "tool", "category"):
        table.add_column(col, overflow="fold")
    for r in shown:
        decision = Text(r.decision, style="green" if r.decision == "accept" else "red")
        if r.overridden:
            decision.append("*", style="yellow")
        table.add_row(r.trace_id, decision, ", ".join(r.reasons), r.scenario, r.persona, r.tool, r.category)
    # Piped into a file or `less`, lines keep their natural width instead of wrapping at 80.
    console = stdout
    if not stdout.is_terminal:
        natural = Measurement.get(stdout, stdout.options.update(max_width=100_000), table).maximum
        console = Console(width=max(stdout.width, natural))
    console.print(table)
    note = f"{len(shown)} shown of {len(matching)} matching ({len(rows)} verdicts)"
    if any(r.overridden for r in shown):
        note += "; * = decided by a human override"
    stdout.print(note)
    if not matching and rows:
        known = known_values(rows)
        for flag in ("reason", "scenario", "persona", "tool", "category"):
            wanted = getattr(args, flag)
            if wanted is not None and wanted not in known[flag] and not (flag == "tool" and wanted == "none"):
                present = ", ".join(sorted(known[flag])) or "—"
                stderr.print(f"no verdict has {flag} {wanted!r}; this run has: {present}")
    return 0


def _show(run, trace_id: str, *, as_json: bool) -> int:
    from simulator.cli.console import stdout
    from simulator.cli.show_trace import (
        load_trace_and_verdict,
        show_json,
        show_renderables,
    )

    trace, verdict = load_trace_and_verdict(run, trace_id)
    if as_json:
        print(json.dumps(show_json(trace, verdict), indent=2, ensure_ascii=False))
        return 0
    for block in show_renderables(trace, verdict):
        stdout.print(block)
    return 0


def _override(run, args: argparse.Namespace) -> int:
    from simulator.review.audit.overrides import add_override

    updated = add_override(run, args.override, args.override_decision, args.reason, who=args.who)
    last = updated.overrides[-1]
    if args.json:
        print(json.dumps(updated.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(f"{updated.trace_id}: {last.decision} (judge said {updated.decision}) — by {last.who} at {last.when}; "
              f"{len(updated.overrides)} override(s) on record")
    return 0


def _agreement(run, *, as_json: bool) -> int:
    from simulator.cli.console import stdout
    from simulator.review.audit.agreement import compute_agreement
    from simulator.review.audit.query import latest_verdicts

    result = compute_agreement(latest_verdicts(run).values())
    if as_json:
        print(json.dumps(result, indent=2))
        return 0
    for block in agreement_tables(result):
        stdout.print(block)
    return 0


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def agreement_tables(result: dict[str, Any]) -> list[Any]:
    counts = Table(title=f"decisions — {result['verdicts']} verdicts, {result['overridden']} overridden",
                   title_justify="left")
    for col in ("source", "accept", "reject"):
        counts.add_column(col, justify="left" if col == "source" else "right")
    for source, c in result["decisions"].items():
        counts.add_row(source, str(c["accept"]), str(c["reject"]))
    status = result["model_status"]
    blocks: list[Any] = [counts, "judge model: " + ", ".join(f"{k} {v}" for k, v in status.items())]
    for comparison in result["comparisons"].values():
        rows, cols = comparison["rows"], comparison["columns"]
        table = Table(
            title=f"{rows} (rows) vs {cols} (columns): n={comparison['n']}, "
                  f"agreement {_rate(comparison['agreement'])}, "
                  f"kappa {'—' if comparison['kappa'] is None else format(comparison['kappa'], '.2f')}",
            title_justify="left",
        )
        table.add_column(f"{rows} \\ {cols}")
        for d in DECISIONS:
            table.add_column(d, justify="right")
        for d in DECISIONS:
            table.add_row(d, *(str(comparison["matrix"][d][c]) for c in DECISIONS))
        blocks.append(table if comparison["n"] else Text(f"{rows} vs {cols}: nothing to compare", style="dim"))
    return blocks


def _export_badcases(run, args: argparse.Namespace) -> int:
    from simulator.review.audit.badcases import write_badcases

    if args.decision == "accept":
        raise InputError.single("--decision", "bad cases are rejected traces; --decision accept selects none")
    written = write_badcases(run, args.export_badcases, _filters(args))
    print(f"{args.export_badcases}: {written} scenario stub(s) from rejected traces")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from simulator.core.rundir import resolve_run
    from simulator.review.report.build import build_report

    run = resolve_run(args.run)
    with run.locked("report"):
        built = build_report(run, args.out)
    print(f"{built.path}: {built.traces} traces, {built.size_bytes / 1e6:.1f} MB, built in {built.seconds:.1f}s")
    return 0
