"""A verdict's JSONL line, put together from pieces pydantic already encoded.

Every episode writes one verdict line, and a verdict is mostly the same fourteen-odd passed
checks: the judge shares one `RuleCheck` object per passed check between all verdicts of a
process, so the same check list comes back verdict after verdict. Its `"checks"` array is
encoded once per distinct list (by the identity of its check objects, which the cache keeps
alive so no id is reused), the offline `ModelJudgement` once, and only the trace id, decision
and reasons are encoded per line — each by pydantic's own serializer, so the line is the very
bytes `jsonl_line(verdict)` gives (`tests/run/test_lines.py` holds it to that). A verdict of
any other shape (overrides, a model's scores, a schema with other fields) is encoded whole.
"""

from __future__ import annotations

from pydantic_core import to_json

from simulator.core.records import ModelJudgement, RuleCheck, Verdict
from simulator.core.rundir import jsonl_line

# The fields `model_dump_json` writes, in its order; another schema makes every line a whole encoding.
_FIELDS = ("trace_id", "checks", "model", "decision", "reasons", "overrides")
_SPLICE = tuple(Verdict.model_fields) == _FIELDS
_CHECKS = RuleCheck.__pydantic_serializer__
_OFFLINE = ModelJudgement()
_OFFLINE_FIELDS = dict(_OFFLINE.__dict__)
_OFFLINE_JSON = ModelJudgement.__pydantic_serializer__.to_json(_OFFLINE).decode()
_CACHE_LIMIT = 1024
_check_lists: dict[tuple[int, ...], tuple[list[RuleCheck], str]] = {}


def _checks_json(checks: list[RuleCheck]) -> str:
    key = tuple(map(id, checks))
    hit = _check_lists.get(key)
    if hit is not None:
        return hit[1]
    text = "[" + ",".join([_CHECKS.to_json(check).decode() for check in checks]) + "]"
    if len(_check_lists) >= _CACHE_LIMIT:  # failed checks are new objects: their lists rarely repeat
        _check_lists.clear()
    _check_lists[key] = (list(checks), text)
    return text


def verdict_line(verdict: Verdict) -> str:
    """`jsonl_line(verdict)`, the same bytes, mostly from cached pieces."""
    model = verdict.model
    if (not _SPLICE or type(verdict) is not Verdict or verdict.overrides or type(model) is not ModelJudgement
            or model.__dict__ != _OFFLINE_FIELDS):
        return jsonl_line(verdict)
    reasons = verdict.reasons
    return (
        '{"trace_id":' + _string(verdict.trace_id)
        + ',"checks":' + _checks_json(verdict.checks)
        + ',"model":' + _OFFLINE_JSON
        + ',"decision":' + _string(verdict.decision)
        + ',"reasons":' + ("[" + ",".join([_string(r) for r in reasons]) + "]" if reasons else "[]")
        + ',"overrides":[]}'
    )


def _string(text: str) -> str:
    """A JSON string as pydantic writes it: quoted as it is when nothing in it needs escaping
    (printable ASCII without quote or backslash: a trace id, a check name), else by pydantic."""
    if type(text) is str and text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return to_json(text).decode()
