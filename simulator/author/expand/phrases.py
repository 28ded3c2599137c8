"""The phrase table (`phrases.yaml`) and value bank (`values.yaml`) of offline expansion, compiled.

Kept as data so wording can be added or translated without touching code; this module only
turns it into regular expressions once per process. Both files are package data; their shape is
checked here (a broken table is a bug in the package, so it raises rather than reporting lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from simulator.core.data_files import read_data_yaml

HERE = Path(__file__).parent
REGISTERS = ("neutral", "formal", "casual")


@dataclass(frozen=True)
class SynonymGroup:
    forms: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class VagueRule:
    pattern: re.Pattern[str]
    slots: frozenset[str]  # slots the matched fragment says
    say: tuple[str, ...]


@dataclass(frozen=True)
class PhraseBook:
    language: str
    openers: dict[str, tuple[str, ...]]
    closers: dict[str, tuple[str, ...]]
    context: tuple[str, ...]
    synonyms: tuple[SynonymGroup, ...]
    contractions: tuple[tuple[str, str], ...]
    casual_particles: tuple[str, ...]
    vague: tuple[VagueRule, ...]
    specific: dict[str, tuple[str, ...]]
    stopwords: frozenset[str]
    no_lead: tuple[str, ...]
    free_words: frozenset[str]  # words of synonym and contraction forms: not content
    wording: frozenset[str]  # every token of the table: wording, never a keyword of a tool

    @property
    def separator(self) -> str:
        return "" if self.language == "zh" else " "


def _group(raw: Any, language: str) -> SynonymGroup:
    spec = raw if isinstance(raw, dict) else {"forms": raw}
    forms = tuple(spec["forms"])
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    if language == "zh":
        guard = f"(?<![{re.escape(spec['not_after'])}])" if spec.get("not_after") else ""
        start = r"(?:^|(?<=[。！？，]))" if spec.get("start") else ""
        pattern = f"{start}{guard}(?:{alternation})"
    else:
        start = r"(?:^|(?<=[.!?] ))" if spec.get("start") else r"\b"
        pattern = f"{start}(?:{alternation})(?![\\w'])"
    flags = 0 if spec.get("start") or language == "zh" else re.IGNORECASE
    return SynonymGroup(forms, re.compile(pattern, flags))


def _vague(raw: dict[str, Any]) -> VagueRule:
    slots = frozenset(re.findall(r"\\\{([A-Za-z_][A-Za-z0-9_]*)\\\}", raw["match"]))
    return VagueRule(re.compile(raw["match"], re.IGNORECASE), slots, tuple(raw["say"]))


@cache
def phrase_book(language: str) -> PhraseBook:
    raw = _load("phrases.yaml")[language]
    synonyms = tuple(_group(g, language) for g in raw.get("synonyms", []))
    contractions = tuple((long, short) for long, short in raw.get("contractions", []))
    free = {w.lower() for g in synonyms for f in g.forms for w in re.findall(r"[\w']+", f)}
    free |= {w.lower() for pair in contractions for f in pair for w in re.findall(r"[\w']+", f)}
    return PhraseBook(
        language=language,
        openers={r: tuple(raw["openers"].get(r, ())) for r in REGISTERS},
        closers={r: tuple(raw["closers"].get(r, ())) for r in REGISTERS},
        context=tuple(raw.get("context", ())),
        synonyms=synonyms,
        contractions=contractions,
        casual_particles=tuple(raw.get("casual_particles", ())),
        vague=tuple(_vague(v) for v in raw.get("vague", [])),
        specific={k: tuple(v) for k, v in raw.get("specific", {}).items()},
        stopwords=frozenset(w.lower() for w in raw.get("stopwords", [])),
        no_lead=tuple(w.lower() for w in raw.get("no_lead", [])),
        free_words=frozenset(free),
        wording=frozenset(_wording(raw, language)),
    )


def _wording(raw: Any, language: str) -> set[str]:
    """Tokens of every string in a language's table (stopwords included)."""
    from simulator.author.expand.analysis import tokens

    found: set[str] = set()
    stack = [raw]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k != "match")
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found |= tokens(item, language) | {item.lower()}
    return found


@cache
def value_bank() -> dict[str, tuple[dict[str, str], ...]]:
    """code -> fresh phrasings ({en: ..., zh: ...})."""
    return {str(code): tuple(entries) for code, entries in _load("values.yaml").items()}


@cache
def _load(name: str) -> dict[str, Any]:
    return read_data_yaml(HERE / name)
