"""Generated seed-utterance variants: their file format, load checks, and the merge into scenarios.

`toolsim expand` writes extra `say` variants (and extra phrasings of `choice` values) to a file
of their own, `X.variants.yaml` next to `X.yaml`, so generated text never mixes with hand-written
seeds: a reviewer reads, edits or deletes generated lines in one place, and deleting the file
undoes the expansion. The loader merges that file into the scenarios (`with_variants`) after the
scenario file itself has been checked, and checks the variants against the scenarios with the same
care as seeds — every problem points at the variant file's line:

- a scenario id the scenario file does not have, a turn index out of range, a language the
  scenario does not speak in every turn (adding one would change which personas may play it);
- a `{placeholder}` no slot of the scenario fills, a `{slot.en}` key the slot's choices lack, a
  `{@tool.path}` read before the tool is called;
- a choice entry that is not shaped like the scenario's own (same keys) or whose `code` is not one
  the scenario already uses: generated values rephrase known values, they never invent new ones;
- a `scales` entry for a slot that is not a scaled `field` slot, a factor outside (0, 1], or one the
  slot (or the entry) has already: extra factors make new amounts that still fit the state.

Which files: the scenario file's `variants:` list (paths relative to it); without the key,
`X.variants.yaml` next to `X.yaml` when it exists; `variants: []` turns variants off.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from simulator.core.errors import InputError, Problem
from simulator.core.files import outside_problem, pack_root
from simulator.core.pydantic_problems import validate
from simulator.core.yaml_lines import (
    Loc,
    YamlDocument,
    display_path,
    format_loc,
    parse_yaml,
    read_yaml,
)
from simulator.spec import (
    LANGUAGES,
    LocalizedText,
    Scenario,
    ScenarioFile,
    Strict,
    factor_problem,
)
from simulator.spec.blueprint import placeholders

SUFFIX = ".variants.yaml"


class ScenarioVariants(Strict):
    """Generated additions to one scenario."""

    turns: dict[int, LocalizedText] = Field(default_factory=dict, description="turn index -> extra `say` variants",
                                            examples=[{0: {"en": ["Could you track {order_id} for me?"]}}])
    choices: dict[str, list[Any]] = Field(default_factory=dict, description="slot -> extra `choice` entries",
                                          examples=[{"reason": [{"code": "defective", "en": "it won't turn on"}]}])
    scales: dict[str, list[float]] = Field(
        default_factory=dict, description="scaled field slot -> extra `scale` factors (0 < f <= 1)",
        examples=[{"amount": [0.6, 0.75]}],
    )
    exclude: list[str] = Field(
        default_factory=list, description="texts `toolsim expand` must not add again (deleted by a reviewer)",
        examples=[["Kindly refund {order_id}."]],
    )


class VariantFile(Strict):
    """`X.variants.yaml`: what `toolsim expand` wrote (and a reviewer may have edited)."""

    source: str = Field(description="the scenario file these variants belong to (its file name)",
                        examples=["customer_support.yaml"])
    generated_by: list[str] = Field(default_factory=list, description="offline, and/or the models used",
                                    examples=[["offline"]])
    scenarios: dict[str, ScenarioVariants] = Field(default_factory=dict, description="scenario id -> its additions",
                                                   examples=[{"refund_delivered_order": {"exclude": ["Refund it."]}}])

    def count(self) -> int:
        """Say variants plus choice entries plus scale factors."""
        return sum(
            sum(len(t.en) + len(t.zh) for t in s.turns.values()) + sum(len(c) for c in s.choices.values())
            + sum(len(f) for f in s.scales.values())
            for s in self.scenarios.values()
        )


@dataclass
class LoadedVariants:
    path: Path
    doc: YamlDocument
    file: VariantFile


def default_path(scenario_path: Path) -> Path:
    """`scenarios/x.yaml` -> `scenarios/x.variants.yaml`."""
    return scenario_path.with_name(scenario_path.stem + SUFFIX)


def variant_paths(scenario_file: ScenarioFile, scenario_path: Path) -> list[Path]:
    """The variant files a scenario file uses (see the module docstring)."""
    if scenario_file.variants is not None:
        return [scenario_path.parent / entry for entry in scenario_file.variants]
    default = default_path(scenario_path)
    return [default] if default.is_file() else []


def read_variant_file(path: Path) -> LoadedVariants:
    """Parse and validate one variant file; raises `InputError` with `file:line` problems."""
    return _validated(read_yaml(path, display_path(path)), path)


def parse_variant_text(text: str, path: Path) -> LoadedVariants:
    """Like `read_variant_file`, for text about to be written to `path`."""
    return _validated(parse_yaml(text, display_path(path)), path)


def _validated(doc: YamlDocument, path: Path) -> LoadedVariants:
    source = doc.source
    if not isinstance(doc.value, dict):
        raise InputError([Problem(source, 1, "expected a mapping with source, generated_by and scenarios")])
    file, errors = validate(VariantFile, doc.value, doc)
    if file is None or doc.problems:
        raise InputError(doc.problems + errors)
    return LoadedVariants(path, doc, file)


def with_variants(scenario_file: ScenarioFile | None, scenario_path: Path, problems: list[Problem]) -> ScenarioFile | None:
    """The scenario file with its variant files merged in; problems are appended to `problems`.

    Called by the loader once the scenario file itself is checked. `variants` of the result lists
    the files used (so the run manifest, and its resume fingerprint, record them)."""
    if scenario_file is None:
        return None
    paths = variant_paths(scenario_file, scenario_path)
    scenarios = {s.id: s for s in scenario_file.scenarios}
    used: list[str] = []
    root = pack_root(scenario_path)
    for index, path in enumerate(paths):
        reason = f"not found: {display_path(path)}" if not path.exists() else outside_problem(path, root)
        if scenario_file.variants is not None and reason:
            doc = read_yaml(scenario_path, str(scenario_path))
            problems.append(doc.problem(("variants", index), f"variants[{index}]: {reason}"))
            continue
        try:
            loaded = read_variant_file(path)
        except InputError as exc:
            problems += exc.problems
            continue
        found = list(check_variants(loaded, scenario_path.name, scenarios))
        problems += found
        if not found:
            scenarios = merge(scenarios, loaded.file)
        used.append(scenario_file.variants[index] if scenario_file.variants is not None else path.name)
    if not paths:
        return scenario_file
    return scenario_file.model_copy(update={
        "scenarios": [scenarios[s.id] for s in scenario_file.scenarios],
        "variants": used,
    })


def merge(scenarios: dict[str, Scenario], variants: VariantFile) -> dict[str, Scenario]:
    """Scenarios with the (checked) variants appended; texts already present are not repeated."""
    merged = dict(scenarios)
    for sid, extra in variants.scenarios.items():
        scenario = merged[sid]
        turns = list(scenario.turns)
        for index, say in extra.turns.items():
            turn = turns[index]
            update = {}
            origins = {k: list(v) for k, v in turn.variant_of.items()}
            for language in LANGUAGES:
                have = turn.say.for_language(language)
                added = [t for t in dict.fromkeys(say.for_language(language)) if t not in have]
                if added:
                    update[language] = have + added
                    seeds = have[: len(have) - len(origins.get(language, []))]
                    origins[language] = origins.get(language, []) + [nearest_seed(t, seeds) for t in added]
            if update:
                turns[index] = turn.model_copy(update={"say": turn.say.model_copy(update=update), "variant_of": origins})
        slots = dict(scenario.slots)
        for name, entries in extra.choices.items():
            slot = slots[name]
            added = [e for e in entries if e not in slot.choice]
            if added:
                slots[name] = slot.model_copy(update={"choice": list(slot.choice) + added})
        for name, factors in extra.scales.items():
            slot = slots[name]
            added = [f for f in dict.fromkeys(factors) if f not in slot.scale]
            if added:
                slots[name] = slot.model_copy(update={"scale": list(slot.scale) + added})
        merged[sid] = scenario.model_copy(update={"turns": turns, "slots": slots})
    return merged


def nearest_seed(variant: str, seeds: list[str]) -> int:
    """The index of the hand-written seed a generated variant rephrases: the most similar one
    (word sequence, placeholders as words; the first on a tie). Offline variants keep their
    seed's content words and a model is asked to rephrase, so the nearest seed is the source."""
    words = _words(variant)
    best, best_ratio = 0, -1.0
    for index, seed in enumerate(seeds):
        ratio = difflib.SequenceMatcher(None, words, _words(seed), autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = index, ratio
    return best


def _words(text: str) -> list[str]:
    return re.findall(r"\{[^}]*\}|\w+", text.lower())


# ---------------------------------------------------------------- checks


def check_variants(loaded: LoadedVariants, scenario_name: str, scenarios: dict[str, Scenario]) -> Iterator[Problem]:
    """Every problem of one (structurally valid) variant file against the scenarios."""
    doc, file = loaded.doc, loaded.file

    def problem(loc: Loc, message: str) -> Problem:
        return doc.problem(loc, f"{format_loc(loc)}: {message}")

    if file.source != scenario_name:
        yield problem(("source",), f"these variants were written for {file.source!r}, not {scenario_name!r}")
    for sid, extra in file.scenarios.items():
        base: Loc = ("scenarios", sid)
        scenario = scenarios.get(sid)
        if scenario is None:
            close = difflib.get_close_matches(sid, list(scenarios), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield problem(base, f"unknown scenario id {sid!r}{hint}")
            continue
        for index, say in extra.turns.items():
            yield from _check_turn(problem, doc, base + ("turns", index), scenario, index, say)
        for name, entries in extra.choices.items():
            yield from _check_choices(problem, base + ("choices", name), scenario, name, entries)
        for name, factors in extra.scales.items():
            yield from _check_scales(problem, base + ("scales", name), scenario, name, factors)


def _check_turn(problem: Any, doc: YamlDocument, loc: Loc, scenario: Scenario, index: int,
                say: LocalizedText) -> Iterator[Problem]:
    if not 0 <= index < len(scenario.turns):
        yield problem(loc, f"turn {index} is out of range: scenario {scenario.id!r} has "
                           f"{len(scenario.turns)} turn(s) (0 to {len(scenario.turns) - 1})")
        return
    called = {c.tool for turn in scenario.turns[:index] for c in turn.expect}
    for language in sorted(say.languages()):
        if language not in scenario.languages:
            spoken = ", ".join(sorted(scenario.languages))
            yield problem(loc + (language,), f"scenario {scenario.id!r} is not played in {language} (only {spoken})")
            continue
        for k, text in enumerate(say.for_language(language)):
            at = loc + (language, k) if loc + (language, k) in doc.lines else loc + (language,)
            for message in template_problems(text, scenario, called, language):
                yield problem(at, message)


def template_problems(text: str, scenario: Scenario, called: set[str], language: str | None = None) -> list[str]:
    """What is wrong with one `say` text of `scenario` (empty: nothing). Shared with `expand`."""
    if not text.strip():
        return ["empty text"]
    found = []
    for name in placeholders(text):
        root, _, key = name.partition(".")
        if name.startswith("@"):
            if root[1:] not in called:
                found.append(f"{{{name}}} reads the result of {root[1:]!r}, which no earlier turn calls")
            continue
        slot = scenario.slots.get(root)
        if slot is None:
            slots = ", ".join(scenario.slots) or "none"
            found.append(f"placeholder {{{name}}} is not filled by any slot of scenario {scenario.id!r} (slots: {slots})")
        elif key and slot.choice is not None and _mapping_choice(slot.choice):
            keys = set(slot.choice[0])
            first = key.split(".")[0]
            if first not in keys:
                found.append(f"{{{name}}}: the choices of slot {root!r} have no key {first!r} ({', '.join(sorted(keys))})")
            elif language and first in LANGUAGES and first != language:
                found.append(f"{{{name}}} is the {first} phrase, in a {language} variant")
    return found


def _mapping_choice(choices: list[Any]) -> bool:
    return bool(choices) and all(isinstance(c, dict) for c in choices)


def choice_codes(scenario: Scenario, slot: str) -> set[Any] | None:
    """The codes a mapping `choice` slot uses, or None when the slot cannot take generated entries."""
    spec = scenario.slots.get(slot)
    if spec is None or spec.choice is None or not _mapping_choice(spec.choice):
        return None
    if not all("code" in c for c in spec.choice):
        return None
    return {hashable(c["code"]) for c in spec.choice}


def hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)


def _check_choices(problem: Any, loc: Loc, scenario: Scenario, name: str, entries: list[Any]) -> Iterator[Problem]:
    codes = choice_codes(scenario, name)
    if codes is None:
        yield problem(loc, (
            f"slot {name!r} of scenario {scenario.id!r} is not a `choice` of mappings with a `code`; "
            "generated values only rephrase coded choices"
        ))
        return
    keys = set(scenario.slots[name].choice[0])
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict):
            yield problem(loc + (k,), f"expected a mapping with keys {', '.join(sorted(keys))}")
            continue
        if "code" not in entry:
            yield problem(loc + (k,), f"choice entry without `code` (one of {', '.join(map(str, sorted(codes, key=str)))})")
            continue
        if hashable(entry["code"]) not in codes:
            known = ", ".join(map(str, sorted(codes, key=str)))
            yield problem(loc + (k, "code"), f"code {entry['code']!r} is not one scenario {scenario.id!r} uses ({known})")
        if set(entry) != keys:
            missing, extra = sorted(keys - set(entry)), sorted(set(entry) - keys)
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(extra)}"] if extra else [])
            yield problem(loc + (k,), f"choice entry keys differ from the scenario's ({'; '.join(parts)})")
        for key, value in entry.items():
            if key != "code" and not (isinstance(value, str) and value.strip()):
                yield problem(loc + (k, key), "expected non-empty text")


