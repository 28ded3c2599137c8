"""The rule layer's verdict is built without pydantic validating it again (`rules_verdict`): it
must be the very model `Verdict.model_validate` makes, down to the fields set, or a verdict
line, a later model judgement or an override could differ."""

from __future__ import annotations

from simulator.core.records import ModelJudgement, RuleCheck, Verdict
from simulator.judge.checks import rules_verdict


def _validated(trace_id, checks, failed):
    return Verdict.model_validate({"trace_id": trace_id, "checks": list(checks), "model": {"status": "not_run"},
                                   "decision": "reject" if failed else "accept", "reasons": list(failed)})


def _same(built: Verdict, validated: Verdict) -> None:
    assert type(built) is Verdict
    assert built.__dict__ == validated.__dict__
    assert list(built.__dict__) == list(validated.__dict__)
    assert built.__pydantic_fields_set__ == validated.__pydantic_fields_set__
    assert built.__pydantic_extra__ == validated.__pydantic_extra__
    assert built.__pydantic_private__ == validated.__pydantic_private__
    assert type(built.model) is ModelJudgement
    assert list(built.model.__dict__.items()) == list(validated.model.__dict__.items())
    assert built.model.__pydantic_fields_set__ == validated.model.__pydantic_fields_set__
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump_json(exclude_unset=True) == validated.model_dump_json(exclude_unset=True)
    assert built.model_dump_json(exclude_defaults=True) == validated.model_dump_json(exclude_defaults=True)
    assert built == validated


def test_an_accepted_and_a_rejected_verdict_are_what_validation_makes():
    checks = [RuleCheck(name="a", passed=True), RuleCheck(name="b", passed=False, reason="why")]
    _same(rules_verdict("t-1", list(checks), []), _validated("t-1", checks, []))
    _same(rules_verdict("t-2", list(checks), ["b"]), _validated("t-2", checks, ["b"]))


def test_each_verdict_has_its_own_model_judgement_and_lists():
    one, two = rules_verdict("t-1", [], []), rules_verdict("t-2", [], [])
    assert one.model is not two.model
    assert one.model.scores is not two.model.scores and one.model.votes is not two.model.votes
    assert one.overrides is not two.overrides
    assert one.__pydantic_fields_set__ is not two.__pydantic_fields_set__
    one.model.scores["x"] = 1.0
    assert two.model.scores == {}


def test_a_trace_id_of_another_type_is_validated_as_before():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        rules_verdict(3, [], [])  # type: ignore[arg-type]
