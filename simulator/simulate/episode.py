"""Turn a planned `Episode` into everything one simulation needs.

Deterministic: the same episode (scenario, persona, seed) always yields the same tool state, the
same picked record and the same slot values, which is what makes offline runs reproducible and
resumable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from simulator.core.records import Episode
from simulator.simulate.agents.script import names_an_id
from simulator.simulate.environment import ToolEnvironment
from simulator.spec import Persona, Scenario, StateQuery
from simulator.spec.blueprint import MissingValue, lookup, matches, values_at
from simulator.spec.pack import Domain, Pack
from simulator.values.fakes import fake
from simulator.words.relative_dates import fill_today, resolve


class ScenarioError(Exception):
    """The scenario cannot be played against this state (e.g. no record matches its query)."""


@dataclass
class EpisodeContext:
    episode: Episode
    scenario: Scenario
    persona: Persona
    domain: Domain
    facts: dict[str, Any]
    env: ToolEnvironment
    rng: random.Random
    max_turns: int
    tool_model: Any = None  # an LLM tool simulator for schema-only tools, when the tool role is a model
    live: Any = None  # the episode's `EpisodeLive`, when some tool's `domain.sim` is `live`
    template: int = 0  # which `say` variant of the first turn opens the conversation (see choose_template)

    @property
    def template_language(self) -> str:
        """The language the first turn's variants are read in (English when the scenario has none
        in the persona's language)."""
        first = self.scenario.turns[0].say if self.scenario.turns else None
        return self.persona.language if first is None or first.for_language(self.persona.language) else "en"

    @property
    def template_key(self) -> str:
        """`scenario#language.index`: the hand-written seed this conversation opens with (a
        generated variant of a seed counts as that seed)."""
        language = self.template_language
        index = self.scenario.turns[0].seed_index(language, self.template) if self.scenario.turns else self.template
        return f"{self.scenario.id}#{language}.{index}"

    @property
    def today(self) -> date:
        return self.env.today

    @property
    def system_prompt(self) -> str:
        """The domain's system prompt with this episode's `{today}` / `{weekday}` filled in."""
        return fill_today(self.domain.system_prompt, self.env.today)


def pick_record(state: dict[str, list[dict[str, Any]]], query: StateQuery, rng: random.Random) -> dict[str, Any]:
    records = state.get(query.collection, [])
    candidates = _matching(records, query.where)
    if query.unique:
        candidates = _identifiable(candidates, records, query.unique)
    if not candidates:
        unique = f", identifiable by {query.unique}" if query.unique else ""
        raise ScenarioError(f"no record in {query.collection!r} matches {query.where}{unique}")
    return rng.choice(candidates)


def _identifiable(candidates: list[dict[str, Any]], records: list[dict[str, Any]], paths: list[str]) -> list[dict[str, Any]]:
    """The candidates `identifiable(r, records, paths)` keeps, in order, with each record's values
    at each path read once (`identifiable` reads every other record's again for each candidate)."""
    columns = [[values_at(path, other) for other in records] for path in paths]
    kept = []
    for record in candidates:
        try:
            own = [lookup(path, record) for path in paths]
        except MissingValue:
            continue
        if not any(other is not record and all(value in column[j] for value, column in zip(own, columns))
                   for j, other in enumerate(records)):
            kept.append(record)
    return kept


_ABSENT = object()


def _matching(records: list[dict[str, Any]], where: dict[str, Any]) -> list[dict[str, Any]]:
    """The records `matches(record, where)` keeps, in order. Every episode picks its record this
    way; a `where` of one plain field (`status: delivered`, the common case) is tested on each
    dict record directly, anything else by `matches`."""
    if not where:
        return list(records)
    if len(where) == 1:
        [(key, wanted)] = where.items()
        if "." not in key and not isinstance(wanted, list):
            return [r for r in records if (not (r.get(key, _ABSENT) != wanted) if type(r) is dict else matches(r, where))]
    return [r for r in records if matches(r, where)]


def _taken(state: dict[str, list[dict[str, Any]]], key: str) -> set[Any]:
    return {r.get(key) for records in state.values() if isinstance(records, list) for r in records if isinstance(r, dict)}


