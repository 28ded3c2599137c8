"""`toolsim stats RUN --coverage` in the terminal: the coverage report as rich tables.

`simulator.review.coverage.compute_coverage` decides what is counted and what is empty; this only draws
it. In the grids a count of 0 is red when the cell is possible (an empty cell), a dot (·) when
the scenario file makes it impossible, and ? when the file could not be read.
"""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table

from simulator.core.rundir import RunDir
from simulator.review.coverage import HARD

IMPOSSIBLE = "[dim]·[/]"
UNKNOWN = "[dim]?[/]"
MAX_NAMED = 30  # lines of empty cells shown per kind; the rest are counted


def _count(n: int, possible: bool | None) -> str:
    """A count; an empty cell is a red 0 if possible, a dot if impossible, ? if unknown."""
    if n:
        return str(n)
    return "[bold red]0[/]" if possible else IMPOSSIBLE if possible is False else UNKNOWN


def scenario_persona_table(cov: dict[str, Any]) -> Table:
    allowed = (cov["possible"] or {}).get("scenario_personas")
    personas = sorted({p for row in cov["scenario_persona"].values() for p in row})
    table = Table(title="accepted traces per scenario × persona", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for p in personas:
        table.add_column(p, justify="right")
    table.add_column("total", justify="right")
    for scenario, row in cov["scenario_persona"].items():
        cells = []
        for p in personas:
            possible = None if allowed is None else p in allowed.get(scenario, ())
            cells.append(_count(row.get(p, 0), possible))
        table.add_row(scenario, *cells, str(sum(row.values())))
    return table


def tool_behaviour_table(cov: dict[str, Any], hard: bool = False) -> Table:
    """Tools × the behaviours (`hard=False`), or hard-case tags × tools (`hard=True`): the tags
    are many and long, so they get rows of their own table rather than columns."""
    implied = (cov["possible"] or {}).get("tool_behaviours")
    behaviours = [b for b in cov["behaviours"] if b.startswith(HARD) == hard]
    tools = [t for t in cov["tool_behaviour"] if not hard or any(b in cov["tool_behaviour"][t] for b in behaviours)]

    def cell(tool: str, b: str) -> str:
        return _count(cov["tool_behaviour"][tool].get(b, 0), None if implied is None else b in implied.get(tool, ()))

    if hard:
        table = Table(title="accepted traces per hard case × tool", title_justify="left")
        table.add_column("hard case", no_wrap=True)
        for tool in tools:
            table.add_column(tool, justify="right")
        table.add_column("traces", justify="right")
        for b in behaviours:
            table.add_row(b.removeprefix(HARD), *(cell(t, b) for t in tools),
                          _count(cov["behaviour_traces"].get(b, 0), True))
        return table
    table = Table(title="accepted traces per tool × behaviour (a trace counts under every tool it called "
                        "and every behaviour it shows)", title_justify="left")
    table.add_column("tool", no_wrap=True)
    for b in behaviours:
        table.add_column(b.replace("_", " "), justify="right")
    table.add_column("traces", justify="right")
    for tool in tools:
        table.add_row(tool, *(cell(tool, b) for b in behaviours), str(cov["tools"].get(tool, 0)))
    return table


def empty_lines(cov: dict[str, Any]) -> list[str]:
    """The empty cells, named: a heading per kind, then one line per scenario / tool / tag."""
    empty = cov["empty"]
    if empty is None:
        return [f"possible cells unknown: {cov['note'] or 'the scenario file could not be loaded'}"]
    lines: list[str] = []
    if empty["persona_scenario"]:
        allowed = cov["possible"]["scenario_personas"]
        missing: dict[str, list[str]] = {}
        for cell in empty["persona_scenario"]:
            missing.setdefault(cell["scenario"], []).append(cell["persona"])
        lines.append(f"persona × scenario pairs with no trace ({len(empty['persona_scenario'])}):")
        lines += _listed([f"{s} × all {len(ps)} personas" if len(ps) == len(allowed[s]) > 1 else f"{s} × {', '.join(ps)}"
                          for s, ps in missing.items()])
        seen = {p for row in cov["scenario_persona"].values() for p, n in row.items() if n}
        unseen = sorted({p for ps in allowed.values() for p in ps} - seen)
        if unseen:
            lines.append(f"    (personas with no accepted trace at all: {', '.join(unseen)})")
    if empty["tools"]:
        lines.append(f"tools never called ({len(empty['tools'])}):")
        lines += _listed(empty["tools"])
    if empty["tool_behaviour"]:
        lines.append(f"tool × behaviour pairs the blueprints imply, with no trace ({len(empty['tool_behaviour'])}):")
        lines += _listed([f"{c['tool']} × {c['behaviour']}" for c in empty["tool_behaviour"]])
    if empty["hard_cases"]:
        lines.append(f"hard cases in the scenario file, absent from the data ({len(empty['hard_cases'])}):")
        lines += _listed(empty["hard_cases"])
    return lines


def _listed(names: list[str]) -> list[str]:
    shown = [f"  {name}" for name in names[:MAX_NAMED]]
    return shown + ([f"  … and {len(names) - MAX_NAMED} more (--json lists them all)"] if len(names) > MAX_NAMED else [])


def print_coverage(run: RunDir, *, as_json: bool = False) -> None:
    from simulator.cli.console import stdout
    from simulator.review.coverage import compute_coverage

    cov = compute_coverage(run)
    if as_json:
        print(json.dumps(cov, indent=2, ensure_ascii=False))
        return
    head = Table(title=f"toolsim coverage — {cov['run']}", show_header=False, title_justify="left")
    head.add_row("traces counted", f"{cov['traces']} ({cov['source']})")
    head.add_row("scenario file", cov["scenario_file"] or "unknown")
    if cov["note"]:
        head.add_row("[yellow]note[/]", cov["note"])
    stdout.print(head)
    stdout.print(scenario_persona_table(cov))
    stdout.print(tool_behaviour_table(cov))
    if any(b.startswith(HARD) for b in cov["behaviours"]):
        stdout.print(tool_behaviour_table(cov, hard=True))
    count = cov["empty_count"]
    stdout.print(f"[bold]Empty cells ({'unknown' if count is None else count})[/]")
    for line in empty_lines(cov) or ["none: every possible cell has at least one accepted trace"]:
        stdout.print(f"  {line}", highlight=False, markup=False)
