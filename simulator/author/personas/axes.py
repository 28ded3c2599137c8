"""The diversity axes of a persona library, and how a persona sits on them.

A library is diverse when its personas spread over the ways real users differ, not when it has
many files. Seven explicit axes name those ways: language (with second-language and mixed
zh/en variants), formality, expertise, emotion, verbosity, cooperativeness, and one habit that
marks how a user writes (typos, phone shorthand, asking for a human, rambling, vagueness).

Every persona — hand-written or proposed — maps to one value per axis (`axes_of`), every axis
vector maps to concrete `Persona` fields (`fields_for`), and the distance between two vectors
(`axis_distance`, 0 same .. 1 opposite on every axis) is what near-copy rejection measures.
Ordinal axes (formality, expertise, verbosity, cooperativeness) count one step as part of a
difference; a few neighbouring categories (angry vs frustrated, zh vs mixed zh/en) as half.
Language weighs double: the same persona in the other language writes entirely different
data (a Chinese counterpart of an English persona is a new persona, not a copy), while a
native vs second-language speaker of the same language is a half step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.spec import Persona

AXES: dict[str, tuple[str, ...]] = {
    "language": ("en", "en_second_language", "zh", "zh_second_language", "zh_en_mixed", "zh_traditional"),
    "formality": ("casual", "neutral", "formal"),
    "expertise": ("novice", "average", "expert"),
    "emotion": ("calm", "cheerful", "anxious", "frustrated", "angry"),
    "verbosity": ("terse", "normal", "verbose"),
    "cooperativeness": ("guarded", "mixed", "forthcoming"),
    "habit": ("none", "typos", "shorthand", "asks_for_human", "rambling", "vague"),
}
# How each axis is expressed in Persona fields (shown to the model that proposes personas).
AXIS_FIELDS = {
    "language": "`language`; en_second_language / zh_second_language = that language with "
                "`native_speaker: false`, zh_en_mixed = zh with `code_switching` >= 0.3, "
                "zh_traditional = zh with `script: traditional`",
    "formality": "`formality`",
    "expertise": "`expertise`",
    "emotion": "`emotion` (calm, cheerful, anxious); frustrated = `frustration` 0.2-0.5, angry = `frustration` >= 0.5",
    "verbosity": "`verbosity`",
    "cooperativeness": "`cooperativeness`: guarded < 0.35 <= mixed < 0.7 <= forthcoming",
    "habit": "typos = `typo_rate` >= 0.1; shorthand = `abbreviation_rate` >= 0.5 or `punctuation: none`; "
             "asks_for_human, rambling, vague = that field >= 0.3",
}
ORDINAL = frozenset({"formality", "expertise", "verbosity", "cooperativeness"})
# Categories that are neighbours rather than opposites.
HALF_APART = {
    frozenset({"en", "en_second_language"}), frozenset({"zh", "zh_en_mixed"}), frozenset({"zh", "zh_second_language"}),
    frozenset({"zh", "zh_traditional"}),
    frozenset({"frustrated", "angry"}), frozenset({"calm", "cheerful"}),
}
WEIGHT = {"language": 2.0}  # other axes weigh 1
TOTAL_WEIGHT = sum(WEIGHT.get(axis, 1.0) for axis in AXES)
AxisVector = Mapping[str, str]

COOPERATIVENESS = {"guarded": 0.1, "mixed": 0.5, "forthcoming": 0.9}
# emotion -> (Persona.emotion, frustration, patience)
EMOTION = {
    "calm": ("calm", 0.0, 4), "cheerful": ("cheerful", 0.0, 5), "anxious": ("anxious", 0.05, 3),
    "frustrated": ("calm", 0.3, 2), "angry": ("calm", 0.6, 1),
}
HABIT_FIELDS: dict[str, dict[str, Any]] = {
    "none": {},
    "typos": {"typo_rate": 0.15},
    "shorthand": {"typo_rate": 0.2, "abbreviation_rate": 0.7, "punctuation": "none"},
    "asks_for_human": {"asks_for_human": 0.6},
    "rambling": {"rambling": 0.6},
    "vague": {"vagueness": 0.6},
}


def axes_of(persona: Persona) -> dict[str, str]:
    """The persona's value on every axis (thresholds mirror `fields_for`)."""
    if persona.language == "zh" and persona.code_switching >= 0.3:
        language = "zh_en_mixed"
    elif persona.language == "zh" and persona.script == "traditional":
        language = "zh_traditional"
    elif persona.language == "zh":
        language = "zh" if persona.native_speaker else "zh_second_language"
    else:
        language = "en" if persona.native_speaker else "en_second_language"
    if persona.frustration >= 0.5:
        emotion = "angry"
    elif persona.frustration >= 0.2:
        emotion = "frustrated"
    else:
        emotion = persona.emotion
    if persona.cooperativeness < 0.35:
        cooperativeness = "guarded"
    elif persona.cooperativeness < 0.7:
        cooperativeness = "mixed"
    else:
        cooperativeness = "forthcoming"
    return {
        "language": language,
        "formality": persona.formality,
        "expertise": persona.expertise,
        "emotion": emotion,
        "verbosity": persona.verbosity,
        "cooperativeness": cooperativeness,
        "habit": habit_of(persona),
    }


