"""Play one episode: user → assistant → tools → assistant … until the user stops.

The orchestrator only knows the agent protocols and the tool environment; whether an agent is
offline or an LLM is decided elsewhere. Failures never escape: a defect or an error ends the
episode with a termination reason recorded on the trace, and the run goes on.
"""

from __future__ import annotations

import asyncio
import traceback

from simulator.core.messages import Message, SystemMessage, has_stop_token
from simulator.core.records import Termination, Trace, now_iso
from simulator.simulate.agents.base import AssistantAgent, UserAgent, UserDefect
from simulator.simulate.episode import EpisodeContext

MAX_TOOL_ROUNDS = 6  # assistant messages with tool calls in a row before we call it a loop


class ToolLoopError(RuntimeError):
    """The assistant kept calling tools without ever answering the user."""


def describe_exception(exc: BaseException) -> str:
    """One line a user can act on; the innermost frame tells where a sim bug lives."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - an author's exception with a broken __str__
        text = "(its message cannot be shown)"
    line = f"{type(exc).__name__}: {text}{where}"
    return line.encode("utf-8", "replace").decode("utf-8")  # the trace must stay writable as UTF-8


_SYSTEM_MESSAGES: dict[str, SystemMessage] = {}


def _system_message(prompt: str) -> SystemMessage:
    """The opening message, one (frozen, shareable) object per prompt rather than one checked
    anew, kilobytes of it, every episode."""
    message = _SYSTEM_MESSAGES.get(prompt)
    if message is None:
        if len(_SYSTEM_MESSAGES) >= 64:
            _SYSTEM_MESSAGES.clear()
        message = _SYSTEM_MESSAGES[prompt] = SystemMessage(content=prompt)
    return message


_TEMPLATE_KEYS: dict[tuple[int, str, int], tuple[object, str]] = {}


def template_key(ctx: EpisodeContext) -> str:
    """`ctx.template_key`, worked out once per scenario, language and opening variant: it reads
    only those (a few us of model attribute reads and list copies, every episode otherwise)."""
    key = (id(ctx.scenario), ctx.persona.language, ctx.template)
    hit = _TEMPLATE_KEYS.get(key)
    if hit is not None and hit[0] is ctx.scenario:
        return hit[1]
    if len(_TEMPLATE_KEYS) >= 4096:
        _TEMPLATE_KEYS.clear()
    found = ctx.template_key
    _TEMPLATE_KEYS[key] = (ctx.scenario, found)
    return found


async def _assistant_turn(ctx: EpisodeContext, assistant: AssistantAgent, messages: list[Message]) -> None:
    for _ in range(MAX_TOOL_ROUNDS):
        reply = await assistant.respond(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return
        for call in reply.tool_calls:
            if ctx.tool_model is None and ctx.live is None:
                messages.append(ctx.env.call(call))
            else:
                messages.append(await ctx.env.acall(call, ctx.tool_model, ctx.live))
    raise ToolLoopError(f"{MAX_TOOL_ROUNDS} rounds of tool calls without an answer")


async def simulate_episode(
    ctx: EpisodeContext, user: UserAgent, assistant: AssistantAgent, agents: dict[str, str] | None = None
) -> Trace:
    messages: list[Message] = [_system_message(ctx.system_prompt)]
    termination: Termination = "max_turns"
    error: str | None = None
    try:
        for _ in range(ctx.max_turns):
            said = await user.respond(messages)
            messages.append(said)
            if has_stop_token(said.content):
                termination = "user_stop"
                break
            await _assistant_turn(ctx, assistant, messages)
        else:
            error = f"no ###STOP### after {ctx.max_turns} user turns"
    except UserDefect as defect:
        termination, error = "user_defect", str(defect)
    except (KeyboardInterrupt, GeneratorExit, asyncio.CancelledError):
        raise
    except BaseException as exc:  # noqa: BLE001 - recorded on the trace; the run goes on. A sim's own
        termination, error = "error", describe_exception(exc)  # BaseException subclass included
    # Every field below is already of its declared type (agents return message models, the
    # environment `StateChange`s, usage is `RoleUsage`), so the trace is built without pydantic
    # re-checking each message of the conversation: a few percent of an offline episode. Every
    # field is given, so this is `Trace.model_construct(**fields)` without its per-field walk
    # over aliases and defaults (same `__dict__`, in field order, and the same fields set).
    fields = {
        "id": ctx.episode.id,
        "episode": ctx.episode,
        "messages": messages,
        "termination": termination,
        "error": error,
        "facts": ctx.facts,
        "template": template_key(ctx),
        "state_diff": ctx.env.diff(),
        "usage": {"user": user.usage, "assistant": assistant.usage},
        "agents": agents or {"user": "offline", "assistant": "offline"},
        "live_calls": list(ctx.live.calls) if ctx.live is not None else [],
        "mistake": getattr(assistant, "mistake", None),
        "created_at": now_iso(),  # given, not defaulted: a default factory would run per call
    }
    trace = _new(Trace)
    _set(trace, "__dict__", fields)
    _set(trace, "__pydantic_fields_set__", set(fields))
    _set(trace, "__pydantic_extra__", None)
    _set(trace, "__pydantic_private__", None)
    return trace


_new = object.__new__
_set = object.__setattr__
_TRACE_FIELDS = ("id", "episode", "messages", "termination", "error", "facts", "template", "state_diff", "usage",
                 "agents", "live_calls", "mistake", "created_at")
if tuple(Trace.model_fields) != _TRACE_FIELDS:  # a field added to `Trace` must be given above too
    raise ImportError(f"simulate_episode builds a Trace of fields {_TRACE_FIELDS}, but Trace has {tuple(Trace.model_fields)}")
