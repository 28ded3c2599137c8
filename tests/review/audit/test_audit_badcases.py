"""`--export-badcases FILE`: rejected traces become `hard` scenario stubs that validate as written.

Decision: a stub validates against `simulator.spec.Scenario` as exported (TODOs are YAML
comments, not placeholders in required fields), so a user can paste it and iterate; its `{slot}`
placeholders all refer to slots the stub defines.
"""

import json

import pytest
import yaml

from simulator.core.errors import InputError
from simulator.review.audit.badcases import stub_id, templated
from simulator.spec import Scenario
from simulator.spec.blueprint import placeholders
from tests.review.audit.sample_run import run_cli, write_sample_run


@pytest.fixture
def sample(tmp_path):
    return write_sample_run(tmp_path / "run")


def _export(sample, tmp_path, *extra):
    out = tmp_path / "bad" / "cases.yaml"
    assert run_cli(["audit", str(sample.run.path), "--export-badcases", str(out), *extra]) == 0
    return out.read_text(encoding="utf-8")


def _stubs(text):
    return {s["id"]: s for s in yaml.safe_load(text)["scenarios"]}


def test_every_rejected_trace_becomes_a_valid_hard_scenario(sample, tmp_path):
    text = _export(sample, tmp_path)
    stubs = _stubs(text)
    rejected = ("schema", "multi_turn", "model_failed", "chinese")  # the overridden one was accepted by a human
    assert set(stubs) == {stub_id(sample.ids[k]) for k in rejected}
    for stub in stubs.values():
        scenario = Scenario.model_validate(stub)
        assert scenario.category == "hard"
        used = {p.split(".")[0] for turn in stub["turns"] for p in placeholders(json.dumps(turn["say"], ensure_ascii=False))}
        assert used <= set(stub.get("slots", {}))


def test_stub_keeps_goal_slots_and_blueprint_and_templates_the_user_text(sample, tmp_path):
    stub = _stubs(_export(sample, tmp_path))[stub_id(sample.ids["schema"])]
    assert stub["goal"] == "get a refund for a broken item"
    assert stub["slots"] == {"order_id": {"field": "order_id"}}
    assert stub["record"] == {"collection": "orders", "where": {"status": "delivered"}}
    assert stub["turns"] == [{
        "say": "ord {order_id} broke, refund pls",
        "expect": [{"tool": "initiate_refund", "args": {"order_id": "{order_id}", "reason": "defective"}}],
    }]  # the goodbye carrying the stop token is not a turn


def test_multi_turn_stub_places_calls_where_the_assistant_made_them(sample, tmp_path):
    stub = _stubs(_export(sample, tmp_path))[stub_id(sample.ids["multi_turn"])]
    says = [t["say"] for t in stub["turns"]]
    assert says == ["where is my last order?", "it's {email}", "ok, cancel it"]
    assert [[c["tool"] for c in t.get("expect", [])] for t in stub["turns"]] == [[], ["lookup_order"], ["cancel_order"]]


def test_non_english_user_text_is_kept_under_its_language(sample, tmp_path):
    stub = _stubs(_export(sample, tmp_path))[stub_id(sample.ids["chinese"])]
    assert stub["turns"][0]["say"] == {"zh": "订单{order_id}坏了，请退款"}
    assert Scenario.model_validate(stub).languages == {"zh"}


def test_comments_say_why_each_trace_was_rejected(sample, tmp_path):
    text = _export(sample, tmp_path)
    assert "# rejected for: arguments_schema, arguments_grounded" in text
    assert "#   arguments_grounded: initiate_refund: order_id='ORD-1' not in the conversation" in text
    assert "#   judge model (scored): The answer 'Done.' gives no refund id." in text
    assert text.count("# TODO: decide what the assistant should do here") == 4


def test_filters_narrow_the_export(sample, tmp_path):
    stubs = _stubs(_export(sample, tmp_path, "--reason", "arguments_grounded"))
    assert set(stubs) == {stub_id(sample.ids["schema"]), stub_id(sample.ids["chinese"])}
    assert _stubs(_export(sample, tmp_path, "--limit", "1")).keys() == {stub_id(sample.ids["schema"])}


def test_scenario_missing_from_the_manifest_gets_a_todo_goal(sample, tmp_path):
    manifest = json.loads(sample.run.manifest_path.read_text())
    manifest["config"]["scenarios"] = []
    sample.run.manifest_path.write_text(json.dumps(manifest))
    text = _export(sample, tmp_path, "--reason", "helpfulness")
    stub = _stubs(text)[stub_id(sample.ids["model_failed"])]
    assert stub["goal"].startswith("TODO")
    assert "is not in the run's manifest" in text
    assert Scenario.model_validate(stub).turns[0].expect == []


def test_nothing_rejected_writes_an_empty_valid_list(sample, tmp_path):
    assert yaml.safe_load(_export(sample, tmp_path, "--persona", "nobody")) == {"scenarios": []}


def test_decision_accept_is_input_error(sample, tmp_path):
    with pytest.raises(InputError, match="rejected traces"):
        run_cli(["audit", str(sample.run.path), "--export-badcases", str(tmp_path / "x.yaml"), "--decision", "accept"])


def test_helpers():
    assert stub_id("r0-00002-Refund.Broken/x") == "hard-r0-00002-refund-broken-x"
    assert templated("order ORD-12345 for a@b.co, qty 2", {"order_id": "ORD-12345", "email": "a@b.co", "qty": 2}) == (
        "order {order_id} for {email}, qty 2"  # too-short values stay literal
    )
    reason = {"reason": {"code": "changed_mind", "en": "I changed my mind", "zh": "我不想要了"}}
    assert templated("refund it, I changed my mind", reason) == "refund it, {reason.en}"
    assert templated("我不想要了，退款", reason) == "{reason.zh}，退款"
