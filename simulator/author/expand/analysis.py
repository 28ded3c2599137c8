"""What a variant of one scenario turn must respect, and the check every candidate goes through.

Offline recombination and model output are held to the same rules (`Checker.problem`):

- placeholders are the scenario's slots (the loader's own rule, `variants.template_problems`);
- every slot the turn's calls need and the seeds always say is said, unless the variant is a
  deliberate *vague* one — and then only slots the assistant can ask for are left out (slots
  with a `domain.ask` question), only in scenarios where asking fits (positive, clarification,
  multi-turn), never in error-recovery or hard ones whose point is something else;
- a needed slot the seeds keep back is not said either (a clarification scenario stays one);
- nothing ambiguous between tools: a text identical to a seed or variant of a turn that expects
  other tools is refused, and so is a variant carrying words that only turns of *other* tools use
  (`TextIndex.foreign`) — e.g. "track" in a refund request;
- no duplicates of any seed or variant of the file (normalised: case, punctuation, spacing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.core.names import NO_TOOL
from simulator.load.variants import template_problems
from simulator.simulate.agents.script import script_of, template_slots
from simulator.spec import DomainConfig, Scenario

VAGUE_CATEGORIES = ("positive", "clarification", "multi-turn")
MIN_SCENARIOS = 2  # seeds of this many scenarios must use a word before it counts as a keyword
_PLACEHOLDER_TEXT = re.compile(r"\{[^{}]*\}")
_LATIN = re.compile(r"[a-z][a-z']{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NOT_WORD = re.compile(r"[^\w{}.@]+")


@dataclass(frozen=True)
class Cell:
    """One turn of one scenario in one language: where variants go."""

    scenario: Scenario
    turn: int
    language: str
    seeds: tuple[str, ...]
    needed: frozenset[str]  # slots the turn's expected calls use
    required: frozenset[str]  # needed slots every seed says
    allowed: frozenset[str]  # needed slots some seed says
    askable: frozenset[str]  # needed slots the assistant has a question for
    tools: frozenset[str]
    called_before: frozenset[str]

    @property
    def key(self) -> tuple[int, str]:
        return self.turn, self.language

    @property
    def vague_ok(self) -> bool:
        return self.scenario.category in VAGUE_CATEGORIES and bool(self.askable & self.allowed)


def cells_of(scenario: Scenario, domain: DomainConfig) -> list[Cell]:
    """Every (turn, language) of a scenario, in turn order then language order."""
    cells = []
    plans = script_of(scenario)
    askable = {name for name, spec in scenario.slots.items() if name in domain.ask and spec.value is None}
    for index, turn in enumerate(scenario.turns):
        needed = frozenset(s for s in plans[index].needed if s in scenario.slots)
        called = frozenset(c.tool for t in scenario.turns[:index] for c in t.expect)
        for language in sorted(scenario.languages):
            seeds = tuple(turn.say.for_language(language))
            said = [frozenset(said_slots(s) & needed) for s in seeds]
            cells.append(Cell(
                scenario=scenario, turn=index, language=language, seeds=seeds, needed=needed,
                required=frozenset.intersection(*said) if said else frozenset(),
                allowed=frozenset().union(*said), askable=frozenset(needed & askable),
                tools=frozenset(c.tool for c in turn.expect), called_before=called,
            ))
    return cells


def said_slots(text: str) -> set[str]:
    return set(template_slots(text))


def normalise(text: str) -> str:
    """Case, punctuation and spacing do not make a new variant."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def tokens(text: str, language: str) -> set[str]:
    """Words (en) or character pairs (zh) of a template, placeholders left out."""
    bare = _PLACEHOLDER_TEXT.sub(" ", text.lower())
    if language == "zh":
        return {run[i:i + 2] for run in _CJK_RUN.findall(bare) for i in range(len(run) - 1)}
    return {w.strip("'") for w in _LATIN.findall(bare)}


def labels(tools: Iterable[str]) -> frozenset[str]:
    found = frozenset(tools)
    return found or frozenset({NO_TOOL})


