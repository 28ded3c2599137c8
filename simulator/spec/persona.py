"""Who the simulated user is and how they talk: `personas/*.yaml`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulator.spec.base import Language, Strict


class Persona(Strict):
    """Who the simulated user is and how they talk (`personas/*.yaml`)."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    description: str = ""
    language: Language = "en"
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    verbosity: Literal["terse", "normal", "verbose"] = "normal"
    typo_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages with typos/abbreviations")
    frustration: float = Field(0.0, ge=0.0, le=1.0, description="chance a message sounds frustrated")
    cooperativeness: float = Field(
        0.5, ge=0.0, le=1.0, description="chance of volunteering facts before being asked"
    )
    patience: int = Field(3, ge=0, le=20, description="clarifying questions tolerated calmly")
    # Optional traits (defaults = no effect): each changes *how* the offline user writes
    # (`simulator.simulate.agents.style`), never what it says, so a persona never changes the right answer.
    expertise: Literal["novice", "average", "expert"] = Field(
        "average", description="novices hedge and apologise, experts skip pleasantries"
    )
    emotion: Literal["calm", "cheerful", "anxious"] = Field(
        "calm", description="baseline mood shown in asides (frustration is its own knob)"
    )
    native_speaker: bool = Field(True, description="False: second-language phrasing (no contractions, no articles)")
    code_switching: float = Field(
        0.0, ge=0.0, le=1.0, description="share of messages mixing in words of the other language (zh <-> en)"
    )
    abbreviation_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages in chat shorthand (pls, u, thx)")
    punctuation: Literal["normal", "none"] = Field("normal", description="none: no sentence punctuation at all")
    asks_for_human: float = Field(
        0.0, ge=0.0, le=1.0, description="chance the first message (half that later) also asks for a human"
    )
    rambling: float = Field(0.0, ge=0.0, le=1.0, description="chance a request wanders into an unrelated aside")
    vagueness: float = Field(
        0.0, ge=0.0, le=1.0, description="chance of vague wording and of a script line that names no id"
    )
