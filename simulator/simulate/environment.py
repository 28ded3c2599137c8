"""The tool environment of one episode: seeded state, tool dispatch, and the state diff.

Every tool call the assistant makes goes through `ToolEnvironment.call`, which turns it into the
tool message the model reads. Problems with the *call* (unknown tool, malformed JSON, arguments
that break the schema) and business-rule failures (`ToolError`) become error results — they are
data, the material of error-recovery examples. Any other exception from a sim is a bug in the sim
and propagates.

Speed matters (the offline benchmark runs ≥1,000 episodes/s): the state is seeded and copied
once per episode, validators are compiled once per schema, and a call does no copying.
"""

from __future__ import annotations

import functools
import inspect
import random
from collections.abc import Callable
from datetime import date
from typing import Any

from simulator.core.messages import ToolCall, ToolMessage, tool_error, tool_result
from simulator.core.records import StateChange
from simulator.simulate.state_tree import (  # (the judge imports them from here too)
    copy_tree,
    diff_values,
)
from simulator.spec import ToolSpec
from simulator.spec.generation import today_for
from simulator.spec.pack import Domain
from simulator.spec.toolkit import SimContext, State, ToolError
from simulator.spec.validation import argument_errors, parse_arguments, schema_errors
from simulator.values.computed import ComputeError
from simulator.values.schema_echo import ResultEcho, with_aliases
from simulator.values.schema_sim import simulate
from simulator.values.tool_errors import declared_error


class SeededOnFirstDraw(random.Random):
    """`random.Random(seed)` that seeds itself when first drawn from (or asked for its state),
    then becomes a plain `random.Random`. Seeding costs ~4 us (Mersenne Twister's 624 words),
    and most episodes' sims never draw: a lookup reads the state. The first draw is the one the
    eagerly seeded rng would have given; every later one goes straight to `random.Random`."""

    def __init__(self, seed: Any) -> None:
        self._first_seed = seed
        self.gauss_next = None

    def random(self) -> float:
        _seed_now(self)
        return self.random()

    def getrandbits(self, k: int) -> int:
        _seed_now(self)
        return self.getrandbits(k)

    def getstate(self) -> Any:
        _seed_now(self)
        return self.getstate()

    def setstate(self, state: Any) -> None:
        _seed_now(self)
        self.setstate(state)

    def seed(self, a: Any = None, version: int = 2) -> None:
        _seed_now(self)
        self.seed(a, version)

    def __reduce__(self) -> Any:
        _seed_now(self)
        return self.__reduce__()


def _seed_now(rng: random.Random) -> None:
    """Seed a `SeededOnFirstDraw` as `random.Random(seed)` would have, once (a method bound
    before the switch, as `_randbelow` binds `getrandbits`, comes back here after it)."""
    if type(rng) is SeededOnFirstDraw:
        seed = rng.__dict__.pop("_first_seed")
        rng.__class__ = random.Random
        rng.seed(seed)


_SEEDED: dict[tuple[int, int, date], tuple[Domain, State]] = {}
_SEEDED_LIMIT = 32


def seeded_state(domain: Domain, seed: int, today: date) -> State:
    """The episode's state as its sims seed it, before any call; do not mutate it (copy it with
    `copy_tree`). Kept for the last episodes seeded, so the judge, which replays a trace's
    expected calls on the same state right after the episode ran, does not seed it again."""
    key = (id(domain), seed, today)
    hit = _SEEDED.get(key)
    if hit is not None and hit[0] is domain:
        return hit[1]
    state = domain.sims.seed_state(random.Random(seed), today) if domain.sims else {}
    if len(_SEEDED) >= _SEEDED_LIMIT:
        del _SEEDED[next(iter(_SEEDED))]
    _SEEDED[key] = (domain, state)
    return state


def release_seeded(domain: Domain, seed: int, today: date) -> None:
    """Drop an episode's seeded state from `seeded_state`'s cache: its judge has read it. Freed
    right after the episode, its hundred-odd dicts and lists are still in the CPU's caches;
    evicted 32 episodes later they were not, and freeing them then (with the garbage collector
    walking the 32 states kept alive meanwhile) cost ~5 % of an offline episode. An episode
    that is not released (a resumed run judging traces on disk) is evicted as before."""
    _SEEDED.pop((id(domain), seed, today), None)


