"""load_pack: a valid pack loads; each bad input is reported as the exact `file:line: message`,
and every problem of a file is reported at once.

Each test copies `fixtures/loader/pack` (scenario files, personas, a tools.yaml, a Python sim
module) into tmp_path, runs from there (so messages show short relative paths), and changes one
thing. Expected lines are looked up from a marker in the text written, so the tests say *which*
line they mean.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.core.errors import InputError
from simulator.load.loader import load_pack

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "pack"
SHOP = "scenarios/shop.yaml"
WEATHER = "scenarios/weather.yaml"


class PackDir:
    """The copied fixture pack, with helpers to edit a file and find a line in it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> str:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return rel

    def edit(self, rel: str, old: str, new: str) -> str:
        text = self.text(rel)
        assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
        return self.write(rel, text.replace(old, new))

    def line(self, rel: str, marker: str) -> int:
        hits = [n for n, line in enumerate(self.text(rel).splitlines(), 1) if marker in line]
        assert len(hits) == 1, f"{marker!r} must occur on exactly one line of {rel}: {hits}"
        return hits[0]

    def problems(self, rel: str) -> list[str]:
        with pytest.raises(InputError) as err:
            load_pack(rel)
        return [str(p) for p in err.value.problems]


@pytest.fixture
def pack(tmp_path, monkeypatch) -> PackDir:
    root = tmp_path / "pack"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    return PackDir(root)


# ---------------------------------------------------------------- valid packs


def test_valid_pack_with_python_sims_loads(pack):
    loaded = load_pack(SHOP)
    assert loaded.name == "shop"
    assert loaded.path == Path(SHOP)
    assert loaded.domain.name == "shop"
    assert list(loaded.domain.tools) == ["lookup_order", "initiate_refund"]
    assert loaded.domain.sims is not None and set(loaded.domain.sims.tools) == set(loaded.domain.tools)
    assert loaded.domain.tools_source == "tool_sims/shop.py"
    assert loaded.domain.system_prompt.startswith("You are a helpful shop assistant.")
    assert sorted(loaded.personas) == ["alice", "li"]
    assert loaded.persona_sources == {"alice": "personas/alice.yaml", "li": "personas/li.yaml"}
    assert list(loaded.scenarios) == ["order_status", "refund", "small_talk"]
    assert [p.id for p in loaded.personas_for(loaded.scenarios["order_status"])] == ["alice", "li"]


def test_valid_schema_only_pack_loads(pack):
    loaded = load_pack(WEATHER)
    assert loaded.domain.sims is None
    assert loaded.domain.tools_source == "scenarios/tools.yaml"
    assert [t["function"]["name"] for t in loaded.domain.tool_list()] == ["get_weather", "get_time"]
    assert loaded.domain.system_prompt == "You answer questions about the weather."
    assert list(loaded.personas) == ["alice"]  # a bare id, looked up in ../personas


def test_loading_writes_nothing(pack):
    before = sorted(p for p in pack.root.rglob("*"))
    load_pack(SHOP)
    load_pack(WEATHER)
    assert sorted(p for p in pack.root.rglob("*")) == before  # not even __pycache__


def test_path_is_shown_as_given(pack, monkeypatch):
    pack.edit(SHOP, "goal: Say thanks.", "goal: 3")
    monkeypatch.chdir(pack.root / "scenarios")
    assert pack.problems("shop.yaml")[0].startswith(f"shop.yaml:{pack.line(SHOP, 'goal: 3')}: ")


# ---------------------------------------------------------------- structural errors


def test_yaml_syntax_error(pack):
    pack.edit(SHOP, "goal: Say thanks.", "goal: Say: thanks.")
    line = pack.line(SHOP, "goal: Say: thanks.")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: invalid YAML: mapping values are not allowed here (column 14)"]


def test_unknown_field(pack):
    pack.edit(SHOP, "personas: [alice]", "persona: [alice]")
    line = pack.line(SHOP, "persona: [alice]")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[2]: unknown field 'persona' (did you mean 'personas'?)"]


def test_missing_field(pack):
    pack.edit(SHOP, "    goal: Get a refund for a broken item.\n", "")
    line = pack.line(SHOP, "- id: refund")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[1]: missing field 'goal'"]


