"""Offline expansion: deterministic per seed, and every variant keeps the rules a seed keeps."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from simulator.author.expand.analysis import cells_of, normalise, tokens
from simulator.author.expand.engine import Expansion, expand_offline
from simulator.author.expand.offline import (
    CASUAL_SHARE,
    FACTORS,
    OfflineExpander,
    casual_turn,
)
from simulator.author.expand.phrases import phrase_book
from simulator.cli import main
from simulator.load.loader import load_pack
from simulator.load.variants import VariantFile, default_path
from simulator.spec.blueprint import placeholders

pytestmark = pytest.mark.slow  # runs a pack end to end

ROOT = Path(__file__).resolve().parents[3]
PER_SCENARIO = 50
ABBREVIATIONS = {"u", "ur", "pls", "thx", "ty", "im", "dont", "cant", "its", "rn", "abt", "b4", "rly"}


@pytest.fixture(scope="module")
def expanded():
    pack = load_pack(ROOT / "scenarios" / "customer_support.yaml")
    expansion = Expansion.start(pack, VariantFile(source="customer_support.yaml"), PER_SCENARIO, 7)
    ids = [s.id for s in expansion.seeds.scenarios]
    added = expand_offline(expansion, ids)
    rows = []  # (cell, text)
    for sid in ids:
        cells = {c.key: c for c in expansion.cells[sid]}
        for key, texts in added[sid].say.items():
            rows += [(cells[key], text) for text in texts]
    return pack, expansion, added, rows


def _said(text: str) -> set[str]:
    return {name.split(".")[0] for name in placeholders(text) if not name.startswith("@")}


def test_same_seed_same_file_other_seed_other_file(support_copy, tmp_path):
    outs = [tmp_path / f"{name}.yaml" for name in ("a", "b", "c")]
    for out, seed in zip(outs, ("7", "7", "8")):
        assert main(["expand", str(support_copy), "--out", str(out), "--per-scenario", "8", "--seed", seed,
                     "--quiet"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() != outs[2].read_bytes()


def test_every_scenario_gets_its_variants(expanded):
    _, expansion, added, _ = expanded
    for sid, new in added.items():
        count = sum(len(t) for t in new.say.values())
        assert count == expansion.report(sid).added
        assert count >= 0.9 * PER_SCENARIO, sid
        languages = {lang for (_, lang) in new.say}
        assert languages == {"en", "zh"}, sid  # both languages of the scenario get variants


def test_placeholders_are_the_scenarios_slots(expanded):
    _, _, _, rows = expanded
    for cell, text in rows:
        for name in placeholders(text):
            root, _, key = name.partition(".")
            assert root in cell.scenario.slots, (cell.scenario.id, text)
            if key in ("en", "zh"):
                assert key == cell.language, text


def test_required_slots_are_kept_unless_vague_about_askable_ones(expanded):
    pack, _, _, rows = expanded
    askable = set(pack.domain.config.ask) - {"default"}
    vague = Counter()
    for cell, text in rows:
        seeds_say = [_said(s) & cell.needed for s in cell.seeds]
        required = set.intersection(*seeds_say)
        allowed = set().union(*seeds_say)
        said = _said(text)
        assert not (said & cell.needed) - allowed, f"{cell.scenario.id}: says a withheld slot: {text}"
        missing = required - said
        if missing:
            vague[cell.scenario.category] += 1
            assert missing <= askable, (cell.scenario.id, text)
    assert vague["positive"] > 0 and vague["multi-turn"] > 0
    for category in ("error-recovery", "hard", "negative"):
        assert vague[category] == 0


def test_no_duplicates_of_seeds_or_of_each_other(expanded):
    pack, _, _, rows = expanded
    seeds = {normalise(t) for s in pack.scenarios.values() for turn in s.turns
             for lang in ("en", "zh") for t in turn.say.for_language(lang)}
    seen = Counter(normalise(text) for _, text in rows)
    assert max(seen.values()) == 1
    assert not set(seen) & seeds


def test_no_words_of_another_tool(expanded):
    _, _, _, rows = expanded
    foreign = {"check_status": ("refund", "退款", "human", "人工"),
               "initiate_refund": ("track", "物流", "human", "人工", "address", "地址"),
               "lookup_order": ("refund", "退款", "人工", "address")}
    for cell, text in rows:
        if len(cell.tools) != 1:
            continue
        (tool,) = cell.tools
        for word in foreign.get(tool, ()):
            if not any(word in seed.lower() for seed in cell.seeds):
                assert word not in text.lower(), (cell.scenario.id, text)


def test_about_a_fifth_is_casual(expanded):
    _, expansion, _, rows = expanded
    made = sum(r.added for r in expansion.reports.values())
    casual = sum(r.casual for r in expansion.reports.values())
    assert abs(casual / made - CASUAL_SHARE) < 0.03
    english = [text for cell, text in rows if cell.language == "en"]
    sloppy = [t for t in english if t[:1].islower() or ABBREVIATIONS & set(re.findall(r"[a-z0-9]+", t.lower()))
              or not t.rstrip().endswith((".", "?", "!"))]
    assert 0.1 < len(sloppy) / len(english) < 0.35


def test_casual_choice_is_a_fifth_of_any_run():
    for n in (5, 17, 50):
        casual = 0
        for made in range(n):
            casual += casual_turn(made, casual)
        assert casual == round(n * CASUAL_SHARE)


def test_drafts_keep_the_content_words_of_a_seed():
    pack = load_pack(ROOT / "scenarios" / "customer_support.yaml")
    expander = OfflineExpander(random.Random(3))
    for scenario in pack.file.scenarios:
        for cell in cells_of(scenario, pack.domain.config):
            book = phrase_book(cell.language)
            for _ in range(6):
                draft = expander.draft(cell, casual=False)
                if not draft.text or draft.vague:
                    continue
                words = tokens(draft.text, cell.language)
                contents = [_content_words(s, book) for s in cell.seeds]
                assert any(c <= words for c in contents), (scenario.id, draft.text)


def _content_words(seed: str, book) -> set[str]:
    """Words (en) or character pairs (zh) of a seed outside the phrase table's swappable wording."""
    if book.language == "en":
        return tokens(seed, "en") - book.wording - book.free_words
    forms = sorted((f for g in book.synonyms for f in g.forms), key=len, reverse=True)
    pieces = re.split("|".join(re.escape(f) for f in forms), seed)
    return set().union(*(tokens(p, "zh") for p in pieces))


