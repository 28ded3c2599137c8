"""Rehearse a pack: what `toolsim validate` does after the static checks.

The loader checks what can be checked by reading; some mistakes only show when a scenario is
played — a `record.where` that matches nothing, a `{@tool.path}` no result has, a reply template
naming a field the result lacks, an expected error the tool never raises, a blueprint the
reference assistant cannot satisfy. Left to `toolsim run`, each costs a run of rejected or
crashed episodes whose cause hides in `traces.jsonl`. `rehearse(pack)` plays every scenario once
per language, offline (`plays`), and reports each such cause as a `file:line` problem
(`findings`, `places`); nothing is written.
"""

from __future__ import annotations

from simulator.author.rehearse.findings import scenario_problems, template_problems
from simulator.author.rehearse.places import Places
from simulator.author.rehearse.plays import Rehearsal, rehearse_pack
from simulator.author.rehearse.templates import TemplateWatch
from simulator.core.errors import Problem
from simulator.spec.pack import Pack


def rehearse(pack: Pack) -> list[Problem]:
    """Every runtime problem of a loaded pack, at the line that causes it (empty: it plays)."""
    watch = TemplateWatch()
    rehearsal = rehearse_pack(pack, watch)
    places = Places(pack)
    problems: list[Problem] = []
    for scenario in pack.scenarios.values():
        problems += scenario_problems(pack, scenario, rehearsal, places)
    problems += template_problems(rehearsal, watch, places)
    return problems


__all__ = ["Rehearsal", "rehearse", "rehearse_pack"]
