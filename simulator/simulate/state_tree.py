"""Copying and diffing JSON-like trees: an episode's state as its sims change it.

The environment copies the seeded state once per episode that writes (so the seeded snapshot
stays intact for the diff and the judge's replay) and diffs it against that snapshot at the
end; the judge diffs expected against actual states. Both run per episode, so both are written
for the shape of states: dicts and lists of mostly strings and numbers.
"""

from __future__ import annotations

import copy
import gc
import marshal
import platform
from typing import Any

from simulator.core.records import StateChange


def copy_tree(value: Any) -> Any:
    """A deep copy of JSON-like data: no dict or list is shared with `value` (one that appears
    twice in it appears twice in the copy, as with `copy.deepcopy`), immutable leaves are. Plain
    dicts and lists are copied by `_copy_json`; anything else by `marshal` (in C), or, for what it
    cannot serialise (dates, custom objects), the slower Python path."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value  # immutable: nothing to copy
    if type(value) is dict or type(value) is list:
        return _copy_json(value, {})
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:
        return _copy_python(value)


_ATOMS = frozenset({str, int, float, bool, type(None)})
# CPython tracks a dict for the garbage collector as soon as a container is put in it, so an
# untracked dict holds only atoms (and tuples of atoms), and a shallow copy of it is a deep one.
_FLAT_WHEN_UNTRACKED = platform.python_implementation() == "CPython"
_is_tracked = gc.is_tracked


def _copy_json(value: dict[Any, Any] | list[Any], memo: dict[int, Any]) -> Any:
    """Copy a dict or list with its containers, sharing its strings and numbers. Cheaper than a
    `marshal` round trip, which makes every string again: a state's records are mostly strings,
    and each episode that writes copies its state once. `memo` keeps containers that appear
    twice shared. A member dict that holds only atoms (untracked, see above) is copied right
    here rather than by a call of its own: most of a state's containers are such leaves (an
    order's address, each of its items)."""
    key = id(value)
    done = memo.get(key)
    if done is not None:
        return done
    out = memo[key] = value.copy()
    if type(value) is dict:
        if _FLAT_WHEN_UNTRACKED and not _is_tracked(value):
            return out
        members: Any = value.items()
    else:
        members = enumerate(value)
    for name, member in members:
        kind = type(member)
        if kind in _ATOMS:
            continue
        if kind is dict and _FLAT_WHEN_UNTRACKED and not _is_tracked(member):
            leaf = memo.get(id(member))
            if leaf is None:
                leaf = memo[id(member)] = member.copy()
            out[name] = leaf
        elif kind is dict or kind is list:
            out[name] = _copy_json(member, memo)
        else:
            out[name] = copy_tree(member)
    return out


def _copy_python(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_python(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_python(v) for v in value)
    return copy.deepcopy(value)


def _pointer_part(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def diff_values(before: Any, after: Any, path: str = "") -> list[StateChange]:
    """Every changed, added or removed value between two JSON-like trees, as JSON-pointer paths.
    Containers are compared member by member; anything else (or a change of type) is reported
    as one change of the whole value. Added values have `before=None`, removed ones `after=None`.
    Equal containers are skipped with one C-level `==`, so untouched records cost almost nothing
    (which also means 1 → 1.0 inside a container is not a change). Two dicts (a state) are not
    compared whole first: walking their members tells the same, and on a changed state the whole
    `==` was a second walk of it."""
    if type(before) is dict and type(after) is dict:
        changes, equal = _dict_changes(before, after, path)
        return [] if equal else changes
    if type(before) is type(after) and isinstance(before, (dict, list)) and before == after:
        return []
    return _diff_unequal(before, after, path)


def _dict_changes(before: dict[Any, Any], after: dict[Any, Any], path: str) -> tuple[list[StateChange], bool]:
    """The member-by-member changes of two dicts, and whether `before == after` (which is: the
    same keys, and each pair of members identical or `==`, as the dict comparison sees them)."""
    changes: list[StateChange] = []
    equal = True
    for key, old in before.items():
        if key in after:
            new = after[key]
            if type(old) is type(new):
                if old == new:
                    continue  # what the call below would find, without making the member's path
                equal = equal and old is new  # (a NaN is equal to itself only as one object)
            else:
                equal = equal and old == new
            changes += _diff_unequal(old, new, f"{path}/{_pointer_part(key)}")
        else:
            equal = False
            changes.append(_change(f"{path}/{_pointer_part(key)}", copy_tree(old), None))
    for key, new in after.items():
        if key not in before:
            equal = False
            changes.append(_change(f"{path}/{_pointer_part(key)}", None, copy_tree(new)))
    return changes, equal


def _diff_unequal(before: Any, after: Any, path: str) -> list[StateChange]:
    """`diff_values` of two values its caller found unequal (or, containers, of different types):
    the members' own calls skip the whole-value `==` the parent already made (on the changed path
    of a state it walked each record up to its change again, level by level)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return _dict_changes(before, after, path)[0]
    if isinstance(before, list) and isinstance(after, list):
        changes = []
        common = min(len(before), len(after))
        for index, (old, new) in enumerate(zip(before, after)):
            if not (type(old) is type(new) and old == new):  # (as for a dict's members)
                changes += _diff_unequal(old, new, f"{path}/{index}")
        for index in range(common, len(before)):  # removed from the end
            changes.append(_change(f"{path}/{index}", copy_tree(before[index]), None))
        for index in range(common, len(after)):  # added at the end
            changes.append(_change(f"{path}/{index}", None, copy_tree(after[index])))
        return changes
    if before == after and type(before) is type(after):
        return []
    return [_change(path or "/", copy_tree(before), copy_tree(after))]


_FIELDS_GIVEN = frozenset({"path", "before", "after"})
_new = object.__new__
_set = object.__setattr__


def _change(path: str, before: Any, after: Any) -> StateChange:
    """`StateChange(path=path, before=before, after=after)` without pydantic looking at values it
    takes as they are (`Any`) and a path made here as a str: the same `__dict__` and fields set,
    at a quarter of the cost, for every change of every episode and of the judge's replays."""
    change = _new(StateChange)
    _set(change, "__dict__", {"path": path, "before": before, "after": after})
    _set(change, "__pydantic_fields_set__", set(_FIELDS_GIVEN))
    _set(change, "__pydantic_extra__", None)
    _set(change, "__pydantic_private__", None)
    return change


if tuple(StateChange.model_fields) != ("path", "before", "after"):  # a field added must be given above too
    raise ImportError(f"_change builds a StateChange of path, before, after; it has {tuple(StateChange.model_fields)}")
