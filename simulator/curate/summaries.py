"""What curation keeps of an accepted trace: a compact, column-wise store and a per-trace view.

Curation never holds whole traces, nor their text. `Summaries` keeps, per accepted trace, its id,
small codes for tool / category / persona / language, 64-bit hashes of its normalised user
messages and of its calls (dedupe and the split's union-find only need equality), and its 128-byte
MinHash signature (the near-duplicate index and the leak groups read it in place): under 200 bytes
a trace, in arrays rather than per-trace objects. `TraceSummary` is the view of one row that the
selection functions take.

Hashes: 64-bit blake2b. Two different messages (or call lists) share one with probability 2⁻⁶⁴
per pair — for a million traces, about one chance in 10⁷ that dedupe or the split treats two
different ones as the same.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import unicodedata
from array import array
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Sequence, overload

from simulator.core.messages import AssistantMessage, UserMessage, known_arguments, strip_stop_token
from simulator.core.records import Trace
from simulator.curate.minhash import Signatures, signatures_of


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """What curation knows of one accepted trace (a row of `Summaries`)."""

    id: str
    tool: str | None
    category: str
    persona: str
    language: str
    user_key: tuple[int, ...]  # hashes of the normalised user messages, closing message excluded
    key: int  # hash of (user messages, calls): equal keys are exact duplicates
    multi_turn: bool
    row: int = -1  # its row in the `Summaries` it came from (its signature), -1 for none
    scenario: str = ""  # the scenario id (the dataset card counts hard cases by it)
    template: str = ""  # the opening seed (`scenario#lang.index`); held-out splits group by it

    @property
    def n_turns(self) -> int:
        return len(self.user_key)


# The full-width punctuation of Chinese messages (，？！：；（）), each with its compatibility
# decomposition (ASCII). Replacing a character by its full decomposition leaves a text's NFKD,
# and so its NFKC, as they were; what is left (ideographs, 。, 、) then usually passes NFKC's quick
# check, and `unicodedata.normalize` returns at once instead of normalising the long way (~5 us a
# Chinese message). Any other character needing NFKC is still normalised by it, as before.
_WIDE = tuple((wide, unicodedata.normalize("NFKD", wide)) for wide in "，？！：；（）")


def normalize_message(text: str) -> str:
    """Identity of a user message for dedupe and leakage: width-, case- and spacing-insensitive.
    An ASCII text (most English messages) is its own NFKC form and casefolds as it lowercases;
    another has its full-width punctuation decomposed first (see `_WIDE`): the same NFKC text,
    sooner."""
    text = strip_stop_token(text)
    if text.isascii():
        return " ".join(text.lower().split())
    for wide, narrow in _WIDE:
        text = text.replace(wide, narrow)
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _encoder(**options: Any) -> Callable[[Any], str]:
    """`json.JSONEncoder(**options).encode`, with its C encoder built once: `encode` builds one
    on every call, which was most of what encoding a call's small arguments cost (every
    accepted trace's calls are encoded twice). Without circular-reference markers, as
    `check_circular=False`: the values are parsed JSON and lists of pairs, never cyclic; the
    text is the same."""
    encoder = json.JSONEncoder(**options)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the encoder as it is
        return encoder.encode
    encode = make(None, encoder.default, json.encoder.encode_basestring, None, encoder.key_separator,
                  encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
    return lambda value: "".join(encode(value, 0))


_CANONICAL_JSON = _encoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_COMPACT_JSON = _encoder(separators=(",", ":"), ensure_ascii=False)


def _canonical_arguments(arguments: str) -> str:
    """The arguments as canonical JSON. Their parse is usually known already (the offline
    assistant wrote them and the environment parsed them: `known_arguments` gives a copy of
    `json.loads(arguments)`), and parsing them again was a third of summarising a trace."""
    known = known_arguments(arguments)
    if known is not None:
        return _CANONICAL_JSON(known)
    try:
        value = json.loads(arguments)
    except (ValueError, TypeError):
        return arguments
    return _CANONICAL_JSON(value)


def _hash64(data: str | bytes) -> int:
    raw = data.encode() if isinstance(data, str) else data
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def _exact_key(user_key: Sequence[int], calls: Sequence[tuple[str, str]]) -> int:
    """One hash of the normalised user messages and the (tool, canonical arguments) calls."""
    users = array("Q", user_key).tobytes()
    return _hash64(users + _COMPACT_JSON(calls).encode())


def user_texts(trace: Trace) -> list[str]:
    """The normalised user messages curation compares. Those after the last assistant message
    (the closing "thanks ###STOP###") are left out: they are not exported, and shared closings
    like "thanks!" would otherwise tie unrelated conversations together."""
    messages = trace.messages
    last_assistant = len(messages) - 1
    while last_assistant >= 0 and not isinstance(messages[last_assistant], AssistantMessage):
        last_assistant -= 1
    return [
        text
        for m in messages[: last_assistant + 1]
        if isinstance(m, UserMessage) and (text := normalize_message(m.content))
    ]


def call_list(trace: Trace) -> list[tuple[str, str]]:
    """Every tool call as (name, canonical JSON arguments), in order."""
    return [
        (c.name, _canonical_arguments(c.arguments))
        for m in trace.messages
        if isinstance(m, AssistantMessage)
        for c in m.tool_calls
    ]


@dataclass(frozen=True, slots=True)
class AcceptedFacts:
    """What `Summaries` stores of one accepted trace, computed where the trace was played: a
    worker process sends these (a few hundred bytes) to the runner, never the trace itself, so
    the runner neither parses traces nor hashes or signs their text. `signature` is the MinHash
    row (`NUM_PERM` bytes, b"" for a trace without user text) once `signed`; until then the
    normalised `texts` go along and the store signs them in its batches."""

    id: str
    tool: str | None
    category: str
    persona: str
    language: str
    scenario: str
    multi_turn: bool
    user_key: tuple[int, ...]
    key: int
    texts: tuple[str, ...] = ()
    signature: bytes | None = None
    template: str = ""  # the opening seed (`scenario#lang.index`); held-out splits group by it


def accepted_facts(trace: Trace) -> AcceptedFacts:
    """The facts of one trace, unsigned (`signed` signs many at once)."""
    texts = user_texts(trace)
    users = tuple(_hash64(t) for t in texts)
    ep = trace.episode
    return AcceptedFacts(id=trace.id, tool=ep.tool, category=ep.category, persona=ep.persona_id,
                         language=ep.language, scenario=ep.scenario_id, multi_turn=ep.multi_turn,
                         user_key=users, key=_exact_key(users, call_list(trace)), texts=tuple(texts),
                         template=trace.template or "")


def signed(facts: Sequence[AcceptedFacts]) -> list[AcceptedFacts]:
    """The facts with their MinHash signatures, signed in one batch (and their texts dropped)."""
    values, has_text = signatures_of([f.texts for f in facts])
    return [replace(f, texts=(), signature=values[i].tobytes() if has_text[i] else b"")
            for i, f in enumerate(facts)]


def summarize(trace: Trace) -> TraceSummary:
    """The summary of one trace on its own (no signature row; `Summaries.add_trace` stores one)."""
    users = tuple(_hash64(t) for t in user_texts(trace))
    ep = trace.episode
    return TraceSummary(id=trace.id, tool=ep.tool, category=ep.category, persona=ep.persona_id,
                        language=ep.language, user_key=users, key=_exact_key(users, call_list(trace)),
                        multi_turn=ep.multi_turn, scenario=ep.scenario_id, template=trace.template or "")


class _Names:
    """Small codes for the few distinct values of a column (tools, categories, personas, languages)."""

    __slots__ = ("codes", "values")

    def __init__(self) -> None:
        self.values: list[str | None] = []
        self.codes: dict[str | None, int] = {}

    def code(self, value: str | None) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.values)
            self.values.append(value)
        return code


class Summaries(Sequence[TraceSummary]):
    """The accepted traces' summaries, column by column (see the module docstring).

    `add_trace` summarises and signs a trace; `add` takes the facts directly (normalised user
    texts, calls). Indexing gives `TraceSummary` views; `ids` and `signatures` are the columns
    curation reads in place.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.signatures = Signatures()
        self._names = {field: _Names() for field in ("tool", "category", "persona", "language", "scenario", "template")}
        self._codes = {field: array("H") for field in self._names}
        self._multi = bytearray()
        self._users = array("Q")  # every row's message hashes, one after the other
        self._ends = array("Q")  # where each row's message hashes end in `_users`
        self._keys = array("Q")

    def add(self, id: str, *, tool: str | None, category: str, persona: str, language: str,
            users: Sequence[str], calls: Sequence[tuple[str, str]] = (), multi_turn: bool = False,
            scenario: str = "", template: str = "") -> int:
        """Store one summary from its normalised user texts and (name, canonical arguments) calls;
        return its row."""
        values = {"tool": tool, "category": category, "persona": persona, "language": language, "scenario": scenario,
                  "template": template}
        for field, value in values.items():
            self._codes[field].append(self._names[field].code(value))
        hashes = [_hash64(t) for t in users]
        self._users.extend(hashes)
        self._ends.append(len(self._users))
        self._keys.append(_exact_key(hashes, list(calls)))
        self._multi.append(bool(multi_turn))
        self.signatures.add(users)
        self.ids.append(id)
        return len(self.ids) - 1

    def add_trace(self, trace: Trace) -> int:
        return self.add_facts(accepted_facts(trace))

    def add_facts(self, facts: AcceptedFacts) -> int:
        """Store one summary from facts computed elsewhere (`accepted_facts`, maybe `signed`)."""
        codes, names = self._codes, self._names  # column by column, without a dict per row
        codes["tool"].append(names["tool"].code(facts.tool))
        codes["category"].append(names["category"].code(facts.category))
        codes["persona"].append(names["persona"].code(facts.persona))
        codes["language"].append(names["language"].code(facts.language))
        codes["scenario"].append(names["scenario"].code(facts.scenario))
        codes["template"].append(names["template"].code(facts.template))
        self._users.extend(facts.user_key)
        self._ends.append(len(self._users))
        self._keys.append(facts.key)
        self._multi.append(bool(facts.multi_turn))
        if facts.signature is None:
            self.signatures.add(facts.texts)
        else:
            self.signatures.add_signed(facts.signature)
        self.ids.append(facts.id)
        return len(self.ids) - 1

    def __len__(self) -> int:
        return len(self.ids)

    def key(self, row: int) -> int:
        return self._keys[row]

    @overload
    def __getitem__(self, row: int) -> TraceSummary: ...
    @overload
    def __getitem__(self, row: slice) -> list[TraceSummary]: ...

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        start = self._ends[row - 1] if row else 0
        names, codes = self._names, self._codes
        return TraceSummary(
            id=self.ids[row],
            tool=names["tool"].values[codes["tool"][row]],  # type: ignore[arg-type]
            category=names["category"].values[codes["category"][row]],  # type: ignore[arg-type]
            persona=names["persona"].values[codes["persona"][row]],  # type: ignore[arg-type]
            language=names["language"].values[codes["language"][row]],  # type: ignore[arg-type]
            user_key=tuple(self._users[start:self._ends[row]]),
            key=self._keys[row],
            multi_turn=bool(self._multi[row]),
            row=row,
            scenario=names["scenario"].values[codes["scenario"][row]],  # type: ignore[arg-type]
            template=names["template"].values[codes["template"][row]],  # type: ignore[arg-type]
        )

    def __iter__(self) -> Iterator[TraceSummary]:
        return (self[i] for i in range(len(self)))
