"""Executors: where planned episodes are played and judged, while the runner plans and writes.

The runner keeps planning, budgets, curation and the one writer of `traces.jsonl` and
`verdicts.jsonl`; an executor takes episodes (`submit`), plays and judges them somewhere, and
hands back `Played` results (`results`) in whatever order they finish. Three of them:

* `inprocess` (the default): the runner's own event loop (`inprocess.py`);
* `processes` (`--workers N`): N worker processes on this machine, so offline runs use every
  core (`processes.py`, the worker side in `worker.py`);
* `ray` (`--executor ray`): Ray actors on a cluster, each loading the pack and the LLM client
  once (`ray_actors.py`).

Worker executors share `pool.py`: each worker holds at most one batch of episodes (`--batch-size`)
in flight and is topped up as results come back; a worker that dies has its unfinished episodes
played again on another and is replaced. Results are the same bytes wherever an episode is
played, and the schedule settles them in plan order, so the dataset does not depend on the
executor or the number of workers.
"""

from simulator.run.executors.base import Executor, ExecutorOptions
from simulator.run.executors.choice import make_executor

__all__ = ["Executor", "ExecutorOptions", "make_executor"]
