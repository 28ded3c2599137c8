"""`toolsim audit RUN --show ID`: one trace and its verdict, readable in a terminal.

Each message is a labelled block; tool calls show their arguments as pretty JSON (or the raw text,
flagged, when the model wrote invalid JSON); error results and failed checks are red. Message
text is wrapped in `rich.text.Text`, never parsed as markup: a trace may contain anything.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from simulator.core.errors import InputError
from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from simulator.core.names import NO_TOOL
from simulator.core.records import Trace, Verdict
from simulator.core.rundir import RunDir

SYSTEM_PREVIEW_CHARS = 600  # the system prompt is the same in every trace; a glimpse is enough


def _find(path, key: str, wanted: str) -> dict[str, Any] | None:
    """The last JSONL line whose `key` is `wanted`, parsing only lines that mention it."""
    found = None
    if not path.exists():
        return None
    needle = json.dumps(wanted)
    with path.open(encoding="utf-8") as f:
        for line in f:
            if needle in line:
                record = json.loads(line)
                if record.get(key) == wanted:
                    found = record
    return found


def load_trace_and_verdict(run: RunDir, trace_id: str) -> tuple[Trace, Verdict | None]:
    trace = _find(run.traces_path, "id", trace_id)
    if trace is None:
        raise InputError.single(str(run.traces_path), f"no trace {trace_id!r} in this run")
    verdict = _find(run.verdicts_path, "trace_id", trace_id)
    return Trace.model_validate(trace), Verdict.model_validate(verdict) if verdict else None


def _pretty_json(text: str) -> RenderableType:
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return Group(Text("not valid JSON:", style="bold red"), Text(text))
    return Syntax(json.dumps(value, indent=2, ensure_ascii=False), "json", theme="ansi_dark", word_wrap=True,
                  background_color="default")


def message_blocks(trace: Trace) -> Iterable[RenderableType]:
    for index, m in enumerate(trace.messages):
        label = f"#{index} "
        if isinstance(m, SystemMessage):
            text = m.content if len(m.content) <= SYSTEM_PREVIEW_CHARS else (
                m.content[:SYSTEM_PREVIEW_CHARS] + f"… ({len(m.content) - SYSTEM_PREVIEW_CHARS} more characters)"
            )
            yield Panel(Text(text, style="dim"), title=label + "system", title_align="left", border_style="dim")
        elif isinstance(m, UserMessage):
            yield Panel(Text(m.content), title=label + "user", title_align="left", border_style="blue")
        elif isinstance(m, AssistantMessage):
            if m.content:
                yield Panel(Text(m.content), title=label + "assistant", title_align="left", border_style="green")
            for call in m.tool_calls:
                title = f"{label}assistant → tool call {call.name} ({call.id})"
                yield Panel(_pretty_json(call.arguments), title=title, title_align="left", border_style="yellow")
            if not m.content and not m.tool_calls:
                yield Panel(Text("(empty message)", style="red"), title=label + "assistant", title_align="left",
                            border_style="red")
        elif isinstance(m, ToolMessage):
            kind = "tool ERROR" if m.is_error else "tool result"
            yield Panel(_pretty_json(m.content), title=f"{label}{kind} ← {m.name} ({m.tool_call_id})",
                        title_align="left", border_style="red" if m.is_error else "cyan")


def header(trace: Trace, verdict: Verdict | None) -> RenderableType:
    ep = trace.episode
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("scenario", ep.scenario_id), ("persona", ep.persona_id), ("tool", ep.tool or NO_TOOL),
        ("category", ep.category), ("language", ep.language), ("termination", trace.termination),
    ]
    if trace.agents:
        rows.append(("agents", ", ".join(f"{k}={v}" for k, v in trace.agents.items())))
    for key, value in rows:
        table.add_row(key, Text(str(value)))
    if trace.error:
        table.add_row("error", Text(trace.error, style="bold red"))
    if verdict is not None:
        table.add_row("decision", _decision_text(verdict))
    return Group(Text.assemble(("trace ", "bold"), (trace.id, "bold cyan")), table)


def _decision_text(verdict: Verdict) -> Text:
    final = verdict.final_decision
    text = Text(final.upper(), style="bold green" if final == "accept" else "bold red")
    if verdict.overrides:
        text.append(f"  (judge said {verdict.decision}; overridden by a human)", style="yellow")
    return text


def verdict_blocks(verdict: Verdict | None) -> Iterable[RenderableType]:
    if verdict is None:
        yield Text("no verdict for this trace (not judged yet?)", style="yellow")
        return
    checks = Table(title="rule checks", title_justify="left")
    checks.add_column("", width=1)
    checks.add_column("check")
    checks.add_column("reason")
    for c in verdict.checks:
        mark = Text("✓", style="green") if c.passed else Text("✗", style="bold red")
        checks.add_row(mark, Text(c.name, style="" if c.passed else "red"), Text(c.reason))
    yield checks

    model = verdict.model
    if model.status == "not_run":
        yield Text("judge model: not run", style="dim")
    else:
        table = Table(title=f"judge model ({model.model or 'unknown model'}): {model.status}", title_justify="left",
                      show_header=False)
        table.add_column(style="bold")
        table.add_column()
        if model.passed is not None:
            table.add_row("passed", Text("yes" if model.passed else "no", style="green" if model.passed else "red"))
        for key in ("rationale", "reason"):
            if getattr(model, key):
                table.add_row(key, Text(getattr(model, key)))
        for name, score in model.scores.items():
            table.add_row(f"score {name}", Text(f"{score:g}"))
        if model.agreement is not None:
            table.add_row("committee agreement", Text(f"{model.agreement:.2f}"))
        yield table

    if verdict.overrides:
        history = Table(title="overrides (oldest first)", title_justify="left")
        for col in ("when", "who", "decision", "reason"):
            history.add_column(col)
        for o in verdict.overrides:
            history.add_row(o.when, o.who, Text(o.decision, style="green" if o.decision == "accept" else "red"),
                            Text(o.reason))
        yield history
    yield Text.assemble("final decision: ", _decision_text(verdict))


def show_renderables(trace: Trace, verdict: Verdict | None) -> list[RenderableType]:
    return [header(trace, verdict), *message_blocks(trace), *verdict_blocks(verdict)]


def show_json(trace: Trace, verdict: Verdict | None) -> dict[str, Any]:
    return {
        "trace": trace.model_dump(mode="json"),
        "verdict": verdict.model_dump(mode="json") if verdict else None,
        "final_decision": verdict.final_decision if verdict else None,
    }
