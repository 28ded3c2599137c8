"""The episodes an interrupted run already finished, read back on resume without holding them.

A resumed run plans again from the start (planning is deterministic) and must take each finished
episode's result at the moment the plan reaches it, as the uninterrupted run did, so that every
later planning decision sees exactly the same results. `FinishedEpisodes` indexes the run
directory once — where each trace's first line and each verdict's last line start, and what the
traces cost — and reads an episode back when it is asked for: memory per finished episode is its
id and two offsets, not the trace.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.core.records import Trace, Verdict
from simulator.core.rundir import RunDir, trace_id_of_line
from simulator.run.outcome import Outcome

_VERDICT_PREFIX = b'{"trace_id":"'


def _verdict_id_of_line(line: bytes) -> str:
    if line.startswith(_VERDICT_PREFIX):
        end = line.find(b'"', len(_VERDICT_PREFIX))
        if end != -1 and b"\\" not in line[len(_VERDICT_PREFIX):end]:
            return line[len(_VERDICT_PREFIX):end].decode("utf-8")
    return json.loads(line)["trace_id"]


def _offsets(path: Path, id_of) -> list[tuple[str, int, bytes]]:  # type: ignore[no-untyped-def]
    out = []
    if not path.exists():
        return out
    with path.open("rb") as f:
        offset = 0
        for line in f:
            if line.strip():
                out.append((id_of(line), offset, line))
            offset += len(line)
    return out


def _cost(raw: bytes) -> float:
    usage = json.loads(raw).get("usage") or {}
    return sum((u or {}).get("cost_usd") or 0.0 for u in usage.values())


class FinishedEpisodes:
    """Traces and verdicts already on disk, by episode id (a trace written twice counts once,
    with its first line; a verdict written again — an override — counts with its last)."""

    def __init__(self, run: RunDir) -> None:
        self.run = run
        self.traces: dict[str, int] = {}
        self.spent_usd = 0.0
        for trace_id, offset, line in _offsets(run.traces_path, trace_id_of_line):
            if trace_id not in self.traces:
                self.traces[trace_id] = offset
                self.spent_usd += _cost(line)
        self.verdicts: dict[str, int] = {}
        self.reload_verdicts()

    def reload_verdicts(self) -> None:
        self.verdicts = {vid: offset for vid, offset, _ in _offsets(self.run.verdicts_path, _verdict_id_of_line)}

    def __contains__(self, episode_id: object) -> bool:
        return episode_id in self.traces

    def __len__(self) -> int:
        return len(self.traces)

    def unjudged(self) -> list[str]:
        """Episodes whose trace landed but whose verdict the kill prevented."""
        return [i for i in self.traces if i not in self.verdicts]

    @staticmethod
    def _line(path: Path, offset: int) -> bytes:
        with path.open("rb") as f:
            f.seek(offset)
            return f.readline()

    def trace(self, episode_id: str) -> Trace:
        return Trace.model_validate_json(self._line(self.run.traces_path, self.traces[episode_id]))

    def result(self, episode_id: str) -> Outcome:
        verdict = Verdict.model_validate_json(self._line(self.run.verdicts_path, self.verdicts[episode_id]))
        return Outcome.of(self.trace(episode_id), verdict)
