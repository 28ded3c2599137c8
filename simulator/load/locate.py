"""Where a scenario is written: for messages about a loaded pack, after loading.

The pack keeps values, not lines; a later stage that must point at a scenario (a run stopped
because every episode of one crashed) reads the scenario file's line map again. Scenarios
generated from the tool graph have no line of their own and point at `generation.chains`.
"""

from __future__ import annotations

from simulator.core.errors import InputError, Problem
from simulator.core.yaml_lines import display_path, format_loc, read_yaml
from simulator.spec.pack import Pack


def scenario_problem(pack: Pack, scenario_id: str, message: str) -> Problem:
    """`file:line: scenarios[i] 'id': message` (line unknown when the file is gone or unreadable)."""
    source = display_path(pack.path)
    index = next((i for i, s in enumerate(pack.file.scenarios) if s.id == scenario_id), None)
    loc = ("scenarios", index) if index is not None else ("generation", "chains")
    text = f"{format_loc(loc)} {scenario_id!r}: {message}"
    try:
        doc = read_yaml(pack.path, source)
    except (InputError, OSError):
        return Problem(source, None, text)
    return doc.problem(loc + (("id",) if index is not None else ()), text)


def file_problem(pack: Pack, loc: tuple, message: str) -> Problem:
    """`file:line: loc: message` for a value of the scenario file at `loc` (a later stage's check)."""
    source = display_path(pack.path)
    text = f"{format_loc(loc)}: {message}"
    try:
        doc = read_yaml(pack.path, source)
    except (InputError, OSError):
        return Problem(source, None, text)
    return doc.problem(loc, text)
