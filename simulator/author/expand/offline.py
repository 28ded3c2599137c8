"""Offline expansion: new `say` variants recombined from a scenario's own seeds, deterministically.

A variant starts from one hand-written seed and goes through a few seeded steps, each drawn
from the phrase table (`phrases.yaml`):

1. *vague* (sometimes, where asking fits): a fact the assistant can ask for is left out — "Where
   is my order {order_id}?" becomes "Where is my order?" — so the run gets a clarification turn;
2. *synonyms* of function phrases ("Can you" / "Could you" / "Would you be able to") and, per
   register, contractions spelled out (formal) or made (casual);
3. *reordering* of two sentences, unless the second refers back ("It still hasn't arrived.");
4. *specific*: a sentence adding a fact the seed does not mention but another seed of the turn
   does ("It's about the {item}.");
5. an opener (first turn only), a closer or a line of context in the variant's register;
6. in about a fifth of the variants, *casual* language and typos (`agents/typos.py`, with every
   `{placeholder}` protected so no fact is ever misspelt).

The seed's content words must all survive (the phrase table only swaps wording around them), and
`analysis.Checker` refuses anything ambiguous, duplicated or missing a needed slot. Each scenario
draws from its own `random.Random(f"{seed}:{scenario id}")`, so the output depends only on the
seed, the scenario and what the file already holds.

Scaled `field` slots (`amount: {field: items.0.price, scale: [1, 0.5]}`) get new factors from
`FACTORS` that the slot does not have yet, in a seeded order: new amounts, still drawn from the
state at run time, so a partial refund never exceeds what the item cost.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from simulator.author.expand.analysis import Cell, said_slots, tokens
from simulator.author.expand.phrases import PhraseBook, phrase_book, value_bank
from simulator.load.variants import choice_codes
from simulator.simulate.agents.style import GREETS_ALREADY, phrases_for
from simulator.simulate.agents.typos import TypoMaker
from simulator.spec import Scenario

P_VAGUE = 0.2
P_SYNONYM = 0.5
P_REORDER = 0.25
P_SPECIFIC = 0.25
P_CONTEXT = 0.12
P_OPENER = {"neutral": 0.35, "formal": 0.5, "casual": 0.4}
P_CLOSER = {"neutral": 0.1, "formal": 0.15, "casual": 0.25}  # personas sign off themselves at run time
P_FORMAL = 0.35
P_TYPOS = 0.6  # of casual variants
CASUAL_SHARE = 0.2
ATTEMPTS = 40  # tries per wanted variant before a cell counts as exhausted
FACTORS = (0.2, 0.25, 0.3, 0.4, 0.6, 0.75, 0.8)  # new shares for scaled field slots (amounts)
_SENTENCE = {"en": re.compile(r"(?<=[.!?])\s+(?=\S)"), "zh": re.compile(r"(?<=[。！？])(?=\S)")}
_PLACEHOLDER_TEXT = re.compile(r"\{[^{}]*\}")


@dataclass
class Draft:
    text: str
    vague: bool
    casual: bool
    required: frozenset[str]
    introduced: set[str]


def casual_turn(made: int, casual_made: int) -> bool:
    """Exactly a fifth of the variants (rounded), spread evenly: is variant number `made` casual?"""
    return casual_made < int(CASUAL_SHARE * (made + 1) + 0.5)


class OfflineExpander:
    """Drafts variants for the cells of one scenario."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def draft(self, cell: Cell, casual: bool) -> Draft:
        rng = self.rng
        book = phrase_book(cell.language)
        base = rng.choice(cell.seeds)
        text, vague_slots = base, frozenset()
        if cell.vague_ok and rng.random() < P_VAGUE:
            text, vague_slots = _make_vague(text, cell, book, rng)
        required = frozenset(said_slots(base) & cell.needed)  # the checker allows vague drops of askable ones
        content = _content(text, book)
        register = "casual" if casual else ("formal" if rng.random() < P_FORMAL else "neutral")
        text = _synonyms(text, book, rng)
        text = _contractions(text, book, register, rng)
        if rng.random() < P_REORDER:
            text = _reorder(text, book)
        if rng.random() < P_SPECIFIC:
            text = _specific(text, cell, book, rng)
        parts = [text]
        first = cell.turn == 0  # greetings and background open a conversation, not its third message
        if first and register != "casual" and rng.random() < P_CONTEXT and book.context:
            parts.append(rng.choice(book.context))
        if first and rng.random() < P_OPENER[register] and not GREETS_ALREADY.match(text) and book.openers[register]:
            opener = rng.choice(book.openers[register])
            parts[0] = parts[0] if opener.endswith((".", "!", "?", "。")) else _after_comma(parts[0])
            parts.insert(0, opener)
        if rng.random() < P_CLOSER[register] and book.closers[register]:
            parts.append(rng.choice(book.closers[register]))
        text = _tidy(book.separator.join(parts), cell.language)
        if not content <= tokens(text, cell.language):
            return Draft("", False, casual, required, set())  # a content word of the seed went missing
        if casual:
            text = _casual(text, book, rng)
        introduced = tokens(text, cell.language) - tokens(base, cell.language)
        if casual and rng.random() < P_TYPOS:
            text = _typos(text, cell.language, rng)
        return Draft(text, bool(vague_slots), casual, required, introduced)

    def choices(self, scenario: Scenario, slot: str, known: list[dict]) -> list[dict]:
        """Fresh phrasings of a coded choice slot from the value bank, for codes the slot already
        uses, in a seeded order; `known` entries (the scenario's and the file's) are left out."""
        codes = choice_codes(scenario, slot)
        if codes is None:
            return []
        keys = set(scenario.slots[slot].choice[0]) - {"code"}
        seen = {_entry_key(e) for e in known}
        pool = [
            {"code": code, **{k: entry[k] for k in sorted(keys)}}
            for code in sorted(codes, key=str) for entry in value_bank().get(str(code), ())
            if keys <= set(entry)
        ]
        pool = [e for e in pool if _entry_key(e) not in seen]
        self.rng.shuffle(pool)
        return pool

    def factors(self, known: list[float]) -> list[float]:
        """`FACTORS` a scaled slot does not have yet (`known`: the scenario's and the file's), in a
        seeded order."""
        pool = [f for f in FACTORS if f not in known]
        self.rng.shuffle(pool)
        return pool


