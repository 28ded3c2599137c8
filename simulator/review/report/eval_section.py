"""The report's Evaluation panel: the models `toolsim eval` measured on this run, side by side.

It reads `RUN/eval/*.json` as data (the keys `simulator.eval.result` documents; the report sits
before the eval stage and never imports it) and renders static HTML: one table of metrics with
their Wilson 95 % intervals and a column per evaluation (base and fine-tuned next to each other),
per-group accuracy, and each evaluation's failed items linking to their trace (`#trace=ID`).
Every value is escaped; nothing is fetched.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from simulator.core.rundir import RunDir

EVAL_DIR = "eval"
METRIC_ROWS = (
    "accuracy", "call_accuracy", "parse_rate", "decision_accuracy", "precision", "recall", "tool_selection",
    "arguments", "exact_match", "argument_precision", "argument_recall", "clarification", "hallucination",
    "unknown_tool", "schema_invalid", "ungrounded_id", "needless_call",
)
GROUPS = ("tool", "category", "behaviour", "kind", "language")
MAX_FAILED = 200  # failed items listed per evaluation


def load_evals(run: RunDir) -> list[dict[str, Any]]:
    """The turn-level evaluations of this run, oldest first (unreadable files are skipped)."""
    found = []
    for path in sorted((run.path / EVAL_DIR).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and data.get("toolsim_eval") and data.get("kind") == "turns":
            found.append({**data, "file": path.name})
    return sorted(found, key=lambda d: (str(d.get("created_at")), d["file"]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _cell(rate: dict[str, Any] | None) -> str:
    if not isinstance(rate, dict) or rate.get("rate") is None:
        return "<td class='num muted'>—</td>"
    title = f"{rate['k']}/{rate['n']}, 95% interval {_pct(rate['low'])} – {_pct(rate['high'])}"
    return (f"<td class='num' title='{escape(title, quote=True)}'>{_pct(rate['rate'])} "
            f"<span class='muted'>({_pct(rate['low'])}–{_pct(rate['high'])})</span></td>")


def _head(evals: list[dict[str, Any]], first: str) -> str:
    cells = "".join(
        f"<th>{escape(e['model']['model'])}<br><span class='muted'>{escape(e['file'])} · {escape(str(e.get('split')))} · "
        f"{e['metrics'].get('items', 0)} items</span></th>" for e in evals)
    return f"<thead><tr><th>{escape(first)}</th>{cells}</tr></thead>"


def _metrics_table(evals: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(name.replace('_', ' '))}</td>{''.join(_cell(e['metrics'].get(name)) for e in evals)}</tr>"
        for name in METRIC_ROWS)
    return f"<table class='eval-table' id='eval-metrics'>{_head(evals, 'metric')}<tbody>{rows}</tbody></table>"


def _group_table(evals: list[dict[str, Any]], group: str) -> str:
    values = sorted({v for e in evals for v in (e.get("groups") or {}).get(group, {})})
    if not values:
        return ""
    rows = "".join(
        f"<tr><td>{escape(v)}</td>{''.join(_cell((e.get('groups') or {}).get(group, {}).get(v)) for e in evals)}</tr>"
        for v in values)
    return (f"<h4>accuracy by {escape(group)}</h4>"
            f"<table class='eval-table'>{_head(evals, group)}<tbody>{rows}</tbody></table>")


def _failed(e: dict[str, Any]) -> str:
    failed = [i for i in e.get("items") or [] if i.get("status") == "ok" and not i["score"]["correct"]]
    if not failed:
        return f"<p>{escape(e['model']['model'])}: no failed item.</p>"
    rows = "".join(
        f"<tr><td><a href='#trace={escape(i['trace_id'], quote=True)}'>{escape(i['trace_id'])}</a></td>"
        f"<td class='num'>{i['turn']}</td><td>{escape(str(i['score']['failed']))}</td>"
        f"<td>{escape(str(i['score'].get('reason') or ''))}</td></tr>"
        for i in failed[:MAX_FAILED])
    more = f"<p class='muted'>… and {len(failed) - MAX_FAILED} more in {escape(e['file'])}</p>" if len(failed) > MAX_FAILED else ""
    return (f"<details class='eval-failed'><summary>{escape(e['model']['model'])} ({escape(e['file'])}): "
            f"{len(failed)} failed item(s)</summary><table class='eval-table'><thead><tr><th>trace</th><th>turn</th>"
            f"<th>failed</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>{more}</details>")


def render_eval_section(evals: list[dict[str, Any]]) -> str:
    """The panel's body."""
    if not evals:
        return ("<p class='muted'>No evaluation of this run yet: <code>toolsim eval RUN --model M</code> writes one "
                "into <code>RUN/eval/</code>.</p>")
    notes = sorted({line for e in evals for line in e.get("not_measured") or []})
    parts = [_metrics_table(evals)]
    parts += [_group_table(evals, g) for g in GROUPS]
    parts += [f"<p class='muted'>not measured: {escape(n)}</p>" for n in notes]
    parts += [_failed(e) for e in evals]
    return "".join(parts)

