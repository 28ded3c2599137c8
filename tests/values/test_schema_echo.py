"""Schema-only results that agree with the conversation: the facts the user said, the category
asked for in every listed item, and what an earlier result said about the same identifier."""

import json

from simulator.core.messages import ToolCall
from simulator.simulate.environment import ToolEnvironment
from simulator.spec import DomainConfig, ToolSpec
from simulator.spec.pack import Domain

SPECIALTIES = ["cardiology", "dermatology", "pediatrics"]
MEDS = ["lisinopril", "amlodipine", "metformin", "atorvastatin"]
TOOLS = [
    {"name": "check_prescription", "description": "Check a prescription",
     "parameters": {"type": "object", "properties": {"rx_id": {"type": "string"}}, "required": ["rx_id"]},
     "returns": {"type": "object", "required": ["rx_id", "medication", "refills_left"], "properties": {
         "rx_id": {"type": "string"}, "medication": {"enum": MEDS},
         "refills_left": {"type": "integer", "minimum": 0, "maximum": 5}}}},
    {"name": "refill_prescription", "description": "Refill a prescription",
     "parameters": {"type": "object", "properties": {"rx_id": {"type": "string"}}, "required": ["rx_id"]},
     "returns": {"type": "object", "required": ["rx_id", "medication", "status"], "properties": {
         "rx_id": {"type": "string"}, "medication": {"enum": MEDS}, "status": {"enum": ["requested"]}}}},
    {"name": "find_doctor", "description": "Find doctors",
     "parameters": {"type": "object", "properties": {"specialty": {"enum": SPECIALTIES}}, "required": ["specialty"]},
     "returns": {"type": "object", "required": ["doctors"], "properties": {"doctors": {
         "type": "array", "minItems": 3, "maxItems": 3, "items": {"type": "object", "required": ["id", "name", "specialty"],
         "properties": {"id": {"type": "string", "pattern": "^DOC-[0-9]{3}$"}, "name": {"type": "string"},
                        "specialty": {"enum": SPECIALTIES}}}}}}},
    {"name": "book_appointment", "description": "Book a doctor",
     "parameters": {"type": "object", "properties": {"doctor_id": {"type": "string"}}, "required": ["doctor_id"]},
     "returns": {"type": "object", "required": ["appointment_id", "doctor_id", "doctor_name", "name"], "properties": {
         "appointment_id": {"type": "string", "pattern": "^APT-[0-9]{4}$"}, "doctor_id": {"type": "string"},
         "doctor_name": {"type": "string"}, "name": {"type": "string"}}}},
]


def _env(facts, seed=1):
    tools = {t["name"]: ToolSpec.model_validate(t) for t in TOOLS}
    env = ToolEnvironment(Domain(name="t", system_prompt="s", tools=tools,
                                 config=DomainConfig(tools="t.yaml", system_prompt="s")), seed=seed)
    env.set_facts(facts)
    return env


def _call(env, name, **args):
    return json.loads(env.call(ToolCall(id="c", name=name, arguments=json.dumps(args))).content)


def test_the_medication_the_user_named_is_the_one_returned():
    for seed in range(12):
        for med in MEDS:
            result = _call(_env({"medication": {"code": med, "en": med, "zh": med}, "rx_id": "RX-1"}, seed),
                           "check_prescription", rx_id="RX-1")
            assert result["medication"] == med


def test_a_fact_that_breaks_the_schema_is_not_forced_in():
    result = _call(_env({"medication": "aspirin"}), "check_prescription", rx_id="RX-1")
    assert result["medication"] in MEDS


def test_a_search_for_a_category_lists_only_that_category_but_facts_stay_out_of_lists():
    for seed in range(8):
        result = _call(_env({"name": "Ana Silva"}, seed), "find_doctor", specialty="pediatrics")
        assert [d["specialty"] for d in result["doctors"]] == ["pediatrics"] * 3
        assert all(d["name"] != "Ana Silva" for d in result["doctors"])  # the user is not every doctor


def test_an_identifier_seen_before_keeps_what_was_said_about_it():
    for seed in range(8):
        env = _env({}, seed)
        first = _call(env, "check_prescription", rx_id="RX-7")
        again = _call(env, "refill_prescription", rx_id="RX-7")
        assert again["medication"] == first["medication"]
        doctors = _call(env, "find_doctor", specialty="cardiology")["doctors"]
        booked = _call(env, "book_appointment", doctor_id=doctors[1]["id"])
        assert booked["doctor_name"] == doctors[1]["name"]  # `name` of the object whose `id` it is
        other = _call(env, "book_appointment", doctor_id=doctors[1]["id"])
        assert other["doctor_name"] == booked["doctor_name"]


def test_the_same_episode_plays_the_same_way():
    def play():
        env = _env({"medication": "metformin"}, 5)
        return [_call(env, "check_prescription", rx_id="RX-2"), _call(env, "find_doctor", specialty="dermatology")]
    assert play() == play()
