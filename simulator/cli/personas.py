"""`toolsim personas expand`: propose new personas for review.

`simulator.cli` registers `add_personas_parser`; the handler returns an exit code and raises
`InputError` for bad input (exit 2, nothing written). The YAML goes to stdout or, atomically, to
`--out FILE` (never over an existing file without `--force`); the count of kept, invalid and
near-copy proposals goes to stderr, so stdout stays a clean YAML stream.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from simulator.author.personas.near_copy import (
    DEFAULT_MAX_SIMILARITY,
    DEFAULT_MIN_DISTANCE,
    NearCopyFilter,
)
from simulator.cli.argtypes import (
    generated,
    retries,
    seconds,
    similarity,
    temperature,
    whole_number,
)
from simulator.core.errors import InputError

DEFAULT_N = 20
DEFAULT_SEED = 7


def distance(text: str) -> float:
    """An axis distance in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"an axis distance is a number from 0 to 1, got {text!r}")
    return value


def add_personas_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("personas", help="persona library tools (expand: propose new personas to review)")
    actions = p.add_subparsers(dest="personas_command", required=True, metavar="ACTION")
    e = actions.add_parser(
        "expand", help="propose new personas along the diversity axes, as YAML to review",
        description="Propose personas that differ from the library (and each other) along language, formality, "
                    "expertise, emotion, verbosity, cooperativeness and habit. Offline (default) the axes are "
                    "sampled combinatorially with --seed; with --model a litellm model proposes them. Near-copies "
                    "and invalid proposals are dropped and counted.",
    )
    e.add_argument("--n", type=generated, default=DEFAULT_N, help=f"personas wanted (default {DEFAULT_N})")
    e.add_argument("--model", help="litellm model string; without it the offline sampler proposes")
    e.add_argument("--out", type=Path, help="write the YAML here (atomically) instead of stdout")
    e.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    e.add_argument("--personas", type=Path, default=Path("personas"), metavar="DIR",
                   help="the persona library to diversify (default ./personas)")
    e.add_argument("--seed", type=whole_number, default=DEFAULT_SEED, help=f"sampler seed (default {DEFAULT_SEED})")
    e.add_argument("--min-distance", type=distance, default=DEFAULT_MIN_DISTANCE,
                   help=f"reject a proposal closer than this on the axes (0-1, default {DEFAULT_MIN_DISTANCE})")
    e.add_argument("--max-similarity", type=similarity, default=DEFAULT_MAX_SIMILARITY,
                   help=f"reject a description this similar to another (default {DEFAULT_MAX_SIMILARITY})")
    m = e.add_argument_group("model (with --model)")
    m.add_argument("--api-base", help="OpenAI-compatible base URL (vLLM, Ollama, LM Studio)")
    m.add_argument("--temperature", type=temperature, help="sampling temperature")
    m.add_argument("--timeout", type=seconds, help="seconds per request attempt (default 120)")
    m.add_argument("--retries", type=retries, help="extra attempts on 429/5xx/timeouts (default 4)")
    m.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")
    m.add_argument("--cache-dir", type=Path, help="response cache folder (default $TOOLSIM_CACHE_DIR or ~/.cache/toolsim)")
    e.set_defaults(handler=run_expand)
    return p


def run_expand(args: argparse.Namespace) -> int:
    from simulator.author.personas.library import load_library
    from simulator.author.personas.writer import render, write

    if args.out is not None and args.out.exists() and not args.force:
        write("", args.out, force=False)  # raises the "already exists" problem before any work
    library = load_library(args.personas)
    near = NearCopyFilter(min_distance=args.min_distance, max_similarity=args.max_similarity)
    if args.model:
        proposals = _with_model(args, library, near)
        if proposals is None:
            return 1
    else:
        from simulator.author.personas.sampler import sample_personas

        proposals = sample_personas(library, args.n, args.seed, near)
    text = render(proposals)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write(text, args.out, force=args.force)
    print(proposals.summary() + (f"; wrote {args.out}" if args.out else ""), file=sys.stderr)
    return 0


def _with_model(args: argparse.Namespace, library: list, near: NearCopyFilter):
    from pydantic import ValidationError

    from simulator.author.personas.proposer import propose_with_model
    from simulator.cli.model_flags import cache_path
    from simulator.llm.client import LLMClient
    from simulator.llm.retry import LLMCallError
    from simulator.spec.models import ModelSettings

    tuning = {k: getattr(args, k) for k in ("api_base", "temperature", "timeout", "retries") if getattr(args, k) is not None}
    try:
        settings = ModelSettings(model=args.model, seed=args.seed, **tuning)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError.single("--" + str(first["loc"][0]).replace("_", "-"), first["msg"]) from None
    client = LLMClient.create(cache_path=cache_path(args), concurrency=1)
    try:
        return asyncio.run(propose_with_model(library, args.n, settings, client, near))
    except LLMCallError as exc:
        print(f"toolsim: the model call failed: {exc}; nothing was written", file=sys.stderr)
        return None
    finally:
        client.close()
