"""Terminal output: the progress bar during a run and the summary table after it (rich)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

if TYPE_CHECKING:
    from simulator.run.runner import RunResult

stderr = Console(stderr=True)
stdout = Console()

SHOW_AFTER_SECONDS = 0.5  # runs shorter than a moment get no bar


class RunProgress:
    """A progress bar that appears only on a terminal and only once a run takes a moment."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and stderr.is_terminal
        self._progress: Progress | None = None
        self._task = None
        self._started = time.monotonic()

    def __enter__(self) -> "RunProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, finished: int, planned: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self._started < SHOW_AFTER_SECONDS:
                return
            self._progress = Progress(
                TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=stderr, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("episodes", total=planned)
        self._progress.update(self._task, completed=finished, total=max(planned, finished))


def print_run_summary(result: "RunResult") -> None:
    head = Table(title=f"toolsim run → {result.run_dir}", show_header=False, title_justify="left")
    head.add_row("episodes simulated", str(result.episodes) + (" (resumed)" if result.resumed else ""))
    head.add_row("accepted by the judge", str(result.accepted))
    head.add_row("rejected", str(result.episodes - result.accepted))
    head.add_row("failed (error / user defect)", str(result.failed))
    head.add_row("exact duplicates removed", str(result.duplicates_removed))
    head.add_row("near-duplicates removed", str(result.near_duplicates_removed))
    head.add_row("multi-turn sequences in dataset", str(result.multi_turn))
    head.add_row("splits", ", ".join(f"{k} {v}" for k, v in result.splits.items()))
    if any(u.input_tokens or u.output_tokens or u.cost_usd for u in result.usage.values()):
        cost, per = result.cost_usd, result.cost_per_accepted_example
        head.add_row("cost (USD)", "unknown (no price; use --price-in/--price-out)" if cost is None else f"{cost:.4f}")
        head.add_row("cost per accepted example", "unknown" if per is None else f"{per:.6f}")
    head.add_row("time", f"{result.seconds:.1f}s")
    stdout.print(head)

    cells = Table(title="dataset per tool", title_justify="left")
    cells.add_column("tool")
    cells.add_column("examples", justify="right")
    cells.add_column("target", justify="right")
    for cell, target in result.targets.items():
        got = result.per_cell.get(cell, 0)
        style = "red" if got < target else ""
        cells.add_row(cell, f"[{style}]{got}[/]" if style else str(got), str(target))
    stdout.print(cells)

    if result.rejected:
        reasons = Table(title="rejected by reason", title_justify="left")
        reasons.add_column("check")
        reasons.add_column("traces", justify="right")
        for reason, n in result.rejected.most_common():
            reasons.add_row(reason, str(n))
        stdout.print(reasons)
    balance = result.balance
    if balance and not balance.get("balanced", True):
        off = [tool for tool, ok in balance["within"].items() if not ok]
        stdout.print(f"[yellow]unbalanced:[/] {', '.join(off)} outside ±{balance['tolerance']:.0%} "
                     f"of the mean ({balance['mean']:.1f} per tool)")
    if result.short:
        print_shortfall(result)


def print_shortfall(result: "RunResult") -> None:
    """What is missing, what stopped the run, and why episodes were lost: every cause with its
    count, the tools it hit and one trace to open (`toolsim audit RUN --show ID`)."""
    needs = ", ".join(f"{cell} needs {n} more" for cell, n in result.short.items())
    stdout.print(f"[yellow]short of target:[/] {needs}")
    if result.stopped_by:
        detail = f": {result.stop_detail}" if result.stop_detail else ""
        stdout.print(f"[yellow]stopped by:[/] {result.stopped_by}{detail}")
    if result.causes:
        stdout.print("[yellow]why episodes were lost:[/]")
        for cause in result.causes:
            verb = "crashed with" if cause.kind == "crash" else "rejected by"
            tools = ", ".join(f"{cell} {n}" for cell, n in cause.cells.most_common(4))
            stdout.print(f"  {cause.count} {verb} {cause.name} ({tools})", highlight=False)
            if cause.detail:
                stdout.print(f"      {_short(cause.detail)}", style="dim", highlight=False)
            stdout.print(f"      e.g. {cause.example}", style="dim", highlight=False)
        stdout.print(f"[dim]open one: toolsim audit {result.run_dir} --show TRACE_ID; "
                     "`toolsim validate FILE` finds most causes before a run[/]")
    removed = result.duplicates_removed + result.near_duplicates_removed
    if removed:
        stdout.print(f"duplicates removed: {result.duplicates_removed} exact, {result.near_duplicates_removed} near "
                     "(more `say` variants per turn, or `toolsim expand`, make fewer)")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
