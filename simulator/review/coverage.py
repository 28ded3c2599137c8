"""`toolsim stats RUN --coverage`: what the dataset covers, and the cells it leaves empty.

The grid is persona × scenario × tool × behaviour over the run's *accepted* traces (the published
dataset, `selection.json`; before one is published, the traces whose final verdict is accept).
A trace counts once in every cell it belongs to: under each tool it called (`(none)` when it
called none) and each behaviour it shows (`simulator.review.behaviours`), so cell counts add up to more
than the trace count.

What is *possible* comes from the scenario file the run was made from: the persona × scenario
pairs `Pack.personas_for` allows, every tool of the domain, every tool × behaviour pair some
scenario's blueprint implies, every hard-case tag. Empty cells are possible ones with no trace,
each named once at its coarsest level: a tool never called is not listed again under each of its
behaviours, nor an absent hard-case tag under each tool. When the scenario file cannot be loaded,
the observed grid is reported and the possible cells are `null` (unknown), with the reason.

One pass over `traces.jsonl`; lines of traces outside the dataset are skipped by their id
without being parsed. Memory grows with the dataset's distinct kinds of trace, not its text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from simulator.core.errors import InputError
from simulator.core.names import NO_TOOL
from simulator.core.rundir import RunDir, iter_jsonl, trace_id_of_line
from simulator.review.behaviours import (
    BEHAVIOURS,
    HARD,
    behaviour_order,
    blueprint_cells,
    trace_behaviours,
)
from simulator.spec.snapshot import read_snapshot

__all__ = ["BEHAVIOURS", "HARD", "NO_TOOL", "compute_coverage", "possible_cells"]


# ---------------------------------------------------------------- the run


@dataclass
class _Source:
    """What the coverage knows of the run's scenario file."""

    pack: Any  # simulator.spec.pack.Pack, or None when it could not be loaded
    scenario_file: str | None
    note: str | None
    scenarios: dict[str, tuple[bool, tuple[str, ...]]]  # id -> (first turn expects a call, hard_cases)


def _load_source(run: RunDir, manifest: dict[str, Any]) -> _Source:
    """The run's pack, from the snapshot the run directory keeps (`pack.json`): the possible cells
    are those of the pack the run was made from, wherever its scenario file is now. A run made
    before snapshots existed still shows its observed grid, from the configuration the manifest
    recorded."""
    given = manifest.get("scenario_file")
    config = manifest.get("config") or {}
    recorded = {s.get("id"): (bool((s.get("turns") or [{}])[0].get("expect")), tuple(s.get("hard_cases") or ()))
                for s in config.get("scenarios") or [] if isinstance(s, dict)}
    try:
        pack = read_snapshot(run)
    except InputError as exc:
        return _Source(None, given, exc.problems[0].message, recorded)
    scenarios = {s.id: (bool(s.turns[0].expect), tuple(s.hard_cases)) for s in pack.scenarios.values()}
    return _Source(pack, given, None, recorded | scenarios)


def _accepted_ids(run: RunDir) -> tuple[set[str], str]:
    selection = run.read_selection()
    if selection:
        return set(selection), "dataset"
    accepted = set()
    for v in iter_jsonl(run.verdicts_path):
        overrides = v.get("overrides") or []
        decision = overrides[-1]["decision"] if overrides else v["decision"]
        (accepted.add if decision == "accept" else accepted.discard)(v["trace_id"])
    return accepted, "accepted verdicts (no dataset published yet)"


def _observe(run: RunDir, wanted: set[str], scenarios: dict[str, tuple[bool, tuple[str, ...]]]) -> Counter:
    """Traces per (persona, scenario, tools, behaviours), in one pass over traces.jsonl. A trace
    simulated again has a later line, which wins, as everywhere else."""
    import json

    seen: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {}
    kinds: dict[tuple, tuple] = {}  # one shared tuple per distinct kind of trace
    if run.traces_path.exists():
        with run.traces_path.open("rb") as f:
            for line in f:
                if not line.strip() or trace_id_of_line(line) not in wanted:
                    continue
                trace = json.loads(line)
                ep = trace.get("episode") or {}
                scenario = ep.get("scenario_id", "?")
                asks_first, hard_cases = scenarios.get(scenario, (False, ()))
                tools, behaviours = trace_behaviours(trace.get("messages") or [], asks_first=asks_first,
                                                     hard_cases=hard_cases)
                kind = (ep.get("persona_id", "?"), scenario, tools, behaviours)
                seen[trace["id"]] = kinds.setdefault(kind, kind)
    return Counter(seen.values())


