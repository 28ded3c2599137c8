"""Terminal tables of `toolsim eval`: the metrics with their Wilson 95 % intervals, the per-group
accuracy, pass^k, and the comparison of two evaluations."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from simulator.cli.console import stdout

TURN_ROWS = (
    "accuracy", "call_accuracy", "parse_rate", "decision_accuracy", "precision", "recall", "tool_selection",
    "arguments", "exact_match", "argument_precision", "argument_recall", "clarification", "hallucination",
    "unknown_tool", "schema_invalid", "ungrounded_id", "needless_call",
)
EPISODE_ROWS = ("success", "final_state", "told_user", "rules")
GROUP_TITLES = {"tool": "tool", "category": "category", "behaviour": "behaviour", "persona": "persona",
                "language": "language", "kind": "kind of turn"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def interval(rate: dict[str, Any]) -> str:
    if rate.get("rate") is None:
        return "—"
    return f"{percent(rate['low'])} – {percent(rate['high'])}"


def _metrics_table(result: dict[str, Any]) -> Table:
    metrics = result["metrics"]
    rows = TURN_ROWS if result["kind"] == "turns" else EPISODE_ROWS
    table = Table(title=f"toolsim eval — {result['model']['model']} on {result['source']}"
                  + (f" ({result['split']})" if result.get("split") else ""), title_justify="left")
    for col, justify in (("metric", "left"), ("value", "right"), ("95% interval", "right"), ("of", "right")):
        table.add_column(col, justify=justify)
    for name in rows:
        rate = metrics.get(name)
        if isinstance(rate, dict) and "n" in rate:
            table.add_row(name.replace("_", " "), percent(rate["rate"]), interval(rate), f"{rate['k']}/{rate['n']}")
    if result["kind"] == "turns":
        d = metrics["decision"]
        table.add_row("f1 (should call)", percent(metrics.get("f1")), "", f"tp {d['tp']} fp {d['fp']} fn {d['fn']} tn {d['tn']}")
    return table


def _groups_table(title: str, groups: dict[str, Any], measure: str = "accuracy") -> Table:
    table = Table(title=f"{measure} by {title}", title_justify="left")
    for col, justify in ((title, "left"), (measure, "right"), ("95% interval", "right"), ("items", "right")):
        table.add_column(col, justify=justify)
    for value, rate in groups.items():
        table.add_row(value, percent(rate["rate"]), interval(rate), str(rate["n"]))
    return table


def print_result(result: dict[str, Any]) -> None:
    stdout.print(_metrics_table(result))
    if result["kind"] == "episodes" and result.get("pass_hat"):
        table = Table(title="pass^k (mean over tasks of C(c,k)/C(n,k))", title_justify="left")
        table.add_column("k", justify="right")
        table.add_column("pass^k", justify="right")
        for k, value in result["pass_hat"].items():
            table.add_row(str(k), percent(value))
        stdout.print(table)
    episodes = result["kind"] == "episodes"
    for group, title in GROUP_TITLES.items():
        if result.get("groups", {}).get(group) and not (episodes and group == "kind"):
            stdout.print(_groups_table(title, result["groups"][group], "success" if episodes else "accuracy"))
    usage = result.get("usage") or {}
    cost = usage.get("cost_usd")
    stdout.print(
        f"{result['metrics'].get('items', 0)} {'trials' if episodes else 'items'} scored, "
        f"{result.get('errors', 0)} infrastructure failure(s) left out; "
        f"{usage.get('calls', 0)} model calls ({usage.get('cached_calls', 0)} from the cache, "
        f"{usage.get('requests', 0)} requests), {usage.get('input_tokens', 0)} + {usage.get('output_tokens', 0)} tokens, "
        f"cost {'unknown' if cost is None else f'{cost:.4f} USD'}"
    )
    for line in result.get("not_measured") or []:
        stdout.print(f"[yellow]not measured:[/] {line}")
    if result.get("path"):
        stdout.print(f"eval → {result['path']}")
    if result.get("badcases"):
        count, path = result["badcases"]
        stdout.print(f"{count} failed item(s) as scenario stubs → {path}")


def print_comparison(comparison: dict[str, Any], a: str, b: str) -> None:
    table = Table(title=f"toolsim eval --compare: B ({b}) against A ({a})", title_justify="left")
    for col, justify in (("metric", "left"), ("A", "right"), ("B", "right"), ("Δ", "right"), ("significant", "left")):
        table.add_column(col, justify=justify)
    for row in comparison["metrics"]:
        delta = row["delta"]
        shown = "—" if delta is None else f"{100 * delta:+.1f} pt"
        mark = "yes" if row["significant"] else "no"
        colour = "green" if row["significant"] and delta and delta > 0 else ("red" if row["significant"] else "")
        table.add_row(row["metric"].replace("_", " "), percent(row["a"]), percent(row["b"]),
                      f"[{colour}]{shown}[/]" if colour else shown, mark)
    stdout.print(table)
    paired = comparison.get("paired")
    if paired:
        stdout.print(f"on the {paired['shared']} items both scored: B fixed {paired['fixed']}, broke {paired['broke']}, "
                     f"both right {paired['both_right']}, both wrong {paired['both_wrong']}")
    for warning in comparison.get("warnings") or []:
        stdout.print(f"[yellow]note:[/] {warning}")
    for group, rows in (comparison.get("groups") or {}).items():
        table = Table(title=f"accuracy by {GROUP_TITLES.get(group, group)}", title_justify="left")
        for col, justify in ((group, "left"), ("A", "right"), ("B", "right"), ("Δ", "right"), ("significant", "left")):
            table.add_column(col, justify=justify)
        for row in rows:
            delta = row["delta"]
            table.add_row(row["value"], percent(row["a"]), percent(row["b"]),
                          "—" if delta is None else f"{100 * delta:+.1f} pt", "yes" if row["significant"] else "no")
        stdout.print(table)
