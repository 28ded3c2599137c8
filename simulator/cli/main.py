"""The `toolsim` command line: the edge where errors become readable messages and exit codes.

Exit codes: 0 done, 1 unexpected failure, 2 bad input or refused (YAML, schema, flag, a
directory toolsim does not own, a run directory another command holds), 3 out of disk space
(free some and rerun the same command: it resumes), 4 a run that finished short of its targets or
stopped early (`--allow-short` makes a short run 0), 130 interrupted. Bad input never prints a
traceback and never creates a run directory.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Sequence

from simulator.cli.argtypes import (
    concurrency,
    episodes,
    examples,
    positive_float,
    samples,
    share,
    similarity,
    whole_number,
)
from simulator.core.errors import InputError
from simulator.core.registry import load_plugins

EXIT_INPUT = 2
EXIT_DISK_FULL = 3
EXIT_SHORT = 4


def _add_run_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="simulate, judge, curate and export a scenario file")
    p.add_argument("scenario_file", type=Path)
    p.add_argument("--out", type=Path, help="run directory (default runs/<name>)")
    p.add_argument("--n", type=examples, help="total examples wanted (overrides the file's mix.per_tool)")
    p.add_argument("--seed", type=whole_number, help="run seed (default: the file's generation.seed)")
    p.add_argument("--force", action="store_true", help="overwrite an existing run directory")
    p.add_argument("--concurrency", type=concurrency, default=16,
                   help="model requests in flight at most (default 16); offline runs play one episode at a time")
    p.add_argument("--max-episodes", type=episodes, help="budget of simulated episodes")
    p.add_argument("--max-cost", type=positive_float, metavar="USD",
                   help="budget in USD: no new episodes once the run has spent this much (offline runs cost 0)")
    p.add_argument("--near-dup-threshold", type=similarity, metavar="J",
                   help="Jaccard similarity of user turns at which traces are near-duplicates (default: the "
                        "file's generation.dedupe.near_threshold, 0.8)")
    p.add_argument(
        "--samples-per-episode", type=samples, default=1, help="simulate each planned episode k times"
    )
    p.add_argument("--mistake-share", type=share, default=0.0, metavar="S",
                   help="also play a share S of the episodes with a labelled mistake of the offline assistant, "
                        "for DPO pairs (`toolsim export RUN --format dpo`); offline assistant only")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    p.add_argument("--allow-short", action="store_true",
                   help=f"exit 0 even when targets are not met (otherwise a short run exits {EXIT_SHORT})")
    _add_live_writes(p)
    from simulator.cli.executor_flags import add_executor_flags
    from simulator.cli.model_flags import add_model_flags

    add_executor_flags(p)
    add_model_flags(p)


def _add_live_writes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-live-writes", action="store_true",
                   help="let `sim: live` call tools the tools file does not mark read_only (they may change the "
                        "real service)")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`only="run"`) just `toolsim run`: a run's first request should
    not wait for the other subcommands' imports (export formats and plugins, audit, expand, ...)."""
    parser = argparse.ArgumentParser(
        prog="toolsim", description="Simulate tool-calling conversations and export fine-tuning data."
    )
    parser.add_argument("--version", action="version", version=f"toolsim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run_parser(sub)
    if only == "run":
        return parser
    v = sub.add_parser("validate", help="check a scenario file and everything it references")
    v.add_argument("scenario_file", type=Path)
    _add_live_writes(v)
    s = sub.add_parser("stats", help="statistics of a finished run")
    s.add_argument("run", help="run directory or name under runs/")
    s.add_argument("--json", action="store_true", help="print machine-readable JSON")
    s.add_argument("--coverage", action="store_true", help="persona × scenario × tool × behaviour grid and its empty cells")
    s.add_argument("--quality", action="store_true",
                   help="diversity, skeletons, canned phrases, template glitches, train/test template overlap")
    e = sub.add_parser("export", help="write a run's dataset in a trainer's format")
    e.add_argument("run", help="run directory or name under runs/")
    e.add_argument("--format", default="openai", metavar="NAME",
                   help="openai (default; without --out it rebuilds dataset/ honouring overrides) or any other "
                        "registered format: " + ", ".join(_format_names()))
    e.add_argument("--out", type=Path, help="output directory (default runs/<name>/export/<format>/)")
    e.add_argument("--template", type=Path, help="chat-template: a .jinja file or a tokenizer_config.json")
    e.add_argument("--template-name", help="chat-template: which named template of a tokenizer_config.json")
    e.add_argument("--bos-token", help="chat-template: the bos_token a .jinja template writes (else read from a tokenizer_config.json beside it)")
    e.add_argument("--eos-token", help="chat-template: the eos_token a .jinja template writes")
    e.add_argument("--parallel-calls", choices=["keep", "split", "skip"],
                   help="trl, dpo, sharegpt, llama3, chat-template: keep a turn with several calls, split it into single-call turns "
                        "each followed by its result (Llama 3.1), or skip the record")
    e.add_argument("--style", choices=["qwen2.5", "hermes3"], help="hermes: Qwen2.5's text (default) or Hermes 3's tool-use format")
    for register in _extra_parsers():
        register(sub)
    return parser


def _extra_parsers() -> list:
    """Subcommands that live in their own packages (audit, report)."""
    try:
        from simulator.cli.audit import add_audit_parser, add_report_parser
    except ImportError:  # pragma: no cover - optional while those packages are being written
        return []
    from simulator.cli.eval import add_eval_parser
    from simulator.cli.expand import add_expand_parser
    from simulator.cli.graph import add_graph_parser
    from simulator.cli.new import add_new_parser
    from simulator.cli.personas import add_personas_parser

    return [add_audit_parser, add_report_parser, add_graph_parser, add_expand_parser, add_personas_parser,
            add_eval_parser, add_new_parser]


def _format_names() -> list[str]:
    from simulator.export.formats import format_names

    try:
        return format_names()
    except InputError:  # a broken plugin: the command that uses the registry reports it
        return ["openai", "bfcl", "chat-template", "dpo", "hermes", "instruction", "llama3", "sharegpt", "trl"]


def _version() -> str:
    from simulator.core.versions import TOOLSIM_VERSION

    return TOOLSIM_VERSION


def _cmd_validate(args: argparse.Namespace) -> int:
    from simulator.author.rehearse import rehearse
    from simulator.load.loader import load_pack
    from simulator.load.variants import variant_summary
    from simulator.plan.targets import check_mix

    pack = load_pack(args.scenario_file, allow_live_writes=args.allow_live_writes)
    problems = check_mix(pack)
    if problems:
        raise InputError(problems)
    problems = rehearse(pack)  # play every scenario once per language, offline
    if problems:
        raise InputError(problems)
    print(
        f"{args.scenario_file}: ok — {len(pack.scenarios)} scenarios, {len(pack.personas)} personas, "
        f"{len(pack.domain.tools)} tools{variant_summary(pack.file, pack.path)}"
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from simulator.cli.console import RunProgress, print_run_summary
    from simulator.cli.executor_flags import executor_options
    from simulator.cli.model_flags import agent_settings_from_args, run_limits
    from simulator.core.rundir import RunDir
    from simulator.load.loader import load_pack
    from simulator.run.executors.pool import WorkerError
    from simulator.run.runner import Runner, RunOptions

    pack = load_pack(args.scenario_file, allow_live_writes=args.allow_live_writes)
    out = args.out or default_run_dir(pack.name)
    agents = agent_settings_from_args(args, pack)
    if args.mistake_share and "assistant" in agents.models:
        raise InputError.single("--mistake-share", "mistakes are played by the offline assistant; with a model "
                                "assistant use --samples-per-episode to pair its own good and bad samples")
    options = RunOptions(
        out=out,
        n=args.n,
        seed=args.seed,
        force=args.force,
        concurrency=args.concurrency,
        max_episodes=args.max_episodes,
        samples_per_episode=args.samples_per_episode,
        mistake_share=args.mistake_share,
        max_cost=args.max_cost,
        near_dup_threshold=args.near_dup_threshold,
        agents=agents,
        executor=executor_options(args),
        **run_limits(args, pack),
    )
    RunDir(out).check_claimable()  # before anything is built or written
    with RunProgress(enabled=not args.quiet) as progress:
        runner = Runner(pack, options, progress=progress.update)
        try:
            result = asyncio.run(runner.run())
        except WorkerError as exc:  # workers that cannot play the pack, or keep dying
            print(f"toolsim: {exc}", file=sys.stderr)
            return 1
    if not args.quiet:
        print_run_summary(result)
    if result.stopped_early:
        print(result.stopped_early, file=sys.stderr)
        print(f"toolsim: fix the scenario, then run again with --force (exit {EXIT_SHORT})", file=sys.stderr)
        return EXIT_SHORT
    if result.short and not args.allow_short:
        cells = ", ".join(f"{cell} needs {n} more" for cell, n in result.short.items())
        top = result.causes[0] if result.causes else None
        cause = f"; most lost to {top.kind} {top.name} ({top.count}, e.g. {top.example})" if top else ""
        print(f"toolsim: short of target: {cells} (stopped by {result.stopped_by}){cause}; exit {EXIT_SHORT} "
              "(--allow-short accepts a short run)", file=sys.stderr)
        return EXIT_SHORT
    return 0


def default_run_dir(name: str) -> Path:
    """`runs/<name>`; the name is an identifier (the scenario file's schema checks it), and the
    path is checked again here: without `--out` a run never lands outside `runs/`."""
    out = Path("runs") / name
    if out.resolve().parent != Path("runs").resolve():
        raise InputError.single("name", f"{name!r} would put the run outside runs/; pass --out to choose a directory")
    return out


def _cmd_stats(args: argparse.Namespace) -> int:
    from simulator.cli.stats import print_stats
    from simulator.core.rundir import resolve_run

    run = resolve_run(args.run)
    if run.dataset_half_published():
        raise InputError.single(str(run.dataset_dir), "half-published: a command was killed while writing it; "
                                                       f"run `toolsim export {args.run}` to write it again")
    print_stats(run, as_json=args.json, coverage=args.coverage, quality=args.quality)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from simulator.cli.console import stdout
    from simulator.core.run_files import note_written_files
    from simulator.core.rundir import resolve_run
    from simulator.export.convert import ExportResult, export_run
    from simulator.run.publish import republish

    options = {}
    if args.template is not None:
        from simulator.core.files import regular_file_problem

        problem = regular_file_problem(args.template)
        if problem:
            raise InputError.single(str(args.template), f"template {problem}")
        options["template"] = str(args.template)
    for option in ("template_name", "bos_token", "eos_token", "parallel_calls", "style"):
        if getattr(args, option):
            options[option] = getattr(args, option)
    run = resolve_run(args.run)
    with run.locked("export"):
        if args.format == "openai" and args.out is None:
            published = republish(run)
            result = ExportResult(format="openai", out_dir=run.dataset_dir, written=dict(published.splits))
        else:
            if run.dataset_half_published():  # a killed export: publish the dataset again first
                republish(run)
            result = export_run(run, args.format, args.out, **options)
            split_files = [Path(result.out_dir) / f"{split}.jsonl" for split, n in result.written.items() if n]
            note_written_files(run.path, [*split_files, *map(Path, result.extra_files)])
    written = ", ".join(f"{k} {v}" for k, v in result.written.items())
    if not any(result.written.values()):
        stdout.print(f"{result.format}: no rows to export, nothing written ({written})")
    else:
        stdout.print(f"{result.format} → {result.out_dir}: {written}")
    for reason, n in sorted(result.skipped.items()):
        stdout.print(f"  skipped {n}: {reason}")
    for note, n in sorted(result.notes.items()):
        stdout.print(f"  note {n}: {note}")
    for path in result.extra_files:
        stdout.print(f"  also wrote {path}")
    return 0


COMMANDS = {"run": _cmd_run, "validate": _cmd_validate, "stats": _cmd_stats, "export": _cmd_export}


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only="run" if words[:1] == ["run"] else None)
    args = parser.parse_args(words)
    handler = getattr(args, "handler", None) or COMMANDS[args.command]
    try:
        load_plugins()  # a broken plugin is reported before anything is read or written
        return handler(args)
    except KeyboardInterrupt:
        print("toolsim: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the edge: known failures become messages, bugs re-raise
        return _report_failure(exc)


def _report_failure(exc: Exception) -> int:
    """The exit code and message for a failure a user can act on; anything else is a bug and
    keeps its traceback."""
    from simulator.core.rundir import RunBusyError, RunExistsError

    if isinstance(exc, InputError):
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"toolsim: {count} problem{'s' if count != 1 else ''} found; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    if isinstance(exc, (RunExistsError, RunBusyError)):
        print(f"toolsim: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if _out_of_space(exc):
        where = f" writing {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"toolsim: out of disk space{where}. Nothing finished was lost: free some space and rerun the "
              "same command to resume.", file=sys.stderr)
        return EXIT_DISK_FULL
    if isinstance(exc, OSError):
        where = f" {exc.filename}:" if exc.filename else ""
        print(f"toolsim: cannot read or write{where} {exc.strerror or exc}", file=sys.stderr)
        return 1
    raise exc


def _out_of_space(exc: BaseException) -> bool:
    import errno
    import sqlite3

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