def scaled_slot_problem(scenario: Scenario, slot: str) -> str | None:
    """Why `slot` of `scenario` cannot take extra scale factors (None: it can)."""
    spec = scenario.slots.get(slot)
    if spec is None:
        slots = ", ".join(scenario.slots) or "none"
        return f"scenario {scenario.id!r} has no slot {slot!r} (slots: {slots})"
    if spec.field is None or spec.scale is None:
        return (f"slot {slot!r} of scenario {scenario.id!r} is not a scaled `field` slot; extra factors only "
                "go to slots written like {field: items.0.price, scale: [1, 0.5]}")
    return None


def _check_scales(problem: Any, loc: Loc, scenario: Scenario, name: str, factors: list[float]) -> Iterator[Problem]:
    reason = scaled_slot_problem(scenario, name)
    if reason is not None:
        yield problem(loc, reason)
        return
    own = list(scenario.slots[name].scale)
    for k, factor in enumerate(factors):
        reason = factor_problem(factor)
        if reason is None and factor in own:
            reason = f"factor {factor:g} is already in the scenario's scale ({', '.join(f'{f:g}' for f in own)})"
        elif reason is None and factor in factors[:k]:
            reason = f"factor {factor:g} is listed twice"
        if reason is not None:
            yield problem(loc + (k,), reason)


def variant_summary(scenario_file: ScenarioFile, scenario_path: Path) -> str:
    """` + N generated variants from X.variants.yaml` for `toolsim validate` ('' when none)."""
    if not scenario_file.variants:
        return ""
    parts = []
    for entry in scenario_file.variants:
        try:
            count = read_variant_file(scenario_path.parent / entry).file.count()
        except InputError:
            continue
        parts.append(f"{count} generated variant{'s' if count != 1 else ''} from {entry}")
    return "".join(f" + {part}" for part in parts)
