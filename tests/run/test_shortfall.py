"""Why a run is short: crashes counted once by exception and place, rejections by check, each
with an example; a scenario whose first episodes all crash is named; mix-only shortfalls plan
more episodes of the short kinds."""

from simulator.core.messages import SystemMessage
from simulator.core.records import Episode, ModelJudgement, RuleCheck, Trace, Verdict
from simulator.plan.targets import Targets, mix_deficits
from simulator.run.outcome import Outcome
from simulator.run.shortfall import CRASH_STOP, CrashWatch, FailureTally, crash_name


def _trace(tid, scenario="s1", tool="a", termination="user_stop", error=None) -> Trace:
    episode = Episode(id=tid, scenario_id=scenario, persona_id="p", seed=1, category="positive", tool=tool,
                      language="en")
    return Trace(id=tid, episode=episode, messages=[SystemMessage(content="s")], termination=termination, error=error)


def _verdict(tid, failed=()):
    checks = [RuleCheck(name=n, passed=False, reason=f"{n} because") for n in failed]
    return Verdict(trace_id=tid, checks=checks, model=ModelJudgement(), decision="reject" if failed else "accept",
                   reasons=list(failed))


def test_a_crash_is_named_by_its_exception_and_place_not_its_changing_message():
    a = crash_name("KeyError: 'ORD-1' (at /x/tool_sims/shop.py:19)", "error")
    b = crash_name("KeyError: 'ORD-2' (at /x/tool_sims/shop.py:19)", "error")
    assert a == b and a.startswith("KeyError at ") and a.endswith("shop.py:19")
    assert crash_name("ScenarioError: no record in 'orders' matches {}", "error") == "ScenarioError"


def test_causes_count_crashes_once_and_rejections_by_check_with_an_example():
    tally = FailureTally()

    def add(trace, verdict):
        tally.add(Outcome.of(trace, verdict))

    add(_trace("t1", termination="error", error="KeyError: 'x' (at s.py:3)"), _verdict("t1", ["termination_ok", "final_answer"]))
    add(_trace("t2", termination="error", error="KeyError: 'y' (at s.py:3)"), _verdict("t2", ["termination_ok"]))
    add(_trace("t3", tool="b"), _verdict("t3", ["expected_calls", "arguments_grounded"]))
    add(_trace("t4", tool=None), _verdict("t4", ["expected_calls"]))
    add(_trace("t5"), _verdict("t5"))  # accepted: not a cause
    causes = tally.ranked()
    assert [(c.kind, c.name, c.count, c.example) for c in causes] == [
        ("crash", "KeyError at s.py:3", 2, "t1"),
        ("rejected", "expected_calls", 2, "t3"),
        ("rejected", "arguments_grounded", 1, "t3"),
    ]
    assert dict(causes[1].cells) == {"b": 1, "(none)": 1} and causes[1].detail == "expected_calls because"


def test_a_scenario_whose_first_episodes_all_crash_is_named_once():
    crash_watch = CrashWatch()

    class watch:  # the watch reads outcomes, as the schedule settles them
        @staticmethod
        def add(trace):
            return crash_watch.add(Outcome.of(trace, _verdict(trace.id)))

    for i in range(CRASH_STOP - 1):
        assert watch.add(_trace(f"c{i}", termination="error", error="boom")) is None
        assert watch.add(_trace(f"ok{i}", scenario="s2")) is None
    assert watch.add(_trace("c-last", termination="error", error="boom")) == "s1"
    assert watch.add(_trace("c-more", termination="error", error="boom")) is None
    for i in range(CRASH_STOP):  # one success among the first episodes: never named
        assert watch.add(_trace(f"m{i}", scenario="s3", termination="error" if i else "user_stop")) is None


def test_tool_cells_met_but_languages_short_still_plan_episodes():
    targets = Targets(cells={"a": 30, "b": 10, "(none)": 10}, min_multi_turn=0, languages={"en": 30, "zh": 20})
    planned = mix_deficits(targets, categories={}, languages={"en": 0, "zh": 8})
    assert sum(planned.values()) == 16 and planned["a"] > planned["b"]  # twice the shortfall: some will be dupes
    assert mix_deficits(targets, categories={"hard": 0}, languages={"en": 0, "zh": 0}) == {}


def test_a_short_category_is_planned_only_in_cells_that_have_it():
    from tests.small_packs import CLASSIC, make_pack
    from simulator.plan.targets import compute_targets

    pack = make_pack(scenarios=CLASSIC)  # only tool a has a hard scenario
    targets = compute_targets(pack)
    assert set(mix_deficits(targets, categories={"hard": 3}, languages={}, pack=pack)) == {"a"}
