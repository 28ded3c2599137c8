"""A customer-support run with an expanded variants file: the variants are spoken, the judge
accepts the conversations."""

from __future__ import annotations

import json

import pytest
import yaml

from simulator.cli import main
from simulator.load.variants import default_path
from simulator.spec.blueprint import MissingValue, render_text


@pytest.mark.slow
def test_run_with_variants_passes_the_judge(support_copy, tmp_path):
    assert main(["expand", str(support_copy), "--per-scenario", "24", "--quiet"]) == 0
    variants = yaml.safe_load(default_path(support_copy).read_text())["scenarios"]
    out = tmp_path / "run"
    assert main(["run", str(support_copy), "--out", str(out), "--n", "40", "--quiet"]) == 0

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["variants"] == ["customer_support.variants.yaml"]
    verdicts = [json.loads(line) for line in (out / "verdicts.jsonl").read_text().splitlines()]
    traces = [json.loads(line) for line in (out / "traces.jsonl").read_text().splitlines()]
    assert len(verdicts) >= 40
    assert all(v["decision"] == "accept" for v in verdicts), [v["reasons"] for v in verdicts if v["decision"] != "accept"]

    spoken = 0
    for trace in traces:
        first = next(m["content"] for m in trace["messages"] if m["role"] == "user")
        turns = variants.get(trace["episode"]["scenario_id"], {}).get("turns", {})
        texts = [t for lang in ("en", "zh") for t in turns.get(0, {}).get(lang, [])]
        for text in texts:
            try:
                if render_text(text, trace["facts"]) in first:
                    spoken += 1
                    break
            except MissingValue:
                continue
    # About 24 variants against 2-4 seeds per scenario: most first messages are variants (some are
    # seeds, and persona typos change a few rendered variants beyond recognition).
    assert spoken >= len(traces) // 2

    # A generated variant counts as the hand-written seed it rephrases: a held-out split keeps
    # whole seeds, variants included, on one side.
    seeds = {s["id"]: s["turns"][0]["say"] for s in yaml.safe_load(support_copy.read_text())["scenarios"]}
    for trace in traces:
        scenario, _, key = trace["template"].partition("#")
        language, _, index = key.partition(".")
        assert int(index) < len(seeds[scenario][language]), trace["template"]
    splits = json.loads((out / "selection.json").read_text())
    by_id = {t["id"]: t["template"] for t in traces}
    train = {by_id[i] for i, split in splits.items() if split == "train"}
    assert not {by_id[i] for i, split in splits.items() if split != "train"} & train


def test_a_variant_counts_as_the_seed_it_rephrases():
    from simulator.load.variants import nearest_seed
    from simulator.spec.scenario import Turn

    seeds = ["Where is my order {order_id}?", "I'd like a refund for {order_id}, {reason.en}."]
    assert nearest_seed("Could you tell me where my order {order_id} is?", seeds) == 0
    assert nearest_seed("Hello, I would like a refund for {order_id} please, {reason.en}.", seeds) == 1
    turn = Turn.model_validate({"say": {"en": [*seeds, "Where's order {order_id}?"]}, "variant_of": {"en": [0]}})
    assert [turn.seed_index("en", i) for i in range(3)] == [0, 1, 0]
