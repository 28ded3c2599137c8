"""`toolsim eval RUN --processes P`: the turn-level evaluation spread over P worker processes.

Why: at high concurrency a request's CPU (building the item and the request, the reply, scoring;
through litellm for hosted providers, several times more) is what holds the throughput back, and
one process has one event loop on one core (`bench/eval_throughput.py` prints the CPU per item). Items are independent, so each process takes every P-th trace of the
split and runs the same bounded worker pool (`replay.ask_all`) with its share of the concurrency
and of `--rpm`; the response cache is shared (sqlite in WAL mode takes several writers). The parent
merges the scored items back into trace order, so the result is the one a single process gives.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue as queue_errors
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.core.records import RoleUsage
from simulator.core.rundir import RunDir
from simulator.eval.items import selected_traces, turns_in
from simulator.eval.turns import TurnEvalOptions, ask_items, turn_result
from simulator.spec.models import ModelSettings


def _share(total: float | None, shard: int, shards: int) -> Any:
    if total is None:
        return None
    return total / shards if isinstance(total, float) else total // shards + (shard < total % shards)


def _worker(run_path: str, settings_json: str, cache_path: str | None, options: TurnEvalOptions, rpm: float | None,
            shard: int, shards: int, out: Any, go: Any) -> None:
    """One process: its traces, its share of the concurrency; reports progress and its records."""
    try:
        from simulator.llm.client import LLMClient

        pack, traces = selected_traces(RunDir(Path(run_path)), options.split, options.limit)
        mine = traces[shard::shards]
        settings = ModelSettings.model_validate_json(settings_json)
        concurrency = max(1, _share(options.concurrency, shard, shards))
        client = LLMClient.create(cache_path=cache_path, concurrency=concurrency, rpm=_share(rpm, shard, shards))
        out.put(("ready", shard))
        go.wait()  # all workers start together, once each has read the run
        async def work() -> Any:
            try:
                return await ask_items(pack, mine, settings, client, concurrency,
                                       lambda n: out.put(("progress", shard, n)))
            finally:
                await client.aclose()

        records, usage = asyncio.run(work())
        out.put(("done", shard, records, usage.model_dump()))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        out.put(("failed", shard, f"{type(exc).__name__}: {exc}"))


def evaluate_sharded(run: RunDir, settings: ModelSettings, options: TurnEvalOptions, processes: int, *,
                     cache_path: Path | None, rpm: float | None,
                     progress: Callable[[int, int], Any] | None = None,
                     on_start: Callable[[], Any] | None = None) -> dict[str, Any]:
    """The same eval.json content as `evaluate_turns`, computed by `processes` workers.
    `on_start()` is called when every worker is ready and the requests begin."""
    pack, traces = selected_traces(run, options.split, options.limit)  # bad input fails here, before any worker
    total = sum(turns_in(t) for t in traces)
    shards = max(1, min(processes, len(traces)))
    context = multiprocessing.get_context("spawn")
    out, go = context.Queue(), context.Event()
    workers = [
        context.Process(target=_worker, daemon=True, args=(
            str(run.path), settings.model_dump_json(), str(cache_path) if cache_path else None, options, rpm,
            shard, shards, out, go))
        for shard in range(shards)
    ]
    for worker in workers:
        worker.start()
    done_counts = [0] * shards
    ready = 0
    results: dict[int, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
    try:
        while len(results) < shards:
            try:
                message = out.get(timeout=1.0)
            except queue_errors.Empty:
                if not all(w.is_alive() for w in workers):
                    raise RuntimeError("an eval worker process stopped without a result") from None
                continue
            if message[0] == "ready":
                ready += 1
                if ready == shards:
                    if on_start is not None:
                        on_start()
                    go.set()
            elif message[0] == "progress":
                done_counts[message[1]] = message[2]
                if progress is not None:
                    progress(sum(done_counts), total)
            elif message[0] == "done":
                results[message[1]] = (message[2], message[3])
            else:
                raise RuntimeError(f"eval worker {message[1]} failed: {message[2]}")
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    order = {trace.id: position for position, trace in enumerate(traces)}
    records = sorted((r for shard_records, _ in results.values() for r in shard_records),
                     key=lambda r: (order[r["trace_id"]], r["turn"]))
    usage = RoleUsage()
    for _, shard_usage in results.values():
        usage.add(RoleUsage.model_validate(shard_usage))
    return turn_result(run, pack, settings, options.split, records, usage)
