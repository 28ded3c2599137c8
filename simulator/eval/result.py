"""`eval.json`: what an evaluation wrote, and reading it back (`--compare`, the badcase stubs, the
HTML report's eval section, which reads the same keys without importing this package).

Top-level keys: `toolsim_eval` (format version), `kind` (`turns` or `episodes`), `model` (the
settings, never a key), `source` (the run directory or scenario file), `split`, `created_at`,
`measured` / `not_measured` (plain sentences: what the figures cover), `usage` (calls, cached
calls, tokens, cost), `errors` (infrastructure failures, left out of every score), `metrics`,
`groups` (per tool, category, behaviour, persona, language, kind: the accuracy of its items)
and `items` (every item's reference, the model's output and its per-metric result); an
episode-level file has `tasks`, `pass_hat` and `trials` instead of `items`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulator.core.atomic import atomic_write
from simulator.core.errors import InputError
from simulator.core.records import RoleUsage

FORMAT_VERSION = 1
KINDS = ("turns", "episodes")


def usage_dict(usage: RoleUsage) -> dict[str, Any]:
    return {
        "calls": usage.calls, "cached_calls": usage.cached_calls, "requests": usage.calls - usage.cached_calls,
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens, "cost_usd": usage.cost_usd,
    }


def write_result(path: Path, result: dict[str, Any]) -> None:
    """Atomically: a killed eval never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(json.dumps({"toolsim_eval": FORMAT_VERSION, **result}, ensure_ascii=False, indent=1))
        f.write("\n")


def read_result(path: Path) -> dict[str, Any]:
    """An eval.json written by `toolsim eval`, or a `path: what is wrong` input error."""
    if not path.is_file():
        raise InputError.single(str(path), "no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("toolsim_eval") != FORMAT_VERSION or data.get("kind") not in KINDS:
        raise InputError.single(str(path), "not an eval result written by `toolsim eval` (no toolsim_eval/kind keys)")
    return data
