"""Flags of `toolsim run` that say where episodes are played: in this process (the default),
in N worker processes (`--workers N`), or on Ray actors (`--executor ray [--ray-address ADDR]`).
None of them changes the dataset: the same seed gives the same bytes on any executor."""

from __future__ import annotations

import argparse

from simulator.cli.argtypes import positive_int
from simulator.core.errors import InputError
from simulator.run.executors import ExecutorOptions


def add_executor_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("where episodes are played (the dataset is the same on any)")
    g.add_argument("--workers", type=positive_int, metavar="N",
                   help="worker processes on this machine (N > 1 starts a pool; with --executor ray: actors, "
                        "default one per CPU of the cluster)")
    g.add_argument("--executor", choices=["inprocess", "processes", "ray"],
                   help="inprocess (default), processes (what --workers N > 1 picks), or ray")
    g.add_argument("--batch-size", type=positive_int, metavar="B",
                   help="episodes a worker holds at once (default: 64 offline; with a model, what keeps its "
                        "share of --concurrency busy); --max-cost may overshoot by one batch per worker")
    g.add_argument("--ray-address", metavar="ADDR",
                   help="join this Ray cluster (`auto`: the one `ray start --head` started); implies --executor ray")


def executor_options(args: argparse.Namespace) -> ExecutorOptions:
    kind = args.executor
    if args.ray_address is not None:
        if kind not in (None, "ray"):
            raise InputError.single("--ray-address", f"joins a Ray cluster; it cannot go with --executor {kind}")
        kind = "ray"
    if kind == "inprocess" and args.workers not in (None, 1):
        raise InputError.single("--workers", "--executor inprocess plays in this process only; drop one of them")
    return ExecutorOptions(kind=kind, workers=args.workers, batch_size=args.batch_size, ray_address=args.ray_address)
