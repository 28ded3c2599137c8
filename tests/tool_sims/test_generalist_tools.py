"""The generalist pack's tools (`scenarios/generalist.tools.yaml`) and scenarios, without a run.

At least 40 schema-only tools across the categories the issue names, the similar pairs whose
boundary the data teaches, a positive scenario for every tool, and — played through the tool
environment with the blueprint's own arguments — schema-sim results that fit every `returns`."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from simulator.core.messages import AssistantMessage, ToolCall
from simulator.core.names import NO_TOOL
from simulator.load.loader import load_pack
from simulator.plan.targets import cell_of, compute_targets
from simulator.simulate.environment import ToolEnvironment
from simulator.simulate.episode import resolve_facts
from simulator.spec import HARD_CASES
from simulator.spec.blueprint import latest_results, render_args
from simulator.spec.validation import schema_errors, schema_problems

pytestmark = pytest.mark.slow  # runs a pack end to end

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "generalist.yaml"
SEEDS = range(6)

# The categories of the issue and the tools each must have (the pack may have more).
CATEGORIES: dict[str, set[str]] = {
    "math": {"calculate", "solve_equation", "compute_statistics"},
    "search": {"web_search", "search_news", "search_images", "wikipedia_lookup"},
    "productivity": {"create_reminder", "add_todo", "send_email", "create_note", "schedule_meeting"},
    "finance": {"get_stock_price", "convert_currency", "get_exchange_rate", "calculate_loan_payment", "get_crypto_price"},
    "weather": {"get_current_weather", "get_forecast", "get_air_quality"},
    "units": {"convert_units", "convert_temperature", "convert_timezone"},
    "travel": {"get_directions", "find_nearby_places", "estimate_travel_time"},
    "text": {"translate_text", "summarize_text", "detect_language", "spell_check"},
    "time": {"get_current_time", "days_between_dates", "add_to_date"},
    "shopping": {"search_products", "track_package"},
    "food": {"find_recipe", "nutrition_info"},
    "sports": {"get_sports_scores", "get_team_schedule"},
    "entertainment": {"find_movie_showtimes", "get_movie_details"},
    "health": {"calculate_bmi", "estimate_calories_burned"},
}
SIMILAR_PAIRS = [
    ("convert_currency", "get_exchange_rate"),
    ("get_current_weather", "get_forecast"),
    ("web_search", "search_news"),
    ("calculate", "convert_units"),
    ("create_reminder", "add_todo"),
    ("get_directions", "estimate_travel_time"),
]


@pytest.fixture(scope="module")
def pack():
    return load_pack(SCENARIO)


def test_at_least_forty_complete_tools(pack):
    tools = pack.domain.tools
    assert len(tools) >= 40
    assert pack.domain.sims is None, "schema-only: no Python sims"
    for name, spec in tools.items():
        assert len(spec.description) >= 30, name
        assert spec.returns is not None, f"{name} has no returns schema"
        assert schema_problems(spec.parameters) == [] and schema_problems(spec.returns) == [], name
        assert spec.parameters.get("additionalProperties") is False, name
        assert spec.required, f"{name} has no required parameter"


def test_every_category_of_the_issue_is_there(pack):
    for category, names in CATEGORIES.items():
        missing = names - set(pack.domain.tools)
        assert not missing, f"{category}: {sorted(missing)}"
    for pair in SIMILAR_PAIRS:
        assert set(pair) <= set(pack.domain.tools), pair


def test_every_tool_has_an_easy_positive_scenario(pack):
    positives = {s.primary_tool for s in pack.scenarios.values() if s.category == "positive"}
    assert positives == set(pack.domain.tools)


def test_query_types_and_hard_case_tags(pack):
    categories = Counter(s.category for s in pack.scenarios.values())
    assert {"negative", "positive", "hard", "clarification", "multi-turn"} <= set(categories)
    assert all(s.primary_tool is None for s in pack.scenarios.values() if s.category == "negative")
    tags = Counter(tag for s in pack.scenarios.values() for tag in s.hard_cases)
    for tag in set(HARD_CASES) - {"tool_error"}:  # schema-only tools have no business-rule errors
        assert tags[tag] >= 2, f"hard case {tag!r} is taught by {tags[tag]} scenario(s)"
    assert all("missing_argument" in s.hard_cases for s in pack.scenarios.values() if s.category == "clarification")
    near_misses = [s for s in pack.scenarios.values() if "near_miss" in s.hard_cases]
    assert near_misses and all(s.primary_tool is None for s in near_misses)


def test_both_sides_of_every_similar_pair_have_a_boundary_scenario(pack):
    boundary_tools = {
        call.tool
        for s in pack.scenarios.values() if "tool_boundary" in s.hard_cases
        for turn in s.turns for call in turn.expect
    }
    for pair in SIMILAR_PAIRS:
        assert set(pair) <= boundary_tools, pair


def test_the_default_mix_gives_every_query_type_a_fair_share(pack):
    targets = compute_targets(pack)
    total = targets.total
    assert targets.cells[NO_TOOL] == round(0.15 * total)
    assert set(targets.cells) - {NO_TOOL} == set(pack.domain.tools)
    shares = {k: v / total for k, v in targets.categories.items()}
    no_tool, easy = shares["negative"], shares["positive"]
    hard = shares["hard"] + shares["clarification"] + shares["multi-turn"]
    assert abs(no_tool + easy + hard - 1) < 1e-9
    assert 0.1 <= no_tool <= 0.25 and 0.4 <= easy <= 0.6 and 0.25 <= hard <= 0.45
    assert total <= 1000, "the default run stays small enough to finish offline in seconds"


def test_system_prompt_says_which_day_it_is(pack):
    assert "Today is {today} ({weekday})." in pack.domain.system_prompt


# ---------------------------------------------------------------- the schema sim behind every call


def _play(pack, scenario, seed):
    """Every expected call of a scenario, made in order through a tool environment with the
    blueprint's arguments (results feed `{@tool.path}`); yields (spec, args, message)."""
    env = ToolEnvironment(pack.domain, seed, check_returns=True, today=pack.file.generation.today)
    facts = resolve_facts(scenario, env.state, random.Random(f"facts:{seed}"), env.today)
    messages = []
    for turn in scenario.turns:
        for n, expected in enumerate(turn.expect):
            args = render_args(expected, facts, latest_results(messages))
            call = ToolCall(id=f"c{len(messages)}{n}", name=expected.tool, arguments=json.dumps(args))
            result = env.call(call)
            messages += [AssistantMessage(tool_calls=(call,)), result]
            yield pack.domain.tools[expected.tool], args, result