def test_wrong_type(pack):
    pack.edit(SHOP, "category: multi-turn", "category: multi-turn\n    weight: abc")
    line = pack.line(SHOP, "weight: abc")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[1].weight: expected a number, got 'abc'"]


def test_not_one_of_the_choices(pack):
    pack.edit(SHOP, "category: positive", "category: postive")
    line = pack.line(SHOP, "category: postive")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].category: must be one of positive, negative, clarification, "
        "multi-turn, error-recovery, hard (got 'postive')"
    ]


def test_persona_file_errors_point_into_the_persona_file(pack):
    pack.edit("personas/li.yaml", "formality: formal", "formality: formal\ntypo_rate: lots")
    line = pack.line("personas/li.yaml", "typo_rate")
    assert pack.problems(SHOP) == [f"personas/li.yaml:{line}: typo_rate: expected a number, got 'lots'"]


def test_scenario_file_that_is_not_a_mapping(pack):
    pack.write(SHOP, "- just\n- a list\n")
    assert pack.problems(SHOP) == [f"{SHOP}:1: expected a mapping with name, domain, personas and scenarios"]


def test_missing_scenario_file(pack):
    assert pack.problems("scenarios/nope.yaml") == ["scenarios/nope.yaml: file not found"]


# ---------------------------------------------------------------- tools


def test_invalid_json_schema_in_tools_yaml(pack):
    pack.edit("scenarios/tools.yaml", "timezone: {type: string}", "timezone: {type: objekt}")
    line = pack.line("scenarios/tools.yaml", "name: get_time") + 2  # the `parameters:` key
    assert pack.problems(WEATHER) == [
        f"scenarios/tools.yaml:{line}: tools[1].parameters: properties.timezone.type: 'objekt' is not a "
        "JSON Schema type (use one of array, boolean, integer, null, number, object, string)"
    ]


def test_parameters_must_be_an_object_schema(pack):
    pack.edit("scenarios/tools.yaml", "      type: object\n      properties:\n        timezone",
              "      type: array\n      properties:\n        timezone")
    line = pack.line("scenarios/tools.yaml", "type: array") - 1
    assert pack.problems(WEATHER) == [f"scenarios/tools.yaml:{line}: tools[1].parameters: must have type: object (got 'array')"]


def test_invalid_json_schema_in_python_tool(pack):
    pack.edit("tool_sims/shop.py", '"reason": {"type": "string", "enum"', '"reason": {"type": "strng", "enum"')
    line = pack.line("tool_sims/shop.py", "def initiate_refund") - 11  # the decorator
    assert pack.problems(SHOP) == [
        f"tool_sims/shop.py:{line}: tool 'initiate_refund': parameters: properties.reason.type: 'strng' is not a "
        "JSON Schema type (use one of array, boolean, integer, null, number, object, string)"
    ]


def test_python_tool_spec_is_validated(pack):
    pack.edit("tool_sims/shop.py", 'description="Refund an order."', "description=42")
    line = pack.line("tool_sims/shop.py", "description=42") - 1
    assert pack.problems(SHOP) == [f"tool_sims/shop.py:{line}: tool 'initiate_refund': description: expected text, got 42"]


def test_duplicate_tool_names_in_tools_yaml(pack):
    pack.edit("scenarios/tools.yaml", "name: get_time", "name: get_weather")
    line = pack.line("scenarios/tools.yaml", "description: Current time") - 1
    assert pack.problems(WEATHER) == [f"scenarios/tools.yaml:{line}: tools[1].name: duplicate tool name 'get_weather'"]


def test_duplicate_tool_names_in_python_module(pack):
    pack.edit("tool_sims/shop.py", 'description="Refund an order.",', 'description="Refund an order.", name="lookup_order",')
    first = pack.line("tool_sims/shop.py", 'description="Look up an order') - 1
    second = pack.line("tool_sims/shop.py", 'name="lookup_order"') - 1
    problems = pack.problems(SHOP)
    assert f"tool_sims/shop.py:{second}: duplicate tool name 'lookup_order' (also registered on line {first})" in problems
    assert len(problems) > 1  # the scenarios' calls of initiate_refund now fail too, each reported


