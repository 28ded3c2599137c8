"""The Hugging Face style dataset card."""

from __future__ import annotations

import json

import pytest
import yaml

from simulator.export.card import render_card, size_category

COUNTS = {
    "tool": {"initiate_refund": 40, "lookup_order": 38, "(none)": 22},
    "category": {"positive": 60, "negative": 22, "multi-turn": 18},
    "split": {"train": 80, "validation": 10, "test": 10},
    "tool_split": {
        "initiate_refund": {"train": 32, "validation": 4, "test": 4},
        "lookup_order": {"train": 30, "validation": 4, "test": 4},
        "(none)": {"train": 18, "validation": 2, "test": 2},
    },
    "language": {"en": 70, "zh": 30},
}
SETTINGS = {"seed": 7, "split": {"train": 0.8, "validation": 0.1, "test": 0.1}, "agents": "offline | templates",
            "near_duplicate_threshold": 0.8, "leak_threshold": 0.5}
JUDGE = {"episodes": 130, "accepted": 112, "rejected_by_reason": {"arguments_grounded": 11, "final_answer": 7},
         "duplicates_removed": 12, "near_duplicates_removed": 5}
QUALITY = {
    "balance": {"counts": {"initiate_refund": 40, "lookup_order": 20}, "mean": 30.0, "tolerance": 0.3,
                "within": {"initiate_refund": False, "lookup_order": False}, "balanced": False},
    "short": {"lookup_order": 20, "category:hard": 4, "language:zh": 3},
}


def header_and_body(card: str) -> tuple[dict, str]:
    assert card.startswith("---\n")
    _, header, body = card.split("---\n", 2)
    return yaml.safe_load(header), body


def test_yaml_header_has_the_hub_metadata():
    meta, _ = header_and_body(render_card("shop-support", COUNTS, SETTINGS, JUDGE))
    assert meta["license"] == "other"
    assert meta["task_categories"] == ["text-generation"]
    assert meta["tags"] == ["function-calling", "tool-use", "synthetic"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["language"] == ["en", "zh"]
    assert meta["configs"] == [{"config_name": "default", "data_files": [
        {"split": "train", "path": "train.jsonl"},
        {"split": "validation", "path": "validation.jsonl"},
        {"split": "test", "path": "test.jsonl"},
    ]}]


def test_empty_splits_are_not_declared_and_custom_paths_are_used():
    counts = dict(COUNTS, split={"train": 100, "validation": 0, "test": 0})
    meta, _ = header_and_body(render_card("x", counts, SETTINGS, JUDGE))
    assert [f["split"] for f in meta["configs"][0]["data_files"]] == ["train"]
    meta, _ = header_and_body(render_card("x", COUNTS, SETTINGS, JUDGE, data_files={"train": "data/train-*.jsonl"}))
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "data/train-*.jsonl"}]


def test_body_has_count_tables_settings_judge_stats_and_limitations():
    _, body = header_and_body(render_card("shop-support", COUNTS, SETTINGS, JUDGE))
    assert body.lstrip().startswith("# shop-support")
    assert "| initiate_refund | 40 | 40.0% |" in body
    assert "| multi-turn | 18 | 18.0% |" in body
    assert "| validation | 10 | 10.0% |" in body
    assert "| tool | train | validation | test | total |" in body
    assert "| lookup_order | 30 | 4 | 4 | 38 |" in body
    assert '| split | {"test": 0.1, "train": 0.8, "validation": 0.1} |' in body
    assert "| agents | offline \\| templates |" in body  # pipes cannot break the table
    assert "| accepted | 112 (86.2%) |" in body and "| rejected | 18 |" in body
    assert "| arguments_grounded | 11 |" in body and "| duplicates removed | 12 |" in body
    assert "## Known limitations" in body and "synthetic" in body.lower()


def test_size_categories_follow_the_hub_buckets():
    assert [size_category(n) for n in (0, 999, 1000, 54_321, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M"]


def test_near_duplicates_dedupe_settings_and_the_leak_promise_are_stated():
    _, body = header_and_body(render_card("shop-support", COUNTS, SETTINGS, JUDGE))
    assert "| near duplicates removed | 5 |" in body
    assert "## Deduplication" in body and "at least 0.8" in body and "character 5-grams" in body
    assert "nor do two examples whose user turns are at least 0.5 similar" in body


def test_balance_and_short_targets_are_reported():
    _, body = header_and_body(render_card("shop-support", COUNTS, SETTINGS, JUDGE, quality=QUALITY))
    assert "±30% of the mean (30.0 examples per tool): outside it: initiate_refund, lookup_order." in body
    assert "### Targets not met" in body
    assert "| category:hard | 4 |" in body and "| language:zh | 3 |" in body
    even = dict(QUALITY, short={}, balance=dict(QUALITY["balance"], within={"a": True}, balanced=True))
    _, body = header_and_body(render_card("x", COUNTS, SETTINGS, JUDGE, quality=even))
    assert "every tool is within it" in body and "Targets not met" not in body


def test_share_columns_are_right_aligned():
    _, body = header_and_body(render_card("x", COUNTS, SETTINGS, JUDGE))
    assert "| split | examples | share |\n| --- | ---: | ---: |" in body


def test_the_hub_and_datasets_read_the_card_and_load_the_declared_splits(tmp_path, monkeypatch):
    """Checked with the libraries themselves: huggingface_hub parses the metadata, `datasets`
    reads `configs` and `load_dataset(dir)` finds exactly the declared split files."""
    datasets = pytest.importorskip("datasets")
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card_text = render_card("shop-support", COUNTS, SETTINGS, JUDGE, quality=QUALITY)
    card = DatasetCard(card_text)
    assert card.data.license == "other" and card.data.size_categories == ["n<1K"]
    configs = MetadataConfigs.from_dataset_card_data(card.data)
    assert configs["default"]["data_files"][2] == {"split": "test", "path": "test.jsonl"}
    for split, n in COUNTS["split"].items():
        rows = [json.dumps({"messages": [{"role": "user", "content": f"{split} {i}"}]}) for i in range(n)]
        (tmp_path / f"{split}.jsonl").write_text("\n".join(rows) + "\n")
    (tmp_path / "README.md").write_text(card_text)
    loaded = datasets.load_dataset(str(tmp_path), cache_dir=str(tmp_path / ".cache"))
    assert {name: len(ds) for name, ds in loaded.items()} == COUNTS["split"]
