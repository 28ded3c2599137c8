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
from dataclasses import dataclass
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


# ---------------------------------------------------------------- one edit, one exact message


@dataclass(frozen=True)
class At:
    """The line of `file` that holds `marker` (plus `offset`): where a problem must point."""

    file: str
    marker: str
    offset: int = 0


@dataclass(frozen=True)
class Case:
    """Edit the copied fixture pack (`(file, old, new)`: `old` must occur once), load `target`,
    and expect exactly these problems, in order: `(where, message)`."""

    id: str
    edits: tuple[tuple[str, str, str], ...]
    problems: tuple[tuple[At, str], ...]
    target: str = SHOP


TOOLS_YAML, SHOP_PY, LI = "scenarios/tools.yaml", "tool_sims/shop.py", "personas/li.yaml"
NOT_A_TYPE = "is not a JSON Schema type (use one of array, boolean, integer, null, number, object, string)"
REASONS = "['defective', 'not_received', 'changed_mind']"
ORDER_SLOT = "      order_id: {field: order_id}\n"
WITH_LOOKUP = ('      - say: "I want a refund for {order_id}"\n        expect:\n          - tool: lookup_order\n'
               '            args: {order_id: "{order_id}"}\n')


def _with_slot(slot: str) -> tuple[str, str, str]:
    return (SHOP, ORDER_SLOT, f"{ORDER_SLOT}      {slot}\n")


