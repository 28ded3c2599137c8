"""Play every scenario of a pack once per language, offline, and keep what each play showed.

A play is one episode with the offline user and assistant (the blueprint's reference policy) and
the pack's own tool sims, judged by the rules — what `toolsim run` does to every episode, minus
the writing. A play that is not accepted is tried again with another seed and another persona
(up to `ATTEMPTS`), so a failure that depends on the draw (a chain over a stateful domain that
sometimes meets a business rule) is not mistaken for a broken scenario; a scenario is in trouble
only when every attempt in a language fails.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from simulator.core.records import Episode, Trace, Verdict
from simulator.judge import judge
from simulator.plan.episodes import is_multi_turn
from simulator.simulate.agents.offline_assistant import OfflineAssistant
from simulator.simulate.agents.offline_user import OfflineUser
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec import LANGUAGES, Scenario
from simulator.spec.generation import today_for
from simulator.spec.pack import Pack

ATTEMPTS = 3


@dataclass
class Play:
    """One rehearsal episode: its trace (None when it could not even start), verdict and error."""

    scenario: Scenario
    language: str
    attempt: int
    trace: Trace | None
    verdict: Verdict | None
    error: BaseException | None = None  # why the episode could not be prepared (e.g. no record matches)

    @property
    def accepted(self) -> bool:
        return self.verdict is not None and self.verdict.decision == "accept"


@dataclass
class Rehearsal:
    """Every play, grouped by scenario and language."""

    plays: dict[tuple[str, str], list[Play]] = field(default_factory=dict)

    def of(self, scenario_id: str) -> list[Play]:
        return [p for (sid, _), plays in self.plays.items() if sid == scenario_id for p in plays]

    def failing_languages(self, scenario_id: str) -> list[str]:
        """Languages in which no attempt of the scenario was accepted."""
        return [lang for (sid, lang), plays in self.plays.items()
                if sid == scenario_id and not any(p.accepted for p in plays)]

    def all(self) -> list[Play]:
        return [p for plays in self.plays.values() for p in plays]


def languages_to_play(pack: Pack, scenario: Scenario) -> list[str]:
    """The scenario's languages some allowed persona speaks and the mix does not exclude."""
    spoken = {p.language for p in pack.personas_for(scenario)}
    shares = pack.file.generation.mix.languages or {}
    closed = abs(sum(shares.values()) - 1.0) < 1e-6
    wanted = [lang for lang in LANGUAGES if lang in spoken and (shares.get(lang, 0 if closed else 1) > 0)]
    return wanted or sorted(spoken)[:1]


def rehearse_pack(pack: Pack, watch: Any = None) -> Rehearsal:
    """Play every scenario in every language; `watch` sees every template the offline assistant
    is about to render (`OfflineAssistant.watch`)."""
    return asyncio.run(_rehearse(pack, watch))


async def _rehearse(pack: Pack, watch: Any) -> Rehearsal:
    rehearsal = Rehearsal()
    for scenario in pack.scenarios.values():
        for language in languages_to_play(pack, scenario):
            plays = rehearsal.plays.setdefault((scenario.id, language), [])
            personas = [p for p in pack.personas_for(scenario) if p.language == language]
            for attempt in range(ATTEMPTS):
                persona = personas[(_stable(scenario.id) + attempt) % len(personas)]
                play = await _play(pack, scenario, persona.id, language, attempt, watch)
                plays.append(play)
                if play.accepted:
                    break
    return rehearsal


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


async def _play(pack: Pack, scenario: Scenario, persona_id: str, language: str, attempt: int, watch: Any) -> Play:
    seed = _stable(f"rehearse:{scenario.id}:{language}:{attempt}")
    episode = Episode(
        id=f"rehearsal-{scenario.id}-{language}-{attempt}", scenario_id=scenario.id, persona_id=persona_id,
        seed=seed, category=scenario.category, tool=scenario.primary_tool, language=language,
        multi_turn=is_multi_turn(scenario), today=today_for(seed, pack.file.generation.today),
    )
    try:
        ctx = prepare_episode(pack, episode)
    except Exception as exc:  # noqa: BLE001 - what a run would record as a crashed episode
        return Play(scenario, language, attempt, None, None, error=exc)
    # A rehearsal holds the sims to their declarations, which runs trust for speed: every result
    # must match its `returns` schema, and a `read_only` tool must leave the state alone (runs let
    # read-only tools read the cached seeded state itself).
    ctx.env.check_returns = True
    assistant = OfflineAssistant(ctx)
    assistant.watch = watch
    trace = await simulate_episode(ctx, OfflineUser(ctx), assistant)
    return Play(scenario, language, attempt, trace, judge(trace, pack))