@functools.cache
def _accepted_names(fn: Callable[..., Any]) -> set[str] | None:
    """The keyword arguments a sim function takes after `ctx`, or None when it takes **kwargs."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _needs_model(spec: ToolSpec, args: dict[str, Any], env: "ToolEnvironment") -> bool:
    """Can only a model answer this computed call (a text the offline table does not hold)?"""
    try:
        simulate(spec, args, env.seed, env.today)
    except ComputeError:
        return True
    return False


class ReturnsMismatch(AssertionError):
    """A Python sim returned a value its own `returns` schema rejects (a sim bug)."""


class ToolEnvironment:
    """The tools of one episode over one seeded state.

    `check_returns=True` also validates every Python sim's result against its `returns` schema
    (a sim bug then raises `ReturnsMismatch`); tests and `toolsim check` use it, runs skip the cost.
    """

    def __init__(
        self, domain: Domain, seed: int, *, check_returns: bool = False, today: date | None = None
    ) -> None:
        self.domain = domain
        self.seed = seed
        self.today = today_for(seed, today)
        self.check_returns = check_returns
        self._initial: State = seeded_state(domain, seed, self.today)
        self._context: SimContext | None = None  # made when a sim first runs (see `_sim_context`)
        self._own = False  # does the context hold the episode's own copy of the state yet?
        self.calls = 0
        self.facts: dict[str, Any] = {}  # the episode's slot values (see `set_facts`)
        self._echo: ResultEcho | None = None

    def set_facts(self, facts: dict[str, Any]) -> None:
        """The episode's facts: declared errors of schema-only tools may test them, and their
        results say what the user said (`simulator.values.schema_echo`)."""
        self.facts = facts
        self._echo = None

    @property
    def echo(self) -> ResultEcho:
        """The episode's `ResultEcho`, made when a schema-only tool first answers (a domain of
        Python sims never needs one)."""
        if self._echo is None:
            self._echo = ResultEcho(self.facts)
        return self._echo

    @property
    def initial_state(self) -> State:
        """The state as seeded, before any call (do not mutate)."""
        return self._initial

    @property
    def context(self) -> SimContext:
        """What the Python sims see: the episode's own copy of the state, its rng and its day.
        Made on first use: a fifth of episodes never run a sim (no call, or only calls the
        arguments check refuses), and copying the state and seeding the rng was most of what
        setting up their environment cost. Nothing else reads the copy first, so its contents
        and the rng's draws are those an eager copy would give."""
        return self._sim_context(read_only=False)

    def _sim_context(self, *, read_only: bool) -> SimContext:
        """The context a sim runs in. A read-only tool (`read_only: true`, which the loader makes
        every tool declare) reads the seeded state itself until a tool that writes needs the
        episode's own copy: many episodes only look things up, and copying the state for them
        (and diffing it afterwards) was a sizeable part of their environment's cost. The copy is
        made before any write, so it holds what an eager copy would; the rng and counters are
        the same objects throughout, so every draw is the one it always was."""
        context = self._context
        if context is None:
            context = self._context = SimContext(
                state=self._initial, rng=SeededOnFirstDraw(f"sims:{self.seed}"), today=self.today
            )
        if not self._own and not read_only:
            context.state = copy_tree(self._initial)
            self._own = True
        return context

    @property
    def state(self) -> State:
        """The episode's own state, as the calls so far left it (do not read it where `initial_state`
        does: reading it makes the copy)."""
        return self.context.state

    def _checked(self, call: ToolCall) -> tuple[ToolSpec, dict[str, Any]] | ToolMessage:
        """The spec and parsed arguments, or the error result a real API would give instead."""
        spec = self.domain.tools.get(call.name)
        if spec is None:
            return tool_error(call, f"unknown tool '{call.name}'")
        args, problem = parse_arguments(call)
        if args is None:
            return tool_error(call, problem or "arguments must be a JSON object")
        errors = argument_errors(spec, args, call.arguments)
        if errors:
            return tool_error(call, f"invalid arguments for {call.name}: " + "; ".join(errors))
        refusal = declared_error(spec, args, self.facts) if spec.errors else None
        if refusal is not None:  # a schema-only tool's declared error (tools.yaml `errors:`)
            return tool_error(call, refusal)
        return spec, args

    def _run_sim(self, call: ToolCall, spec: ToolSpec, args: dict[str, Any]) -> ToolMessage:
        registered = self.domain.sims.tools.get(call.name) if self.domain.sims else None
        if registered is None:
            try:
                value = simulate(spec, args, self.seed, self.today)
            except ComputeError as exc:
                return tool_error(call, str(exc))
            # A computed tool's result is true as it is; drawn results are made consistent with the conversation.
            return tool_result(call, value if spec.compute is not None else self.echo.apply(spec, with_aliases(args), value))
        accepted = _accepted_names(registered.fn)
        if accepted is not None and not accepted.issuperset(args):
            # The schema may allow arguments the function does not name; they carry no meaning
            # for the sim, and a TypeError here would blame the model for the sim's signature.
            # (Most calls name none such: then the arguments go as they are, not copied.)
            args = {k: v for k, v in args.items() if k in accepted}
        read_only = spec.read_only is True
        context = self._sim_context(read_only=read_only)
        # `check_returns` (tests, `toolsim check`) also proves a read-only sim leaves the state alone.
        before = copy_tree(context.state) if self.check_returns and read_only else None
        try:
            value = registered.fn(context, **args)
        except ToolError as exc:
            return tool_error(call, str(exc))
        finally:
            if before is not None and before != context.state:
                raise ReturnsMismatch(f"sim {call.name!r} is declared read_only but changed the state "
                                     "(declare it read_only: false)")
        if self.check_returns and spec.returns is not None:
            problems = schema_errors(spec.returns, value)
            if problems:
                raise ReturnsMismatch(f"sim {call.name!r} returned a value its returns schema rejects: {problems}")
        return tool_result(call, value)

    def call(self, call: ToolCall) -> ToolMessage:
        """Run one tool call and return the tool message answering it."""
        self.calls += 1
        checked = self._checked(call)
        if isinstance(checked, ToolMessage):
            return checked
        return self._run_sim(call, *checked)

    async def acall(self, call: ToolCall, tool_model: Any = None, live: Any = None) -> ToolMessage:
        """Like `call`, but each tool is answered as `domain.sim` says: `live` by the real service
        (through the episode's `EpisodeLive`), `model` by the LLM tool model, `schema` by the sims.
        Arguments are validated (and declared `errors:` applied) first, whatever answers."""
        self.calls += 1
        checked = self._checked(call)
        if isinstance(checked, ToolMessage):
            return checked
        spec, args = checked
        mode = self.domain.sim_mode(call.name, tool_model=tool_model is not None)
        if mode == "live" and live is not None:
            from simulator.simulate.live import LiveFailure

            try:
                return tool_result(call, await live.call(call.id, spec, args))
            except LiveFailure as failure:  # the service failed or refused: an error result, as an API gives
                return tool_error(call, str(failure))
        # A computed tool's true result beats a model's guess; a model answers what is left.
        if mode != "model" or tool_model is None or (spec.compute is not None and not _needs_model(spec, args, self)):
            return self._run_sim(call, spec, args)
        from simulator.llm.tool_model import ToolModelError

        try:
            return tool_result(call, await tool_model.simulate(spec, args))
        except ToolModelError:
            # The simulator failed, not the assistant: answer like an API that broke (the trace
            # then fails the judge's `tool_errors_expected` and never reaches the dataset).
            return tool_error(call, f"{call.name} is temporarily unavailable")

    def diff(self) -> list[StateChange]:
        """What the calls so far changed in the state, relative to the seeded snapshot."""
        if not self._own:  # no sim ran, or only read-only ones: nothing can have changed
            return []
        return diff_values(self._initial, self._context.state)
