"""How a persona sounds: greetings, sign-offs, verbosity, frustration, typos, language.

The offline user decides *what* to say (a scenario line, a fact, a closing); this module decides
*how*. Phrases live in `style_phrases.yaml` so they can be edited and translated without touching
code; this module only holds the knobs (how often a greeting appears, how fast patience runs out).
The optional traits (expertise, emotion, second language, code-switching, shorthand, punctuation,
asking for a human, rambling, vagueness) are applied by `traits.Traits` at the marked points.
Everything draws from the episode's rng, so a persona sounds the same for the same seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from simulator.core.data_files import read_data_yaml
from simulator.core.identity_memo import by_identity
from simulator.simulate.agents.traits import TraitPhrases, Traits, has_traits
from simulator.simulate.agents.typos import TypoMaker
from simulator.spec import LANGUAGES, Persona
from simulator.spec.blueprint import render_prose
from simulator.words.chinese_script import to_traditional

PHRASES_FILE = Path(__file__).with_name("style_phrases.yaml")

GREETING_CHANCE = {"casual": 0.6, "neutral": 0.5, "formal": 0.9}
SIGNOFF_CHANCE = {"casual": 0.3, "neutral": 0.3, "formal": 0.6}
LEAD_IN_CHANCE = 0.06  # formal personas sometimes announce the request first
CONTEXT_CHANCE = 0.12  # a verbose persona says why it asks (in a later message)
FIRST_CONTEXT_CHANCE = 0.35  # ... and likelier when it first explains itself (still one aside a conversation)
VERBOSE_SIGNOFF_BONUS = 0.3  # a verbose persona rarely leaves without a thank-you
ANSWER_EXTRA_CHANCE = 0.2  # verbose personas pad their answers
FRUSTRATED_CLOSER_CHANCE = 0.12  # a frustrated message also ends on a complaint
# Stock asides are what a model parrots: a message carries at most one of them (real people
# rarely stack "I'm not good with computers" on "Such a lovely day" on "my neighbour had...").
MAX_ASIDES = 1
ASIDES_PER_CONVERSATION = 1  # and a conversation carries one in all: the rest of it is the request
FRUSTRATION_STEP = 0.2  # added to the frustration chance per clarifying question beyond patience
# A scenario line that already greets ("Hi, the lamp...") gets no second greeting.
GREETS_ALREADY = re.compile(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|dear)\b|^(?:你好|您好|嗨)", re.I)
# "Seriously," + "Oops, sorry" -> "Seriously, oops, sorry" (but "I'd", "ORD-1", "Desk Lamp" stay).
_CAPITALISED_WORD = re.compile(r"^[A-Z][a-z']*\b")
_FIRST_WORD = re.compile(r"[A-Za-z']+")


def _not_echoing(greetings: Sequence[str], core: str) -> Sequence[str]:
    """The greetings whose last word is not the line's first ("hey there," + "There are two of us")."""
    first = _FIRST_WORD.match(core)
    if first is None:
        return greetings
    word = first.group(0).lower()
    kept = [g for g in greetings if g.rstrip(" ,.!").lower().rsplit(" ", 1)[-1] != word]
    return kept or greetings


@dataclass(frozen=True)
class SlotGroup:
    """Slots said in one sentence when all are due (a street, city and postal code)."""

    slots: tuple[str, ...]
    volunteer: tuple[str, ...]
    answer: tuple[str, ...]
    terse: str


@dataclass(frozen=True)
class LanguagePhrases:
    language: str
    joiner: str
    greetings: Mapping[str, Sequence[str]]
    lead_ins: Mapping[str, Sequence[str]]
    signoffs: Mapping[str, Sequence[str]]
    context: Sequence[str]
    answer_extras: Sequence[str]
    frustrated_openers: Sequence[str]
    later_frustrated_openers: Sequence[str]  # frustrated_openers and those that need an earlier message
    frustrated_closers: Sequence[str]
    closings: Mapping[str, Sequence[str]]
    frustrated_closings: Sequence[str]
    labels: Mapping[str, str]
    keywords: Mapping[str, Sequence[str]]
    volunteer: Mapping[str, Sequence[str]]
    answer: Mapping[str, Sequence[str]]
    groups: tuple[SlotGroup, ...]
    abbreviations: Mapping[str, str]
    slips: Mapping[str, str]
    traits: TraitPhrases


