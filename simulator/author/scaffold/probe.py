"""What a Python tool sim accepts and refuses, found by calling it on its own seeded state.

A new pack's scenarios must be playable: a refund of an order that is not delivered yet fails,
and a blueprint that expects it to succeed is rejected in every episode. So for each tool whose
required arguments a state collection holds (`order_id` in `orders`, or `id` in `doctors` for a
`doctor_id`), the sim is called once per record, on a fresh copy of the state: the records it
accepts give the scenario's `record.where` (`{status: delivered}` when only those work), and the
ones it refuses give an error-recovery scenario (`{status: processing}`, `expect_error: true`).
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from simulator.spec.toolkit import SimContext, State, ToolError, ToolSimModule
from simulator.spec.tools import ToolSpec
from simulator.values.schema_fields import singular


@dataclass
class Probe:
    """One tool against one collection: which field gives which argument, and what happened."""

    collection: str
    fields: dict[str, str]  # parameter -> field of the record
    works: dict[str, Any] | None = None  # a `record.where` whose records the tool accepts
    fails: dict[str, Any] | None = None  # a `record.where` whose records the tool refuses
    error: str = ""  # what it said when it refused
    extra: dict[str, Any] = field(default_factory=dict)  # arguments not from the record


def fields_for(state: State, params: list[str], tool: str = "") -> tuple[str, dict[str, str]] | None:
    """The collection whose records hold the most of `params` (each by its own name, or `id`
    for `<singular of the collection>_id`) — on a tie, the one the tool's name mentions
    (`search_martial_art` reads `martial_arts`) — or None when none holds any."""
    best: tuple[tuple[int, int], str, dict[str, str]] | None = None
    for collection, records in sorted(state.items()):
        if not records or not isinstance(records[0], dict):
            continue
        keys = set(records[0])
        found = {}
        for param in params:
            if param in keys:
                found[param] = param
            elif param == f"{singular(collection)}_id" and "id" in keys:
                found[param] = "id"
        score = (len(found), int(singular(collection) in tool or collection in tool))
        if found and (best is None or score > best[0]):
            best = (score, collection, found)
    return (best[1], best[2]) if best else None


def probe(sims: ToolSimModule, spec: ToolSpec, state: State, today: date, extra: dict[str, Any]) -> Probe | None:
    """Call the sim once per record of the collection that holds its required arguments."""
    registered = sims.tools.get(spec.name)
    found = fields_for(state, list(extra), spec.name)
    if registered is None or found is None:
        return None
    collection, fields = found
    records = [r for r in state[collection] if isinstance(r, dict)]
    outcomes: list[tuple[dict[str, Any], str | None]] = []
    for record in records:
        args = {**{p: v for p, v in extra.items() if p not in fields}, **{p: record.get(f) for p, f in fields.items()}}
        ctx = SimContext(state=copy.deepcopy(state), rng=random.Random(0), today=today)
        try:
            registered.fn(ctx, **args)
            outcomes.append((record, None))
        except ToolError as exc:
            outcomes.append((record, str(exc)))
        except Exception:  # noqa: BLE001 - a sim bug: `validate` reports it; no scenario is built on it
            outcomes.append((record, "crash"))
    result = Probe(collection, fields, extra={p: v for p, v in extra.items() if p not in fields})
    good = [r for r, err in outcomes if err is None]
    bad = [(r, err) for r, err in outcomes if err not in (None, "crash")]
    refused = [r for r, _ in outcomes if r not in good]
    result.works = {} if good and not refused else _where(good, refused)
    if bad:
        result.fails = _where([r for r, _ in bad], good)
        result.error = bad[0][1] or ""
    return result


def _where(wanted: list[dict[str, Any]], others: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A filter on one field true of every wanted record and of none of the others (`{status:
    delivered}`, or a list of values: `{status: [processing, shipped]}`), or None. Only
    categorical fields (a status, a flag: few values among many records) — a date or a price
    changes from one seeded state to the next, and the filter would match nothing."""
    if not wanted:
        return None
    records = wanted + others
    for key in sorted(wanted[0]):
        if key == "id" or key.endswith("_id"):
            continue
        values = [r.get(key) for r in records]
        if not all(isinstance(v, (str, bool)) for v in values) or any(any(c.isdigit() for c in str(v)) for v in values):
            continue
        if len(set(values)) > max(2, len(records) // 3):
            continue
        mine = sorted({r.get(key) for r in wanted}, key=str)
        theirs = {r.get(key) for r in others}
        if not theirs.intersection(mine):
            return {key: mine[0] if len(mine) == 1 else mine}
    return None
