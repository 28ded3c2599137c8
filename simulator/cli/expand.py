"""`toolsim expand SCENARIO_FILE`: write generated seed-utterance variants to a separate file.

    toolsim expand scenarios/customer_support.yaml --per-scenario 50 [--model M] [--out FILE]
                   [--seed S] [--scenario ID ...]

Loads and checks the scenario file (and any variants it already uses), fills the variants file
up to `--per-scenario` say variants per scenario, checks the result the way the loader will, and
only then replaces the file in one atomic step. Prints what each scenario got and why candidates
were refused. Bad input exits 2 with `file:line` and writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from simulator.author.expand.engine import (
    Added,
    Expansion,
    expand_offline,
    expand_with_model,
)
from simulator.author.expand.output import (
    add_choices,
    add_say,
    add_scales,
    read_existing,
    render,
    write,
)
from simulator.cli.argtypes import generated, temperature, whole_number
from simulator.core.errors import InputError, Problem
from simulator.load.variants import check_variants, default_path, parse_variant_text

DEFAULT_PER_SCENARIO = 50


def add_expand_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "expand", help="write generated seed-utterance variants next to a scenario file",
        description="Generate new `say` variants (phrasings of coded choice values, and new factors of scaled "
                    "field slots: amounts) for a scenario file's "
                    "scenarios into a separate file (default X.variants.yaml), which the loader merges in. "
                    "Existing entries are kept; a re-run only adds up to --per-scenario.",
    )
    p.add_argument("scenario_file", type=Path)
    p.add_argument("--per-scenario", type=generated, default=DEFAULT_PER_SCENARIO,
                   help=f"say variants per scenario in the file, existing ones included (default {DEFAULT_PER_SCENARIO})")
    p.add_argument("--model", help="a litellm model string; default: offline recombination of the seeds")
    p.add_argument("--api-base", help="OpenAI-compatible base URL for --model")
    p.add_argument("--temperature", type=temperature, help="sampling temperature for --model")
    p.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")
    p.add_argument("--cache-dir", type=Path, help="response cache folder (default $TOOLSIM_CACHE_DIR or ~/.cache/toolsim)")
    p.add_argument("--out", type=Path, help="variants file (default: the scenario file's first `variants:` "
                                            "entry, else X.variants.yaml next to it)")
    p.add_argument("--seed", type=whole_number, help="seed of the offline recombination (default: generation.seed)")
    p.add_argument("--scenario", action="append", metavar="ID", help="only these scenarios (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no summary table")
    p.set_defaults(handler=run_expand)
    return p


def run_expand(args: argparse.Namespace) -> int:
    from simulator.load.loader import load_pack

    pack = load_pack(args.scenario_file)
    out = args.out or _default_out(args.scenario_file, pack.file.variants)
    if out.resolve() == Path(args.scenario_file).resolve():
        raise InputError.single("--out", "would overwrite the scenario file itself")
    file = read_existing(out, pack.path.name)
    seed = args.seed if args.seed is not None else pack.file.generation.seed
    expansion = Expansion.start(pack, file, args.per_scenario, seed)
    ids = _scenario_ids([s.id for s in expansion.seeds.scenarios], args.scenario)
    if args.model:
        added = _with_model(expansion, ids, args)
        source = args.model
    else:
        added = expand_offline(expansion, ids)
        source = "offline"
    for sid, new in added.items():
        for (turn, language), texts in new.say.items():
            add_say(file, sid, turn, language, texts)
        for slot, entries in new.choices.items():
            add_choices(file, sid, slot, entries)
        for slot, factors in new.scales.items():
            add_scales(file, sid, slot, factors)
    if _anything(added) and source not in file.generated_by:
        file.generated_by.append(source)
    text = render(file, expansion.cells)
    _check_before_writing(text, out, expansion)
    write(out, text)
    if not args.quiet:
        _print_summary(expansion, ids, out, args.scenario_file)
    return 0


def _default_out(scenario_file: Path, listed: list[str] | None) -> Path:
    """The loader's file: the first `variants:` entry, else X.variants.yaml."""
    if listed:
        return Path(scenario_file).parent / listed[0]
    return default_path(Path(scenario_file))


def _scenario_ids(ids: list[str], wanted: list[str] | None) -> list[str]:
    """The scenarios written in the file (not those made from the tool graph), or the chosen ones."""
    if not wanted:
        return ids
    unknown = [w for w in wanted if w not in ids]
    if unknown:
        raise InputError([Problem("--scenario", None, f"unknown scenario id {u!r} (ids: {', '.join(ids)})")
                          for u in unknown])
    return [i for i in ids if i in wanted]


def _with_model(expansion: Expansion, ids: list[str], args: argparse.Namespace) -> dict[str, Added]:
    from pydantic import ValidationError

    from simulator.cli.model_flags import cache_path
    from simulator.llm.client import LLMClient
    from simulator.spec.models import ModelSettings

    try:
        settings = ModelSettings(model=args.model, api_base=args.api_base, temperature=args.temperature)
    except ValidationError as exc:
        raise InputError.single("--model", exc.errors()[0]["msg"]) from None
    client = LLMClient.create(cache_path=cache_path(args), concurrency=8)
    try:
        return asyncio.run(expand_with_model(expansion, ids, settings, client))
    finally:
        client.close()


def _anything(added: dict[str, Added]) -> bool:
    return any(new.say or new.choices or new.scales for new in added.values())


def _check_before_writing(text: str, out: Path, expansion: Expansion) -> None:
    """The new file must load exactly as the loader will load it; a failure here is our bug."""
    loaded = parse_variant_text(text, out)
    scenarios = {s.id: s for s in expansion.seeds.scenarios}
    problems = list(check_variants(loaded, expansion.pack.path.name, scenarios))
    if problems:  # pragma: no cover - the checker refuses what the loader would
        raise RuntimeError("generated variants fail the load checks:\n" + "\n".join(map(str, problems)))


def _print_summary(expansion: Expansion, ids: list[str], out: Path, scenario_file: Path) -> None:
    pack = expansion.pack
    console = Console(highlight=False)
    table = Table(box=box.SIMPLE_HEAD, title=f"toolsim expand → {out}")
    for column in ("scenario", "had", "added", "vague", "casual", "choices", "amounts", "short"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    rejected: Counter = Counter()
    for sid in ids:
        r = expansion.report(sid)
        rejected.update(r.rejected)
        table.add_row(sid, str(r.existing), str(r.added), str(r.vague), str(r.casual), str(r.choices),
                      str(r.amounts), str(r.short) if r.short else "")
    console.print(table)
    total = sum(expansion.report(s).added for s in ids)
    console.print(f"{total} new variants; {sum(rejected.values())} candidates refused")
    for reason, n in rejected.most_common():
        console.print(f"  {n:>5}  {reason}")
    if expansion.usage.calls:
        console.print(f"model calls: {expansion.usage.calls} ({expansion.usage.cached_calls} cached)")
    listed = expansion.seeds.variants
    used = [pack.path.parent / e for e in listed] if listed is not None else [default_path(pack.path)]
    if out.resolve() not in {u.resolve() for u in used}:
        console.print(f"note: the loader does not read {out} for {scenario_file} (see `variants:` in the scenario file)")
