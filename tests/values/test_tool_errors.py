"""Declared errors of schema-only tools (`errors:` in a tools.yaml): which call meets which rule,
and the error result the environment gives instead of a drawn value."""

import json

from simulator.core.messages import ToolCall
from simulator.simulate.environment import ToolEnvironment
from simulator.spec import DomainConfig, ToolSpec
from simulator.spec.pack import Domain
from simulator.values.tool_errors import declared_error, holds

REFILL = ToolSpec.model_validate({
    "name": "refill_prescription",
    "description": "Refill a prescription",
    "parameters": {"type": "object", "properties": {"rx_id": {"type": "string"}, "note": {"type": "string"}},
                   "required": ["rx_id"]},
    "returns": {"type": "object", "properties": {"rx_id": {"type": "string"}, "status": {"enum": ["requested"]}},
                "required": ["rx_id", "status"]},
    "errors": [
        {"when": {"args": {"rx_id": {"pattern": "^RX-9"}}}, "error": "No prescription {rx_id}"},
        {"when": {"facts": {"rx_state": ["expired", "revoked"]}}, "error": "{rx_id} is {rx_state}; ask your doctor"},
        {"when": {"args": {"note": "urgent"}, "facts": {"reason.code": "lost"}}, "error": "Lost {reason} needs a form"},
    ],
})


def test_a_rule_holds_by_value_by_list_or_by_schema():
    assert holds("a", "a") and not holds("a", "b")
    assert holds(["a", "b"], "b") and not holds(["a", "b"], "c")
    assert holds({"pattern": "^RX-9"}, "RX-9001") and not holds({"pattern": "^RX-9"}, "RX-1001")
    assert holds({"minimum": 10}, 12) and not holds({"minimum": 10}, 3)
    assert not holds(1, True) and not holds(True, 1)  # a flag is not a number


def test_the_first_matching_rule_answers_with_its_message_filled():
    assert declared_error(REFILL, {"rx_id": "RX-9001"}, {}) == "No prescription RX-9001"
    assert declared_error(REFILL, {"rx_id": "RX-1001"}, {"rx_state": "expired"}) == "RX-1001 is expired; ask your doctor"
    assert declared_error(REFILL, {"rx_id": "RX-1001"}, {"rx_state": "active"}) is None
    assert declared_error(REFILL, {"rx_id": "RX-1001"}, {}) is None  # an absent fact never matches


def test_every_condition_of_a_rule_must_hold_and_choice_facts_read_by_path():
    lost = {"reason": {"code": "lost", "en": "I lost it", "zh": "丢了"}}
    assert declared_error(REFILL, {"rx_id": "RX-1", "note": "urgent"}, lost) == "Lost lost needs a form"
    assert declared_error(REFILL, {"rx_id": "RX-1"}, lost) is None  # the optional argument is absent
    assert declared_error(REFILL, {"rx_id": "RX-1", "note": "urgent"}, {"reason": {"code": "stolen"}}) is None


def _env(facts):
    domain = Domain(name="t", system_prompt="s", tools={"refill_prescription": REFILL},
                    config=DomainConfig(tools="t.yaml", system_prompt="s"))
    env = ToolEnvironment(domain, seed=3)
    env.set_facts(facts)
    return env


def test_the_environment_answers_a_declared_error_as_an_error_result():
    env = _env({"rx_state": "expired"})
    message = env.call(ToolCall(id="c1", name="refill_prescription", arguments=json.dumps({"rx_id": "RX-1042"})))
    assert message.is_error and json.loads(message.content) == {"error": "RX-1042 is expired; ask your doctor"}
    ok = _env({"rx_state": "active"}).call(ToolCall(id="c1", name="refill_prescription",
                                                     arguments=json.dumps({"rx_id": "RX-1042"})))
    assert not ok.is_error and json.loads(ok.content)["rx_id"] == "RX-1042"


def test_models_never_see_the_declared_errors():
    assert "errors" not in json.dumps(REFILL.openai_tool())
