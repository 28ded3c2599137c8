"""Factories for the offline (deterministic, network-free) agents.

The orchestrator asks for "a user" and "an assistant" for an episode; which implementation it
gets is decided by the caller. These build the offline pair from an `EpisodeContext`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.simulate.agents.base import AssistantAgent, UserAgent
from simulator.simulate.agents.offline_assistant import OfflineAssistant
from simulator.simulate.agents.offline_user import OfflineUser

if TYPE_CHECKING:
    from simulator.simulate.episode import EpisodeContext


def make_offline_user(ctx: "EpisodeContext") -> UserAgent:
    """A user that plays the scenario script in the persona's voice."""
    return OfflineUser(ctx)


def make_offline_assistant(ctx: "EpisodeContext") -> AssistantAgent:
    """The blueprint's reference assistant; on a mistake twin, the same wrong once on purpose."""
    if getattr(getattr(ctx, "episode", None), "mistake", False):
        from simulator.simulate.agents.mistakes import MistakenAssistant

        return MistakenAssistant(ctx)
    return OfflineAssistant(ctx)