def _entry_key(entry: dict) -> tuple:
    return tuple(sorted((k, str(v).lower()) for k, v in entry.items()))


def _content(text: str, book: PhraseBook) -> set[str]:
    """Words of `text` that carry meaning: not stopwords, not wording the phrase table swaps."""
    if book.language == "zh":
        bare = text
        for group in book.synonyms:
            bare = group.pattern.sub(" ", bare)
        return tokens(bare, "zh")
    return {w for w in tokens(text, "en") if w not in book.stopwords and w not in book.free_words}


def _make_vague(text: str, cell: Cell, book: PhraseBook, rng: random.Random) -> tuple[str, frozenset[str]]:
    """Leave out one group of askable facts (an id, an e-mail, an address) the text says."""
    droppable = cell.askable & said_slots(text)
    groups = sorted({r.slots for r in book.vague if r.slots and r.slots <= droppable and r.pattern.search(text)},
                    key=sorted)
    if not groups:
        return text, frozenset()
    group = rng.choice(groups)
    for rule in book.vague:
        if rule.slots == group and rule.pattern.search(text):
            text = rule.pattern.sub(lambda _m, r=rule: rng.choice(r.say), text)
        if not group & said_slots(text):
            return _tidy(text, cell.language), group
    return text, frozenset()  # still said somewhere: not vague after all (the caller keeps it as is)


def _synonyms(text: str, book: PhraseBook, rng: random.Random) -> str:
    for group in book.synonyms:
        if rng.random() >= P_SYNONYM:
            continue

        def swap(match: re.Match[str], forms=group.forms) -> str:
            found = match.group(0)
            others = [f for f in forms if f.lower() != found.lower()]
            new = rng.choice(others) if others else found
            return new[:1].upper() + new[1:] if found[:1].isupper() else new

        text = group.pattern.sub(swap, text, count=1)
    return text


def _contractions(text: str, book: PhraseBook, register: str, rng: random.Random) -> str:
    if register == "neutral" or not book.contractions:
        return text
    for long, short in book.contractions:
        source, target = (short, long) if register == "formal" else (long, short)
        pattern = re.compile(rf"\b{re.escape(source)}\b", re.IGNORECASE)
        text = pattern.sub(lambda m, t=target: t[:1].upper() + t[1:] if m.group(0)[:1].isupper() else t, text)
    return text


def _reorder(text: str, book: PhraseBook) -> str:
    parts = [p for p in _SENTENCE[book.language].split(text.strip()) if p]
    if len(parts) != 2:
        return text
    second = parts[1].lower()
    if any(second.startswith(word) for word in book.no_lead) or second.startswith("{") or GREETS_ALREADY.match(parts[0]):
        return text
    return _tidy(book.separator.join([parts[1], parts[0]]), book.language)


def _specific(text: str, cell: Cell, book: PhraseBook, rng: random.Random) -> str:
    said = said_slots(text)
    # Only facts another seed of the same turn says: the author found them natural right here.
    in_seeds = set().union(*(said_slots(seed) for seed in cell.seeds))
    slots = [s for s in sorted(book.specific) if s in in_seeds and s not in said]
    if not slots:
        return text
    return book.separator.join([text, rng.choice(book.specific[rng.choice(slots)])])


def _after_comma(text: str) -> str:
    """"Hi," + "Can you..." reads "Hi, can you..." ("I", names and placeholders keep their case)."""
    if not text[:1].isupper():
        return text
    first = text.split(" ", 1)[0]
    if first in ("I", "I'm", "I'd", "I've", "I'll") or first.startswith("{") or not first[1:].islower():
        return text
    return text[:1].lower() + text[1:]


def _casual(text: str, book: PhraseBook, rng: random.Random) -> str:
    if book.language == "zh":
        text = text.replace("您", "你").rstrip("。")
        ends = ("？", "?", "！", "啦", "哈", *book.casual_particles)
        if book.casual_particles and not text.endswith(ends) and rng.random() < 0.5:
            text += rng.choice(book.casual_particles)
        return text
    if text.endswith(".") and not text.endswith("..."):
        text = text[:-1]
    first = text.split(" ", 1)[0]
    if first not in ("I", "I'm", "I'd", "I've", "I'll") and not first.startswith("{"):
        text = text[:1].lower() + text[1:]
    return text


def _typos(text: str, language: str, rng: random.Random) -> str:
    protected = set(_PLACEHOLDER_TEXT.findall(text))
    return TypoMaker(language, phrases_for(language).abbreviations, protected).apply(text, rng)


def _tidy(text: str, language: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.?!;:，。？！])", r"\1", text)
    text = re.sub(r",([.?!])", r"\1", text)
    text = re.sub(r"^[,，]\s*", "", text)
    if language == "zh":
        text = re.sub(r"\s*([，。？！])\s*", r"\1", text)
        text = re.sub(r"[，]([。？！])", r"\1", text)
    if text[:1].islower() and not text.startswith("{"):
        text = text[:1].upper() + text[1:]
    return text
