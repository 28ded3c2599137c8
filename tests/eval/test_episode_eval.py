"""Episode-level eval: a scripted model plays three tasks four times each over HTTP to the local fake
server, succeeding in a known pattern, and pass^k is the hand-computed figure.

The pattern (the n-th episode of a task the model sees):
- weather_city: right, right, right, then it names the city but not the temperature → 3 of 4;
- name: right, then a call where none is needed, right, call again → 2 of 4;
- chitchat: right three times, then the request fails for good (400): an infrastructure failure,
  left out → 3 of 3.
pass^k = mean over tasks of C(c, k) / C(n, k), k up to 3 (chitchat has 3 scored trials):
pass^1 = (3/4 + 2/4 + 3/3) / 3 = 3/4
pass^2 = (3/6 + 1/6 + 1) / 3 = 5/9
pass^3 = (1/4 + 0 + 1) / 3 = 5/12
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from tests.fakes.openai_server import FakeOpenAIServer, Reply, Request, error_reply, text, tool_calls

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "episodes.yaml"
pytestmark = pytest.mark.slow  # twelve episodes over HTTP

FATES = {"weather_city": ["ok", "ok", "ok", "untold"], "name": ["ok", "needless", "ok", "needless"],
         "chitchat": ["ok", "ok", "ok", "infra"]}


class PatternModel:
    """Decides each episode's fate at its first request, then plays it out."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.fate = "ok"

    def __call__(self, request: Request) -> Reply:
        messages = request.messages
        users = [m for m in messages if m["role"] == "user"]
        first = users[0]["content"]
        task = "chitchat" if "joke" in first else "name" if "name" in first else "weather_city"
        if not any(m["role"] == "assistant" for m in messages):
            self.fate = FATES[task][self.seen[task]]
            self.seen[task] += 1
        if self.fate == "infra":
            return error_reply(400, "bad request")
        last = messages[-1]
        if task == "weather_city":
            if last["role"] == "user":
                return tool_calls(("get_weather", {"city": re.search(r"weather in (\w+)", first, re.IGNORECASE).group(1)}))
            result = json.loads(last["content"])
            if self.fate == "untold":
                return text(f"It is nice in {result['city']}.")
            return text(f"It is {result['temp_c']} °C in {result['city']}.")
        if self.fate == "needless" and last["role"] == "user":
            return tool_calls(("get_weather", {"city": "Paris"}))
        return text("Why did the chicken cross the road?" if task == "chitchat" else "I'm your assistant.")


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("episodes") / "episodes.json"
    with FakeOpenAIServer() as server:
        server.responder = PatternModel()
        assert main(["eval", str(PACK), "--model", "openai/pattern", "--api-base", server.base_url, "--trials", "4",
                     "--concurrency", "1", "--retries", "0", "--no-cache", "--quiet", "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_pass_hat_k_is_the_hand_computed_figure(evaluated: dict[str, Any]) -> None:
    assert evaluated["tasks"] == {"chitchat": {"trials": 3, "successes": 3}, "name": {"trials": 4, "successes": 2},
                                  "weather_city": {"trials": 4, "successes": 3}}
    assert evaluated["pass_hat"] == pytest.approx({"1": 3 / 4, "2": 5 / 9, "3": 5 / 12})
    assert evaluated["errors"] == 1
    success = evaluated["metrics"]["success"]
    assert (success["k"], success["n"]) == (8, 11)


def test_each_failed_trial_says_why(evaluated: dict[str, Any]) -> None:
    failed = {(t["task"], t["trial"]): t["failed"] for t in evaluated["trials"] if t["status"] == "ok" and not t["success"]}
    assert set(failed) == {("weather_city", 3), ("name", 1), ("name", 3)}
    result = next(m["content"] for m in _trial(evaluated, "weather_city", 3)["trace"]["messages"] if m["role"] == "tool")
    assert failed[("weather_city", 3)] == [f"not told: get_weather.temp_c={json.loads(result)['temp_c']!r}"]
    assert any(r.startswith("rules: no_call_when_no_tool") for r in failed[("name", 1)])
    assert "final state" in evaluated["not_measured"][0]
    infra = _trial(evaluated, "chitchat", 3)
    assert infra["status"] == "error" and "bad request" in infra["error"]


def test_trials_are_seeded_episodes_that_differ(evaluated: dict[str, Any]) -> None:
    seeds = {t["trace"]["episode"]["seed"] for t in evaluated["trials"]}
    assert len(seeds) == 12
    again = _trial(evaluated, "weather_city", 0)["trace"]["episode"]
    assert again["id"] == "eval-weather_city-t0" and again["persona_id"] == "plain"


def _trial(result: dict[str, Any], task: str, number: int) -> dict[str, Any]:
    return next(t for t in result["trials"] if t["task"] == task and t["trial"] == number)


class _Comparison:
    def __init__(self, matches: bool, skipped: str | None = None) -> None:
        self.matches, self.skipped = matches, skipped

    def summary(self) -> str:
        return self.skipped or ("matches" if self.matches else "differs: /orders/0/status: expected refunded, got delivered")


@pytest.mark.parametrize("comparison, state, ok", [
    (_Comparison(False), False, False), (_Comparison(True), True, True), (_Comparison(False, "schema-only tools"), None, True),
])
def test_a_trial_succeeds_only_when_the_judges_replay_says_the_state_matches(
        evaluated: dict[str, Any], monkeypatch: pytest.MonkeyPatch, comparison: _Comparison, state: bool | None,
        ok: bool) -> None:
    from simulator.core.records import Trace
    from simulator.eval import final_state
    from simulator.eval.episodes import judge_trial
    from simulator.export.answers import aliases
    from simulator.load.loader import load_pack

    monkeypatch.setattr(final_state, "compare_final_state", lambda trace, pack: comparison)
    pack = load_pack(PACK)
    trace = Trace.model_validate(_trial(evaluated, "weather_city", 0)["trace"])
    judged = judge_trial(pack, trace, aliases(pack))
    assert judged["final_state"] is state and judged["success"] is ok
    assert ok or judged["failed"] == ["final state: differs: /orders/0/status: expected refunded, got delivered"]
