"""The judge: rules first, then (optionally) a model, then humans.

`judge` runs the rule layer, which is all the offline mode has. The model layer plugs in through
`with_model`: the caller (the runner) asks a judge model only about traces the rules accepted — a
trace rejected by rules never costs a judge call — and folds its judgement into the verdict. A
judgement that could not be parsed (`unscored`) is never an accept. Human overrides live on the
verdict (`Verdict.overrides`) and win in `Verdict.final_decision`.
"""

from __future__ import annotations

from simulator.core.records import ModelJudgement, Trace, Verdict
from simulator.judge.checks import JudgeContext, Skip, check, check_names
from simulator.judge.rules import CHECK_NAMES, judge_rules
from simulator.spec.pack import Pack


def judge(trace: Trace, pack: Pack) -> Verdict:
    """The verdict of every layer that runs without a model (today: the rules)."""
    return judge_rules(trace, pack)


def needs_model(verdict: Verdict) -> bool:
    """Whether a judge model should look at this trace at all."""
    return verdict.decision == "accept" and verdict.model.status == "not_run"


def with_model(verdict: Verdict, judgement: ModelJudgement, threshold: float | None = None) -> Verdict:
    """The verdict after the model layer: accept iff the rules accepted and the model scored the
    trace and passed it. A model rejection is recorded in `reasons` as `model_failed` (or
    `model_unscored`), short labels that statistics can group, plus `criterion:<name>` for each
    rubric criterion scored below `threshold` (so audits can filter by criterion); the why stays
    in the judgement."""
    accepted = verdict.decision == "accept" and judgement.status == "scored" and judgement.passed is True
    reasons = list(verdict.reasons)
    if verdict.decision == "accept" and not accepted:
        reasons.append("model_failed" if judgement.status == "scored" else "model_unscored")
        if threshold is not None:
            reasons.extend(f"criterion:{name}" for name, score in judgement.scores.items() if score < threshold)
    return verdict.model_copy(
        update={"model": judgement, "decision": "accept" if accepted else "reject", "reasons": reasons}
    )


__all__ = [
    "CHECK_NAMES", "JudgeContext", "Skip", "check", "check_names", "judge", "judge_rules", "needs_model", "with_model",
]
