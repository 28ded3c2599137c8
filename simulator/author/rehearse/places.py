"""Where in the scenario file a rehearsal finding belongs: a scenario, a slot, an expected call's
argument, a reply template variant — as `file:line: location: message`, like the loader's problems.

The pack keeps values, not lines, so the scenario file is read again for its line map (it loaded
a moment ago). Generated chain and parallel-call scenarios have no lines of their own: they are
reported at `generation.chains`, with their id.
"""

from __future__ import annotations

from typing import Any

from simulator.core.errors import Problem
from simulator.core.yaml_lines import Loc, YamlDocument, display_path, format_loc, read_yaml
from simulator.spec import LANGUAGES, Scenario
from simulator.spec.pack import Pack

CHAINS: Loc = ("generation", "chains")


class Places:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.doc: YamlDocument = read_yaml(pack.path, display_path(pack.path))
        self.index = {s.id: i for i, s in enumerate(pack.file.scenarios)}
        self.templates: dict[int, tuple[Loc, str, str | None]] = {}  # id -> (loc, kind, tool or slot)
        domain = pack.file.domain
        for tool, text in domain.replies.items():
            self.templates[id(text)] = (("domain", "replies", tool), "reply", tool)
        for slot, text in domain.ask.items():
            self.templates[id(text)] = (("domain", "ask", slot), "ask", slot)
        if ("domain", "error_reply") in self.doc.lines:
            self.templates[id(domain.error_reply)] = (("domain", "error_reply"), "error_reply", None)
        for scenario in pack.scenarios.values():
            for t, turn in enumerate(scenario.turns):
                if turn.answer is not None and scenario.id in self.index:
                    loc = self.scenario(scenario) + ("turns", t, "answer")
                    self.templates[id(turn.answer)] = (loc, "answer", scenario.id)

    def scenario(self, scenario: Scenario) -> Loc:
        index = self.index.get(scenario.id)
        return ("scenarios", index) if index is not None else CHAINS

    def written(self, scenario: Scenario) -> bool:
        """Written in the file (not generated from the tool graph)."""
        return scenario.id in self.index

    def problem(self, loc: Loc, message: str) -> Problem:
        return self.doc.problem(loc, f"{format_loc(loc)}: {message}")

    def about(self, scenario: Scenario, loc: Loc, message: str) -> Problem:
        """A problem of a scenario at `loc` inside it (`()`: the scenario itself)."""
        if not self.written(scenario):
            return self.problem(CHAINS, f"generated scenario {scenario.id!r}: {message}")
        return self.problem(self.scenario(scenario) + loc, message)

    def variant(self, base: Loc, language: str, index: int) -> Loc:
        """The location of one variant as written: `x.en[1]`, `x.en` (one string) or `x`."""
        for candidate in (base + (language, index), base + (language,)):
            if candidate in self.doc.lines:
                return candidate
        return base


def languages_text(languages: Any) -> str:
    ordered = [lang for lang in LANGUAGES if lang in languages]
    return " and ".join(ordered) if ordered else "any language"