def habit_of(persona: Persona) -> str:
    """The most marked writing habit (a persona with several shows the first of this order)."""
    if persona.punctuation == "none" or persona.abbreviation_rate >= 0.5:
        return "shorthand"
    if persona.asks_for_human >= 0.3:
        return "asks_for_human"
    if persona.vagueness >= 0.3:
        return "vague"
    if persona.rambling >= 0.3:
        return "rambling"
    if persona.typo_rate >= 0.1:
        return "typos"
    return "none"


def fields_for(axes: AxisVector) -> dict[str, Any]:
    """Persona fields (all but id, name, description) that put a persona at `axes`."""
    mood, frustration, patience = EMOTION[axes["emotion"]]
    language = axes["language"]
    fields: dict[str, Any] = {
        "language": "zh" if language.startswith("zh") else "en",
        "formality": axes["formality"],
        "verbosity": axes["verbosity"],
        "typo_rate": 0.0,
        "frustration": frustration,
        "cooperativeness": COOPERATIVENESS[axes["cooperativeness"]],
        "patience": min(20, patience + (2 if axes["expertise"] == "novice" else 0)),
    }
    if axes["expertise"] != "average":
        fields["expertise"] = axes["expertise"]
    if mood != "calm":
        fields["emotion"] = mood
    if language.endswith("_second_language"):
        fields["native_speaker"] = False
    if language == "zh_en_mixed":
        fields["code_switching"] = 0.6
    if language == "zh_traditional":
        fields["script"] = "traditional"
    fields.update(HABIT_FIELDS[axes["habit"]])
    return fields


def compatible(axes: AxisVector) -> bool:
    """Combinations a real user could be: a vague user is not forthcoming, a phone-shorthand
    typist is neither formal nor long-winded, a rambler is not terse, a cheerful user does not
    demand a human, an expert is not vague."""
    habit = axes["habit"]
    if habit == "vague" and (axes["cooperativeness"] != "guarded" or axes["expertise"] == "expert"):
        return False
    if habit == "shorthand" and (axes["formality"] == "formal" or axes["verbosity"] == "verbose"):
        return False
    if habit == "rambling" and axes["verbosity"] == "terse":
        return False
    return not (habit == "asks_for_human" and axes["emotion"] == "cheerful")


def axis_distance(a: AxisVector, b: AxisVector) -> float:
    """Weighted mean per-axis difference, 0 (same vector) .. 1."""
    total = 0.0
    for axis, values in AXES.items():
        x, y = a[axis], b[axis]
        if x == y:
            continue
        if axis in ORDINAL:
            step = abs(values.index(x) - values.index(y)) / (len(values) - 1)
        else:
            step = 0.5 if frozenset({x, y}) in HALF_APART else 1.0
        total += WEIGHT.get(axis, 1.0) * step
    return total / TOTAL_WEIGHT


def describe_axes(axes: AxisVector) -> str:
    """`language=zh, formality=casual, ...` (comments in the written YAML, prompt lines)."""
    return ", ".join(f"{axis}={axes[axis]}" for axis in AXES)
