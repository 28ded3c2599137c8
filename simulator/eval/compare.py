"""`toolsim eval --compare A.json B.json`: what changed from A (say the base model) to B (fine-tuned).

Per metric: both rates, the delta B − A, and whether it is significant — here, whether the two
Wilson 95 % intervals do not overlap, a conservative reading (non-overlap implies p < 0.05; an
overlap does not prove the opposite). Per group (tool, category, behaviour, …) the same for
accuracy. On the items both evaluations scored (same ids: same run and split), the paired view
counts the items B fixed and the items B broke, which says more than two percentages do.
"""

from __future__ import annotations

from typing import Any


def _is_rate(value: Any) -> bool:
    return isinstance(value, dict) and "rate" in value and "n" in value


def _row(name: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    ra, rb = a.get("rate"), b.get("rate")
    delta = None if ra is None or rb is None else rb - ra
    significant = delta is not None and (b["low"] > a["high"] or b["high"] < a["low"])
    return {"metric": name, "a": ra, "b": rb, "delta": delta, "significant": bool(significant),
            "a_n": a.get("n"), "b_n": b.get("n")}


def _paired(a: dict[str, Any], b: dict[str, Any]) -> dict[str, int] | None:
    def right(result: dict[str, Any]) -> dict[str, bool]:
        return {i["id"]: bool(i["score"]["correct"]) for i in result.get("items") or [] if i.get("status") == "ok"}

    ra, rb = right(a), right(b)
    shared = sorted(set(ra) & set(rb))
    if not shared:
        return None
    return {
        "shared": len(shared),
        "fixed": sum(1 for i in shared if rb[i] and not ra[i]),
        "broke": sum(1 for i in shared if ra[i] and not rb[i]),
        "both_right": sum(1 for i in shared if ra[i] and rb[i]),
        "both_wrong": sum(1 for i in shared if not ra[i] and not rb[i]),
    }


def _warnings(a: dict[str, Any], b: dict[str, Any], paired: dict[str, int] | None) -> list[str]:
    notes = []
    if a["kind"] != b["kind"]:
        notes.append(f"A is a {a['kind']} evaluation and B a {b['kind']} one: their metrics measure different things")
    for key in ("source", "split"):
        if a.get(key) != b.get(key):
            notes.append(f"different {key}: A {a.get(key)!r}, B {b.get(key)!r}")
    items_a = {i["id"] for i in a.get("items") or []}
    items_b = {i["id"] for i in b.get("items") or []}
    if items_a != items_b and (items_a or items_b):
        notes.append(f"the evaluations scored different items ({len(items_a)} vs {len(items_b)}, "
                     f"{len(items_a & items_b)} shared): the deltas compare different sets")
    if a.get("errors") or b.get("errors"):
        notes.append(f"infrastructure failures left out: A {a.get('errors', 0)}, B {b.get('errors', 0)}")
    return notes


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The comparison `print_comparison` shows (also the JSON a script may read)."""
    metrics = [_row(name, value, b["metrics"][name]) for name, value in a["metrics"].items()
               if _is_rate(value) and _is_rate(b["metrics"].get(name))]
    for k, value in (a.get("pass_hat") or {}).items():
        other = (b.get("pass_hat") or {}).get(k)
        if other is not None:
            metrics.append({"metric": f"pass^{k}", "a": value, "b": other, "delta": other - value,
                            "significant": False, "a_n": None, "b_n": None})
    groups: dict[str, list[dict[str, Any]]] = {}
    for group, values in (a.get("groups") or {}).items():
        other = (b.get("groups") or {}).get(group) or {}
        rows = [{**_row(value, rate, other[value]), "value": value} for value, rate in values.items() if value in other]
        if rows:
            groups[group] = rows
    paired = _paired(a, b)
    return {"metrics": metrics, "groups": groups, "paired": paired, "warnings": _warnings(a, b, paired)}
