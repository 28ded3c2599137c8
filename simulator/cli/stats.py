"""`toolsim stats RUN`: the statistics of `simulator.review.stats` drawn in the terminal, with bar
charts (or as JSON); `--coverage` hands over to `simulator.cli.coverage_tables`."""

from __future__ import annotations

import json
from typing import Any, Iterable

from rich.table import Table

from simulator.core.rundir import RunDir
from simulator.review.stats import compute_stats

BAR_WIDTH = 30


def bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    """A text bar of `value` against `top`, in eighths of a character."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(width * 8 * min(value / top, 1.0))
    full, part = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


def _chart(title: str, counts: dict[str, int | float], *, key: str | None = None, share: bool = True,
           label: str = "count") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key or title.split()[-1])
    table.add_column(label, justify="right")
    if share:
        table.add_column("share", justify="right")
    table.add_column("")
    total = sum(counts.values()) or 1
    top = max(counts.values(), default=0)
    for name, n in counts.items():
        cells = [str(name), f"{n:g}" if isinstance(n, float) else str(n)]
        if share:
            cells.append(f"{100 * n / total:.1f}%")
        table.add_row(*cells, f"[cyan]{bar(n, top)}[/]")
    return table


def _coverage_table(coverage: dict[str, Any]) -> Table:
    table = Table(title="argument coverage (share of the tool's calls passing each optional parameter)",
                  title_justify="left")
    for col, justify in (("tool", "left"), ("calls", "right"), ("parameter", "left"), ("share", "right"), ("", "left")):
        table.add_column(col, justify=justify)
    for tool, info in coverage.items():
        optional = info["optional"] or {"(no optional parameters)": None}
        for i, (param, value) in enumerate(optional.items()):
            shown = "" if value is None else f"{100 * value:.0f}%"
            table.add_row(tool if i == 0 else "", str(info["calls"]) if i == 0 else "", param, shown,
                          "" if value is None else f"[green]{bar(value, 1.0, 10)}[/]")
    return table


def _rows(head: Table, rows: Iterable[tuple[str, str]]) -> None:
    for key, value in rows:
        head.add_row(key, value)


def print_stats(run: RunDir, *, as_json: bool = False, coverage: bool = False, quality: bool = False) -> None:
    from simulator.cli.console import stdout

    if coverage:  # the coverage report instead (simulator/coverage.py)
        from simulator.cli.coverage_tables import print_coverage

        return print_coverage(run, as_json=as_json)
    if quality:
        return print_quality(run, as_json=as_json)
    stats = compute_stats(run)
    if as_json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    head = Table(title=f"toolsim stats — {stats['run']}", show_header=False, title_justify="left")
    turns, diversity, dups = stats["turns_per_trace"], stats["diversity"], stats["duplicates_removed"]
    cost, per = stats["cost_usd"], stats["cost_per_accepted_example"]
    _rows(head, [(key.replace("_", " "), str(stats[key])) for key in ("status", "episodes", "accepted", "rejected",
                                                                      "dataset_size")])
    _rows(head, [
        ("duplicates removed (exact / near)", f"{dups['exact']} / {dups['near']}"),
        ("turns per trace (mean / median / max)", f"{turns['mean']} / {turns['median']} / {turns['max']}"),
        ("distinct-2 of user turns", f"{diversity['distinct_2']:.3f} "
         + " ".join(f"({k} {v:.3f})" for k, v in diversity["distinct_2_by_language"].items())),
        ("unique first user messages", f"{100 * diversity['unique_first_user_messages']:.1f}%"),
    ])
    used_models = any(u.get("input_tokens") or u.get("output_tokens") or u.get("cost_usd") for u in stats["usage"].values())
    if used_models:  # offline runs cost nothing; no need to say so twice
        _rows(head, [("cost (USD)", "unknown (no price known)" if cost is None else f"{cost:.4f}"),
                     ("cost per accepted example", "unknown" if per is None else f"{per:.6f}")])
    if stats["short_of_target"]:
        head.add_row("[yellow]short of target[/]", ", ".join(f"{k} {n}" for k, n in stats["short_of_target"].items()))
    stdout.print(head)
    for dim in ("tool", "category", "persona", "language", "split"):
        if stats["dataset"].get(dim):
            stdout.print(_chart(f"dataset by {dim}", stats["dataset"][dim]))
    if turns["histogram"]:
        stdout.print(_chart("user turns per trace", turns["histogram"], key="turns", label="traces"))
    if stats["argument_coverage"]:
        stdout.print(_coverage_table(stats["argument_coverage"]))
    if stats["rejected_by_reason"]:
        stdout.print(_chart("rejected by reason", stats["rejected_by_reason"], key="check", share=False))
    if stats["usage"]:
        usage = Table(title="usage by role", title_justify="left")
        for col in ("role", "calls", "cached", "input tokens", "output tokens", "cost USD"):
            usage.add_column(col, justify="right" if col != "role" else "left")
        for role, u in stats["usage"].items():
            c = u.get("cost_usd")
            usage.add_row(role, str(u.get("calls", 0)), str(u.get("cached_calls", 0)), str(u.get("input_tokens", 0)),
                          str(u.get("output_tokens", 0)), "unknown" if c is None else f"{c:.4f}")
        stdout.print(usage)


QUALITY_ROWS = (
    ("records", "records", "{}"),
    ("distinct-1 / distinct-2 of user turns", ("distinct_1", "distinct_2"), "{:.3f} / {:.3f}"),
    ("unique first messages", "unique_first_messages", "{:.1%}"),
    ("slot-masked skeletons", "skeletons", "{}"),
    ("top skeleton share", "top_skeleton_share", "{:.1%}"),
    ("canned-phrase share of user turns", "canned_phrase_share", "{:.1%}"),
    ("seed templates / records per template", ("seed_templates", "records_per_template"), "{} / {}"),
    ("distinct answers and clarifying questions", "distinct_answers", "{}"),
    ("records with template glitches", "template_glitch_records", "{}"),
    ("Chinese records with English enum/error tokens", "zh_records_with_english_enum_or_error", "{}"),
)


def print_quality(run: RunDir, *, as_json: bool = False) -> None:
    """`toolsim stats RUN --quality`: the quality report of the published records."""
    from simulator.cli.console import stdout
    from simulator.review.stats import compute_quality

    report = compute_quality(run)
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    head = Table(title=f"toolsim stats --quality — {run.path}", show_header=False, title_justify="left")
    for label, key, fmt in QUALITY_ROWS:
        values = [report[k] for k in key] if isinstance(key, tuple) else [report[key]]
        head.add_row(label, fmt.format(*values))
    overlap = report["eval_records_sharing_train_template"]
    head.add_row("eval records sharing a seed template with train",
                 ", ".join(f"{split} {n}" for split, n in sorted(overlap.items())) or "0")
    head.add_row("most common skeleton", report["top_skeleton"])
    stdout.print(head)
    if report["template_glitches"]:
        stdout.print(_chart("template glitches (records)", report["template_glitches"], key="glitch", share=False))
        for kind, examples in report["glitch_examples"].items():
            stdout.print(f"[yellow]{kind}[/]: " + " ‖ ".join(examples[:2]), markup=True, highlight=False)
