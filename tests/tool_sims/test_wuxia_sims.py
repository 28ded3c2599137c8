"""The wuxia sims (`tool_sims/wuxia.py` over `wuxia_kb.yaml`): the knowledge base is consistent,
every entry is found by its name and by each alias, misses are honest `ToolError`s with useful
suggestions, every result fits its `returns` schema, and the scenario file's alias and chain
tables agree with the knowledge base."""

import json
from pathlib import Path

import pytest
import yaml

from simulator.core.messages import ToolCall
from simulator.simulate.environment import ToolEnvironment
from simulator.spec import ToolSpec
from simulator.spec.validation import schema_problems
from tests.sim_kit import checked_env, error_of, run, sim_domain
from tool_sims.wuxia import clean, knowledge_base, sims

KB = knowledge_base()
TOOL_OF = {"characters": "search_character", "martial_arts": "search_martial_art", "dynasties": "search_dynasty"}
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "wuxia.yaml"
DOMAIN = sim_domain(sims, system_prompt="查询。")


def new_env(seed: int = 1) -> ToolEnvironment:
    return checked_env(DOMAIN, seed)  # every result must fit `returns`


def by_name(table: str) -> dict[str, dict]:
    return {r["name"]: r for r in KB[table]}


def scenario(scenario_id: str) -> dict:
    raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    return next(s for s in raw["scenarios"] if s["id"] == scenario_id)


# ---------------------------------------------------------------- specs and data

def test_three_tools_with_valid_specs():
    assert set(sims.tools) == set(TOOL_OF.values())
    for registered in sims.tools.values():
        spec = ToolSpec.model_validate(registered.spec.model_dump())
        assert len(spec.description) > 40 and schema_problems(spec.parameters) == [] == schema_problems(spec.returns)
        assert spec.parameters["required"] == ["name"] and spec.parameters["additionalProperties"] is False


def test_the_knowledge_base_is_big_enough_and_consistent():
    characters, arts, dynasties = by_name("characters"), by_name("martial_arts"), by_name("dynasties")
    assert len(characters) >= 25 and len(arts) >= 20 and len(dynasties) >= 8
    keys = [k for table in KB.values() for r in table for k in (r["name"], *r["aliases"])]
    assert len(keys) == len(set(keys)), "names and aliases are unique across the whole base"
    for c in characters.values():
        assert c["dynasty"] is None or c["dynasty"] in dynasties, c["name"]
        assert c["martial_arts"] and c["novels"] and c["identity"] and c["bio"]
        assert all(t["title"].startswith("《") for t in c["novels"])
        assert c["lineage"].startswith("师承：") == bool(c["masters"])
    for a in arts.values():
        assert a["creator"] is None or a["creator"] in characters, a["name"]
        assert a["users"] and a["origin"] and a["power"]
    assert all(d["emperors"] and d["novels"] for d in dynasties.values())
    # the canonical names the task names, with the aliases users say
    for alias, name in {"老顽童": "周伯通", "东邪": "黄药师", "北乔峰": "乔峰", "靖哥哥": "郭靖"}.items():
        assert alias in characters[name]["aliases"]


@pytest.mark.parametrize("table", list(TOOL_OF))
def test_every_entry_is_found_by_name_and_alias(table):
    env = new_env()
    tool = TOOL_OF[table]
    for record in KB[table]:
        ok, result = run(env, tool, name=record["name"])
        assert ok and result == record and "matched_alias" not in result
        for alias in record["aliases"]:
            ok, result = run(env, tool, name=alias)
            assert ok and result["name"] == record["name"] and result["matched_alias"] == alias
    assert env.diff() == [], "lookups never change the base"


def test_queries_are_cleaned_of_spaces_marks_and_quotes():
    env = new_env()
    assert clean(" 《郭靖》 ") == "郭靖"
    assert run(env, "search_character", name="“东邪”")[1]["name"] == "黄药师"
    assert run(env, "search_martial_art", name="降龙 十八掌")[1]["name"] == "降龙十八掌"


# ---------------------------------------------------------------- honest misses

@pytest.mark.parametrize("wrong,right", [("令孤冲", "令狐冲"), ("欧阳峰", "欧阳锋"), ("郭敬", "郭靖"), ("黄要师", "黄药师"),
                                         ("张无极", "张无忌"), ("段玉", "段誉"), ("肖峰", "乔峰")])
