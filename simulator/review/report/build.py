"""`toolsim report RUN`: one self-contained HTML file to browse a run's traces and verdicts.

The page must work from a file:// URL on a machine without network, so CSS and JS are inlined
and the data is embedded as a JSON `<script type="application/json">` (parsed once, never
evaluated as code). A Content-Security-Policy in the template forbids any fetch, so an accidental
external reference fails in the browser instead of quietly phoning home.

The embedded data is kept compact because a run can have 10,000 traces:
- strings repeated across traces (scenario, persona, tool, category, reason and check names) are
  stored once in `facets` and referenced by index;
- the system prompt, identical in nearly every trace, is stored once in `systems`;
- messages are short arrays (`["u", text]`, `["a", text, [[id, name, args]]]`,
  `["t", call_id, name, content, is_error]`, `["s", system_index]`) instead of keyed objects;
- a passed check is just its name's index (its reason is a note, not a finding); a failed one is
  `[index, reason]`.
The page filters on `rows` and builds a trace's DOM only when it is opened.

`stats` is `simulator.review.stats.compute_stats(run)` — what `toolsim stats --json` prints — less the keys
`meta` already holds (`STATS_IN_META`). Its size depends on the number of tools, parameters,
personas and languages, not on the number of traces; the Statistics panel draws it for the whole
run (the filters do not apply to it).

`evals` are the run's turn-level evaluations (`RUN/eval/*.json`), drawn as static HTML in the
Evaluation panel (`eval_section.py`), not embedded as data.

`coverage` is `simulator.review.coverage.compute_coverage(run)` — what `toolsim stats --coverage --json`
prints — for the Coverage panel (`coverage.js`, `coverage.css`). It is embedded in a script element
of its own, so the panel's script reads a few kilobytes instead of parsing the trace data again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from simulator.core.atomic import atomic_write
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.review.audit.query import (
    NO_TOOL,
    failed_reasons,
    final_decision,
    latest_verdicts,
)
from simulator.review.coverage import compute_coverage
from simulator.review.report.eval_section import load_evals, render_eval_section
from simulator.review.stats import compute_stats

REPORT_FILE = "report.html"
DECISION_CODES = {"accept": 0, "reject": 1}
UNJUDGED = 2
ROW_FIELDS = (
    "id", "scenario", "persona", "tool", "category", "decision", "reasons", "overridden", "language", "termination",
)
FACETS = ("scenario", "persona", "tool", "category", "reason", "check", "termination", "language")
STATS_IN_META = ("run", "name", "status")  # compute_stats keys the page reads from `meta` instead
_CSS_MARK, _JS_MARK, _DATA_MARK = "/*@@REPORT_CSS@@*/", "/*@@REPORT_JS@@*/", "@@REPORT_DATA@@"
_COVERAGE_JS_MARK, _COVERAGE_DATA_MARK = "/*@@COVERAGE_JS@@*/", "@@COVERAGE_DATA@@"
_EVAL_MARK = "<!--@@EVAL_SECTION@@-->"


class Interner:
    """Distinct strings in first-seen order; `index(s)` is what the page stores instead of `s`."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, value: str) -> int:
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass
class BuiltReport:
    path: Path
    traces: int
    size_bytes: int
    seconds: float


