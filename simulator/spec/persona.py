"""Who the simulated user is and how they talk: `personas/*.yaml`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.spec.base import Language, Strict


class Persona(Strict):
    """Who the simulated user is and how they talk (`personas/*.yaml`)."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$", description="unique id (the file's name by convention)",
                    examples=["zh_code_switching"])
    name: str = Field(description="a name for people reading the data", examples=["Kevin 林"])
    description: str = Field("", description="who they are and how they write (a model user is told it)",
                             examples=["A programmer who mixes English terms into Mandarin."])
    language: Language = Field("en", description="the language they write in", examples=["zh"])
    formality: Literal["casual", "neutral", "formal"] = Field("neutral", description="register", examples=["casual"])
    verbosity: Literal["terse", "normal", "verbose"] = Field("normal", description="how much they write",
                                                             examples=["terse"])
    typo_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages with typos/abbreviations",
                             examples=[0.05])
    frustration: float = Field(0.0, ge=0.0, le=1.0, description="chance a message sounds frustrated", examples=[0.1])
    cooperativeness: float = Field(
        0.5, ge=0.0, le=1.0, description="chance of volunteering facts before being asked", examples=[0.6]
    )
    patience: int = Field(3, ge=0, le=20, description="clarifying questions tolerated calmly", examples=[1])
    # Optional traits (defaults = no effect): each changes *how* the offline user writes
    # (`simulator.simulate.agents.style`), never what it says, so a persona never changes the right answer.
    expertise: Literal["novice", "average", "expert"] = Field(
        "average", description="novices hedge and apologise, experts skip pleasantries", examples=["expert"]
    )
    emotion: Literal["calm", "cheerful", "anxious"] = Field(
        "calm", description="baseline mood shown in asides (frustration is its own knob)", examples=["anxious"]
    )
    native_speaker: bool = Field(True, description="False: second-language phrasing (no contractions, no articles)",
                                 examples=[False])
    code_switching: float = Field(
        0.0, ge=0.0, le=1.0, description="share of messages mixing in words of the other language (zh <-> en)",
        examples=[0.7],
    )
    abbreviation_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of messages in chat shorthand (pls, u, thx)",
                                     examples=[0.3])
    punctuation: Literal["normal", "none"] = Field("normal", description="none: no sentence punctuation at all",
                                                   examples=["none"])
    asks_for_human: float = Field(
        0.0, ge=0.0, le=1.0, description="chance the first message (half that later) also asks for a human",
        examples=[0.5],
    )
    rambling: float = Field(0.0, ge=0.0, le=1.0, description="chance a request wanders into an unrelated aside",
                            examples=[0.4])
    vagueness: float = Field(
        0.0, ge=0.0, le=1.0, description="chance of vague wording and of a script line that names no id",
        examples=[0.5],
    )
    script: Literal["simplified", "traditional"] = Field(
        "simplified", description="Chinese personas: the characters they write (traditional: Taiwan usage), "
                                  "and the assistant answers in the same",
        examples=["traditional"],
    )

    @model_validator(mode="after")
    def _script_is_for_chinese(self) -> "Persona":
        if self.script == "traditional" and self.language != "zh":
            raise ValueError("script: traditional is for Chinese personas (language: zh)")
        return self
