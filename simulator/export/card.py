"""The dataset card: a Hugging Face style README.md written next to the split files.

The YAML header is what the Hub reads (license, task, tags, size bucket, and `configs` so
`load_dataset` finds the split files); the body is for people: what is in the data, how it was
made, what the judge threw away, and what the data cannot be trusted for.

Inputs are plain dicts so the runner can build them from counters:
- `counts`: `tool`, `category`, `split` (name -> n), `tool_split` (tool -> split -> n), and
  optionally `language`, `persona`;
- `settings`: anything worth reporting about generation (nested values are shown as JSON);
- `judge_stats`: `episodes`, `accepted`, `rejected_by_reason` (reason -> n), optionally
  `exact_duplicates_removed`, `near_duplicates_removed` and any other scalar counters;
- `quality` (optional): `balance` (`quotas.BalanceReport.as_dict()`) and `short` (target name ->
  examples missing), so the card says plainly where the data falls short of what was asked, and
  `report` (`simulator.export.quality`): diversity, skeletons, canned phrases, template glitches
  and train/test template overlap.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import yaml

from simulator.core.names import SPLITS

_SIZE_BUCKETS: tuple[tuple[int, str], ...] = (
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"),
)
LIMITATIONS = (
    "All conversations are synthetic. Users are simulated (offline: seeded templates with persona "
    "styling; with a model: an LLM role-playing a persona), so phrasing is less varied than real traffic.",
    "Tool results come from simulators over generated state, not from real systems; identifiers, names, "
    "addresses and amounts are fake.",
    "Offline runs use a blueprint-driven reference assistant: answers follow templates and every example of "
    "a scenario takes the same path. Do not use the data to measure a model's quality.",
    "The rule judge checks structure (tool exists, schema, grounding of identifiers, expected calls, final "
    "answer, leaks) but not helpfulness or tone; a model judge, when run, is itself fallible.",
    "Grounding is lexical: values an assistant legitimately derives (a date from \"tomorrow\", a sum) are "
    "rejected, so such reasoning is under-represented.",
    "Coverage is limited to the scenarios, personas and languages of the scenario file.",
    "Near-duplicate filtering is lexical (MinHash over character 5-grams of the user turns): paraphrases that "
    "share little wording are kept, and examples built from one scenario template stay closely related.",
)


def size_category(n: int) -> str:
    """The Hub's `size_categories` bucket for n examples."""
    for bound, label in _SIZE_BUCKETS:
        if n < bound:
            return label
    return "n>1T"


def _ordered_splits(per_split: Mapping[str, int]) -> list[str]:
    return [s for s in SPLITS if s in per_split] + sorted(s for s in per_split if s not in SPLITS)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif value is None:
        text = "—"
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    """A number, or text that starts with one ("112 (86.2%)", "16.0%"): right-aligned in tables."""
    return _is_number(value) or (
        isinstance(value, str) and value[:1].isdigit()
        and value.split(" ")[0].rstrip("%").replace(".", "").isdigit()
    )


