"""The dataset's quality report (`toolsim stats RUN --quality`, and a section of the card): how
varied, how templated and how clean the published records read. See `metrics` for the figures
and `glitches` for the template-glitch checker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.core.rundir import RunDir, iter_jsonl
from simulator.export.quality.metrics import QualityReport
from simulator.simulate.agents.canned import canned_phrases
from simulator.spec.pack import Pack


def quality_report(run: RunDir, pack: Pack, assignment: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The quality figures of the records a run published (`assignment`: trace id -> split,
    default the run's `selection.json`)."""
    selection = assignment if assignment is not None else run.read_selection()
    tools = [spec.model_dump(mode="json") for spec in pack.domain.tools.values()]
    report = QualityReport(tools, canned_phrases(pack.domain.config))
    for trace in iter_jsonl(run.traces_path):
        split = selection.get(trace["id"])
        if split is not None:
            report.add(trace, split)
    return report.result()


__all__ = ["QualityReport", "quality_report"]
