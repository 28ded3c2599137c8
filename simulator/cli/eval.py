"""`toolsim eval`: measure a model on a run's held-out data, compare two evaluations, and turn
failures into scenario stubs.

    toolsim eval RUN --model M [--split test] ...          turn level (the BFCL way) → RUN/eval/<model>-<split>.json
    toolsim eval SCENARIOS.yaml --model M --trials k       episode level (the τ2-bench way) → evals/<pack>/<model>.json
    toolsim eval EVAL.json [--export-badcases FILE]        print (and export) an earlier evaluation
    toolsim eval --compare A.json B.json                   base vs fine-tuned, per-metric deltas
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path
from typing import Any

from simulator.cli.argtypes import positive_float, positive_int, whole_number
from simulator.core.errors import InputError


def add_eval_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "eval", help="evaluate a model on a run's test split or on scenarios; compare two evaluations",
        description="Turn level on a run directory (every assistant turn of a split), episode level on a "
                    "scenario file (--trials k, pass^k), or read back an eval .json.",
    )
    p.add_argument("target", nargs="?", help="a run directory, a scenario file (.yaml), or an eval result (.json)")
    p.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"), type=Path,
                   help="compare two evaluations (B against A): per-metric deltas and whether each is significant")
    p.add_argument("--model", help="the model under test (any litellm model string)")
    p.add_argument("--api-base", help="OpenAI-compatible base URL of the model under test (vLLM, Ollama, ...)")
    p.add_argument("--tool-format", choices=["native", "prompt"], default="native",
                   help="native tool calling (default), or tools in the prompt and <tool_call> blocks in the reply")
    p.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0)")
    p.add_argument("--seed", type=whole_number, default=0, help="sampling seed sent to the model (default 0)")
    p.add_argument("--max-tokens", type=positive_int, help="maximum tokens per reply")
    p.add_argument("--timeout", type=positive_float, help="seconds per request attempt (default 120)")
    p.add_argument("--retries", type=whole_number, help="extra attempts on 429/5xx/timeouts (default 4)")
    p.add_argument("--price-in", type=float, help="USD per million input tokens (when litellm has no price)")
    p.add_argument("--price-out", type=float, help="USD per million output tokens")
    p.add_argument("--api-key-env", help="name of the environment variable holding the model's key")
    p.add_argument("--concurrency", type=positive_int, default=16, help="requests (or episodes) at once (default 16)")
    p.add_argument("--processes", type=positive_int, default=1,
                   help="turn level: spread the requests over this many processes (CPU-bound at high concurrency)")
    p.add_argument("--rpm", type=positive_float, help="maximum requests started per minute")
    p.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")
    p.add_argument("--cache-dir", type=Path, help="response cache folder (default $TOOLSIM_CACHE_DIR or ~/.cache/toolsim)")
    p.add_argument("--out", type=Path, help="where to write the eval .json")
    p.add_argument("--split", default="test", help="turn level: which split of the run (default test)")
    p.add_argument("--limit", type=positive_int, help="turn level: at most this many records; episode level: tasks")
    p.add_argument("--trials", type=positive_int, default=1, help="episode level: seeded trials per task (default 1)")
    p.add_argument("--user-model", help="episode level: a model plays the user (default: the offline user)")
    p.add_argument("--user-api-base", help="episode level: base URL of the user model")
    p.add_argument("--export-badcases", type=Path, metavar="FILE",
                   help="write every failed item as a scenario stub (YAML) to paste into a scenario file")
    p.add_argument("--quiet", action="store_true", help="no progress bar or tables")
    p.set_defaults(handler=run_eval)
    return p


def slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-.") or "model"


def model_settings(args: argparse.Namespace, model: str | None = None, api_base: str | None = None) -> Any:
    from pydantic import ValidationError

    from simulator.spec.models import ModelSettings

    values: dict[str, Any] = {"model": model or args.model, "api_base": api_base or args.api_base,
                              "temperature": args.temperature, "seed": args.seed, "tool_format": args.tool_format}
    for key in ("max_tokens", "timeout", "retries", "price_in", "price_out", "api_key_env"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    try:
        return ModelSettings.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError.single("--" + "-".join(str(p) for p in first["loc"]).replace("_", "-"), first["msg"]) from None


def _client(args: argparse.Namespace) -> Any:
    from simulator.cli.model_flags import cache_path
    from simulator.llm.client import LLMClient

    return LLMClient.create(cache_path=cache_path(args), concurrency=args.concurrency, rpm=args.rpm)


async def _closing(client: Any, work: Any) -> Any:
    """Await `work`, then close the client inside the loop (its direct transport's connections)."""
    try:
        return await work
    finally:
        await client.aclose()


def _checked_out(path: Path) -> Path:
    """An existing file is overwritten only when it is an eval result (toolsim wrote it)."""
    if path.exists():
        from simulator.eval.result import read_result

        try:
            read_result(path)
        except InputError:
            raise InputError.single(str(path), "exists and is not an eval result; pick another --out") from None
    return path


def _turn_eval(args: argparse.Namespace) -> dict[str, Any]:
    from simulator.cli.console import RunProgress
    from simulator.core.rundir import resolve_run
    from simulator.eval.turns import TurnEvalOptions, evaluate_turns

    run = resolve_run(args.target)
    settings = model_settings(args)
    out = _checked_out(args.out or run.path / "eval" / f"{slug(settings.model)}-{args.split}.json")
    options = TurnEvalOptions(split=args.split, concurrency=args.concurrency, limit=args.limit)
    if args.processes > 1:
        from simulator.cli.model_flags import cache_path
        from simulator.eval.shards import evaluate_sharded

        with RunProgress(enabled=not args.quiet) as progress:
            result = evaluate_sharded(run, settings, options, args.processes, cache_path=cache_path(args),
                                      rpm=args.rpm, progress=progress.update)
        return _written(out, result, run)
    client = _client(args)
    with RunProgress(enabled=not args.quiet) as progress:
        result = asyncio.run(_closing(client, evaluate_turns(run, settings, client, options, progress=progress.update)))
    return _written(out, result, run)


def _episode_eval(args: argparse.Namespace) -> dict[str, Any]:
    from simulator.cli.console import RunProgress
    from simulator.eval.episodes import EpisodeEvalOptions, evaluate_episodes
    from simulator.load.loader import load_pack

    pack = load_pack(Path(args.target))
    settings = model_settings(args)
    user = model_settings(args, args.user_model, args.user_api_base) if args.user_model else None
    out = _checked_out(args.out or Path("evals") / pack.name / f"{slug(settings.model)}-episodes.json")
    options = EpisodeEvalOptions(trials=args.trials, concurrency=args.concurrency, limit=args.limit, seed=args.seed)
    client = _client(args)
    with RunProgress(enabled=not args.quiet) as progress:
        result = asyncio.run(_closing(client, evaluate_episodes(pack, settings, client, options, user=user,
                                                                progress=progress.update)))
    return _written(out, result)


def _written(out: Path, result: dict[str, Any], run: Any = None) -> dict[str, Any]:
    """Write the result; inside a run directory under its lock, and noted as toolsim's own, so
    `toolsim run --force` removes it with the run (and nothing it did not write)."""
    from simulator.core.run_files import note_written_files
    from simulator.eval.result import write_result

    if run is not None and run.path.resolve() in out.resolve().parents:
        with run.locked("eval"):
            write_result(out, result)
            note_written_files(run.path, [out])
    else:
        write_result(out, result)
    result["path"] = str(out)
    return result


def run_eval(args: argparse.Namespace) -> int:
    from simulator.cli.eval_tables import print_comparison, print_result

    if args.compare:
        if args.target:
            raise InputError.single("--compare", "takes two eval .json files and no other target")
        from simulator.eval.compare import compare
        from simulator.eval.result import read_result

        a, b = (read_result(p) for p in args.compare)
        print_comparison(compare(a, b), str(args.compare[0]), str(args.compare[1]))
        return 0
    if not args.target:
        raise InputError.single("toolsim eval", "give a run directory, a scenario file or an eval .json (or --compare A B)")
    target = Path(args.target)
    if target.suffix == ".json" and target.is_file():
        from simulator.eval.result import read_result

        result = read_result(target)
        result["path"] = str(target)
    else:
        if not args.model:
            raise InputError.single("--model", "which model to evaluate? (any litellm model string)")
        if target.suffix in (".yaml", ".yml"):
            result = _episode_eval(args)
        else:
            result = _turn_eval(args)
    if args.export_badcases is not None:
        from simulator.eval.badcases import write_eval_badcases

        count = write_eval_badcases(result, args.export_badcases)
        result["badcases"] = (count, str(args.export_badcases))
    if not args.quiet:
        print_result(result)
    return 0