def compact_messages(messages: list[dict[str, Any]], systems: Interner) -> list[list[Any]]:
    out: list[list[Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "system":
            out.append(["s", systems.index(m.get("content") or "")])
        elif role == "user":
            out.append(["u", m.get("content") or ""])
        elif role == "assistant":
            calls = [[c.get("id", ""), c.get("name", ""), c.get("arguments", "")] for c in m.get("tool_calls") or []]
            out.append(["a", m.get("content"), calls] if calls else ["a", m.get("content")])
        elif role == "tool":
            error = 1 if m.get("is_error") else 0
            out.append(["t", m.get("tool_call_id", ""), m.get("name", ""), m.get("content", ""), error])
    return out


def compact_verdict(verdict: dict[str, Any] | None, checks: Interner) -> dict[str, Any] | None:
    if verdict is None:
        return None
    out: dict[str, Any] = {
        "d": verdict["decision"],
        "c": [
            checks.index(c["name"]) if c.get("passed", True) else [checks.index(c["name"]), c.get("reason") or ""]
            for c in verdict.get("checks") or []
        ],
    }
    model = verdict.get("model") or {}
    if model.get("status", "not_run") != "not_run":
        packed = {
            "s": model.get("status"), "n": model.get("model"), "r": model.get("rationale"), "x": model.get("reason"),
            "sc": model.get("scores") or None, "p": model.get("passed"), "a": model.get("agreement"),
        }
        out["m"] = {k: v for k, v in packed.items() if v is not None}
    if verdict.get("overrides"):
        out["o"] = [[o["who"], o["when"], o["decision"], o["reason"]] for o in verdict["overrides"]]
    return out


def report_data(run: RunDir) -> dict[str, Any]:
    """Everything the page shows, in the compact layout described above."""
    manifest = run.read_manifest() or {}
    verdicts = latest_verdicts(run)
    selection = run.read_selection()
    facets = {name: Interner() for name in FACETS}
    systems = Interner()
    by_id: dict[str, tuple[list[Any], dict[str, Any]]] = {}
    for trace in iter_jsonl(run.traces_path):
        ep = trace.get("episode") or {}
        verdict = verdicts.get(trace["id"])
        reasons = failed_reasons(verdict) if verdict else []
        row = [
            trace["id"],
            facets["scenario"].index(ep.get("scenario_id", "?")),
            facets["persona"].index(ep.get("persona_id", "?")),
            facets["tool"].index(ep.get("tool") or NO_TOOL),
            facets["category"].index(ep.get("category", "?")),
            DECISION_CODES[final_decision(verdict)] if verdict else UNJUDGED,
            [facets["reason"].index(r) for r in reasons],
            1 if verdict and verdict.get("overrides") else 0,
            facets["language"].index(ep.get("language", "?")),
            facets["termination"].index(trace.get("termination", "?")),
        ]
        detail: dict[str, Any] = {
            "m": compact_messages(trace.get("messages") or [], systems),
            "v": compact_verdict(verdict, facets["check"]),
        }
        if trace.get("error"):
            detail["e"] = trace["error"]
        if trace.get("facts"):
            detail["f"] = trace["facts"]
        if trace["id"] in selection:
            detail["s"] = selection[trace["id"]]
        by_id[trace["id"]] = (row, detail)  # a re-simulated trace: the later line wins, as everywhere
    return {
        "meta": {
            "name": manifest.get("name") or run.path.name,
            "run": str(run.path),
            "status": manifest.get("status"),
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "row_fields": ROW_FIELDS,
        },
        "facets": {name: interner.values for name, interner in facets.items()},
        "systems": systems.values,
        "rows": [row for row, _ in by_id.values()],
        "details": [detail for _, detail in by_id.values()],
        "stats": report_stats(run),
        "coverage": compute_coverage(run),
        "evals": load_evals(run),
    }


def report_stats(run: RunDir) -> dict[str, Any]:
    """`compute_stats(run)` without what `meta` already says."""
    return {k: v for k, v in compute_stats(run).items() if k not in STATS_IN_META}


def embed_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `<` can close it or open a comment."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _asset(name: str) -> str:
    return resources.files("simulator.review.report").joinpath(name).read_text(encoding="utf-8")


def render_html(data: dict[str, Any]) -> str:
    """The page; `data["coverage"]` goes into its own script element (see the module docstring)."""
    data = dict(data)
    coverage = data.pop("coverage", None)
    evals = data.pop("evals", [])
    template = _asset("template.html")
    head, _, tail = template.partition(_DATA_MARK)
    css, js = _asset("report.css") + _asset("coverage.css"), _asset("report.js")
    coverage_js = _asset("coverage.js")
    if any("</script" in text.lower() for text in (js, coverage_js)) or "</style" in css.lower():
        raise ValueError("report assets must not contain closing tags")  # would cut the inline block short
    head = head.replace(_CSS_MARK, css).replace(_COVERAGE_JS_MARK, coverage_js)
    head = head.replace(_COVERAGE_DATA_MARK, embed_json(coverage))
    head = head.replace(_EVAL_MARK, render_eval_section(evals))
    tail = tail.replace(_JS_MARK, js)
    return head + embed_json(data) + tail


def build_report(run: RunDir, out: Path | None = None) -> BuiltReport:
    """Write the report (default `RUN/report.html`) atomically and say what was written."""
    started = time.perf_counter()
    data = report_data(run)
    html = render_html(data)
    path = out or run.path / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(html)
    return BuiltReport(path=path, traces=len(data["rows"]), size_bytes=path.stat().st_size,
                       seconds=time.perf_counter() - started)