def test_schema_sim_results_fit_returns_for_the_blueprints_arguments(pack):
    seen: set[str] = set()
    for scenario in pack.scenarios.values():
        for seed in SEEDS:
            for spec, args, result in _play(pack, scenario, seed):
                assert not result.is_error, (scenario.id, args, result.content)
                value = json.loads(result.content)
                assert schema_errors(spec.returns, value) == [], (scenario.id, spec.name, args, value)
                seen.add(spec.name)
    assert seen == set(pack.domain.tools)


def test_results_echo_the_calls_arguments(pack):
    echoed = 0
    for scenario in pack.scenarios.values():
        for spec, args, result in _play(pack, scenario, 1):
            value = json.loads(result.content)
            for key in ("city", "symbol", "amount", "from_currency", "to_currency", "coin", "timezone", "team",
                        "date", "time", "text", "task", "title", "query", "mode", "repeat", "list", "language"):
                if key in args and key in value:
                    assert value[key] == args[key], (scenario.id, key, args, value)
                    echoed += 1
    assert echoed > 100


def test_aliases_left_unresolved_are_rejected_by_the_schema(pack):
    """The canonical value is not a nicety: a call that passes the user's word fails validation."""
    env = ToolEnvironment(pack.domain, 0, today=date(2026, 3, 10))
    wrong = [
        ("convert_currency", {"amount": 20, "from_currency": "quid", "to_currency": "USD"}),
        ("get_current_time", {"timezone": "NYC"}),
        ("get_crypto_price", {"coin": "BTC"}),
        ("translate_text", {"text": "Hello", "target_language": "Spanish"}),
        ("create_reminder", {"text": "call Mum", "date": "tomorrow", "time": "18:30"}),
        ("create_reminder", {"text": "call Mum", "date": "2026-03-11", "time": "6:30 pm"}),
        ("get_forecast", {"city": "Paris", "days": "a couple"}),
    ]
    for name, args in wrong:
        message = env.call(ToolCall(id="c", name=name, arguments=json.dumps(args)))
        assert message.is_error, (name, args)
        assert "invalid arguments" in json.loads(message.content)["error"]


def test_the_same_call_gets_the_same_answer_and_another_seed_another(pack):
    spec_call = ToolCall(id="c", name="get_current_weather", arguments=json.dumps({"city": "Lisbon"}))
    first = ToolEnvironment(pack.domain, 5).call(spec_call).content
    assert ToolEnvironment(pack.domain, 5).call(spec_call).content == first
    others = {ToolEnvironment(pack.domain, seed).call(spec_call).content for seed in range(6, 12)}
    assert len(others | {first}) > 1, "different seeds give different weather"


def test_every_tool_cell_can_be_filled_by_some_scenario(pack):
    cells = Counter(cell_of(s) for s in pack.scenarios.values())
    assert set(cells) - {NO_TOOL} == set(pack.domain.tools)
    assert cells[NO_TOOL] >= 5