@lru_cache(maxsize=None)
def phrases_for(language: str) -> LanguagePhrases:
    """The phrase book of one language (read once per process)."""
    raw = _raw_phrases().get(language) or _raw_phrases()["en"]
    groups = tuple(
        SlotGroup(tuple(g["slots"]), tuple(g["volunteer"]), tuple(g["answer"]), g["terse"])
        for g in raw.get("groups", [])
    )
    return LanguagePhrases(
        language=language,
        joiner=raw["joiner"],
        greetings=raw["greetings"],
        lead_ins=raw.get("lead_ins", {}),
        signoffs=raw["signoffs"],
        context=raw["context"],
        answer_extras=raw["answer_extras"],
        frustrated_openers=raw["frustrated_openers"],
        later_frustrated_openers=[*raw["frustrated_openers"], *raw.get("frustrated_openers_later", ())],
        frustrated_closers=raw["frustrated_closers"],
        closings=raw["closings"],
        frustrated_closings=raw["frustrated_closings"],
        labels=raw["labels"],
        keywords={k: tuple(w.lower() for w in v) for k, v in raw["keywords"].items()},
        volunteer=raw["volunteer"],
        answer=raw["answer"],
        groups=groups,
        abbreviations=raw.get("typos", {}).get("abbreviations", {}),
        slips=raw.get("typos", {}).get("slips", {}),
        traits=TraitPhrases.of(raw.get("traits"), language),
    )


@lru_cache(maxsize=1)
def _raw_phrases() -> dict[str, Any]:
    return read_data_yaml(PHRASES_FILE)


@by_identity(256)
def _domain_asides(asides: Mapping[str, Any] | None, language: str) -> dict[str, list[str]]:
    """A domain's own asides in one language (`domain.asides`: section -> LocalizedText), read
    once per domain and language rather than once per conversation."""
    return _read_asides(asides, language)


