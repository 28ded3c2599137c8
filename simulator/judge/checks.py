"""The rule checks' extension point: `@check`, what a check sees (`JudgeContext`), and the run of
every check over one trace.

A check is a function of one `JudgeContext` that returns the problems it found (empty: passed)
or `Skip("why")` when it does not apply to the trace. Every check runs on every trace and is
recorded in the verdict under its name, passed or not, in registration order: toolsim's own
checks first (`simulator.judge.rules`), then plugins' (installed packages, through the `toolsim`
entry points), then the pack's own (`@sims.check` in its tool-sim module). A trace is accepted
iff every check passes.

    from simulator import JudgeContext, check

    @check("refund_not_above_total")
    def refund_not_above_total(ctx: JudgeContext) -> list[str]:
        return [f"refund of {a['amount']} > order total" for name, a in ctx.calls() if ...]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from simulator.core.identity_memo import by_identity
from simulator.core.records import ModelJudgement, RuleCheck, Trace, Verdict
from simulator.core.registry import Registry
from simulator.judge.conversation import ConversationView
from simulator.judge.expected import ExpectedMatch
from simulator.spec import ExpectedCall, Scenario, ToolSpec
from simulator.spec.pack import Pack
from simulator.spec.toolkit import State
from simulator.simulate.environment import seeded_state

MAX_LISTED = 3  # problems spelled out in a reason; the rest are counted


class Skip(str):
    """What a check returns when it does not apply to a trace; the text says why (it is recorded
    as a passed check with that reason)."""


@dataclass(slots=True)
class JudgeContext:
    """Everything a check may read about one trace, computed once for all checks."""

    trace: Trace
    pack: Pack
    scenario: Scenario | None  # None: the trace's scenario is not in this pack
    view: ConversationView  # every tool call with its evidence and result (`simulator.judge.conversation`)
    match: ExpectedMatch | None  # the blueprint's expected calls against the real ones
    today: date  # the episode's simulated day
    cache: dict[str, Any] = field(default_factory=dict)  # what one check computes and another reuses

    def seeded_state(self) -> State:
        """The episode's tool state as seeded, before any call ({} for schema-only tools and
        for a pack read back from a run's pack.json, which has no sims). Do not mutate."""
        if "seeded_state" not in self.cache:
            self.cache["seeded_state"] = seeded_state(self.pack.domain, self.trace.episode.seed, self.today)
        return self.cache["seeded_state"]

    @property
    def tools(self) -> dict[str, ToolSpec]:
        return self.pack.domain.tools

    @property
    def expected(self) -> list[ExpectedCall]:
        return list(_expected_calls(self.scenario)) if self.scenario else []  # a list of its own: a plugin may change it

    @property
    def no_tool(self) -> bool:
        """The scenario expects no call at all."""
        return not self.expected if self.scenario is not None else self.trace.episode.tool is None

    def calls(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """(tool name, parsed arguments or None when they are not a JSON object) of every call."""
        for site in self.view.calls:
            yield site.call.name, site.args


@by_identity(4096)
def _expected_calls(scenario: Scenario) -> tuple[ExpectedCall, ...]:
    """A scenario's expected calls in order, listed once per scenario (asked twice per trace:
    walking its turns cost ~1 % of judging)."""
    return tuple(call for turn in scenario.turns for call in turn.expect)


Findings = Sequence[str] | Skip


class Check(Protocol):
    def __call__(self, ctx: JudgeContext) -> Findings: ...


CHECKS: Registry[Check] = Registry("judge check")


def check(name: str | None = None) -> Callable[[Check], Check]:
    """Register a rule check under `name` (default: the function's name)."""

    def register(fn: Check) -> Check:
        return CHECKS.add(name or fn.__name__, fn, fn.__module__)

    return register


def check_names(pack: Pack | None = None) -> list[str]:
    """The names a verdict lists, in order (with a pack: including the pack's own checks)."""
    return [name for name, _ in _checks_for(pack)]


def _checks_for(pack: Pack | None) -> list[tuple[str, Check]]:
    found = [(e.name, e.value) for e in CHECKS.entries()]
    sims = pack.domain.sims if pack is not None else None
    if sims is not None:
        found += list(sims.checks.items())
    return found


def rule_check(name: str, findings: Findings) -> RuleCheck:
    """A check's findings as the verdict records them."""
    return RuleCheck(**check_row(name, findings))


def check_row(name: str, findings: Findings) -> dict[str, Any]:
    """A check's findings as the fields of its `RuleCheck` (`verdict_checks` makes the checks of a
    verdict from these rows, most of them without building a model)."""
    if isinstance(findings, Skip):
        return {"name": name, "passed": True, "reason": str(findings)}
    problems = findings if type(findings) is list else list(findings)
    if not problems:
        return {"name": name, "passed": True, "reason": ""}
    listed = "; ".join(str(p) for p in problems[:MAX_LISTED])
    more = f" (+{len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
    return {"name": name, "passed": False, "reason": listed + more}


def run_checks(ctx: JudgeContext) -> list[RuleCheck]:
    return [RuleCheck(**row) for row in check_rows(ctx)]


_PASSED: dict[tuple[str, str], RuleCheck] = {}


def verdict_checks(rows: list[dict[str, Any]]) -> list[RuleCheck]:
    """The rows as a verdict's checks. A passed check (a name and a skip reason, at most) is one
    shared `RuleCheck` per process: building and validating fourteen of them per trace cost
    more than most checks. Verdicts are records: nothing changes a check in place."""
    checks = []
    for row in rows:
        if row["passed"]:
            key = (row["name"], row["reason"])
            check = _PASSED.get(key)
            if check is None:
                if len(_PASSED) >= 4096:  # skip reasons can name values: keep the table bounded
                    _PASSED.clear()
                check = _PASSED[key] = RuleCheck(**row)
            checks.append(check)
        else:
            checks.append(RuleCheck(**row))
    return checks


_new = object.__new__
_set = object.__setattr__


def rules_verdict(trace_id: str, checks: list[RuleCheck], failed: list[str]) -> Verdict:
    """`Verdict.model_validate` of the rule layer's verdict (model `not_run`), made as that makes
    it — the same `__dict__` in field order, the same fields set, a fresh `ModelJudgement` —
    without pydantic checking values already of their types (~2.5 of ~5 us a trace; the
    tests compare the two). A trace id of another type is validated as before."""
    if type(trace_id) is not str:
        return Verdict.model_validate({"trace_id": trace_id, "checks": checks, "model": {"status": "not_run"},
                                       "decision": "reject" if failed else "accept", "reasons": failed})
    model = _new(ModelJudgement)
    _set(model, "__dict__", {"status": "not_run", "model": None, "prompt_hash": None, "raw": None, "rationale": None,
                             "scores": {}, "passed": None, "reason": None, "agreement": None, "votes": []})
    _set(model, "__pydantic_fields_set__", {"status"})
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    verdict = _new(Verdict)
    _set(verdict, "__dict__", {"trace_id": trace_id, "checks": checks, "model": model,
                               "decision": "reject" if failed else "accept", "reasons": failed, "overrides": []})
    _set(verdict, "__pydantic_fields_set__", {"trace_id", "checks", "model", "decision", "reasons"})
    _set(verdict, "__pydantic_extra__", None)
    _set(verdict, "__pydantic_private__", None)
    return verdict


def check_rows(ctx: JudgeContext) -> list[dict[str, Any]]:
    """Every check's row (`check_row`), in verdict order."""
    return [_run_check(name, fn, ctx) for name, fn in _checks_for(ctx.pack)]


def _run_check(name: str, fn: Any, ctx: JudgeContext) -> dict[str, Any]:
    """One check; a check that raises (a plugin's or a pack's bug, its own BaseException
    included) fails the trace with the error instead of ending the run with a traceback."""
    try:
        return check_row(name, fn(ctx))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        try:
            text = str(exc)
        except Exception:  # noqa: BLE001 - a broken __str__
            text = ""
        reason = f"the check itself failed: {type(exc).__name__}: {text}".encode("utf-8", "replace").decode("utf-8")
        return {"name": name, "passed": False, "reason": reason}
