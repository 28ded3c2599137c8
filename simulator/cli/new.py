"""`toolsim new PACK_NAME [--tools tools.yaml|module.py]`: start a pack that validates and runs.

Without `--tools` the pack gets two example schema-only tools (`scenarios/NAME.tools.yaml`) to
replace; with them, its scenarios are made from the given tools (a Python module is imported and
its sims probed on their seeded state). Personas come from `personas/` next to `scenarios/` when
that folder exists, else three starter personas are written there.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from simulator.core.errors import InputError
from simulator.core.yaml_lines import YamlDocument, display_path
from simulator.load.tools import CHECK_TODAY

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def add_new_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="start a new pack: scenario file, system prompt, tools, personas")
    p.add_argument("name", help="the pack's name (lowercase letters, digits, _): scenarios/NAME.yaml")
    p.add_argument("--tools", type=Path, metavar="FILE",
                   help="a tools.yaml of schema-only tools or a Python tool-sim module (default: two example tools)")
    p.add_argument("--dir", type=Path, default=Path("."), help="the folder to write into (default: here)")
    p.add_argument("--languages", default="en,zh", help="languages of the seed lines (default en,zh)")
    p.set_defaults(handler=run_new)


def run_new(args: argparse.Namespace) -> int:
    from simulator.author.scaffold import scaffold_pack, starter_tools, write_pack

    if not NAME.match(args.name):
        raise InputError.single(args.name, "a pack name is lowercase letters, digits and _, starting with a letter")
    languages = tuple(lang.strip() for lang in args.languages.split(",") if lang.strip())
    if not languages or any(lang not in ("en", "zh") for lang in languages):
        raise InputError.single("--languages", f"expected en, zh or en,zh, got {args.languages!r}")
    root: Path = args.dir
    with_personas = not (root / "personas").is_dir()
    if args.tools is None:
        tools, text = starter_tools()
        scaffold = scaffold_pack(args.name, tools, f"{args.name}.tools.yaml", tools_text=text,
                                 languages=languages, with_personas=with_personas)
    else:
        if not args.tools.resolve().is_relative_to(root.resolve()):
            raise InputError.single(str(args.tools), (
                f"is outside the folder the pack is written to ({root.resolve()}): a scenario file "
                f"may only reference files inside its pack folder; copy it in (e.g. scenarios/{args.name}.tools.yaml)"
            ))
        loaded, state = _load(args.tools)
        reference = os.path.relpath(args.tools.resolve(), (root / "scenarios").resolve())
        scaffold = scaffold_pack(args.name, list(loaded.specs.values()), reference, sims=loaded.sims, state=state,
                                 today=CHECK_TODAY, languages=languages, with_personas=with_personas)
    written = write_pack(root, scaffold)
    for path in written:
        print(f"wrote {display_path(path)}")
    for note in scaffold.notes:
        print(f"  note: {note}")
    scenario = display_path(root / scaffold.scenario_path)
    print(f"{scenario}: ok — {len(scaffold.scenarios)} scenarios; edit the `say` lines and `replies`, then:\n"
          f"  toolsim validate {scenario}\n  toolsim run {scenario}")
    return 0


def _load(path: Path):
    """The tools of a tools.yaml or a Python module, checked like the loader checks them."""
    from simulator.load.tools import load_tools, seeded_state

    if not path.is_file():
        raise InputError.single(str(path), "no such file (give a tools.yaml or a Python tool-sim module)")
    doc = YamlDocument(source="--tools", value=None)
    loaded = load_tools(str(path.resolve()), Path("/"), doc, ("tools",))
    state, problems = seeded_state(loaded)
    if loaded.problems or problems:
        raise InputError(loaded.problems + problems)
    return loaded, state