def _table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table; columns holding only numbers are right-aligned."""
    numeric = [bool(rows) and all(_is_count(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join(" ---: " if right else " --- " for right in numeric) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _count_table(title: str, counts: Mapping[str, int], of: int | None = None) -> str:
    """Counts with their share of `of` (default: of their sum)."""
    total = of or sum(counts.values()) or 1
    rows = [[k, n, f"{100 * n / total:.1f}%"] for k, n in counts.items()]
    return _table([title, "examples", "share"], rows)


def _header(name: str, total: int, counts: Mapping[str, Any], data_files: Mapping[str, str]) -> str:
    meta: dict[str, Any] = {
        "pretty_name": name,
        "license": "other",
        "task_categories": ["text-generation"],
        "tags": ["function-calling", "tool-use", "synthetic"],
        "size_categories": [size_category(total)],
    }
    if counts.get("language"):
        meta["language"] = sorted(counts["language"])
    meta["configs"] = [{
        "config_name": "default",
        "data_files": [{"split": split, "path": path} for split, path in data_files.items()],
    }]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _tool_split_table(tool_split: Mapping[str, Mapping[str, int]], splits: list[str]) -> str:
    rows = [[tool] + [per.get(s, 0) for s in splits] + [sum(per.values())] for tool, per in tool_split.items()]
    return _table(["tool"] + splits + ["total"], rows)


def _quality_section(quality: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    balance = quality.get("balance") or {}
    if balance.get("counts"):
        tolerance = balance.get("tolerance", 0.3)
        off = [tool for tool, ok in balance.get("within", {}).items() if not ok]
        verdict = "every tool is within it" if not off else f"outside it: {', '.join(off)}"
        out += ["### Balance", "",
                f"Per-tool counts against ±{tolerance:.0%} of the mean ({balance.get('mean', 0):.1f} examples per "
                f"tool): {verdict}.", ""]
    short = quality.get("short") or {}
    if short:
        out += ["### Targets not met", "",
                "The run stopped before these targets were reached (names are tools, `category:…`, "
                "`language:…` or `multi-turn`):", "",
                _table(["target", "examples missing"], [[k, n] for k, n in short.items()]), ""]
    report = quality.get("report")
    if report:
        out += _report_section(report)
    return out


_HOLD_OUT_TEXT = {
    "template": "whole seed templates: every conversation that opens with one hand-written seed is in one split",
    "persona": "whole personas: validation and test speak with personas that training never saw",
    "none": "nothing beyond shared and similar user messages",
}


def _report_section(report: Mapping[str, Any]) -> list[str]:
    overlap = report.get("eval_records_sharing_train_template") or {}
    rows = [
        ["distinct-1 / distinct-2 of user turns", f"{report['distinct_1']:.3f} / {report['distinct_2']:.3f}"],
        ["unique first user messages", f"{report['unique_first_messages']:.1%}"],
        ["slot-masked skeletons (top share)", f"{report['skeletons']} ({report['top_skeleton_share']:.1%})"],
        ["user turns with a canned persona phrase", f"{report['canned_phrase_share']:.1%}"],
        ["seed templates (records per template)", f"{report['seed_templates']} ({report['records_per_template']})"],
        ["distinct answers and clarifying questions", report["distinct_answers"]],
        ["records with template glitches", report["template_glitch_records"]],
        ["Chinese records with English enum/error tokens", report["zh_records_with_english_enum_or_error"]],
        ["validation / test records sharing a seed template with train",
         f"{overlap.get('validation', 0)} / {overlap.get('test', 0)}"],
    ]
    return ["### Data quality", "",
            "Figures a reader checks record by record (`toolsim stats RUN --quality`). Skeletons are the user turns "
            "with the episode's facts and numbers masked; canned phrases are the persona phrase book's stock asides.",
            "", _table(["measure", "value"], rows), ""]


def _dedupe_note(settings: Mapping[str, Any]) -> list[str]:
    near = settings.get("near_duplicate_threshold")
    leak = settings.get("leak_threshold")
    lines = ["Exact duplicates (the same normalised user turns and tool calls) were removed."]
    if _is_number(near):
        lines.append(f"Near-duplicates — traces whose user turns have an estimated Jaccard similarity of at least "
                     f"{near:g} (MinHash, 128 permutations, LSH over character 5-grams) — were clustered and one "
                     "trace per cluster kept.")
    if _is_number(leak):
        lines.append(f"Examples at least {leak:g} similar are kept in the same split, so no near-duplicate of a "
                     "training example is in validation or test.")
    return [" ".join(lines), ""]


def _judge_section(judge_stats: Mapping[str, Any]) -> list[str]:
    episodes = judge_stats.get("episodes")
    accepted = judge_stats.get("accepted")
    rows = []
    if episodes is not None:
        rows.append(["episodes simulated", episodes])
    if accepted is not None:
        share = f" ({100 * accepted / episodes:.1f}%)" if episodes else ""
        rows.append(["accepted", f"{accepted}{share}"])
        if episodes is not None:
            rows.append(["rejected", episodes - accepted])
    for key, value in judge_stats.items():
        if key not in ("episodes", "accepted", "rejected", "rejected_by_reason") and not isinstance(value, Mapping):
            rows.append([key.replace("_", " "), value])
    out = ["## Judge statistics", "",
           "Every trace was judged by the rule layer (and the model layer where configured); only accepted "
           "traces are in the dataset.", "", _table(["outcome", "traces"], rows), ""]
    reasons = judge_stats.get("rejected_by_reason") or {}
    if reasons:
        out += ["Rejections by failed check (a trace can fail several):", "",
                _table(["check", "traces"], [[k, n] for k, n in sorted(reasons.items(), key=lambda kv: -kv[1])]), ""]
    return out


def render_card(
    name: str,
    counts: Mapping[str, Any],
    settings: Mapping[str, Any],
    judge_stats: Mapping[str, Any],
    *,
    data_files: Mapping[str, str] | None = None,
    quality: Mapping[str, Any] | None = None,
) -> str:
    """The README.md of a dataset directory. `data_files` maps split -> path relative to the card
    (default `<split>.jsonl` for every non-empty split, the runner's layout)."""
    per_split = dict(counts.get("split") or {})
    splits = _ordered_splits(per_split)
    if data_files is None:
        data_files = {s: f"{s}.jsonl" for s in splits if per_split.get(s)}
    total = sum(per_split.values()) if per_split else sum((counts.get("tool") or {}).values())

    body = [f"# {name}", "",
            f"A synthetic multi-turn tool-calling dataset of {total} conversations, generated and filtered by "
            "toolsim. Each line is one OpenAI chat fine-tuning record: `messages` (system, user, assistant "
            "with `tool_calls`, tool results) and the `tools` the assistant could call.", "",
            "## Composition", ""]
    if per_split:
        leak = settings.get("leak_threshold")
        similar = f", nor do two examples whose user turns are at least {leak:g} similar" if _is_number(leak) else ""
        held = _HOLD_OUT_TEXT.get(str(settings.get("split_hold_out")))
        held_text = f" Validation and test hold out {held}." if held else ""
        body += ["### Splits", "", _count_table("split", {s: per_split[s] for s in splits}), "",
                 f"No user message appears in more than one split{similar}.{held_text}", ""]
    for key, title in (("tool", "tool"), ("category", "category"), ("hard_case", "hard case"),
                       ("language", "language"), ("persona", "persona")):
        if counts.get(key):
            # A trace can teach several hard cases: their shares are of the dataset, not of the tags.
            of = total if key == "hard_case" else None
            body += [f"### Per {title}", "", _count_table(title, dict(counts[key]), of), ""]
    if counts.get("tool_split"):
        body += ["### Tool × split", "", _tool_split_table(counts["tool_split"], splits), ""]
    body += _quality_section(quality or {})
    body += ["## Generation settings", "", _table(["setting", "value"], [[k, v] for k, v in settings.items()]), ""]
    body += _judge_section(judge_stats)
    body += ["## Deduplication", ""] + _dedupe_note(settings)
    body += ["## Known limitations", ""] + [f"- {item}" for item in LIMITATIONS] + [""]
    body += ["## License", "", "Set by the publisher (`license: other` until then).", ""]
    return _header(name, total, counts, data_files) + "\n" + "\n".join(body)


__all__ = ["LIMITATIONS", "render_card", "size_category"]
