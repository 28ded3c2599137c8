"""The optional persona traits as edits of the offline user's messages.

`Styler` (style.py) decides the shape of a message — greeting, the scenario line, facts,
sign-off; this module adds what the newer persona fields change: a novice's hedges and an
expert's brisk lead-in, a cheerful or anxious aside, a second-language speaker's phrasing,
zh/en code-switching, chat shorthand, no punctuation, asking for a human *as well*, unrelated
asides and vague wording. Phrases come from the `traits` section of `style_phrases.yaml`.

Two promises keep traced conversations valid for the rule judge:
- every addition is free of facts and asks for nothing new, and every rewrite runs through
  `TypoMaker`'s protected spans, so the facts the script needs arrive intact and the right
  answer (the blueprint's calls) never changes with the persona;
- a trait left at its default draws nothing from the rng, so personas without the new fields
  say exactly what they said before these traits existed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from simulator.simulate.agents.typos import TypoMaker, compile_table
from simulator.spec import Persona

EXPERT_LEAD_IN_CHANCE = 0.3  # an expert opens with "Quick one." this often
NOVICE_HEDGE_CHANCE = 0.1  # a novice apologises for not knowing how things work
EMOTION_ASIDE_CHANCE = 0.08  # a cheerful or anxious persona lets it show in a request
SECOND_LANGUAGE_ASIDE_CHANCE = 0.12  # "Sorry for my English." in the first message
LOOKUP_CHANCE = 0.1  # a novice or vague persona says "Let me see..." before answering
CODE_SWITCH_TAG_CHANCE = 0.3  # a code-switching message also ends on a word of the other language
LATER_HUMAN_FACTOR = 0.3  # asking for a human is likelier early: later messages ask at this share of the rate
VAGUE_ASIDE_FACTOR = 0.15  # of the vagueness chance, this share adds a vague sentence to a request
RAMBLING_FACTOR = 0.2  # of the rambling chance, this share wanders into an aside (one per message at most)


@dataclass(frozen=True)
class TraitPhrases:
    """The `traits` section of one language's phrase book, with its word tables compiled."""

    raw: Mapping[str, Any]
    second_language_words: Mapping[str, str] = field(default_factory=dict)
    second_language_re: re.Pattern[str] | None = None
    code_switch_words: Mapping[str, str] = field(default_factory=dict)
    code_switch_re: re.Pattern[str] | None = None

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None, language: str) -> TraitPhrases:
        raw = raw or {}
        second = {k.lower(): v for k, v in (raw.get("second_language", {}).get("words") or {}).items()}
        switch = {k.lower(): v for k, v in (raw.get("code_switch", {}).get("words") or {}).items()}
        return cls(raw, second, compile_table(second, language), switch, compile_table(switch, language))

    def options(self, *path: str) -> Sequence[str]:
        node: Any = self.raw
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node if isinstance(node, list) else ()


def has_traits(persona: Persona) -> bool:
    """Does any optional trait differ from its default? (If not, `Traits` is never consulted.)"""
    return bool(
        persona.expertise != "average" or persona.emotion != "calm" or not persona.native_speaker
        or persona.code_switching or persona.abbreviation_rate or persona.punctuation != "normal"
        or persona.asks_for_human or persona.rambling or persona.vagueness
    )