def test_import_error_in_sims_module_points_at_its_line(pack):
    pack.edit("tool_sims/shop.py", 'sims = ToolSimModule("shop")', 'sims = ToolSimModule("shop")\nraise RuntimeError("boom")')
    line = pack.line("tool_sims/shop.py", "boom")
    assert pack.problems(SHOP) == [f"tool_sims/shop.py:{line}: cannot import the tool sims: RuntimeError: boom"]


def test_syntax_error_in_sims_module(pack):
    pack.edit("tool_sims/shop.py", "def seed_state(rng", "def seed_state(rng rng")
    line = pack.line("tool_sims/shop.py", "def seed_state")
    (problem,) = pack.problems(SHOP)
    assert problem.startswith(f"tool_sims/shop.py:{line}: cannot import the tool sims: SyntaxError: ")


def test_module_without_tool_sim_module(pack):
    pack.write("tool_sims/shop.py", "x = 1\n")
    assert pack.problems(SHOP) == [
        'tool_sims/shop.py: no ToolSimModule found: create one, e.g. `sims = ToolSimModule("shop")`'
    ]


def test_missing_tools_file(pack):
    pack.edit(SHOP, "tools: ../tool_sims/shop.py", "tools: ../tool_sims/shopp.py")
    line = pack.line(SHOP, "shopp.py")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain.tools: tool-sim module not found: tool_sims/shopp.py"]


def test_dotted_module_name(pack, monkeypatch):
    package = pack.root / "loader_test_pkg_a1"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(pack.root / "tool_sims" / "shop.py", package / "shop.py")
    monkeypatch.syspath_prepend(str(pack.root))
    pack.edit(SHOP, "tools: ../tool_sims/shop.py", "tools: loader_test_pkg_a1.shop")
    try:
        loaded = load_pack(SHOP)
    finally:  # the package lives in this test's tmp_path: do not leave it importable
        for name in [m for m in sys.modules if m.split(".")[0] == "loader_test_pkg_a1"]:
            del sys.modules[name]
    assert list(loaded.domain.tools) == ["lookup_order", "initiate_refund"]
    assert loaded.domain.tools_source == "loader_test_pkg_a1/shop.py"


def test_unknown_dotted_module_name(pack):
    pack.edit(SHOP, "tools: ../tool_sims/shop.py", "tools: no_such_pkg_zz.shop")
    line = pack.line(SHOP, "no_such_pkg_zz")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain.tools: no Python module named 'no_such_pkg_zz.shop'"]


def test_failing_state_seeder(pack):
    pack.edit("tool_sims/shop.py", "    return {\"orders\": orders}", "    return {\"orders\": orders[9]}")
    line = pack.line("tool_sims/shop.py", "orders[9]")
    assert pack.problems(SHOP) == [
        f"tool_sims/shop.py:{line}: seeding the tool state failed: IndexError: list index out of range"
    ]


# ---------------------------------------------------------------- prompt and personas


def test_missing_system_prompt_file(pack):
    (pack.root / "scenarios" / "prompt.md").unlink()
    line = pack.line(SHOP, "system_prompt_file")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain.system_prompt_file: file not found: scenarios/prompt.md"]


def test_both_system_prompts(pack):
    pack.edit(SHOP, "system_prompt_file: prompt.md", "system_prompt_file: prompt.md\n  system_prompt: hi")
    line = pack.line(SHOP, "domain:")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain: give exactly one of system_prompt or system_prompt_file"]


def test_personas_from_glob_and_file(pack):
    pack.edit(SHOP, "personas: [../personas]", "personas: [../personas/a*.yaml, ../personas/li.yaml]")
    assert sorted(load_pack(SHOP).personas) == ["alice", "li"]


def test_default_personas_folder(pack):
    pack.edit(SHOP, "personas: [../personas]\n", "")
    assert sorted(load_pack(SHOP).personas) == ["alice", "li"]


def test_default_personas_folder_missing(pack):
    pack.edit(SHOP, "personas: [../personas]\n", "")
    shutil.rmtree(pack.root / "personas")
    assert pack.problems(SHOP) == [
        f"{SHOP}: personas: the default folder personas does not exist; list persona files or folders under `personas:`"
    ]


