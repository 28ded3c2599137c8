"""The Hugging Face style dataset card."""

from __future__ import annotations

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
SETTINGS = {"seed": 7, "split": {"train": 0.8, "validation": 0.1, "test": 0.1}, "agents": "offline | templates"}
JUDGE = {"episodes": 130, "accepted": 112, "rejected_by_reason": {"arguments_grounded": 11, "final_answer": 7},
         "duplicates_removed": 12}


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