CASES = [
    # ------------------------------------------------ structure
    Case("yaml syntax", ((SHOP, "goal: Say thanks.", "goal: Say: thanks."),),
         ((At(SHOP, "goal: Say: thanks."), "invalid YAML: mapping values are not allowed here (column 14)"),)),
    Case("variant_of by hand", ((SHOP, '      - say: "It arrived broken."\n', '      - say: "It arrived broken."\n        variant_of: {en: [0]}\n'),),
         ((At(SHOP, "variant_of: {en: [0]}"), "scenarios[1].turns[1].variant_of: `variant_of` is set by the loader for generated variants (the variants file); remove it from the scenario file"),)),
    Case("comma in an unquoted choice phrase", ((SHOP, "reason: {choice: [defective, not_received]}",
                                                  "reason: {choice: [{code: defective, en: broken, cracked and useless}]}"),
                                                 (SHOP, 'reason: "{reason}"}', 'reason: "{reason.code}"}')),
         ((At(SHOP, "reason: {choice:"), "scenarios[1].slots.reason.choice[0]: choice entry has a key 'cracked and useless' with no value: a phrase with a comma needs quotes (en: \"a, b and c\")"),)),
    Case("unknown field", ((SHOP, "personas: [alice]", "persona: [alice]"),),
         ((At(SHOP, "persona: [alice]"), "scenarios[2]: unknown field 'persona' (did you mean 'personas'?)"),)),
    Case("missing field", ((SHOP, "    goal: Get a refund for a broken item.\n", ""),),
         ((At(SHOP, "- id: refund"), "scenarios[1]: missing field 'goal'"),)),
    Case("wrong type", ((SHOP, "category: multi-turn", "category: multi-turn\n    weight: abc"),),
         ((At(SHOP, "weight: abc"), "scenarios[1].weight: expected a number, got 'abc'"),)),
    Case("not one of the choices", ((SHOP, "category: positive", "category: postive"),),
         ((At(SHOP, "category: postive"), "scenarios[0].category: must be one of positive, negative, clarification, "
           "multi-turn, error-recovery, hard (got 'postive')"),)),
    Case("persona file errors point into it", ((LI, "formality: formal", "formality: formal\ntypo_rate: lots"),),
         ((At(LI, "typo_rate"), "typo_rate: expected a number, got 'lots'"),)),
    # ------------------------------------------------ tools
    Case("invalid JSON schema in tools.yaml", ((TOOLS_YAML, "timezone: {type: string}", "timezone: {type: objekt}"),),
         ((At(TOOLS_YAML, "name: get_time", 2), f"tools[1].parameters: properties.timezone.type: 'objekt' {NOT_A_TYPE}"),),
         WEATHER),
    Case("parameters must be an object schema",
         ((TOOLS_YAML, "      type: object\n      properties:\n        timezone",
           "      type: array\n      properties:\n        timezone"),),
         ((At(TOOLS_YAML, "type: array", -1), "tools[1].parameters: must have type: object (got 'array')"),), WEATHER),
    Case("invalid JSON schema in a Python tool",
         ((SHOP_PY, '"reason": {"type": "string", "enum"', '"reason": {"type": "strng", "enum"'),),
         ((At(SHOP_PY, "def initiate_refund", -12),
           f"tool 'initiate_refund': parameters: properties.reason.type: 'strng' {NOT_A_TYPE}"),)),
    # The judge tolerates an extra read, never an extra write, and compares the final state over
    # what writes touch: no tool may leave unsaid which it is.
    Case("a tools.yaml tool must say whether it changes state",
         ((TOOLS_YAML, "        timezone: {type: string}\n    read_only: true", "        timezone: {type: string}"),),
         ((At(TOOLS_YAML, "name: get_time"), "tools[1] (get_time): say whether the tool changes state: add "
           "`read_only: true` (it only reads, like a lookup or a search) or `read_only: false` (it books, sends or "
           "updates)"),), WEATHER),
    Case("a Python tool must say whether it changes state", ((SHOP_PY, "    read_only=False,\n", ""),),
         ((At(SHOP_PY, "def initiate_refund", -11), "tool 'initiate_refund': say whether it changes state: "
           "@sims.tool(..., read_only=True) when it only reads (a lookup, a search), read_only=False when it books, "
           "sends or updates"),)),
    Case("Python tool spec is validated", ((SHOP_PY, 'description="Refund an order."', "description=42"),),
         ((At(SHOP_PY, "description=42", -1), "tool 'initiate_refund': description: expected text, got 42"),)),
    Case("duplicate tool names in tools.yaml", ((TOOLS_YAML, "name: get_time", "name: get_weather"),),
         ((At(TOOLS_YAML, "description: Current time", -1), "tools[1].name: duplicate tool name 'get_weather'"),), WEATHER),
    Case("import error in the sims module",
         ((SHOP_PY, 'sims = ToolSimModule("shop")', 'sims = ToolSimModule("shop")\nraise RuntimeError("boom")'),),
         ((At(SHOP_PY, "boom"), "cannot import the tool sims: RuntimeError: boom"),)),
    Case("missing tools file", ((SHOP, "tools: ../tool_sims/shop.py", "tools: ../tool_sims/shopp.py"),),
         ((At(SHOP, "shopp.py"), "domain.tools: tool-sim module not found: tool_sims/shopp.py"),)),
    Case("unknown dotted module name", ((SHOP, "tools: ../tool_sims/shop.py", "tools: no_such_pkg_zz.shop"),),
         ((At(SHOP, "no_such_pkg_zz"), "domain.tools: no Python module named 'no_such_pkg_zz.shop'"),)),
    Case("failing state seeder", ((SHOP_PY, '    return {"orders": orders}', '    return {"orders": orders[9]}'),),
         ((At(SHOP_PY, "orders[9]"), "seeding the tool state failed: IndexError: list index out of range"),)),
    # ------------------------------------------------ prompt and personas
    Case("both system prompts",
         ((SHOP, "system_prompt_file: prompt.md", "system_prompt_file: prompt.md\n  system_prompt: hi"),),
         ((At(SHOP, "domain:"), "domain: give exactly one of system_prompt or system_prompt_file"),)),
    Case("unknown persona entry", ((SHOP, "personas: [../personas]", "personas: [alice, carol]"),),
         ((At(SHOP, "personas: [alice, carol]"), "personas[1]: unknown persona 'carol' (no file personas/carol.yaml)"),)),
    # ------------------------------------------------ cross-references
    Case("unknown tool reference", ((SHOP, "- tool: initiate_refund", "- tool: initiate_refnd"),),
         ((At(SHOP, "initiate_refnd"), "scenarios[1].turns[1].expect[0].tool: unknown tool 'initiate_refnd' "
           "(did you mean 'initiate_refund'?)"),)),
    Case("unknown primary tool", ((SHOP, "goal: Say thanks.", "goal: Say thanks.\n    tool: chat"),),
         ((At(SHOP, "tool: chat"), "scenarios[2].tool: unknown tool 'chat' (tools: initiate_refund, lookup_order)"),)),
    Case("unknown persona reference", ((SHOP, "personas: [alice]", "personas: [alice, bob]"),),
         ((At(SHOP, "personas: [alice, bob]"), "scenarios[2].personas[1]: unknown persona 'bob' (personas: alice, li)"),)),
    Case("unknown slot placeholder in a seed utterance",
         ((SHOP, '"Status of {order_id} please"', '"Status of {order_no} please"'),),
         ((At(SHOP, "{order_no}"), "scenarios[0].turns[0].say.en[1]: placeholder {order_no} is not filled by any slot "
           "of scenario 'order_status' (slots: order_id)"),)),
    Case("unknown slot placeholders in an argument and an answer",
         ((SHOP, 'reason: "{reason}"', 'reason: "{why}"'), (SHOP, "answer: You're welcome!", "answer: You're welcome, {name}!")),
         ((At(SHOP, "{why}"), "scenarios[1].turns[1].expect[0].args.reason: placeholder {why} is not filled by any slot "
           "of scenario 'refund' (slots: order_id, reason)"),
          (At(SHOP, "{name}"), "scenarios[2].turns[0].answer: placeholder {name} is not filled by any slot of scenario "
           "'small_talk' (slots: none)"))),
    Case("result reference before the tool is called",
         ((SHOP, WITH_LOOKUP, '      - say: "I want a refund for {order_id}"\n'),),
         ((At(SHOP, "{@lookup_order.order_id}", -4), "scenarios[1].turns[0]: a turn without expected calls needs an "
           "`answer` (the offline assistant's reply) in every language of the scenario; missing: en"),
          (At(SHOP, "{@lookup_order.order_id}"), "scenarios[1].turns[1].expect[0].args.order_id: {@lookup_order.order_id} "
           "reads the result of 'lookup_order', but no earlier expected call of scenario 'refund' calls it"))),
    Case("result reference in a seed utterance needs an earlier turn",
         ((SHOP, 'say: "I want a refund for {order_id}"', 'say: "Refund {order_id}, {@initiate_refund.refund_id}"'),),
         ((At(SHOP, "{@initiate_refund.refund_id}"), "scenarios[1].turns[0].say: {@initiate_refund.refund_id} reads the "
           "result of 'initiate_refund', but no earlier expected call of scenario 'refund' calls it"),)),
    Case("argument that is not a parameter",
         ((SHOP, 'args: {order_id: "{order_id}"}\n  - id: refund', 'args: {order_id: "{order_id}", id: 1}\n  - id: refund'),),
         ((At(SHOP, "id: 1}"), "scenarios[0].turns[0].expect[0].args.id: tool 'lookup_order' has no parameter 'id' "
           "(parameters: order_id)"),)),
    Case("literal argument violating the schema", ((SHOP, 'reason: "{reason}"', "reason: broken"),),
         ((At(SHOP, "reason: broken"), "scenarios[1].turns[1].expect[0].args.reason: initiate_refund.reason: 'broken' "
           f"is not one of {REASONS}"),)),
    Case("a set of acceptable values with a member the schema refuses",
         ((SHOP, 'reason: "{reason}"', "reason: [defective, broken]"),),
         ((At(SHOP, "reason: [defective, broken]"), "scenarios[1].turns[1].expect[0].args.reason[1]: "
           f"initiate_refund.reason: 'broken' is not one of {REASONS}"),)),
    Case("an empty set of acceptable values", ((SHOP, 'reason: "{reason}"', "reason: []"),),
         ((At(SHOP, "reason: []"), "scenarios[1].turns[1].expect[0].args.reason: initiate_refund.reason: an empty "
           "list accepts nothing; give the value, or the values the policy allows (e.g. [high, normal])"),)),
    Case("record unique path not in the seeded records",
         ((SHOP, "where: {status: delivered}}", "where: {status: delivered}, unique: [order_id, totl]}"),),
         ((At(SHOP, "unique: [order_id, totl]"), "scenarios[0].record.unique[1]: no seeded 'orders' record has a "
           "field 'totl'"),)),
    Case("choice slot violating the schema", ((SHOP, "choice: [defective, not_received]", "choice: [defective, broken]"),),
         ((At(SHOP, "choice: [defective, broken]"), "scenarios[1].slots.reason.choice[1]: cannot fill "
           f"initiate_refund.reason: 'broken' is not one of {REASONS}"),)),
    Case("missing required argument", ((SHOP, ', reason: "{reason}"}', "}"),),
         ((At(SHOP, "- tool: initiate_refund"), "scenarios[1].turns[1].expect[0]: call of 'initiate_refund' lacks "
           "required argument(s) reason"),)),
    Case("field slot without a record", ((SHOP, "    record: {collection: orders, where: {status: delivered}}\n", ""),),
         ((At(SHOP, "{field: order_id}"), "scenarios[0].slots.order_id.field: slot 'order_id' reads a field of the "
           "scenario's record, but the scenario has no `record`"),)),
    Case("record without a field slot", ((SHOP, "order_id: {field: order_id}", "order_id: {fake: order_id}"),),
         ((At(SHOP, "record:"), "scenarios[0].record: `record` is given but no slot reads a `field` from it"),)),
    Case("record collection not in the seeded state", ((SHOP, "collection: orders", "collection: ordrs"),),
         ((At(SHOP, "collection: ordrs"), "scenarios[0].record.collection: collection 'ordrs' is not in the sims' "
           "seeded state (did you mean 'orders'?)"),)),
    Case("record field not in the seeded records", ((SHOP, "{field: order_id}", "{field: order_number}"),),
         ((At(SHOP, "order_number"), "scenarios[0].slots.order_id.field: no seeded 'orders' record has a field "
           "'order_number'"),)),
    *[Case(f"scale factor {shown} out of range", (_with_slot(f"amount: {{field: total, scale: {factors}}}"),),
           ((At(SHOP, "amount:"), "scenarios[0].slots.amount.scale: a factor must be more than 0 and at most 1 "
             f"(a share of the field's value: 0.5 is half), got {shown}"),))
      for factors, shown in (("[1, 1.5]", "1.5"), ("[0, 0.5]", "0"), ("[-0.5]", "-0.5"))],
    Case("scale factor that is not a number",
         ((SHOP, ORDER_SLOT, f"{ORDER_SLOT}      amount:\n        field: total\n        scale:\n          - 0.5\n          - half\n"),),
         ((At(SHOP, "- half"), "scenarios[0].slots.amount.scale[1]: expected a number, got 'half'"),)),
    Case("scale without field", (_with_slot("amount: {fake: amount, scale: [0.5]}"),),
         ((At(SHOP, "amount:"), "scenarios[0].slots.amount: `scale` multiplies a number read from the record, so it "
           "goes with `field` only (got fake)"),)),
    Case("scaled field that is not a number", (_with_slot("state: {field: status, scale: [0.5]}"),),
         ((At(SHOP, "state:"), "scenarios[0].slots.state.scale: slot 'state' scales field 'status', but it is not a "
           "number in the seeded 'orders' records ('delivered')"),)),
    Case("no persona speaks the scenario's language", ((SHOP, "personas: [alice]", "personas: [li]"),),
         ((At(SHOP, "- id: small_talk"), "scenarios[2]: no persona that may play scenario 'small_talk' speaks en "
           "(the languages every turn has); they speak zh"),)),
    Case("a no-tool turn needs answers in every language",
         ((SHOP, "- say: Thanks, that's all!", "- say: {en: \"Thanks, that's all!\", zh: 谢谢}"),),
         ((At(SHOP, "谢谢"), "scenarios[2].turns[0]: a turn without expected calls needs an `answer` (the offline "
           "assistant's reply) in every language of the scenario; missing: zh"),)),
    Case("replies for an unknown tool", ((SHOP, "    lookup_order: \"Your", "    lookup_ordr: \"Your"),),
         ((At(SHOP, "lookup_ordr"), "domain.replies.lookup_ordr: replies for unknown tool 'lookup_ordr' "
           "(did you mean 'lookup_order'?)"),)),
    # ------------------------------------------------ schema-only packs: no state, declared errors
    Case("a record in a pack without state", ((WEATHER, "      city: {choice: [Paris, Oslo]}\n",
                                               "      city: {field: city}\n    record: {collection: cities}\n"),),
         ((At(WEATHER, "record: {collection: cities}"), "scenarios[0].record: schema-only tools (a tools.yaml) keep no "
           "state, so there is no record to pick and every episode would fail; give the slots as `fake`, `choice`, "
           "`value` or `date` instead (field slots: city)"),), WEATHER),
    Case("a declared error on an argument that is not a parameter",
         ((TOOLS_YAML, "        temperature: {type: number}\n",
           "        temperature: {type: number}\n    errors:\n      - when: {args: {town: Atlantis}}\n"
           "        error: No such city\n"),),
         ((At(TOOLS_YAML, "town: Atlantis"), "tools[0].errors[0].when.args.town: 'get_weather' has no parameter "
           "'town' (parameters: city, unit)"),), WEATHER),
    Case("a declared error no call can meet",
         ((TOOLS_YAML, "        temperature: {type: number}\n",
           "        temperature: {type: number}\n    errors:\n      - when: {args: {unit: kelvin}}\n"
           "        error: Unknown unit {unit}\n"),),
         ((At(TOOLS_YAML, "unit: kelvin"), "tools[0].errors[0].when.args.unit: no call can pass unit='kelvin' "
           "('kelvin' is not one of ['celsius', 'fahrenheit']), so this error never happens"),), WEATHER),
    Case("a declared error's message naming what is not there",
         ((TOOLS_YAML, "        temperature: {type: number}\n",
           "        temperature: {type: number}\n    errors:\n      - when: {args: {city: Atlantis}}\n"
           "        error: \"{town} is under water\"\n"),),
         ((At(TOOLS_YAML, "is under water"), "tools[0].errors[0].error: {town} is neither a parameter of "
           "'get_weather' nor a fact its `when.facts` tests (it can name: city, unit)"),), WEATHER),
    Case("a declared error testing a fact no scenario has",
         ((TOOLS_YAML, "        temperature: {type: number}\n",
           "        temperature: {type: number}\n    errors:\n      - when: {facts: {storm: true}}\n"
           "        error: Station offline\n"),),
         ((At(TOOLS_YAML, "storm: true"), "tools[0].errors[0].when.facts.storm: no scenario has a slot 'storm', so "
           "this error never happens (a fact is a slot of the scenario being played)"),), WEATHER),
    Case("a declared error with an empty condition",
         ((TOOLS_YAML, "        temperature: {type: number}\n",
           "        temperature: {type: number}\n    errors:\n      - when: {}\n        error: Always\n"),),
         ((At(TOOLS_YAML, "when: {}"), "tools[0].errors[0].when: a condition needs `args`, `facts` or both (an empty "
           "one would refuse every call)"),), WEATHER),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_mistake_is_reported_at_its_line(pack, case: Case):
    for file, old, new in case.edits:
        pack.edit(file, old, new)
    expected = [f"{at.file}:{pack.line(at.file, at.marker) + at.offset}: {message}" for at, message in case.problems]
    assert pack.problems(case.target) == expected


# ---------------------------------------------------------------- cases that need more than an edit


def test_path_is_shown_as_given(pack, monkeypatch):
    pack.edit(SHOP, "goal: Say thanks.", "goal: 3")
    monkeypatch.chdir(pack.root / "scenarios")
    assert pack.problems("shop.yaml")[0].startswith(f"shop.yaml:{pack.line(SHOP, 'goal: 3')}: ")


def test_scenario_file_that_is_not_a_mapping(pack):
    pack.write(SHOP, "- just\n- a list\n")
    assert pack.problems(SHOP) == [f"{SHOP}:1: expected a mapping with name, domain, personas and scenarios"]


def test_missing_scenario_file(pack):
    assert pack.problems("scenarios/nope.yaml") == ["scenarios/nope.yaml: file not found"]


def test_duplicate_tool_names_in_python_module(pack):
    pack.edit(SHOP_PY, 'description="Refund an order.",', 'description="Refund an order.", name="lookup_order",')
    first = pack.line(SHOP_PY, 'description="Look up an order') - 1
    second = pack.line(SHOP_PY, 'name="lookup_order"') - 1
    problems = pack.problems(SHOP)
    assert f"{SHOP_PY}:{second}: duplicate tool name 'lookup_order' (also registered on line {first})" in problems
    assert len(problems) > 1  # the scenarios' calls of initiate_refund now fail too, each reported


def test_syntax_error_in_sims_module(pack):
    pack.edit(SHOP_PY, "def seed_state(rng", "def seed_state(rng rng")
    line = pack.line(SHOP_PY, "def seed_state")
    (problem,) = pack.problems(SHOP)
    assert problem.startswith(f"{SHOP_PY}:{line}: cannot import the tool sims: SyntaxError: ")


def test_module_without_tool_sim_module(pack):
    pack.write(SHOP_PY, "x = 1\n")
    line = pack.line(SHOP, "shop.py")
    assert pack.problems(SHOP) == [
        f'{SHOP}:{line}: domain.tools: {SHOP_PY} defines no ToolSimModule: '
        'create one, e.g. `sims = ToolSimModule("shop")`'
    ]


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


def test_missing_system_prompt_file(pack):
    (pack.root / "scenarios" / "prompt.md").unlink()
    line = pack.line(SHOP, "system_prompt_file")
    assert pack.problems(SHOP) == [f"{SHOP}:{line}: domain.system_prompt_file: file not found: scenarios/prompt.md"]


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


def test_duplicate_persona_ids(pack):
    pack.write("personas/alice2.yaml", "id: alice\nname: Another Alice\n")
    assert pack.problems(SHOP) == ["personas/alice2.yaml:1: id: duplicate persona id 'alice' (also in personas/alice.yaml)"]


def test_expect_error_calls_may_be_invalid_on_purpose(pack):
    pack.edit(SHOP, 'reason: "{reason}"}', 'reason: broken}\n            expect_error: true')
    assert load_pack(SHOP).scenarios["refund"].turns[1].expect[0].expect_error


def test_result_reference_in_a_seed_utterance_after_the_call_loads(pack):
    pack.edit(SHOP, 'say: "It arrived broken."', 'say: "It is {@lookup_order.status} and broken."')
    assert load_pack(SHOP).scenarios["refund"]  # turn 0 called lookup_order: fine


def test_scaled_field_slot_loads(pack):
    pack.edit(*_with_slot("amount: {field: total, scale: [1, 0.5]}"))
    assert load_pack(SHOP).scenarios["order_status"].slots["amount"].scale == [1.0, 0.5]


def test_no_language_shared_by_all_turns(pack):
    pack.edit(SHOP, 'say: "It arrived broken."', "say: {zh: 坏了}")
    line = [n for n, text in enumerate(pack.text(SHOP).splitlines(), 1) if text == "    turns:"][1]
    assert pack.problems(SHOP) == [
        f"{SHOP}:{line}: scenarios[1].turns: no language has a `say` in every turn (turn 0: en; turn 1: zh)"
    ]


def test_duplicate_scenario_ids(pack):
    pack.edit(SHOP, "- id: small_talk", "- id: refund")
    first, second = [n for n, text in enumerate(pack.text(SHOP).splitlines(), 1) if text == "  - id: refund"]
    assert pack.problems(SHOP) == [
        f"{SHOP}:{second}: scenarios[2].id: duplicate scenario id 'refund' (also scenarios[1] on line {first})"
    ]


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


def test_a_set_of_acceptable_values_loads(pack):
    """`reason: [defective, not_received]` on a parameter that takes no arrays: any of them."""
    pack.edit(SHOP, 'reason: "{reason}"', "reason: [defective, not_received]")
    assert load_pack(SHOP).scenarios["refund"].turns[1].expect[0].args["reason"] == ["defective", "not_received"]