def test_a_misspelt_name_is_not_found_but_suggested(wrong, right):
    message = error_of(new_env(), "search_character", name=wrong)
    assert message.startswith(f"知识库中没有人物“{wrong}”，您是不是要找：")
    assert right in message.split("：")[1].split("、")


@pytest.mark.parametrize("outsider", ["李寻欢", "楚留香", "陆小凤", "西门吹雪", "花满楼"])
def test_heroes_of_other_authors_are_not_found_without_a_guess(outsider):
    assert error_of(new_env(), "search_character", name=outsider) == f"知识库中没有人物“{outsider}”（只收录金庸小说中的人物）"


def test_a_name_from_another_table_points_at_the_right_tool():
    env = new_env()
    assert error_of(env, "search_character", name="降龙十八掌") == "“降龙十八掌”是武功，不是人物；请用 search_martial_art 查询降龙十八掌"
    assert error_of(env, "search_martial_art", name="老顽童") == "“老顽童”是人物，不是武功；请用 search_character 查询周伯通"
    assert error_of(env, "search_character", name="蒙元") == "“蒙元”是朝代，不是人物；请用 search_dynasty 查询元朝"


@pytest.mark.parametrize("song", ["宋朝", "宋", "大宋", "两宋"])
def test_song_names_two_dynasties(song):
    assert error_of(new_env(), "search_dynasty", name=song) == f"“{song}”对应多个朝代：北宋、南宋，请指明要查哪一个"


def test_vague_art_names_suggest_both_candidates_and_bad_arguments_are_rejected():
    env = new_env()
    assert error_of(env, "search_martial_art", name="太极").endswith("您是不是要找：太极剑、太极拳")
    assert error_of(env, "search_martial_art", name="九阴").endswith("您是不是要找：九阴真经、九阴白骨爪")
    assert error_of(env, "search_character", name="《》") == "请提供要查询的人物名称"
    assert "should be non-empty" in error_of(env, "search_character", name="")
    message = env.call(ToolCall(id="c", name="search_dynasty", arguments=json.dumps({"dynasty": "明朝"})))
    assert message.is_error and "missing required argument 'name'" in message.content


# ---------------------------------------------------------------- the scenario file agrees with the base

def test_alias_tables_of_the_scenarios_map_to_canonical_names():
    aliases = {table: {a: r["name"] for r in KB[table] for a in r["aliases"]} for table in KB}
    for scenario_id, table, slot in [("character_by_alias", "characters", "who"), ("alias_then_skill", "characters", "who"),
                                     ("dynasty_by_other_name", "dynasties", "dyn"),
                                     ("martial_art_by_other_name", "martial_arts", "art")]:
        for option in scenario(scenario_id)["slots"][slot]["choice"]:
            assert aliases[table][option["zh"]] == option["code"] != option["zh"], (scenario_id, option)


def test_chain_tables_of_the_scenarios_hold():
    characters, arts = by_name("characters"), by_name("martial_arts")
    for pair in scenario("master_then_signature_art")["slots"]["pair"]["choice"]:
        student, master = characters[pair["code"]], characters[pair["master"]]
        assert master["name"] in [m["name"] for m in student["masters"]]
        assert master["martial_arts"][0]["name"] in arts, "the master's signature art has an entry"
    for option in scenario("misspelt_name_then_confirmed")["slots"]["who"]["choice"]:
        assert option["code"] in error_of(new_env(), "search_character", name=option["wrong"])
    creators = scenario("art_then_creator")["record"]["where"]["creator"]
    assert all(c in characters for c in creators)
    assert {a["creator"] for a in arts.values() if a["creator"]} <= set(creators)


def test_each_episode_gets_its_own_copy_of_the_knowledge_base():
    import copy
    import random
    from datetime import date

    base = knowledge_base()
    before = repr(base)
    state = sims.seed_state(random.Random(1), date(2026, 1, 1))
    assert repr(state) == repr(copy.deepcopy(base)) == before  # the same data, key order included
    state["characters"][0]["aliases"].append("x")
    state["characters"][0]["bio"] = "changed"
    assert repr(knowledge_base()) == before  # changing an episode's state leaves the base alone