def _fresh_fake(kind: str, state: dict[str, list[dict[str, Any]]], rng: random.Random) -> Any:
    """A generated value that is *not* already in the state under the same name: a "wrong order
    id" scenario must really get an unknown id, or its expected error never happens."""
    value = fake(kind, rng)
    taken = _taken(state, kind)
    for _ in range(20):
        if value not in taken:
            break
        value = fake(kind, rng)
    return value


def scaled(name: str, path: str, value: Any, factor: float) -> float:
    """A scaled field slot's value: the record's number times the factor, in cents."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(
            f"slot {name!r}: `scale` needs a number, but field {path!r} of the picked record is {value!r}"
        )
    return round(value * factor, 2)


def resolve_facts(
    scenario: Scenario, state: dict[str, list[dict[str, Any]]], rng: random.Random, today: date
) -> dict[str, Any]:
    """Slot values for one episode, in slot order (`date` slots resolve against `today`; a scaled
    `field` slot draws its factor from `rng` right after its record is read)."""
    record = pick_record(state, scenario.record, rng) if scenario.record else {}
    facts: dict[str, Any] = {}
    for name, slot in scenario.slots.items():
        if slot.field is not None:
            try:
                facts[name] = lookup(slot.field, record)
            except MissingValue:
                raise ScenarioError(f"slot {name!r}: the picked record has no field {slot.field!r}") from None
            if slot.scale is not None:  # only scaled slots draw: unscaled scenarios keep their facts
                facts[name] = scaled(name, slot.field, facts[name], rng.choice(slot.scale))
        elif slot.fake is not None:
            facts[name] = _fresh_fake(slot.fake, state, rng)
        elif slot.choice is not None:
            facts[name] = rng.choice(slot.choice)
        elif slot.date is not None:
            facts[name] = resolve(slot.date, today, rng)
        else:
            facts[name] = slot.value
    return facts


def choose_template(scenario: Scenario, persona: Persona, facts: dict[str, Any], seed: int) -> int:
    """The first turn's `say` variant, drawn once per episode from its own stream so the split
    can hold whole seeds out. A vague persona prefers, by its vagueness, a line naming no id."""
    if not scenario.turns:
        return 0
    say = scenario.turns[0].say
    variants = say.for_language(persona.language) or say.for_language("en")
    if len(variants) < 2:  # one variant: every draw below would pick it, so skip seeding an rng
        return 0
    rng = random.Random(f"template:{seed}:{scenario.id}:{persona.id}")
    indices = list(range(len(variants)))
    if persona.vagueness and rng.random() < persona.vagueness:
        indices = [i for i in indices if not names_an_id(variants[i], facts)] or indices
    return rng.choice(indices)


def _episode_facts(scenario: Scenario, env: ToolEnvironment, seed: str) -> dict[str, Any]:
    """The facts, read from the seeded state (equal to the episode's own, no call has run yet), so
    that reading them does not make the environment copy its state before a sim needs it. A
    `field` slot that took a record's list or mapping is read again from the episode's own state:
    there it is the very object the sims change, as it always was."""
    facts = resolve_facts(scenario, env.initial_state, random.Random(seed), env.today)
    if any(slot.field is not None and not _atom(facts[name]) for name, slot in scenario.slots.items()):
        facts = resolve_facts(scenario, env.state, random.Random(seed), env.today)
    return facts


def _atom(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float))


def prepare_episode(pack: Pack, episode: Episode) -> EpisodeContext:
    scenario = pack.scenarios[episode.scenario_id]
    persona = pack.personas[episode.persona_id]
    # Not seeded by `sample`: samples of one plan (for DPO pairs) share the user's side, and
    # differ only where the assistant does — a preference pair needs a shared prompt.
    rng = random.Random(f"{episode.seed}:{episode.scenario_id}:{episode.persona_id}")
    env = ToolEnvironment(pack.domain, seed=episode.seed, today=pack.today_of(episode))
    facts = _episode_facts(scenario, env, f"facts:{episode.seed}:{episode.scenario_id}")
    env.set_facts(facts)
    return EpisodeContext(
        episode=episode,
        scenario=scenario,
        persona=persona,
        domain=pack.domain,
        facts=facts,
        env=env,
        rng=rng,
        max_turns=pack.file.generation.max_turns,
        template=choose_template(scenario, persona, facts, episode.seed),
    )
