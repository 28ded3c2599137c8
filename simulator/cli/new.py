"""`toolsim new PACK_NAME [--tools tools.yaml|module.py | --from-openapi FILE | --from-mcp COMMAND|URL]`:
start a pack that validates and runs.

Without `--tools` the pack gets two example schema-only tools (`scenarios/NAME.tools.yaml`) to
replace; with them, its scenarios are made from the given tools (a Python module is imported and
its sims probed on their seeded state). `--from-openapi` and `--from-mcp` import the tools of an API
description or an MCP server (`simulator.author.importers`), with where they live.
Personas come from `personas/` next to `scenarios/` when
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
    p.add_argument("--from-openapi", type=Path, metavar="SPEC",
                   help="import the operations of an OpenAPI 3 document (YAML or JSON) as tools")
    p.add_argument("--from-mcp", metavar="COMMAND|URL",
                   help="import the tools of an MCP server: the command that starts it (stdio, run from here) or "
                        "its streamable HTTP URL")
    p.add_argument("--include", action="append", default=[], metavar="PATTERN",
                   help="import only operations/tools matching a glob (name, operationId, 'GET /path'); repeatable")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                   help="leave out operations/tools matching a glob; repeatable")
    p.add_argument("--base-url", help="--from-openapi: where live calls go (default: the document's first server)")
    p.add_argument("--api-key-env", metavar="VAR",
                   help="the environment variable live calls read the API key from (default NAME_API_KEY)")
    p.add_argument("--server-env", action="append", default=[], metavar="VAR",
                   help="--from-mcp with a command: an environment variable the server needs (its value is passed "
                        "on when the server starts, never written down); repeatable")
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
    sources = [flag for flag, value in (("--tools", args.tools), ("--from-openapi", args.from_openapi),
                                        ("--from-mcp", args.from_mcp)) if value is not None]
    if len(sources) > 1:
        raise InputError.single(sources[1], f"give one source of tools ({' or '.join(sources)}), not several")
    if args.server_env and args.from_mcp is None:
        raise InputError.single("--server-env", "goes with --from-mcp (the variables an MCP server needs)")
    if (args.include or args.exclude or args.base_url or args.api_key_env) and not (args.from_openapi or args.from_mcp):
        raise InputError.single("--include", "--include, --exclude, --base-url and --api-key-env go with "
                                             "--from-openapi or --from-mcp")
    if args.from_openapi is not None or args.from_mcp is not None:
        scaffold = _imported(args, root, languages, with_personas)
    elif args.tools is None:
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


def _imported(args: argparse.Namespace, root: Path, languages: tuple[str, ...], with_personas: bool):
    from simulator.author.importers import Filter, imported_pack
    from simulator.spec.service import ENV_NAME

    for flag, names in (("--api-key-env", [args.api_key_env] if args.api_key_env else []),
                        ("--server-env", args.server_env)):
        for name in names:
            if not ENV_NAME.match(name):
                raise InputError.single(flag, f"not an environment variable name: {name!r}")
    patterns = Filter(include=list(args.include), exclude=list(args.exclude))
    if args.from_openapi is not None:
        from simulator.author.importers.openapi import import_openapi

        if not args.from_openapi.is_file():
            raise InputError.single(str(args.from_openapi), "no such file (give an OpenAPI 3 document, YAML or JSON)")
        if args.base_url is not None and not args.base_url.startswith(("http://", "https://")):
            raise InputError.single("--base-url", f"expected an http(s) URL, got {args.base_url!r}")
        imported = import_openapi(args.from_openapi, name=args.name, patterns=patterns, base_url=args.base_url,
                                  api_key_env=args.api_key_env)
    else:
        from simulator.author.importers.mcp_tools import import_mcp

        if args.base_url is not None:
            raise InputError.single("--base-url", "goes with --from-openapi (an MCP server is its command or URL)")
        imported = import_mcp(args.from_mcp, name=args.name, patterns=patterns, tools_folder=root / "scenarios",
                              api_key_env=args.api_key_env, server_env=list(args.server_env))
    for note in imported.notes:
        print(f"  import: {note}")
    return imported_pack(args.name, imported, languages=languages, with_personas=with_personas)


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
