"""The quality report of a dataset: how varied, how templated and how clean its records read.

`QualityReport` is fed the published records one at a time (as plain trace dicts plus their
split) and returns figures a fine-tuning engineer would check by reading records:

- distinct-1 / distinct-2 of the user turns (words; characters for Chinese);
- unique first messages, and slot-masked *skeletons*: the user turns with every fact of the
  episode (ids, e-mails, names, amounts, dates) and every number masked — how many distinct
  conversations remain once the values are taken away, and the share of the most common one;
- canned-phrase share: user turns carrying one of the persona phrase book's asides ("I've been a
  customer for years") — stock sentences a model learns to parrot;
- records per seed template, and distinct answers and clarifying questions (masked the same way);
- template glitches (`glitches.py`), records with any, and examples;
- English enum or error tokens inside Chinese replies;
- train/test (and validation) template overlap: eval records whose hand-written opening seed
  also opens a training record (a test that measures memory, not generalisation).

The dataset card and `toolsim stats RUN --quality` print the same dict.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from simulator.core.messages import strip_stop_token
from simulator.export.quality.glitches import chinese_glitches, english_glitches

EXAMPLES = 5  # glitch examples kept per kind
_EMAIL = re.compile(r"\S+@\S+")
_NUMBERISH = re.compile(r"[A-Za-z]*[-#]?\d[\w.:/-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{4,}")
_PUNCT_END = re.compile(r"[\s.!?。！？,，…]+$")


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", strip_stop_token(text)).casefold().split())


MAX_VALUE_WORDS = 4  # a fact of more words is a whole sentence (a question), not a value to mask
MAX_VALUE_CJK = 12


def _is_value(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    return len(text.split()) <= MAX_VALUE_WORDS and cjk <= MAX_VALUE_CJK


def _fact_strings(facts: Mapping[str, Any]) -> list[str]:
    """Every way the episode's facts can be written, longest first (masked before shorter ones).
    A fact that is a whole sentence (a negative scenario's question drawn from a list) is the
    message's content, not a value, and stays."""
    found: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                add(v)
        elif isinstance(value, float):
            found.update({f"{value:.2f}", f"{value:g}", str(value)})
        elif value is not None and not isinstance(value, bool):
            found.add(str(value))

    add(dict(facts))
    return sorted((normalize(s) for s in found if len(str(s).strip()) >= 2 and _is_value(str(s))), key=len, reverse=True)


def mask(text: str, facts: list[str]) -> str:
    """`text` normalised, with the facts and anything number-like replaced by `<v>`."""
    out = normalize(text)
    for value in facts:
        if value and value in out:
            out = out.replace(value, "<v>")
    out = _EMAIL.sub("<v>", out)
    return _NUMBERISH.sub("<v>", out)


def _units(text: str, language: str) -> list[str]:
    norm = normalize(text)
    return [c for c in norm if not c.isspace()] if language.startswith("zh") else norm.split()


def _canned_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    cores = sorted({_PUNCT_END.sub("", normalize(p)) for p in phrases if len(p.strip()) >= 6}, key=len, reverse=True)
    cores = [c for c in cores if c]
    return re.compile("|".join(re.escape(c) for c in cores)) if cores else None


def forbidden_tokens(tools: Iterable[Mapping[str, Any]]) -> set[str]:
    """Enum values of the tools' parameters and results that are English words ("delivered",
    "aisle", "general practice"); codes in capitals (USD, LHR) and capitalised names (Spotify,
    FedEx, Thursday) are proper names, which Chinese text also writes in Latin letters."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.get("enum") or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z _'-]*", value):
                    if len(value) >= 3:
                        found.add(value.lower())
            if isinstance(node.get("const"), str) and re.fullmatch(r"[a-z][a-z _-]{2,}", node["const"]):
                found.add(node["const"].lower())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for tool in tools:
        walk(tool.get("parameters"))
        walk(tool.get("returns"))
    return found


class QualityReport:
    """Accumulates the published records; `result()` gives the figures."""

    def __init__(self, tools: Iterable[Mapping[str, Any]] = (), canned: Iterable[str] = ()) -> None:
        self.enum_tokens = forbidden_tokens(tools)
        self.canned = _canned_pattern(canned)
        self.records = 0
        self.unigrams: set[str] = set()
        self.bigrams: set[str] = set()
        self.n_unigrams = self.n_bigrams = 0
        self.first: Counter[str] = Counter()
        self.skeletons: Counter[str] = Counter()
        self.user_turns = 0
        self.canned_turns = 0
        self.templates: dict[str, set[str]] = defaultdict(set)  # split -> templates
        self.template_records: dict[str, Counter[str]] = defaultdict(Counter)
        self.with_template = 0
        self.answers: set[str] = set()
        self.glitch_records = 0
        self.glitch_kinds: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)
        self.zh_replies = 0
        self.zh_foreign_records = 0
        self.foreign_seen: Counter[str] = Counter()

    # ------------------------------------------------------------ feeding

    def add(self, trace: Mapping[str, Any], split: str) -> None:
        self.records += 1
        episode = trace.get("episode") or {}
        language = episode.get("language") or "en"
        messages = _exported(trace.get("messages") or [])
        facts = _fact_strings(trace.get("facts") or {})
        users = [m.get("content") or "" for m in messages if m.get("role") == "user"]
        if users:
            self.first[normalize(users[0])] += 1
        self.skeletons[" | ".join(mask(u, facts) for u in users)] += 1
        for text in users:
            units = _units(text, language)
            self.n_unigrams += len(units)
            self.unigrams.update(units)
            grams = [units[i] + "\x1f" + units[i + 1] for i in range(len(units) - 1)]
            self.n_bigrams += len(grams)
            self.bigrams.update(grams)
            self.user_turns += 1
            if self.canned is not None and self.canned.search(normalize(text)):
                self.canned_turns += 1
        template = trace.get("template")
        if template:
            self.with_template += 1
            self.templates[split].add(template)
            self.template_records[split][template] += 1
        self._answers(messages, facts)
        self._glitches(messages, language, trace)

    def _answers(self, messages: list[dict[str, Any]], facts: list[str]) -> None:
        """Assistant texts that do not report a tool result: answers and clarifying questions."""
        for before, message in zip([{}] + messages, messages):
            if message.get("role") == "assistant" and message.get("content") and before.get("role") != "tool":
                self.answers.add(mask(message["content"], facts))

    def _glitches(self, messages: list[dict[str, Any]], language: str, trace: Mapping[str, Any]) -> None:
        kinds: list[str] = []
        zh = language.startswith("zh")
        forbidden = self._zh_forbidden(messages, trace) if zh else set()
        foreign_here = False
        for message in messages:
            role, text = message.get("role"), message.get("content") or ""
            if role not in ("user", "assistant") or not text:
                continue
            assistant = role == "assistant"
            if zh or _CJK.search(text):
                found = chinese_glitches(text, forbidden if assistant else set())
                if assistant:
                    self.zh_replies += 1
                    if "English enum/error token" in found:
                        foreign_here = True
            else:
                found = english_glitches(text, assistant=assistant)
            for kind in found:
                kinds.append(kind)
                if len(self.examples[kind]) < EXAMPLES:
                    self.examples[kind].append(text[:300])
        if foreign_here:
            self.zh_foreign_records += 1
        if kinds:
            self.glitch_records += 1
            self.glitch_kinds.update(set(kinds))

    def _zh_forbidden(self, messages: list[dict[str, Any]], trace: Mapping[str, Any]) -> set[str]:
        """English tokens a Chinese reply must not carry: the tools' enum words and the words of
        error messages in this record — unless the user said them (a code-switching user's "refund")
        or they are the episode's facts (a city or product name)."""
        tokens = set(self.enum_tokens)
        for message in messages:
            if message.get("role") == "tool":
                try:
                    payload = json.loads(message.get("content") or "")
                except ValueError:
                    continue
                if isinstance(payload, dict) and isinstance(payload.get("error"), str):
                    tokens.update(w.lower() for w in _WORD.findall(payload["error"]))
        said = " ".join(normalize(m.get("content") or "") for m in messages if m.get("role") == "user")
        facts = " ".join(normalize(str(v)) for v in _flat(trace.get("facts") or {}))
        return {t for t in tokens if t not in said and t not in facts}

    # ------------------------------------------------------------ result

    def result(self) -> dict[str, Any]:
        n = self.records or 1
        train = self.templates.get("train", set())
        overlap = {split: sum(c for t, c in counts.items() if t in train)
                   for split, counts in self.template_records.items() if split != "train"}
        templates = set().union(*self.templates.values()) if self.templates else set()
        top = self.skeletons.most_common(1)
        return {
            "records": self.records,
            "distinct_1": round(len(self.unigrams) / self.n_unigrams, 4) if self.n_unigrams else 0.0,
            "distinct_2": round(len(self.bigrams) / self.n_bigrams, 4) if self.n_bigrams else 0.0,
            "unique_first_messages": round(len(self.first) / n, 4),
            "skeletons": len(self.skeletons),
            "top_skeleton_share": round(top[0][1] / n, 4) if top else 0.0,
            "top_skeleton": top[0][0][:200] if top else "",
            "user_turns": self.user_turns,
            "canned_phrase_share": round(self.canned_turns / self.user_turns, 4) if self.user_turns else 0.0,
            "seed_templates": len(templates),
            "records_per_template": round(self.with_template / len(templates), 2) if templates else None,
            "distinct_answers": len(self.answers),
            "template_glitch_records": self.glitch_records,
            "template_glitches": dict(self.glitch_kinds.most_common()),
            "glitch_examples": {k: v for k, v in self.examples.items()},
            "zh_replies": self.zh_replies,
            "zh_records_with_english_enum_or_error": self.zh_foreign_records,
            "eval_records_sharing_train_template": overlap,
        }


def _exported(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages a dataset record keeps: up to the last assistant message."""
    last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    return [m for m in messages[: last + 1] if m.get("role") != "system"]


def _flat(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flat(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _flat(v)
    elif value is not None:
        yield value
