"""Human overrides: the last word on a verdict, kept with its history.

An override is appended, never replaces an earlier one, so the audit can show who changed their
mind and why. verdicts.jsonl is rewritten through a temporary file and a rename: a crash leaves
either the old file or the new one, and every line but the overridden verdict stays
byte-identical (diffs and checksums of a run stay meaningful).
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime, timezone

from simulator.core.atomic import atomic_write
from simulator.core.errors import InputError
from simulator.core.records import Decision, Override, Verdict
from simulator.core.rundir import RunDir

DEFAULT_WHO = "human"


def default_who() -> str:
    """$USER, else the login name, else `human`: an override should say who made it."""
    who = os.environ.get("USER")
    if not who:
        try:
            who = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            who = None
    return who or DEFAULT_WHO


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _line_trace_id(line: bytes) -> str | None:
    if not line.strip():
        return None
    try:
        return json.loads(line).get("trace_id")
    except ValueError:
        return None


def add_override(
    run: RunDir,
    trace_id: str,
    decision: Decision,
    reason: str,
    *,
    who: str | None = None,
    when: str | None = None,
) -> Verdict:
    """Append an override to the verdict of `trace_id` and return the updated verdict.

    When a trace has several verdict lines (a re-judged trace), the last one is the one in force
    and the one that gets the override.
    """
    if decision not in ("accept", "reject"):
        raise InputError.single("--override", f"decision must be accept or reject, got {decision!r}")
    if not reason.strip():
        raise InputError.single("--reason", "say why you override the judge (--reason \"…\")")
    path = run.verdicts_path
    lines = path.read_bytes().splitlines(keepends=True) if path.exists() else []
    index = next((i for i in range(len(lines) - 1, -1, -1) if _line_trace_id(lines[i]) == trace_id), None)
    if index is None:
        raise InputError.single(str(path), f"no verdict for trace {trace_id!r}")

    verdict = Verdict.model_validate_json(lines[index])
    override = Override(who=who or default_who(), when=when or utc_now(), decision=decision, reason=reason.strip())
    updated = verdict.model_copy(update={"overrides": [*verdict.overrides, override]})
    ending = b"\n" if lines[index].endswith(b"\n") else b""
    lines[index] = updated.model_dump_json(exclude_none=False).encode("utf-8") + ending
    with atomic_write(path, "wb") as f:
        f.write(b"".join(lines))
    return updated