def test_unknown_persona_entry(pack):
    pack.edit(SHOP, "personas: [../personas]", "personas: [alice, carol]")
    line = pack.line(SHOP, "personas: [alice, carol]")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: personas[1]: unknown persona 'carol' (no file personas/carol.yaml)"]


def test_duplicate_persona_ids(pack):
    pack.write("personas/alice2.yaml", "id: alice\nname: Another Alice\n")
    assert pack.problems(SHOP) == ["personas/alice2.yaml:1: id: duplicate persona id 'alice' (also in personas/alice.yaml)"]


# ---------------------------------------------------------------- cross-references


def test_unknown_tool_reference(pack):
    pack.edit(SHOP, "- tool: initiate_refund", "- tool: initiate_refnd")
    line = pack.line(SHOP, "initiate_refnd")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[1].turns[1].expect[0].tool: unknown tool 'initiate_refnd' (did you mean 'initiate_refund'?)"
    ]


def test_unknown_primary_tool(pack):
    pack.edit(SHOP, "goal: Say thanks.", "goal: Say thanks.\n    tool: chat")
    line = pack.line(SHOP, "tool: chat")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[2].tool: unknown tool 'chat' (tools: initiate_refund, lookup_order)"]


def test_unknown_persona_reference(pack):
    pack.edit(SHOP, "personas: [alice]", "personas: [alice, bob]")
    line = pack.line(SHOP, "personas: [alice, bob]")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[2].personas[1]: unknown persona 'bob' (personas: alice, li)"]


def test_unknown_slot_placeholder_in_seed_utterance(pack):
    pack.edit(SHOP, '"Status of {order_id} please"', '"Status of {order_no} please"')
    line = pack.line(SHOP, "{order_no}")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].turns[0].say.en[1]: placeholder {{order_no}} is not filled by any slot "
        "of scenario 'order_status' (slots: order_id)"
    ]


def test_unknown_slot_placeholder_in_argument_and_answer(pack):
    pack.edit(SHOP, 'reason: "{reason}"', 'reason: "{why}"')
    pack.edit(SHOP, "answer: You're welcome!", "answer: You're welcome, {name}!")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{pack.line(SHOP, '{why}')}: scenarios[1].turns[1].expect[0].args.reason: placeholder {{why}} is not "
        "filled by any slot of scenario 'refund' (slots: order_id, reason)",
        f"{SHOP}:{pack.line(SHOP, '{name}')}: scenarios[2].turns[0].answer: placeholder {{name}} is not filled by "
        "any slot of scenario 'small_talk' (slots: none)",
    ]


def test_result_reference_before_the_tool_is_called(pack):
    turn_with_lookup = (
        '      - say: "I want a refund for {order_id}"\n'
        "        expect:\n"
        "          - tool: lookup_order\n"
        '            args: {order_id: "{order_id}"}\n'
    )
    pack.edit(SHOP, turn_with_lookup, '      - say: "I want a refund for {order_id}"\n')
    line = pack.line(SHOP, "{@lookup_order.order_id}")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line - 4}: scenarios[1].turns[0]: a turn without expected calls needs an `answer` (the offline "
        "assistant's reply) in every language of the scenario; missing: en",
        f"{SHOP}:{line}: scenarios[1].turns[1].expect[0].args.order_id: {{@lookup_order.order_id}} reads the result "
        "of 'lookup_order', but no earlier expected call of scenario 'refund' calls it",
    ]


def test_result_reference_in_a_seed_utterance_needs_an_earlier_turn(pack):
    pack.edit(SHOP, 'say: "It arrived broken."', 'say: "It is {@lookup_order.status} and broken."')
    assert load_pack(SHOP).scenarios["refund"]  # turn 0 called lookup_order: fine
    pack.edit(SHOP, 'say: "I want a refund for {order_id}"', 'say: "Refund {order_id}, {@initiate_refund.refund_id}"')
    line = pack.line(SHOP, "{@initiate_refund.refund_id}")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[1].turns[0].say: {{@initiate_refund.refund_id}} reads the result of "
        "'initiate_refund', but no earlier expected call of scenario 'refund' calls it"
    ]


