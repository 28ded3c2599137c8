"""A worker process: plays the episodes the runner sends it and streams the results back.

It talks to the runner over one socket, in length-prefixed pickles: the runner sends `("play",
episodes)` (as JSON lines); the worker answers `("ready", pid)` once, then `("played", [Played, ...])` as
episodes finish (grouped: a message every `GROUP` results, or as soon as the event loop is idle),
`("pace", token)` when `--rpm` is set and a call wants to start (the runner, which holds the run's
one `StartRate`, answers `("paced", token)` when it may), and `("error", text)` on a bug.

A worker forked from the runner (Linux) inherits the loaded pack; one started afresh
(`python -m simulator.run.executors.worker FD`, elsewhere or with TOOLSIM_WORKER_START=spawn) is
sent a `WorkerSpec` first and loads the scenario file itself. Either way it stops when the runner
goes: its socket closes (and on Linux the kernel kills it with its parent, `PR_SET_PDEATHSIG`),
so a runner killed with `kill -9` leaves no worker behind playing episodes nobody will write.
Ctrl-C is the runner's to handle: workers ignore SIGINT and are stopped by it.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from dataclasses import replace
from typing import Any

from simulator.core.records import Episode
from simulator.curate.summaries import signed
from simulator.run.executors.base import WorkerSpec, episodes_at_once, pack_digest
from simulator.run.executors.playing import EpisodeLoop
from simulator.run.outcome import Played
from simulator.run.player import Player
from simulator.spec.pack import Pack

GROUP = 16  # results per message at most
_HEADER = struct.Struct("!I")


# ---------------------------------------------------------------- messages


def write_message(writer: asyncio.StreamWriter, message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_HEADER.pack(len(body)) + body)


async def read_message(reader: asyncio.StreamReader) -> Any:
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return pickle.loads(await reader.readexactly(size))


# ---------------------------------------------------------------- building the player


class SetupError(Exception):
    """The worker cannot play this run (the pack does not load, or is not the runner's)."""


def describe_error(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(str(p) for p in problems)
    return f"{type(exc).__name__}: {exc}"


def build_player(spec: WorkerSpec, pack: Pack | None = None, pacer: Any = None) -> Player:
    """The worker's `Player`: its pack (loaded here unless inherited) and its own LLM client,
    with its share of `--concurrency` and the response cache on its own machine."""
    if spec.plugins:
        from simulator.core.registry import load_plugins

        load_plugins()
    if pack is None:
        from simulator.load.loader import load_pack

        try:
            pack = load_pack(spec.scenario_file)
        except Exception as exc:  # noqa: BLE001 - reported to the runner
            raise SetupError(f"cannot load {spec.scenario_file}: {describe_error(exc)}") from None
        if pack_digest(pack) != spec.digest:
            raise SetupError(f"{spec.scenario_file} here is not the pack the runner loaded (its files or "
                             "toolsim's version differ on this machine)")
    client = None
    if not spec.agents.is_offline():
        from simulator.llm.client import LLMClient

        client = LLMClient.create(cache_path=spec.cache_path, concurrency=spec.concurrency, pacer=pacer)
    return Player(pack, spec.agents, client)


def slots_for(spec: WorkerSpec) -> int:
    """Offline episodes one after another; a model's overlapped, as in the runner's process."""
    return 1 if spec.agents.is_offline() else max(1, min(spec.batch, episodes_at_once(spec.concurrency)))


# ---------------------------------------------------------------- serving the runner


class RunnerPacer:
    """`--rpm` across workers: each call asks the runner before it starts."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.waiting: dict[int, asyncio.Future] = {}
        self.tokens = 0

    async def wait(self) -> None:
        self.tokens += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.tokens] = future
        write_message(self.writer, ("pace", self.tokens))
        await future

    def release(self, token: int) -> None:
        future = self.waiting.pop(token, None)
        if future is not None and not future.done():
            future.set_result(None)


class Outbox:
    """Results on their way to the runner: a message every GROUP, or when the loop is idle."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.items: list[Played] = []
        self.scheduled = False

    def add(self, played: Played) -> None:
        self.items.append(played)
        if len(self.items) >= GROUP:
            self.flush()
        elif not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        if self.items:
            items, self.items = sign(self.items), []
            write_message(self.writer, ("played", items))


def sign(group: list[Played]) -> list[Played]:
    """MinHash-sign the group's accepted traces in one batch, here rather than in the runner."""
    unsigned = [p for p in group if p.outcome.facts is not None and p.outcome.facts.signature is None]
    if unsigned:
        for played, facts in zip(unsigned, signed([p.outcome.facts for p in unsigned])):  # type: ignore[misc]
            played.outcome = replace(played.outcome, facts=facts)
    return group


async def serve(sock: socket.socket, spec: WorkerSpec | None = None, pack: Pack | None = None) -> None:
    reader, writer = await asyncio.open_connection(sock=sock)
    if spec is None:
        _, spec = await read_message(reader)
    pacer = RunnerPacer(writer) if spec.paced else None
    try:
        player = build_player(spec, pack, pacer)
    except Exception as exc:  # noqa: BLE001 - the runner reports it
        write_message(writer, ("failed", describe_error(exc)))
        await writer.drain()
        writer.close()
        return
    outbox = Outbox(writer)
    broken = asyncio.Event()

    def failed(exc: BaseException) -> None:
        write_message(writer, ("error", "".join(traceback.format_exception(exc)).rstrip()))
        broken.set()

    loop = EpisodeLoop(player, slots_for(spec), outbox.add, failed)
    loop.start()
    write_message(writer, ("ready", os.getpid()))

    async def listen() -> None:
        while True:
            try:
                kind, payload = await read_message(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the runner is gone (or closed us): stop
            if kind == "play":
                loop.put(Episode.model_validate_json(line) for line in payload)
            elif kind == "paced" and pacer is not None:
                pacer.release(payload)
            elif kind == "stop":
                return

    listening, stopping = asyncio.ensure_future(listen()), asyncio.ensure_future(broken.wait())
    await asyncio.wait([listening, stopping], return_when=asyncio.FIRST_COMPLETED)
    for task in (listening, stopping):
        task.cancel()
    await loop.close()
    outbox.flush()
    if player.client is not None:
        await player.client.aclose()
    try:
        await writer.drain()
        writer.close()
    except (ConnectionError, OSError):
        pass


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)  # the runner died before we were ready


def run_forked(sock: socket.socket, spec: WorkerSpec, pack: Pack, parent: int) -> int:
    """The body of a worker forked from the runner (which calls `os._exit` with the result)."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    asyncio.run(serve(sock, spec, pack))
    return 0


def main() -> None:
    """`python -m simulator.run.executors.worker FD PARENT_PID`: a worker started afresh."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(sys.argv[2]))
    asyncio.run(serve(socket.socket(fileno=int(sys.argv[1]))))


if __name__ == "__main__":
    main()
