"""`--workers N`: N worker processes on this machine, so an offline run uses every core.

On Linux a worker is forked from the runner once the pack is loaded: it starts in milliseconds
and inherits the pack (and the tool sims' module) as the runner loaded it. Elsewhere, or with
`TOOLSIM_WORKER_START=spawn`, it is a fresh `python -m simulator.run.executors.worker` that
loads the scenario file itself and checks it read the same pack. Each worker's socket is read
by a task of the runner's event loop; the message protocol is in `worker.py`.

`--concurrency` is shared out between the workers (16 over 2 is 8 each) and each has its own
LLM client (and opens the machine's response cache); `--rpm` stays the run's: every call's start
is asked of one `StartRate` here, so N workers together start no more than one runner would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from simulator.core.records import Episode
from simulator.llm.limits import StartRate
from simulator.run.executors.base import WorkerSpec, split
from simulator.run.executors.pool import Worker, WorkerError, WorkerPool
from simulator.run.executors.worker import read_message, run_forked, write_message
from simulator.run.outcome import Played
from simulator.spec.pack import Pack

START_METHOD_VARIABLE = "TOOLSIM_WORKER_START"


def start_method() -> str:
    """`fork` on Linux while this process runs one thread (the command line: a run starts its
    workers first); `spawn` elsewhere, or beside other threads (a fake server in a test, a Ray
    client, a progress bar's refresh thread when a worker is replaced), which a fork could catch
    holding a lock. TOOLSIM_WORKER_START=fork|spawn decides instead."""
    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    if chosen in ("fork", "spawn"):
        return chosen
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


@dataclass
class Process:
    """One worker process as the runner holds it."""

    pid: int
    sock: socket.socket
    popen: subprocess.Popen | None = None  # a spawned worker; a forked one is reaped by pid
    writer: asyncio.StreamWriter | None = None
    reader_task: asyncio.Task | None = field(default=None, repr=False)
    reaping: asyncio.Future | None = field(default=None, repr=False)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)

    def _poll(self) -> int | None:
        if self.popen is not None:
            return self.popen.poll()
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return -1  # not ours to reap any more
        return os.waitstatus_to_exitcode(status) if pid else None

    async def reap(self, grace: float) -> str:
        """Wait up to `grace` seconds for it to exit, then kill it; how it ended. (One wait,
        however many ask: the runner's reader and its shutdown may both.)"""
        if self.reaping is None:
            self.reaping = asyncio.ensure_future(self._reap(grace))
        return await asyncio.shield(self.reaping)

    async def _reap(self, grace: float) -> str:
        await self.hang_up()
        deadline = time.monotonic() + grace
        while (code := self._poll()) is None:
            if time.monotonic() >= deadline:
                self.kill()
                deadline = float("inf")
            await asyncio.sleep(0.01)
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    async def hang_up(self) -> None:
        """Close our end through its transport, and wait until asyncio has let go of the
        descriptor: closing the socket under a live transport would let a new worker's socket
        reuse its number while the old transport still reads and writes it."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()


class ProcessExecutor(WorkerPool):
    name = "processes"

    def __init__(self, pack: Pack, spec: Callable[[int], WorkerSpec], count: int | None, *, concurrency: int,
                 rpm: float | None, lost: Callable[[Episode, str], Played]) -> None:
        super().__init__(count, lost)
        self.pack = pack
        self.count = count or os.cpu_count() or 1
        self.shares = split(concurrency, self.count)
        self.spec_for = spec
        self.rate = StartRate(rpm) if rpm is not None else None
        self.paced = 0  # calls whose start the workers asked of `rate`
        self.methods: set[str] = set()  # how workers were started (a replacement may differ)

    async def start(self) -> None:
        await self._start_all(self.count)

    # ------------------------------------------------------------ starting one

    def _fork(self, child: socket.socket, ours: socket.socket, spec: WorkerSpec) -> int:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()  # else the child could write the runner's pending output again
        # The runner's ends, ours included: a worker's EOF must not wait for another process.
        others = [ours.fileno()] + [w.handle.sock.fileno() for w in self.workers if w.alive]
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                for fd in others:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                code = run_forked(child, spec, self.pack, parent)
            except BaseException:  # noqa: BLE001 - a worker's last word, then out
                traceback.print_exc()
            finally:
                os._exit(code)
        return pid

    async def _launch(self, index: int) -> Worker:
        spec = self.spec_for(self.shares[index % len(self.shares)])
        ours, child = socket.socketpair()
        method = start_method()
        self.methods.add(method)
        if method == "fork":
            process = Process(self._fork(child, ours, spec), ours)
        else:
            popen = subprocess.Popen(
                [sys.executable, "-m", "simulator.run.executors.worker", str(child.fileno()), str(os.getpid())],
                pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
            )
            process = Process(popen.pid, ours, popen)
        child.close()
        reader, process.writer = await asyncio.open_connection(sock=ours)
        if process.popen is not None:
            write_message(process.writer, ("spec", spec))
        try:
            kind, payload = await read_message(reader)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            raise WorkerError(f"worker {index} ended before it was ready ({await process.reap(1.0)})") from None
        if kind != "ready":
            await process.reap(1.0)
            raise WorkerError(f"worker {index} cannot play this run: {payload}")
        offline = spec.agents.is_offline()
        worker = Worker(index, process, spec.batch, chunk=max(1, spec.batch // 2) if offline else 1)
        process.reader_task = asyncio.ensure_future(self._listen(worker, reader))
        return worker

    # ------------------------------------------------------------ talking to one

    def _send(self, worker: Worker, episodes: list[Episode]) -> None:
        # As JSON: pydantic writes it several times faster than pickle does a model.
        write_message(worker.handle.writer, ("play", [e.model_dump_json() for e in episodes]))

    async def _listen(self, worker: Worker, reader: asyncio.StreamReader) -> None:
        process: Process = worker.handle
        while True:
            try:
                kind, payload = await read_message(reader)
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                break
            if kind == "played":
                self._arrived(worker, payload)
            elif kind == "pace":
                self._pace(process, payload)
            elif kind == "error":
                self._fail(WorkerError(f"worker {worker.index} (pid {process.pid}) failed:\n{payload}"))
                break
        self._died(worker, f"worker pid {process.pid} {await process.reap(1.0)}")

    def _pace(self, process: Process, token: int) -> None:
        assert self.rate is not None
        self.paced += 1
        delay = self.rate.delay(time.monotonic())

        def answer() -> None:
            if process.writer is not None and not process.writer.is_closing():
                write_message(process.writer, ("paced", token))

        asyncio.get_running_loop().call_later(delay, answer) if delay > 0 else answer()

    async def _stop(self, worker: Worker) -> None:
        process: Process = worker.handle
        if process.writer is not None and not process.writer.is_closing():
            with contextlib.suppress(Exception):
                write_message(process.writer, ("stop", None))
                process.writer.close()
        await process.reap(2.0)
        if process.reader_task is not None:
            process.reader_task.cancel()
            with contextlib.suppress(BaseException):
                await process.reader_task

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "start": ",".join(sorted(self.methods))}