def _read_asides(asides: Mapping[str, Any] | None, language: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for section, text in (asides or {}).items():
        variants = text.for_language(language) if hasattr(text, "for_language") else []
        if variants:
            out[section] = list(variants)
    return out


def humanise(name: str) -> str:
    """`postal_code` -> `postal code`."""
    return name.replace("_", " ").strip()


Labels = Mapping[str, Any]  # a domain's `labels`: slot -> LocalizedText


def slot_label(slot: str, language: str, labels: Labels | None = None) -> str:
    """How a slot is named in prose: `order_id` -> "order number" / "订单号". A domain's own
    `labels` come first ("departure city" / "出发城市"), then the phrase book, then the name."""
    own = labels.get(slot) if labels else None
    named = own.for_language(language) if own is not None else []
    return named[0] if named else phrases_for(language).labels.get(slot) or humanise(slot)


def value_text(value: Any, language: str) -> str:
    """A fact as the user writes it. Floats get two decimals, like blueprint templates render
    them, so the same amount reads the same everywhere. A mapping is a phrase per language
    (a `choice` such as `{code: defective, en: "it arrived broken", zh: ...}`)."""
    if isinstance(value, dict):
        phrase = value.get(language) or value.get("en")
        if isinstance(phrase, str):
            return phrase
        return next((v for v in value.values() if isinstance(v, str)), "")
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def protected_strings(facts: Mapping[str, Any]) -> set[str]:
    """Every way a fact can appear in a message: typos must leave all of these intact."""
    found: set[str] = set()
    for value in facts.values():
        if isinstance(value, dict):
            found.update(v for v in value.values() if isinstance(v, str))
        elif isinstance(value, (list, tuple)):
            found.update(protected_strings(dict(enumerate(value))))
        elif value is not None:
            found.add(str(value))
            found.update(value_text(value, lang) for lang in LANGUAGES)
    return found


class Styler:
    """Dresses the offline user's messages in a persona's voice."""

    def __init__(
        self, persona: Persona, rng: random.Random, facts: Mapping[str, Any], labels: Labels | None = None,
        asides: Mapping[str, Any] | None = None,
    ) -> None:
        self.persona = persona
        self.asides = _domain_asides(asides, persona.language)
        self.labels = labels
        self.rng = rng
        self.facts = facts
        self.phrases = phrases_for(persona.language)
        self.clarifications = 0
        self.asides_left = ASIDES_PER_CONVERSATION
        self.typo_messages = 0
        self._typos: TypoMaker | None = None
        self._protected: set[str] | None = None
        self.traits = (Traits(persona, rng, self.phrases.traits, self._typo_maker, self.asides)
                       if has_traits(persona) else None)

    # ------------------------------------------------------------ messages

    def request(self, core: str, volunteered: Sequence[str], *, first: bool) -> str:
        """A scripted turn: optional greeting, the scenario line, extras, facts offered unasked."""
        p, persona, rng, traits = self.phrases, self.persona, self.rng, self.traits
        terse = persona.verbosity == "terse"
        brisk = terse or (traits is not None and traits.skips_pleasantries())
        parts: list[str] = []
        frustrated = self._frustrated()
        if frustrated:  # an annoyed customer skips the pleasantries
            parts.append(rng.choice(p.frustrated_openers if first else p.later_frustrated_openers))
        elif first and not brisk and not GREETS_ALREADY.match(core) and rng.random() < GREETING_CHANCE[persona.formality]:
            greetings = (traits and traits.greetings(persona.formality)) or p.greetings[persona.formality]
            parts.append(rng.choice(_not_echoing(greetings, core)))
            lead_ins = p.lead_ins.get(persona.formality)
            if lead_ins and rng.random() < LEAD_IN_CHANCE:
                parts.extend(self._budget([rng.choice(lead_ins)]))
        if traits is not None and first:
            parts.append(traits.lead_in() or "")  # an opener like a greeting ("Straight to it."), not an aside
        parts.append(core)
        asides: list[str] = []
        verbose = persona.verbosity == "verbose"
        if verbose and rng.random() < (FIRST_CONTEXT_CHANCE if first else CONTEXT_CHANCE):
            asides.append(rng.choice([*p.context, *self.asides.get("context", ())]))
        if traits is not None:
            asides.extend(traits.asides(first))
        parts.extend(self._budget(asides))
        parts.extend(volunteered)
        if traits is not None:
            parts.append(traits.human(first) or "")
        signoff = SIGNOFF_CHANCE[persona.formality] + (VERBOSE_SIGNOFF_BONUS if verbose else 0.0)
        if not brisk and not frustrated and rng.random() < signoff:
            parts.append(rng.choice(p.signoffs[persona.formality]))
        if frustrated and rng.random() < FRUSTRATED_CLOSER_CHANCE:
            parts.extend(self._budget([rng.choice(p.frustrated_closers)]))
        return self._finish(parts)

    def _budget(self, asides: list[str]) -> list[str]:
        """At most MAX_ASIDES of `asides`, and none once the conversation has had its share."""
        asides = [a for a in asides if a]
        if not asides or self.asides_left <= 0:
            return []
        if len(asides) > MAX_ASIDES:
            asides = self.rng.sample(asides, MAX_ASIDES)
        self.asides_left -= len(asides)
        return asides

    def answer(self, slots: Sequence[str]) -> str:
        """A reply to a clarifying question, giving the facts in `slots`."""
        self.clarifications += 1
        parts: list[str] = []
        if self._frustrated():
            parts.append(self.rng.choice(self.phrases.later_frustrated_openers))
        if self.traits is not None:
            parts.extend(self._budget([self.traits.lookup() or ""]))
        if self.persona.verbosity == "terse":
            parts.append(self._terse_values(slots))
        else:
            parts.extend(self.fact_sentences(slots, "answer"))
            if self.persona.verbosity == "verbose" and self.rng.random() < ANSWER_EXTRA_CHANCE:
                parts.extend(self._budget([self.rng.choice(self.phrases.answer_extras)]))
        if self.traits is not None:
            parts.append(self.traits.human(first=False) or "")
        return self._finish(parts)

    def closing(self) -> str:
        """The last words before the stop token."""
        p = self.phrases
        if self._frustrated():
            return self._finish([self.rng.choice(p.frustrated_closings)])
        mood = self.traits.closing() if self.traits is not None else None
        return self._finish([mood or self.rng.choice(p.closings[self.persona.formality])])

    # ------------------------------------------------------------ facts

    def fact_sentences(self, slots: Sequence[str], kind: str) -> list[str]:
        """One short sentence per fact (`kind` = "volunteer" or "answer"); address parts together."""
        pending = [s for s in slots if s in self.facts]
        sentences: list[str] = []
        for group in self.phrases.groups:
            if all(s in pending for s in group.slots):
                templates = group.volunteer if kind == "volunteer" else group.answer
                sentences.append(self._fill_group(self.rng.choice(templates), group.slots))
                pending = [s for s in pending if s not in group.slots]
        book = self.phrases.volunteer if kind == "volunteer" else self.phrases.answer
        for slot in pending:
            template = self.rng.choice(book.get(slot) or book["default"])
            value = value_text(self.facts[slot], self.persona.language)
            label = slot_label(slot, self.persona.language, self.labels)
            sentences.append(render_prose(template, {"value": value, "label": label}, language=self.persona.language))
        return sentences

    def _terse_values(self, slots: Sequence[str]) -> str:
        pending = [s for s in slots if s in self.facts]
        texts: list[str] = []
        for group in self.phrases.groups:
            if all(s in pending for s in group.slots):
                texts.append(self._fill_group(group.terse, group.slots))
                pending = [s for s in pending if s not in group.slots]
        texts.extend(value_text(self.facts[s], self.persona.language) for s in pending)
        return ("，" if self.persona.language == "zh" else ", ").join(texts)

    def _fill_group(self, template: str, slots: Iterable[str]) -> str:
        values = {s: value_text(self.facts[s], self.persona.language) for s in slots}
        return render_prose(template, values, language=self.persona.language)

    # ------------------------------------------------------------ mood and typos

    def frustration_chance(self) -> float:
        over = max(0, self.clarifications - self.persona.patience)
        return min(1.0, self.persona.frustration + FRUSTRATION_STEP * over)

    def _frustrated(self) -> bool:
        chance = self.frustration_chance()
        return chance > 0 and self.rng.random() < chance

    def _finish(self, parts: Sequence[str]) -> str:
        text = self._join([part for part in parts if part])
        if self.traits is not None:
            text = self.traits.rewrite(text)
        if self.persona.typo_rate and self.rng.random() < self.persona.typo_rate:
            self.typo_messages += 1
            text = self._typo_maker().apply(text, self.rng)
        if self.traits is not None:
            text = self.traits.finish(text)
        if self.persona.script == "traditional":
            text = to_traditional(text)
        return text

    def _join(self, parts: list[str]) -> str:
        """Sentences joined; after a part ending in a comma the next starts in lower case, unless
        its first word is "I" or begins a fact (a product or city name keeps its capitals)."""
        for i in range(1, len(parts)):  # "This Friday" + "Sorry, ..." -> "This Friday. Sorry, ..."
            if parts[i - 1] and parts[i - 1][-1].isalnum() or parts[i - 1][-1:] in (")", "）", "\"", "”"):
                parts[i - 1] += "." if self.persona.language == "en" else "。"
        if self.persona.language != "en":
            return self.phrases.joiner.join(parts)
        for i in range(1, len(parts)):
            word = _CAPITALISED_WORD.match(parts[i])
            if parts[i - 1].endswith(",") and word and word.group(0) not in ("I", "I'm", "I'd", "I've", "I'll"):
                if not any(text.startswith(word.group(0)) for text in self._fact_texts()):
                    parts[i] = parts[i][0].lower() + parts[i][1:]
        return self.phrases.joiner.join(parts)

    def _fact_texts(self) -> set[str]:
        if self._protected is None:
            self._protected = protected_strings(self.facts)
        return self._protected

    def _typo_maker(self) -> TypoMaker:
        if self._typos is None:
            self._typos = TypoMaker(
                self.persona.language, self.phrases.abbreviations, self._fact_texts(), self.phrases.slips
            )
        return self._typos
