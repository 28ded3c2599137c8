"""`toolsim graph SCENARIO_FILE`: print or draw a pack's tool graph (`simulator.load.tool_graph`).

Text for reading in a terminal (tools, edges with the field → parameter mapping and why,
independent groups, optionally sampled chains); DOT and Mermaid for drawing it elsewhere — the
text of both is written here, so there is no graphviz dependency. A bad scenario file is the usual
`file:line` error with exit code 2.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from simulator.cli.argtypes import generated
from simulator.core.errors import InputError

FORMATS = ("text", "dot", "mermaid")
MERMAID_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "click", "default"}


def add_graph_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "graph", help="print or draw the tool graph of a scenario file",
        description="Which tool's output can feed which tool's parameter (declared links, matching names and "
                    "types, identifier formats), the groups of independent tools, and sampled call chains.",
    )
    p.add_argument("scenario_file", type=Path)
    p.add_argument("--format", choices=FORMATS, default="text", help="text (default), dot (Graphviz) or mermaid")
    p.add_argument("--out", type=Path, help="write to this file instead of printing")
    p.add_argument("--chains", type=generated, metavar="N",
                   help="also sample N chains (of generation.chains.min_calls..max_calls tools, seeded)")
    p.set_defaults(handler=run_graph)
    return p


def run_graph(args: argparse.Namespace) -> int:
    from simulator.load.loader import load_pack
    from simulator.load.tool_graph import build_graph

    if args.out is not None and not args.out.parent.is_dir():
        raise InputError.single("--out", f"folder does not exist: {args.out.parent}")
    pack = load_pack(args.scenario_file)
    graph = build_graph(pack.domain.tools, pack.domain.config.links)
    chains = sample_chains(graph, pack, args.chains) if args.chains else []
    render = {"text": render_text, "dot": render_dot, "mermaid": render_mermaid}[args.format]
    text = render(graph, pack, chains)
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write(args.out, text)
        print(f"wrote {args.out}")
    return 0


def sample_chains(graph: Any, pack: Any, n: int) -> list[list[str]]:
    """N simple paths of the file's `min_calls`..`max_calls` tools passing on identifiers (the kind
    `generation.chains` makes scenarios of), seeded by `generation.seed`."""
    from simulator.load.tool_graph import identifier_graph, simple_chains

    config = pack.file.generation.chains
    paths = simple_chains(identifier_graph(graph), config.min_calls, config.max_calls)
    return random.Random(f"graph:{pack.file.generation.seed}").sample(paths, min(n, len(paths)))


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file in the same folder, renamed over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mapping(graph: Any, a: str, b: str, attributes: bool = True) -> str:
    return "; ".join(f"{f.path} → {f.param}" for f in graph.edges[a, b]["feeds"] if attributes or f.identifier)


def _why(feed: Any) -> str:
    return feed.reason if feed.identifier else f"{feed.reason}, attribute"


# ---------------------------------------------------------------- text


def render_text(graph: Any, pack: Any, chains: list[list[str]]) -> str:
    from simulator.load.tool_graph import (
        identifier_graph,
        independent_groups,
        output_fields,
    )

    edges = sorted(graph.edges)
    lines = [f"Tool graph of {pack.name}: {graph.number_of_nodes()} tools, {len(edges)} edges", "", "Tools"]
    width = max((len(t) for t in graph.nodes), default=0)
    for name in sorted(graph.nodes):
        spec = graph.nodes[name]["spec"]
        params = ", ".join(spec.parameters.get("properties", {})) or "-"
        fields = len(output_fields(spec.returns))
        returns = f"{fields} result field{'s' if fields != 1 else ''}" if spec.returns is not None else "no returns schema"
        lines.append(f"  {name:<{width}}  params: {params}; {returns}")
    lines += ["", "Edges (output field → parameter, why; an attribute such as a date or a city makes no chain)"]
    pair_width = max((len(a) + len(b) + 3 for a, b in edges), default=0)
    for a, b in edges:
        for feed in graph.edges[a, b]["feeds"]:
            lines.append(f"  {f'{a} → {b}':<{pair_width}}  {feed.path} → {feed.param}  ({_why(feed)})")
    if not edges:
        lines.append("  (none)")
    groups = [g for g in independent_groups(identifier_graph(graph)) if len(g) > 1]
    lines += ["", "Independent groups (no identifier passes between any two: any 2–3 of a group can be called in parallel)"]
    lines += [f"  {', '.join(g)}" for g in groups] or ["  (none)"]
    if chains:
        config = pack.file.generation.chains
        lines += ["", f"Sampled chains ({len(chains)}, {config.min_calls}–{config.max_calls} calls)"]
        chain_width = max(len(" → ".join(c)) for c in chains)
        for chain in chains:
            feeds = "; ".join(_mapping(graph, a, b, attributes=False) for a, b in itertools.pairwise(chain))
            lines.append(f"  {' → '.join(chain):<{chain_width}}  [{feeds}]")
    generated = [s for s in pack.scenarios if s.startswith(("chain-", "parallel-")) and s not in _file_ids(pack)]
    if generated:
        lines += ["", "Scenarios generated by generation.chains", *(f"  {sid}" for sid in generated)]
    return "\n".join(lines) + "\n"


def _file_ids(pack: Any) -> set[str]:
    return {s.id for s in pack.file.scenarios}


# ---------------------------------------------------------------- dot and mermaid


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: Any, pack: Any, chains: list[list[str]]) -> str:
    """Graphviz DOT: declared links bold, format matches dashed, attribute-only edges dotted."""
    style = {"declared": "bold", "name+type": "solid", "format": "dashed"}
    lines = [f"digraph {_dot_quote(pack.name)} {{", "  rankdir=LR;", "  node [shape=box];"]
    lines += [f"  {_dot_quote(n)};" for n in sorted(graph.nodes)]
    for a, b in sorted(graph.edges):
        data = graph.edges[a, b]
        label = "; ".join(f"{f.path} → {f.param} ({_why(f)})" for f in data["feeds"])
        look = style[data["reason"]] if data["strong"] else "dotted"
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)} [label={_dot_quote(label)}, style={look}];")
    lines += [f"  // chain: {' -> '.join(c)}" for c in chains]
    return "\n".join(lines + ["}"]) + "\n"


def _mermaid_ids(names: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name in names:
        base = re.sub(r"\W", "_", name)
        if base.lower() in MERMAID_RESERVED or base[:1].isdigit():
            base = f"t_{base}"
        candidate, k = base, 2
        while candidate in ids.values():
            candidate, k = f"{base}_{k}", k + 1
        ids[name] = candidate
    return ids


def render_mermaid(graph: Any, pack: Any, chains: list[list[str]]) -> str:
    """A Mermaid flowchart (renders on GitHub inside a ```mermaid block)."""
    ids = _mermaid_ids(sorted(graph.nodes))
    lines = ["flowchart LR"]
    lines += [f'  {ids[n]}["{n}"]' for n in sorted(graph.nodes)]
    arrow = {"declared": "==>", "name+type": "-->", "format": "-.->"}
    for a, b in sorted(graph.edges):
        data = graph.edges[a, b]
        label = "; ".join(f"{f.path} → {f.param} ({_why(f)})" for f in data["feeds"]).replace('"', "#quot;")
        link = arrow[data["reason"]] if data["strong"] else "-.->"
        lines.append(f'  {ids[a]} {link}|"{label}"| {ids[b]}')
    lines += [f"  %% chain: {' --> '.join(c)}" for c in chains]
    return "\n".join(lines) + "\n"