def test_argument_not_a_parameter(pack):
    pack.edit(SHOP, 'args: {order_id: "{order_id}"}\n  - id: refund', 'args: {order_id: "{order_id}", id: 1}\n  - id: refund')
    line = pack.line(SHOP, "id: 1}")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].turns[0].expect[0].args.id: tool 'lookup_order' has no parameter 'id' (parameters: order_id)"
    ]


def test_literal_argument_violating_the_schema(pack):
    pack.edit(SHOP, 'reason: "{reason}"', "reason: broken")
    line = pack.line(SHOP, "reason: broken")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[1].turns[1].expect[0].args.reason: initiate_refund.reason: 'broken' is not one of "
        "['defective', 'not_received', 'changed_mind']"
    ]


def test_choice_slot_violating_the_schema(pack):
    pack.edit(SHOP, "choice: [defective, not_received]", "choice: [defective, broken]")
    line = pack.line(SHOP, "choice: [defective, broken]")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[1].slots.reason.choice[1]: cannot fill initiate_refund.reason: 'broken' is not one of "
        "['defective', 'not_received', 'changed_mind']"
    ]


def test_missing_required_argument(pack):
    pack.edit(SHOP, ', reason: "{reason}"}', "}")
    line = pack.line(SHOP, "- tool: initiate_refund")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[1].turns[1].expect[0]: call of 'initiate_refund' lacks required argument(s) reason"]


def test_expect_error_calls_may_be_invalid_on_purpose(pack):
    pack.edit(SHOP, 'reason: "{reason}"}', 'reason: broken}\n            expect_error: true')
    assert load_pack(SHOP).scenarios["refund"].turns[1].expect[0].expect_error


def test_field_slot_without_record(pack):
    pack.edit(SHOP, "    record: {collection: orders, where: {status: delivered}}\n", "")
    line = pack.line(SHOP, "{field: order_id}")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].slots.order_id.field: slot 'order_id' reads a field of the scenario's record, "
        "but the scenario has no `record`"
    ]


def test_record_without_field_slot(pack):
    pack.edit(SHOP, "order_id: {field: order_id}", "order_id: {fake: order_id}")
    line = pack.line(SHOP, "record:")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[0].record: `record` is given but no slot reads a `field` from it"]


def test_record_collection_not_in_seeded_state(pack):
    pack.edit(SHOP, "collection: orders", "collection: ordrs")
    line = pack.line(SHOP, "collection: ordrs")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].record.collection: collection 'ordrs' is not in the sims' seeded state (did you mean 'orders'?)"
    ]


def test_record_field_not_in_seeded_records(pack):
    pack.edit(SHOP, "{field: order_id}", "{field: order_number}")
    line = pack.line(SHOP, "order_number")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[0].slots.order_id.field: no seeded 'orders' record has a field 'order_number'"]


def _add_slot(pack: PackDir, slot: str) -> str:
    return pack.edit(SHOP, "      order_id: {field: order_id}\n", f"      order_id: {{field: order_id}}\n      {slot}\n")


def test_scaled_field_slot_loads(pack):
    _add_slot(pack, "amount: {field: total, scale: [1, 0.5]}")
    assert load_pack(SHOP).scenarios["order_status"].slots["amount"].scale == [1.0, 0.5]


@pytest.mark.parametrize("factors,shown", [("[1, 1.5]", "1.5"), ("[0, 0.5]", "0"), ("[-0.5]", "-0.5")])
def test_scale_factor_out_of_range(pack, factors, shown):
    _add_slot(pack, f"amount: {{field: total, scale: {factors}}}")
    line = pack.line(SHOP, "amount:")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].slots.amount.scale: a factor must be more than 0 and at most 1 "
        f"(a share of the field's value: 0.5 is half), got {shown}"
    ]


def test_scale_factor_must_be_a_number(pack):
    pack.edit(SHOP, "      order_id: {field: order_id}\n",
              "      order_id: {field: order_id}\n      amount:\n        field: total\n        scale:\n"
              "          - 0.5\n          - half\n")
    line = pack.line(SHOP, "- half")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[0].slots.amount.scale[1]: expected a number, got 'half'"]


