"""The LLM persona proposer: a model suggests personas, we keep only valid, distinct ones.

The prompt (`prompts/propose.md`) shows the axes, the Persona fields (generated from the model
class, so it never drifts from what validates) and the library with each persona's axis values.
The reply is JSON; every proposal is validated as a `Persona` and offered to the same near-copy
filter the offline sampler uses. A model is not trusted to be diverse or even well-formed, so
invalid proposals and near-copies are dropped and counted, never silently kept; if too few
survive, the model is asked again (up to `MAX_ROUNDS` calls) for the rest, with the proposals
kept so far added to the "do not copy" list.
"""

from __future__ import annotations

import json
import typing
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from simulator.author.personas.axes import AXES, AXIS_FIELDS, axes_of, describe_axes
from simulator.author.personas.library import Proposals, unique_id
from simulator.author.personas.near_copy import NearCopyFilter
from simulator.core.messages import SystemMessage, UserMessage
from simulator.core.pydantic_problems import describe_error
from simulator.llm.client import LLMClient
from simulator.llm.templates import fill, load_prompt
from simulator.llm.tool_model import parse_json_reply
from simulator.spec import Persona
from simulator.spec.models import ModelSettings

MAX_ROUNDS = 3
EXTRA = 2  # ask for a couple more than needed: some will be dropped
USER_TURN = "Propose the personas now, as JSON."


def field_lines() -> str:
    """One line per Persona field: name, allowed values or range, default, meaning."""
    lines = []
    for name, info in Persona.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is typing.Literal:
            kind = " | ".join(str(v) for v in typing.get_args(annotation))
        elif annotation is float:
            kind = "number 0..1"
        elif annotation is int:
            kind = "integer 0..20"
        elif annotation is bool:
            kind = "true | false"
        else:
            kind = getattr(annotation, "__name__", str(annotation))
        required = info.is_required()
        default = "required" if required else f"default {json.dumps(info.default)}"
        meaning = f": {info.description}" if info.description else ""
        lines.append(f"- `{name}` ({kind}; {default}){meaning}")
    return "\n".join(lines)


def axes_text(personas: Sequence[Persona]) -> str:
    counts = {axis: Counter(axes_of(p)[axis] for p in personas) for axis in AXES}
    lines = []
    for axis, values in AXES.items():
        spread = ", ".join(f"{v} ({counts[axis][v]} in the library)" for v in values)
        lines.append(f"- **{axis}** — {spread}. Field: {AXIS_FIELDS[axis]}")
    return "\n".join(lines)


def existing_text(personas: Sequence[Persona]) -> str:
    return "\n".join(
        f"- `{p.id}` ({p.name}; {describe_axes(axes_of(p))}): {p.description}" for p in personas
    ) or "- (none yet)"


def prompt(library: Sequence[Persona], kept: Sequence[Persona], count: int) -> str:
    everyone = [*library, *kept]
    return fill(
        load_prompt("simulator.author.personas", "propose.md"),
        count=count, axes=axes_text(everyone), fields=field_lines(), existing=existing_text(everyone),
    )


def proposals_in(raw: str | None) -> list[Any]:
    """The list of proposals in a reply (`{"personas": [...]}` or a bare list); ValueError if none."""
    value = parse_json_reply(raw)
    if isinstance(value, dict) and isinstance(value.get("personas"), list):
        return value["personas"]
    if isinstance(value, list):
        return value
    raise ValueError('expected {"personas": [...]}')


def check_proposal(item: Any, ids: set[str]) -> tuple[Persona | None, str | None]:
    """(persona, None) for a valid proposal (its id made unique), else (None, why not)."""
    label = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else "(no id)"
    if not isinstance(item, dict):
        return None, f"{label}: not a JSON object"
    try:
        persona = Persona.model_validate(item)
    except ValidationError as exc:
        where, message = describe_error(exc.errors(include_url=False)[0], Persona, from_yaml=False)
        field = ".".join(str(part) for part in where)
        return None, f"{label}: {field + ': ' if field else ''}{message}"
    fresh = unique_id(persona.id, ids)
    return (persona if fresh == persona.id else persona.model_copy(update={"id": fresh})), None


async def propose_with_model(
    library: Sequence[Persona], n: int, settings: ModelSettings, client: LLMClient,
    near: NearCopyFilter | None = None,
) -> Proposals:
    """Up to `n` model-proposed personas that validate and are no near-copies."""
    near = near or NearCopyFilter()
    for persona in library:
        near.add(persona)
    ids = {p.id for p in library}
    result = Proposals(source=f"model {settings.model}", wanted=n)
    for round_number in range(MAX_ROUNDS):
        missing = n - len(result.personas)
        if missing <= 0:
            break
        messages = [
            SystemMessage(content=prompt(library, result.personas, missing + EXTRA)),
            UserMessage(content=USER_TURN),
        ]
        completion = await client.complete(
            settings, messages, response_format={"type": "json_object"}, cache_salt=f"personas:{round_number}"
        )
        try:
            items = proposals_in(completion.raw_content)
        except ValueError as exc:
            result.invalid.append(f"reply {round_number + 1}: {exc}")
            continue
        for item in items:
            if len(result.personas) >= n:
                break
            persona, problem = check_proposal(item, ids)
            if persona is None:
                result.invalid.append(problem or "invalid")
                continue
            rejection = near.offer(persona)
            if rejection is not None:
                result.near_copies.append((persona.id, rejection))
                continue
            result.personas.append(persona)
    return result