@dataclass
class TextIndex:
    """Every seed and variant of a scenario file by normalised text, and which tools the words of
    the hand-written seeds go with (a no-tool turn counts as the tool `(none)`).

    A word tells tools apart only if it is not wording (the phrase table's openers, synonyms...,
    `ignore`) and seeds of at least `MIN_SCENARIOS` scenarios use it: with a few seeds per
    scenario, a word said once is an accident of phrasing, not a keyword."""

    ignore: dict[str, frozenset[str]] = field(default_factory=dict)  # language -> words that are only wording
    texts: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)
    _scenarios: dict[str, set[str]] = field(default_factory=dict)

    def add_seed(self, text: str, scenario_id: str, tools: Iterable[str], language: str) -> None:
        tool_labels = labels(tools)
        self.add_text(text, scenario_id, tool_labels)
        for token in tokens(text, language) - self.ignore.get(language, frozenset()):
            self._scenarios.setdefault(token, set()).add(scenario_id)
            self.words.setdefault(token, set()).update(tool_labels)

    def add_text(self, text: str, scenario_id: str, tools: Iterable[str]) -> None:
        self.texts.setdefault(normalise(text), (scenario_id, labels(tools)))

    def clash(self, text: str, tools: Iterable[str]) -> str | None:
        """Why `text` may not be added, if an equal text is already known."""
        known = self.texts.get(normalise(text))
        if known is None:
            return None
        other, other_tools = known
        if other_tools != labels(tools):
            return f"ambiguous: the same words are a turn of {other} ({', '.join(sorted(other_tools))})"
        return "duplicate"

    def _keyword(self, word: str) -> set[str] | None:
        if len(self._scenarios.get(word, ())) < MIN_SCENARIOS:
            return None
        return self.words[word]

    def foreign(self, words: Iterable[str], tools: Iterable[str]) -> list[str]:
        """Keywords that only turns of other tools use."""
        mine = labels(tools)
        return sorted(w for w in words if (k := self._keyword(w)) is not None and not k & mine)

    def own(self, words: Iterable[str], tools: Iterable[str]) -> bool:
        """Does some keyword point at this turn's tools (and only at them)?"""
        mine = labels(tools)
        return any((k := self._keyword(w)) is not None and k <= mine for w in words)


@dataclass
class Checker:
    """Applies the rules of the module docstring; `index` grows with every accepted variant."""

    index: TextIndex

    def problem(self, text: str, cell: Cell, *, vague: bool, required: frozenset[str] | None = None,
                introduced: set[str] | None = None) -> str | None:
        """None if `text` may be added to `cell`, else a short reason (counted in the summary).

        `required` overrides the cell's required slots (offline: the slots of the seed a variant
        came from); `introduced` are the words the variant added to its seed (offline: none of them
        may be foreign); without it (model output) a variant with a foreign word needs a word of
        its own tools."""
        found = template_problems(text, cell.scenario, set(cell.called_before), cell.language)
        if found:
            return "placeholder: " + found[0]
        said = said_slots(text)
        kept_back = (said & cell.needed) - cell.allowed
        if kept_back:
            return f"says {', '.join(sorted(kept_back))}, which this scenario's seeds keep back"
        missing = (cell.required if required is None else required) - said
        if missing and not vague:
            return f"misses required slot(s) {', '.join(sorted(missing))}"
        if missing:
            if not cell.vague_ok:
                return f"vague variant in a {cell.scenario.category} turn"
            if missing - cell.askable:
                return f"vague variant drops {', '.join(sorted(missing - cell.askable))}, which nobody asks for"
        clash = self.index.clash(text, cell.tools)
        if clash:
            return clash
        words = tokens(text, cell.language)
        if introduced is not None:
            foreign = self.index.foreign(introduced, cell.tools)
        else:
            foreign = [] if self.index.own(words, cell.tools) else self.index.foreign(words, cell.tools)
        if foreign:
            return f"ambiguous: {', '.join(repr(w) for w in foreign[:3])} belongs to other tools' requests"
        return None

    def accept(self, text: str, cell: Cell) -> None:
        self.index.add_text(text, cell.scenario.id, cell.tools)