def test_scale_without_field(pack):
    _add_slot(pack, "amount: {fake: amount, scale: [0.5]}")
    line = pack.line(SHOP, "amount:")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].slots.amount: `scale` multiplies a number read from the record, "
        "so it goes with `field` only (got fake)"
    ]


def test_scaled_field_that_is_not_a_number(pack):
    _add_slot(pack, "state: {field: status, scale: [0.5]}")
    line = pack.line(SHOP, "state:")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[0].slots.state.scale: slot 'state' scales field 'status', but it is not a number "
        "in the seeded 'orders' records ('delivered')"
    ]


def test_no_language_shared_by_all_turns(pack):
    pack.edit(SHOP, 'say: "It arrived broken."', "say: {zh: 坏了}")
    line = [n for n, text in enumerate(pack.text(SHOP).splitlines(), 1) if text == "    turns:"][1]
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: scenarios[1].turns: no language has a `say` in every turn (turn 0: en; turn 1: zh)"]


def test_no_persona_speaks_the_scenario_language(pack):
    pack.edit(SHOP, "personas: [alice]", "personas: [li]")
    line = pack.line(SHOP, "- id: small_talk")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[2]: no persona that may play scenario 'small_talk' speaks en "
        "(the languages every turn has); they speak zh"
    ]


def test_no_tool_turn_needs_answers_in_every_language(pack):
    pack.edit(SHOP, "- say: Thanks, that's all!", "- say: {en: \"Thanks, that's all!\", zh: 谢谢}")
    line = pack.line(SHOP, "谢谢")
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[2].turns[0]: a turn without expected calls needs an `answer` (the offline "
        "assistant's reply) in every language of the scenario; missing: zh"
    ]


def test_replies_for_unknown_tool(pack):
    pack.edit(SHOP, "    lookup_order: \"Your", "    lookup_ordr: \"Your")
    line = pack.line(SHOP, "lookup_ordr")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain.replies.lookup_ordr: replies for unknown tool 'lookup_ordr' (did you mean 'lookup_order'?)"]


def test_duplicate_scenario_ids(pack):
    pack.edit(SHOP, "- id: small_talk", "- id: refund")
    first, second = [n for n, text in enumerate(pack.text(SHOP).splitlines(), 1) if text == "  - id: refund"]
    assert pack.problems(SHOP) == [f"{SHOP}:{second}: scenarios[2].id: duplicate scenario id 'refund' (also scenarios[1] on line {first})"]


# ---------------------------------------------------------------- all problems at once


def test_several_problems_are_all_reported(pack):
    pack.edit(SHOP, "category: positive", "category: postive")  # structural, scenario 0
    pack.edit(SHOP, "- tool: initiate_refund", "- tool: initiate_refnd")  # cross-reference, scenario 1
    pack.edit(SHOP, "personas: [alice]", "personas: [alice, bob]")  # cross-reference, scenario 2
    pack.edit("personas/li.yaml", "language: zh", "language: fr")  # a persona file
    pack.edit("tool_sims/shop.py", '"type": "string", "enum"', '"type": "strng", "enum"')  # the sims
    problems = pack.problems(SHOP)
    assert problems == [
        f"personas/li.yaml:{pack.line('personas/li.yaml', 'language')}: language: must be one of en, zh (got 'fr')",
        f"{SHOP}:{pack.line(SHOP, 'postive')}: scenarios[0].category: must be one of positive, negative, "
        "clarification, multi-turn, error-recovery, hard (got 'postive')",
        f"{SHOP}:{pack.line(SHOP, 'initiate_refnd')}: scenarios[1].turns[1].expect[0].tool: unknown tool "
        "'initiate_refnd' (did you mean 'initiate_refund'?)",
        f"{SHOP}:{pack.line(SHOP, 'alice, bob')}: scenarios[2].personas[1]: unknown persona 'bob' (personas: alice, li)",
        problems[4],
    ]
    assert problems[4].startswith("tool_sims/shop.py:") and "'strng' is not a JSON Schema type" in problems[4]