# ---------------------------------------------------------------- the report


def possible_cells(pack: Any) -> dict[str, Any]:
    """Every cell the scenario file allows (see the module docstring)."""
    implied: dict[str, set[str]] = defaultdict(set)
    for scenario in pack.scenarios.values():
        for tool, behaviour in blueprint_cells(scenario):
            implied[tool].add(behaviour)
    tools = list(pack.domain.tools)
    tags = {tag for s in pack.scenarios.values() for tag in s.hard_cases}
    return {
        "scenario_personas": {s.id: [p.id for p in pack.personas_for(s)] for s in pack.scenarios.values()},
        "tools": tools,
        "tool_behaviours": {t: behaviour_order(implied[t]) for t in [*tools, NO_TOOL, *sorted(implied)]
                            if t in implied},
        "hard_cases": [name.removeprefix(HARD) for name in behaviour_order(HARD + t for t in tags)],
    }


def _empty_cells(possible: dict[str, Any], per_pair: dict[str, Counter], per_tool: dict[str, Counter],
                 tools: Counter, behaviours: Counter) -> dict[str, list[Any]]:
    never = [t for t in possible["tools"] if not tools[t]]
    absent = [t for t in possible["hard_cases"] if not behaviours[HARD + t]]
    return {
        "persona_scenario": [{"scenario": s, "persona": p} for s, personas in possible["scenario_personas"].items()
                             for p in personas if not per_pair[s][p]],
        "tools": never,
        "tool_behaviour": [{"tool": t, "behaviour": b} for t, names in possible["tool_behaviours"].items()
                           for b in names if not per_tool[t][b] and t not in never
                           and b.removeprefix(HARD) not in absent],
        "hard_cases": absent,
    }


def compute_coverage(run: RunDir) -> dict[str, Any]:
    """The coverage report as JSON-ready values (`toolsim stats --coverage --json`, the HTML report)."""
    manifest = run.read_manifest() or {}
    source = _load_source(run, manifest)
    wanted, origin = _accepted_ids(run)
    kinds = _observe(run, wanted, source.scenarios)

    cells: Counter = Counter()
    per_pair: dict[str, Counter] = defaultdict(Counter)  # scenario -> persona -> traces
    per_tool: dict[str, Counter] = defaultdict(Counter)  # tool -> behaviour -> traces
    tools: Counter = Counter()
    behaviours: Counter = Counter()
    for (persona, scenario, called, shown), n in kinds.items():
        per_pair[scenario][persona] += n
        for b in shown:
            behaviours[b] += n
        for tool in called:
            tools[tool] += n
            for b in shown:
                per_tool[tool][b] += n
                cells[(persona, scenario, tool, b)] += n

    possible = possible_cells(source.pack) if source.pack is not None else None
    allowed = possible["scenario_personas"] if possible else {}
    implied = possible["tool_behaviours"] if possible else {}
    scenario_order = [*allowed, *sorted(set(per_pair) - set(allowed))]
    tool_order = list(dict.fromkeys([*(possible["tools"] if possible else []), *implied, *sorted(tools)]))
    empty = _empty_cells(possible, per_pair, per_tool, tools, behaviours) if possible else None
    return {
        "run": str(run.path),
        "name": manifest.get("name"),
        "traces": sum(kinds.values()),
        "source": origin,
        "scenario_file": source.scenario_file,
        "possible_known": possible is not None,
        "note": source.note,
        "behaviours": behaviour_order([*BEHAVIOURS, *behaviours, *(b for bs in implied.values() for b in bs)]),
        "scenario_persona": {s: {p: per_pair[s][p] for p in sorted(set(allowed.get(s, ())) | set(per_pair[s]))}
                             for s in scenario_order},
        "tool_behaviour": {t: {b: per_tool[t][b] for b in behaviour_order([*implied.get(t, ()), *per_tool[t]])}
                           for t in tool_order},
        "tools": {t: tools[t] for t in tool_order},
        "behaviour_traces": {b: behaviours[b] for b in behaviour_order(behaviours)},
        "cells": [{"persona": p, "scenario": s, "tool": t, "behaviour": b, "traces": n}
                  for (p, s, t, b), n in sorted(cells.items())],
        "possible": possible,
        "empty": empty,
        "empty_count": sum(len(v) for v in empty.values()) if empty is not None else None,
    }