class Traits:
    """What one persona's optional traits add to, and change in, its messages."""

    def __init__(self, persona: Persona, rng: random.Random, phrases: TraitPhrases,
                 editor: Callable[[], TypoMaker], domain: Mapping[str, Sequence[str]] | None = None) -> None:
        self.persona = persona
        self.domain = domain or _NO_ASIDES  # the pack's own asides: context, rambling, vague, human
        self.rng = rng
        self.phrases = phrases
        self._editor = editor  # shared with the typos: built on first use, facts protected
        self._said: set[str] = set()  # phrases already used in this conversation

    # ------------------------------------------------------------ additions

    def greetings(self, formality: str) -> Sequence[str]:
        """A second-language speaker's greetings ("Hello dear,"); empty: use the usual ones."""
        if self.persona.native_speaker:
            return ()
        return self.phrases.options("second_language", "greetings")

    def skips_pleasantries(self) -> bool:
        return self.persona.expertise == "expert"

    def lead_in(self) -> str | None:
        """Said before the scenario line: an expert's "Quick one."."""
        if self.persona.expertise == "expert":
            return self._maybe(EXPERT_LEAD_IN_CHANCE, "expertise", "expert")
        return None

    def asides(self, first: bool) -> list[str]:
        """Sentences after the scenario line: mood, a novice's hedge, vague wording, an
        unrelated aside, an apology for one's language (each by its own chance)."""
        persona, out = self.persona, []
        if persona.emotion != "calm":
            out.append(self._maybe(EMOTION_ASIDE_CHANCE, "emotion", persona.emotion))
        if persona.expertise == "novice":
            out.append(self._maybe(NOVICE_HEDGE_CHANCE, "expertise", "novice"))
        if persona.vagueness:
            out.append(self._maybe(persona.vagueness * VAGUE_ASIDE_FACTOR, "vague"))
        if persona.rambling:
            out.append(self._maybe(persona.rambling * RAMBLING_FACTOR, "rambling"))
        if first and not persona.native_speaker:
            out.append(self._maybe(SECOND_LANGUAGE_ASIDE_CHANCE, "second_language", "asides"))
        return [text for text in out if text]

    def human(self, first: bool) -> str | None:
        """"If this gets complicated, just get me a human." — likelier in the first message, and
        only in a pack that can hand over to a person (its `domain.asides.human`)."""
        chance = self.persona.asks_for_human * (1.0 if first else LATER_HUMAN_FACTOR)
        return self._maybe(chance, "human") if chance else None

    def lookup(self) -> str | None:
        """Before an answer: a novice or vague user has to find the detail first."""
        if self.persona.expertise == "novice" or self.persona.vagueness:
            return self._maybe(LOOKUP_CHANCE, "lookup")
        return None

    def closing(self) -> str | None:
        """A cheerful or anxious goodbye (instead of the formality's usual one)."""
        if self.persona.emotion == "calm":
            return None
        return self._maybe(1.0, "emotion_closings", self.persona.emotion)

    # ------------------------------------------------------------ rewrites

    def rewrite(self, text: str) -> str:
        """Second-language phrasing, code-switching and shorthand (typos come after, in Styler)."""
        persona, p = self.persona, self.phrases
        if not persona.native_speaker:
            text = self._editor().substitute(text, p.second_language_re, p.second_language_words)
        if persona.code_switching and self.rng.random() < persona.code_switching:
            switched = self._editor().substitute(text, p.code_switch_re, p.code_switch_words)
            # Mixing in words of the other language, not switching: some of the own language stays.
            text = switched if _keeps_own_language(switched, persona.language) else text
            tag = self._maybe(CODE_SWITCH_TAG_CHANCE, "code_switch", "tags")
            if tag:
                text = f"{text}{_tag_joiner(text, tag, persona.language)}{tag}"
        if persona.abbreviation_rate and self.rng.random() < persona.abbreviation_rate:
            text = self._editor().shorthand(text)
        return text

    def finish(self, text: str) -> str:
        """The last edit of a message: punctuation dropped by a typist who never types any."""
        if self.persona.punctuation == "none":
            return self._editor().without_punctuation(text)
        return text

    # ------------------------------------------------------------ helpers

    def _maybe(self, chance: float, *path: str) -> str | None:
        """One of the phrases at `path` with probability `chance`; a sentence is said once a
        conversation at most (nobody writes "just get me a human" twice word for word), while
        short tags of the other language ("OK", "thx") and goodbyes may come again."""
        options = _options(self.phrases, self.domain, path)
        if not options or chance <= 0 or (chance < 1 and self.rng.random() >= chance):
            return None
        if path[0] in _REPEATABLE:
            return self.rng.choice(options)
        fresh = [o for o in options if o not in self._said]
        if not fresh:
            return None
        choice = self.rng.choice(fresh)
        self._said.add(choice)
        return choice


_NO_ASIDES: Mapping[str, Sequence[str]] = MappingProxyType({})
_OPTIONS: dict[tuple[int, int, tuple[str, ...]], tuple[TraitPhrases, Any, tuple[str, ...]]] = {}


def _options(phrases: TraitPhrases, domain: Mapping[str, Sequence[str]], path: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases at `path`, then the domain's own for a one-part path: worked out once per
    phrase book, domain asides and path (both live as long as the pack and are only read),
    not at each of the few chances a message gives a trait (most of which draw no phrase)."""
    key = (id(phrases), id(domain), path)
    hit = _OPTIONS.get(key)
    if hit is not None and hit[0] is phrases and hit[1] is domain:
        return hit[2]
    found = (*phrases.options(*path), *(domain.get(path[0], ()) if len(path) == 1 else ()))
    if len(_OPTIONS) >= 1024:
        _OPTIONS.clear()
    _OPTIONS[key] = (phrases, domain, found)
    return found


_REPEATABLE = ("code_switch", "emotion_closings")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _keeps_own_language(text: str, language: str) -> bool:
    return bool(_CJK.search(text)) if language.startswith("zh") else bool(re.search(r"[A-Za-z]{2}", text))


def _tag_joiner(text: str, tag: str, language: str) -> str:
    """Chinese runs on without a space, but a Latin word never touches another one (or an id:
    "ORD-74783OK" would no longer contain the order number as a word)."""
    if language != "zh":
        return " "
    latin_meets_latin = text[-1:].isascii() and text[-1:].isalnum() and tag[:1].isascii() and tag[:1].isalnum()
    return " " if latin_meets_latin else ""