def test_choice_values_are_rephrased_with_known_codes(expanded):
    pack, _, added, _ = expanded
    new = added["refund_delivered_order"].choices["reason"]
    codes = {c["code"] for c in pack.scenarios["refund_delivered_order"].slots["reason"].choice}
    assert new and all(entry["code"] in codes and set(entry) == {"code", "en", "zh"} for entry in new)
    assert "partial_refund_one_item" not in {sid for sid, a in added.items() if a.choices}  # field slots: never


def test_scaled_field_slots_get_new_factors(expanded):
    pack, expansion, added, _ = expanded
    scales = {sid: a.scales for sid, a in added.items() if a.scales}
    assert list(scales) == ["partial_refund_one_item"] and list(scales["partial_refund_one_item"]) == ["amount"]
    factors = scales["partial_refund_one_item"]["amount"]
    assert len(factors) == 3 == expansion.report("partial_refund_one_item").amounts  # 0.06 of 50
    assert set(factors) <= set(FACTORS) and len(set(factors)) == 3
    assert not set(factors) & set(pack.scenarios["partial_refund_one_item"].slots["amount"].scale)


def test_expand_writes_scales_and_the_loader_merges_them(support_copy, capsys):
    assert main(["expand", str(support_copy), "--per-scenario", "50", "--scenario", "partial_refund_one_item"]) == 0
    assert "amounts" in capsys.readouterr().out  # the summary's column
    data = yaml.safe_load(default_path(support_copy).read_text())
    factors = data["scenarios"]["partial_refund_one_item"]["scales"]["amount"]
    assert len(factors) == 3 and set(factors) <= set(FACTORS)
    slot = load_pack(support_copy).scenarios["partial_refund_one_item"].slots["amount"]
    assert slot.field == "items.0.price" and slot.scale == [1.0, 0.5, *factors]
