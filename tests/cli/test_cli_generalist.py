"""The generalist pack (`scenarios/generalist.yaml`) end to end through the CLI, offline.

A small run must pass the rule judge, cover every tool and every query type (no_tool = negative,
easy = positive, hard = hard / clarification / multi-turn), and its hard cases must carry the
right values: the ISO date a relative day means against the episode's simulated today (read here
independently from what the user said), the canonical value behind an alias (never the alias),
the number behind words, and the right tool of each similar pair."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.core.messages import AssistantMessage, ToolCall, UserMessage
from simulator.core.records import Trace
from simulator.core.rundir import iter_jsonl
from simulator.judge.rules import judge_rules
from simulator.load.loader import load_pack
from simulator.words.chinese_script import to_simplified
from simulator.spec.generation import today_for

pytestmark = pytest.mark.slow  # runs a pack end to end

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "generalist.yaml"
SPLITS = ("train", "validation", "test")
N = 400  # ~9 per tool: every tool and scenario kind shows up, in about two seconds
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
QUERY_TYPES = {"negative": "no_tool", "positive": "easy", "hard": "hard", "clarification": "hard", "multi-turn": "hard"}

# What each alias the pack lets users say stands for, written out here rather than read from the pack.
ALIASES = {
    "NYC": "New York", "the Big Apple": "New York", "纽约": "New York", "大苹果": "New York",
    "LA": "Los Angeles", "洛杉矶": "Los Angeles", "SF": "San Francisco", "旧金山": "San Francisco",
    "Philly": "Philadelphia", "费城": "Philadelphia", "Vegas": "Las Vegas", "拉斯维加斯": "Las Vegas",
    "DC": "Washington", "华盛顿": "Washington", "HK": "Hong Kong", "香港": "Hong Kong",
    "魔都": "Shanghai", "帝都": "Beijing", "羊城": "Guangzhou", "山城": "Chongqing",
    "quid": "GBP", "pounds sterling": "GBP", "英镑": "GBP", "bucks": "USD", "dollars": "USD", "美刀": "USD",
    "美元": "USD", "美金": "USD", "yen": "JPY", "日元": "JPY", "euros": "EUR", "欧元": "EUR", "loonies": "CAD",
    "加元": "CAD", "yuan": "CNY", "块人民币": "CNY", "RMB": "CNY", "人民币": "CNY", "rupees": "INR", "卢比": "INR",
    "Swiss francs": "CHF", "瑞郎": "CHF", "Hong Kong dollars": "HKD", "港币": "HKD", "pesos": "MXN",
    "墨西哥比索": "MXN",
    "BTC": "bitcoin", "大饼": "bitcoin", "ETH": "ethereum", "以太坊": "ethereum", "DOGE": "dogecoin",
    "狗狗币": "dogecoin", "SOL": "solana", "Ripple": "xrp", "瑞波币": "xrp", "DOT": "polkadot", "波卡": "polkadot",
    "Man U": "Manchester United", "曼联": "Manchester United", "Barça": "FC Barcelona", "巴萨": "FC Barcelona",
    "Los Blancos": "Real Madrid", "皇马": "Real Madrid", "the Gunners": "Arsenal", "阿森纳": "Arsenal",
    "the Lakers": "Los Angeles Lakers", "湖人": "Los Angeles Lakers", "the Yanks": "New York Yankees",
    "洋基": "New York Yankees", "Man City": "Manchester City", "曼城": "Manchester City",
}
# Clock times said in words, as the 24-hour HH:MM a call carries.
TIMES = {"7:30 am": "07:30", "9 am": "09:00", "noon": "12:00", "3 pm": "15:00", "6:30 pm": "18:30", "8 pm": "20:00",
         "早上七点半": "07:30", "上午九点": "09:00", "中午十二点": "12:00", "下午三点": "15:00", "晚上六点半": "18:30",
         "晚上八点": "20:00"}
# Time-zone scenarios say a city where other scenarios say its weather: the zone it means.
ZONE_ALIASES = {
    "NYC": "America/New_York", "纽约": "America/New_York", "the Big Apple": "America/New_York",
    "LA": "America/Los_Angeles", "洛杉矶": "America/Los_Angeles", "魔都": "Asia/Shanghai", "Shanghai": "Asia/Shanghai",
    "Beijing": "Asia/Shanghai", "北京时间": "Asia/Shanghai", "北京": "Asia/Shanghai", "Blighty": "Europe/London",
    "London": "Europe/London", "伦敦": "Europe/London", "Bombay": "Asia/Kolkata", "孟买": "Asia/Kolkata",
    "the Windy City": "America/Chicago", "芝加哥": "America/Chicago", "Tokyo": "Asia/Tokyo", "东京": "Asia/Tokyo",
}
# The numbers behind the words of the pack's number-word scenarios.
WORDS = {
    "a couple of days": 2, "three days": 3, "five days": 5, "a week": 7, "ten days": 10,
    "两天": 2, "三天": 3, "五天": 5, "一周": 7, "十天": 10,
    "a couple of eggs": 2, "half a dozen almonds": 6, "three slices of bread": 3,
    "two cups of cooked rice": 2, "a dozen grapes": 12,
    "two": 2, "six": 6, "a dozen": 12, "eight": 8, "four": 4,
    "three weeks": 3, "a fortnight": 14, "a couple of months": 2, "ninety days": 90, "six months": 6,
    "三周": 3, "十四天": 14, "两个月": 2, "九十天": 90, "六个月": 6,
    "thirty": 30, "fifteen": 15, "twenty-five": 25, "twenty": 20, "三十": 30, "十五": 15, "二十五": 25, "二十": 20,
    "half an hour": 30, "an hour and a half": 90, "a quarter of an hour": 15, "an hour": 60, "forty-five minutes": 45,
    "半小时": 30, "一个半小时": 90, "一刻钟": 15, "一个小时": 60, "四十五分钟": 45,
    "a hundred": 100, "fifty": 50, "seventy-five": 75, "五十": 50, "七十五": 75,
}
# Boundary scenarios: the tool that must be called, and its look-alike that must not be.
BOUNDARIES = {
    "boundary_amount_needs_conversion": ("convert_currency", "get_exchange_rate"),
    "boundary_rate_only": ("get_exchange_rate", "convert_currency"),
    "boundary_weather_right_now": ("get_current_weather", "get_forecast"),
    "forecast_relative_day": ("get_forecast", "get_current_weather"),
    "boundary_news_not_web": ("search_news", "web_search"),
    "boundary_web_not_news": ("web_search", "search_news"),
    "boundary_encyclopedia_not_web": ("wikipedia_lookup", "web_search"),
    "boundary_units_not_calculate": ("convert_units", "calculate"),
    "boundary_calculate_not_units": ("calculate", "convert_units"),
    "boundary_temperature_not_units": ("convert_temperature", "convert_units"),
    "boundary_reminder_not_todo": ("create_reminder", "add_todo"),
    "boundary_todo_not_reminder": ("add_todo", "create_reminder"),
    "boundary_route_not_time": ("get_directions", "estimate_travel_time"),
    "boundary_time_not_route": ("estimate_travel_time", "get_directions"),
    "money_mixed_intent_then_convert": ("convert_currency", "get_exchange_rate"),
    "money_mixed_intent_then_rate": ("get_exchange_rate", "convert_currency"),
    "remember_mixed_intent_then_todo": ("add_todo", "create_reminder"),
    "remember_mixed_intent_then_reminder": ("create_reminder", "add_todo"),
    "lookup_mixed_intent_then_news": ("search_news", "web_search"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generalist") / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--n", str(N), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def pack():
    return load_pack(SCENARIO)


@pytest.fixture(scope="module")
def traces(run: Path) -> list[Trace]:
    return [Trace.model_validate(t) for t in iter_jsonl(run / "traces.jsonl")]


def _records(run: Path) -> list[dict]:
    return [json.loads(line) for split in SPLITS
            for line in (run / "dataset" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def _calls(trace: Trace) -> list[tuple[str, dict]]:
    return [(c.name, json.loads(c.arguments)) for m in trace.messages if isinstance(m, AssistantMessage)
            for c in m.tool_calls]


def _user_text(trace: Trace) -> str:
    """What the user said, in Simplified characters (a Traditional-Chinese persona's 本週六 is 本周六)."""
    return to_simplified(" ".join(m.content for m in trace.messages if isinstance(m, UserMessage)))


def _tagged(traces: list[Trace], pack, tag: str) -> list[Trace]:
    return [t for t in traces if tag in pack.scenarios[t.episode.scenario_id].hard_cases]


# ---------------------------------------------------------------- the run as a whole


def test_offline_run_passes_the_rule_judge(run: Path, pack):
    manifest = json.loads((run / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["failed"] == 0
    assert counts["rejected"] <= 0.02 * counts["episodes"], "the judge accepts nearly everything"
    records = _records(run)
    assert len(records) == N
    called = {c["function"]["name"] for r in records for m in r["messages"] if m["role"] == "assistant"
              for c in m.get("tool_calls") or []}
    assert called == set(pack.domain.tools), "every tool appears in the dataset"
    assert all(len(r["tools"]) == len(pack.domain.tools) for r in records)


def test_every_query_type_is_in_the_dataset(run: Path, traces: list[Trace]):
    selected = json.loads((run / "selection.json").read_text(encoding="utf-8"))
    kept = [t for t in traces if t.id in selected]
    assert len(kept) == N
    categories = {t.episode.category for t in kept}
    assert {"negative", "positive", "hard", "clarification", "multi-turn"} <= categories
    assert {QUERY_TYPES[c] for c in categories} == {"no_tool", "easy", "hard"}
    shares = {q: sum(QUERY_TYPES[t.episode.category] == q for t in kept) / N for q in ("no_tool", "easy", "hard")}
    assert 0.1 <= shares["no_tool"] <= 0.2 and 0.45 <= shares["easy"] <= 0.55 and 0.3 <= shares["hard"] <= 0.4
    no_tool = [t for t in kept if QUERY_TYPES[t.episode.category] == "no_tool"]
    assert all(not _calls(t) for t in no_tool), "no_tool queries never call a tool"
    assert {t.episode.language for t in kept} == {"en", "zh"}


def test_each_prompt_says_its_own_today(traces: list[Trace], pack):
    days = set()
    for trace in traces[:60]:
        today = today_for(trace.episode.seed, pack.file.generation.today)
        expected = f"Today is {today.isoformat()} ({WEEKDAYS[today.weekday()].capitalize()})."
        assert expected in trace.messages[0].content
        days.add(today)
    assert len(days) > 20, "one simulated today per episode"


# ---------------------------------------------------------------- hard cases carry the right values


def _day_said(text: str, today: date) -> date | None:
    """The day a relative phrase in `text` means (an independent reading of the pack's phrases)."""
    lowered = text.lower()
    counts = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6}
    zh_days = "一二三四五六日"
    if m := re.search(r"\bin (\w+) days\b|\b(\w+) days from now\b|(.)天以?后", lowered):
        return today + timedelta(days=counts[next(g for g in m.groups() if g)])
    if "day after tomorrow" in lowered or re.search(r"(?<!大)后天", text):
        return today + timedelta(days=2)
    if "tomorrow" in lowered or "明天" in text:
        return today + timedelta(days=1)
    if m := re.search(r"\bthis (?:coming )?(\w+day)\b|(?:这周|本周|这个星期)(.)", lowered):
        target = WEEKDAYS.index(m.group(1)) if m.group(1) else zh_days.index(m.group(2))
        assert target > today.weekday(), f"{m.group(0)!r} said on a {WEEKDAYS[today.weekday()]}"
        return today + timedelta(days=target - today.weekday())
    if m := re.search(r"\bnext (\w+day)\b|\b(\w+day) next week\b|(?:下周|下星期|下个星期)(.)", lowered):
        name = m.group(1) or m.group(2)
        target = WEEKDAYS.index(name) if name else zh_days.index(m.group(3))
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
    return None


def test_relative_days_are_resolved_against_the_simulated_today(traces: list[Trace], pack):
    checked = set()
    for trace in _tagged(traces, pack, "relative_date"):
        today = today_for(trace.episode.seed, pack.file.generation.today)
        day = _day_said(_user_text(trace), today)
        assert day is not None, _user_text(trace)
        dated = [(name, args[key]) for name, args in _calls(trace) for key in ("date", "due_date") if key in args]
        assert dated, trace.episode.scenario_id
        for name, value in dated:
            assert value == day.isoformat(), (trace.episode.scenario_id, name, value, _user_text(trace), today)
        checked.add(trace.episode.scenario_id)
    assert len(checked) >= 6, sorted(checked)


def test_aliases_become_canonical_values(traces: list[Trace], pack):
    checked = 0
    for trace in _tagged(traces, pack, "alias"):
        user = _user_text(trace)
        values = [v for _, args in _calls(trace) for v in args.values()]
        zones = trace.episode.scenario_id.startswith(("time_", "timezone_"))
        table = (ALIASES | ZONE_ALIASES if zones else ALIASES) | TIMES
        for fact in trace.facts.values():
            if not isinstance(fact, dict) or "code" not in fact:
                continue
            for said_key, code_key in (("en", "code"), ("zh", "code"), ("to_en", "to"), ("to_zh", "to")):
                phrase = fact.get(said_key)
                if not isinstance(phrase, str) or phrase not in user or phrase == fact[code_key]:
                    continue
                if isinstance(fact[code_key], (int, float)):
                    continue  # a number in words, checked below
                assert table.get(phrase) == fact[code_key], f"{phrase!r} should mean {table.get(phrase)!r}"
                assert fact[code_key] in values, (trace.episode.scenario_id, phrase, values)
                assert phrase not in values, f"the alias {phrase!r} itself went into the call"
                checked += 1
    assert checked >= 12


def test_numbers_in_words_become_numbers(traces: list[Trace], pack):
    checked = 0
    for trace in _tagged(traces, pack, "number_words"):
        user = _user_text(trace)
        numbers = [v for _, args in _calls(trace) for v in args.values() if isinstance(v, (int, float))]
        for fact in trace.facts.values():
            if not isinstance(fact, dict) or not isinstance(fact.get("code"), (int, float)):
                continue
            said = [fact[k] for k in ("en", "zh") if isinstance(fact.get(k), str) and fact[k] in user]
            if not said or any(str(fact["code"]) in phrase for phrase in said):
                continue
            assert WORDS[said[0]] == fact["code"], (said[0], fact)
            assert fact["code"] in numbers, (trace.episode.scenario_id, said[0], numbers)
            checked += 1
    assert checked >= 10


def test_boundary_scenarios_call_the_right_tool_of_each_pair(traces: list[Trace]):
    seen = set()
    for trace in traces:
        pair = BOUNDARIES.get(trace.episode.scenario_id)
        if pair is None:
            continue
        right, look_alike = pair
        names = [name for name, _ in _calls(trace)]
        assert right in names and look_alike not in names, (trace.episode.scenario_id, names)
        seen.add(trace.episode.scenario_id)
    assert len(seen) >= 10, sorted(set(BOUNDARIES) - seen)


def test_mixed_intents_are_clarified_before_any_call(traces: list[Trace], pack):
    clarified = [t for t in _tagged(traces, pack, "mixed_intent")
                 if any(not turn.expect for turn in pack.scenarios[t.episode.scenario_id].turns)]
    assert clarified
    for trace in clarified:
        first_reply = next(m for m in trace.messages if isinstance(m, AssistantMessage))
        assert not first_reply.tool_calls and ("?" in (first_reply.content or "") or "？" in (first_reply.content or "")), trace.id


def test_missing_arguments_are_asked_for_then_used(traces: list[Trace], pack):
    asked = [t for t in traces if t.episode.category == "clarification"]
    assert asked
    for trace in asked:
        replies = [m for m in trace.messages if isinstance(m, AssistantMessage)]
        question = replies[0]
        assert not question.tool_calls and ("?" in question.content or "？" in question.content), trace.id
        assert any(m.tool_calls for m in replies[1:]), trace.id


def test_the_judge_rejects_an_alias_left_in_the_call(traces: list[Trace], pack):
    nicknamed = [t for t in traces if t.episode.scenario_id == "weather_city_nickname"
                 and t.facts["city"]["en"] != t.facts["city"]["code"]]
    assert nicknamed
    for trace in nicknamed[:5]:
        assert judge_rules(trace, pack).decision == "accept"
        for i, message in enumerate(trace.messages):
            if isinstance(message, AssistantMessage) and message.tool_calls:
                call = message.tool_calls[0]
                alias = trace.facts["city"]["en"] if trace.episode.language == "en" else trace.facts["city"]["zh"]
                wrong = ToolCall(id=call.id, name=call.name, arguments=json.dumps({"city": alias}))
                trace.messages[i] = AssistantMessage(tool_calls=(wrong,))
                break
        verdict = judge_rules(trace, pack)
        assert verdict.decision == "reject" and "expected_calls" in verdict.reasons
