"""What a rehearsal's plays say is wrong with the pack, each at the line that causes it.

Per scenario, in order of how specific the cause is: a `{@tool.path}` argument no result of the
tool has; an `expect_error` call the tool answered without an error; an episode that could not be
played (no record matches `record.where`, a slot's field missing, a sim that raised) — and only
when none of those explains it, the judge's reasons the offline assistant's attempt was rejected
("the blueprint cannot be satisfied"). Then, across the pack, template variants no context could
ever fill. Failures that depend on the draw are not reported: a scenario is broken in a language
only when every attempt there failed (`plays.ATTEMPTS`).
"""

from __future__ import annotations

import difflib
import json
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from simulator.author.rehearse.places import Places, languages_text
from simulator.author.rehearse.plays import Play, Rehearsal
from simulator.author.rehearse.templates import TemplateWatch
from simulator.core.errors import Problem
from simulator.core.yaml_lines import display_path
from simulator.core.messages import ToolMessage
from simulator.simulate.episode import ScenarioError
from simulator.simulate.orchestrator import describe_exception
from simulator.spec import Scenario
from simulator.spec.blueprint import MissingValue, lookup, placeholders, walk_strings
from simulator.spec.pack import Pack
from simulator.values.schema_fields import output_fields

MAX_REASON = 240
_NAMED_ARGUMENT = re.compile(r"^([A-Za-z_][\w.-]*)[:.] ?(\w+)")  # "book: date='...' ..." / "book.date filled ..."
_AT_FILE = re.compile(r"\(at (.+):(\d+)\)$")


def results_of(plays: Iterable[Play], tool: str) -> list[Any]:
    """Every successful, parsed result of `tool` in the plays."""
    found = []
    for play in plays:
        for message in play.trace.messages if play.trace else []:
            if isinstance(message, ToolMessage) and message.name == tool and not message.is_error:
                try:
                    found.append(json.loads(message.content))
                except ValueError:
                    continue
    return found


def paths_of(value: Any, prefix: str = "") -> list[str]:
    """Every dotted path of a result (list items as `0`), for "it has: ..." hints."""
    if isinstance(value, dict):
        out = []
        for key, child in value.items():
            here = f"{prefix}.{key}" if prefix else str(key)
            out += [here] + paths_of(child, here)
        return out
    if isinstance(value, list) and value:
        here = f"{prefix}.0" if prefix else "0"
        return paths_of(value[0], here)
    return []


def _resolves(path: str, value: Any) -> bool:
    try:
        lookup(path, value)
        return True
    except MissingValue:
        return False


def _why_not(name: str, known: Iterable[str], what: str) -> str:
    """A hint for a placeholder: a close name, or — when its first part exists — that the rest
    does not (`{doc.name}` where slot `doc` is a plain value)."""
    root, _, rest = name.partition(".")
    if rest and root in set(known):
        return f": {root!r} has no {rest!r}"
    return _hint(name, known, what)


def _hint(name: str, known: Iterable[str], what: str) -> str:
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return (f"; did you mean {close[0]!r}?" if close else "") + (f" ({what}: {listed})" if known else "")


# ---------------------------------------------------------------- per scenario


def scenario_problems(pack: Pack, scenario: Scenario, rehearsal: Rehearsal, places: Places) -> list[Problem]:
    plays = rehearsal.of(scenario.id)
    if not plays:
        return []
    specific = list(_result_paths(scenario, plays, places)) + list(_expected_errors(scenario, plays, places))
    failing = rehearsal.failing_languages(scenario.id)
    if specific or not failing:
        return specific
    in_failing = [p for p in plays if p.language in failing]
    crashes = list(_crashes(pack, scenario, in_failing, failing, places))
    return crashes or [_unsatisfied(scenario, in_failing, failing, places)]


def _result_paths(scenario: Scenario, plays: list[Play], places: Places) -> Iterator[Problem]:
    """`{@tool.path}` arguments that no result of the tool, in any play, could fill."""
    for t, turn in enumerate(scenario.turns):
        for c, call in enumerate(turn.expect):
            for arg, value in call.args.items():
                for text in walk_strings(value):
                    for name in placeholders(text):
                        if not name.startswith("@") or "." not in name:
                            continue
                        tool, path = name[1:].split(".", 1)
                        results = results_of(plays, tool)
                        if not results or any(_resolves(path, r) for r in results):
                            continue
                        has = [p for r in results[:3] for p in paths_of(r)]
                        message = (f"{{{name}}}: no result of {tool!r} has {path!r}, so this call is never made "
                                   f"and every episode is rejected{_hint(path, has, 'it has')}")
                        yield places.about(scenario, ("turns", t, "expect", c, "args", arg), message)


def _expected_errors(scenario: Scenario, plays: list[Play], places: Places) -> Iterator[Problem]:
    """`expect_error: true` calls whose tool answered every time without an error."""
    for t, turn in enumerate(scenario.turns):
        for c, call in enumerate(turn.expect):
            if not call.expect_error:
                continue
            answers = [m for p in plays for m in (p.trace.messages if p.trace else [])
                       if isinstance(m, ToolMessage) and m.name == call.tool]
            if answers and not any(m.is_error for m in answers):
                how = ("declare when it fails under the tool's `errors:` in the tools file"
                       if places.pack.domain.sims is None or call.tool not in places.pack.domain.sims.tools
                       else "make the scenario's facts meet a case where the sim raises ToolError")
                message = (f"the call of {call.tool!r} expects an error, but {call.tool} answered without one in "
                           f"every rehearsal episode ({len(answers)} calls); {how}")
                yield places.about(scenario, ("turns", t, "expect", c, "expect_error"), message)


def _crashes(pack: Pack, scenario: Scenario, plays: list[Play], failing: list[str],
             places: Places) -> Iterator[Problem]:
    """Episodes that could not be played at all: the first cause, at its line."""
    for play in plays:
        if play.error is not None:
            yield _unplayable(pack, scenario, play.error, failing, places)
            return
        if play.trace is not None and play.trace.termination == "error":
            message = f"every rehearsal episode in {languages_text(failing)} crashed: {_shown(play.trace.error or '')}"
            yield places.about(scenario, ("id",), message)
            return


def _unplayable(pack: Pack, scenario: Scenario, error: BaseException, failing: list[str], places: Places) -> Problem:
    text = str(error)
    record = scenario.record
    if isinstance(error, ScenarioError) and record is not None and text.startswith("no record in"):
        loc = ("record", "where") if record.where else ("record",)
        seen = _values_in_state(pack, record.collection, list(record.where))
        detail = "; ".join(f"{k} takes {', '.join(map(repr, sorted(v, key=str)[:8]))}" for k, v in seen.items() if v)
        message = (f"no {record.collection!r} record matches {record.where} in the seeded state of any rehearsal "
                   f"episode, so every episode fails" + (f" ({detail})" if detail else ""))
        return places.about(scenario, loc, message)
    if isinstance(error, ScenarioError) and text.startswith("slot "):
        slot = text.split("'")[1] if "'" in text else None
        loc = ("slots", slot) if slot in scenario.slots else ("id",)
        return places.about(scenario, loc, f"{text}, so every episode fails")
    return places.about(scenario, ("id",), (
        f"every rehearsal episode in {languages_text(failing)} crashed before it began: "
        f"{_shown(describe_exception(error))}"
    ))


def _shown(error: str) -> str:
    """An exception's description with the file it happened in as the user would write it."""
    return _AT_FILE.sub(lambda m: f"(at {display_path(Path(m.group(1)))}:{m.group(2)})", error)


def _values_in_state(pack: Pack, collection: str, keys: list[str]) -> dict[str, set[Any]]:
    """What the `where` keys take in a few seeded states (to say what would match)."""
    sims = pack.domain.sims
    seen: dict[str, set[Any]] = {k: set() for k in keys}
    if sims is None:
        return seen
    from simulator.spec.generation import today_for

    for seed in range(3):
        try:
            state = sims.seed_state(random.Random(seed), today_for(seed, pack.file.generation.today))
        except Exception:  # noqa: BLE001 - a seeder bug is reported by the loader
            return seen
        for record in state.get(collection, []):
            for key in keys:
                try:
                    value = lookup(key, record)
                except MissingValue:
                    continue
                if isinstance(value, (str, int, float, bool)):
                    seen[key].add(value)
    return seen


def _unsatisfied(scenario: Scenario, plays: list[Play], failing: list[str], places: Places) -> Problem:
    """The judge's reasons for the first failed attempt, at the expected call they name."""
    play = next((p for p in plays if p.verdict is not None), plays[0])
    failed = [c for c in play.verdict.checks if not c.passed] if play.verdict else []
    reasons = "; ".join(f"{c.name}: {c.reason}" for c in failed)
    if len(reasons) > MAX_REASON:
        reasons = reasons[: MAX_REASON - 1] + "…"
    loc: tuple[Any, ...] = ("id",)
    for check in failed:
        if check.name == "expected_calls" and check.reason.startswith("missing "):
            tool = check.reason[len("missing "):].split(":")[0]
            loc = _first_call(scenario, tool) or loc
            break
        named = _NAMED_ARGUMENT.match(check.reason)
        if named and check.name in ("arguments_grounded", "arguments_schema", "asked_when_missing"):
            call = _first_call(scenario, named.group(1))
            if call is not None:
                args = scenario.turns[call[1]].expect[call[3]].args
                loc = call + ("args", named.group(2)) if named.group(2) in args else call
                break
    detail = reasons or (play.trace.termination if play.trace else "no verdict")
    message = (f"the offline assistant cannot satisfy this scenario's blueprint in {languages_text(failing)}, so "
               f"every episode would be rejected: {detail}")
    return places.about(scenario, loc, message)


def _first_call(scenario: Scenario, tool: str) -> tuple[Any, ...] | None:
    for t, turn in enumerate(scenario.turns):
        for c, call in enumerate(turn.expect):
            if call.tool == tool:
                return ("turns", t, "expect", c)
    return None


# ---------------------------------------------------------------- templates


def _declared(pack: Pack, tool: str | None) -> set[str]:
    """Every path the tool's `returns` schema defines (with the objects and lists on the way),
    and the `{X_count}` / `{X_list}` / `{X_asked...}` the offline assistant adds for a list."""
    spec = pack.domain.tools.get(tool or "")
    if spec is None or spec.returns is None:
        return set()
    paths: set[str] = set()
    for out in output_fields(spec.returns):
        parts = out.path.split(".")
        paths.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    lists = {p.split(".0")[0] for p in paths if ".0" in p and "." not in p.split(".0")[0]}
    asked = {f"{head}_asked{rest}" for head, sep, rest in (p.partition(".0") for p in paths) if sep and head in lists}
    return paths | asked | {f"{name}_count" for name in lists} | {f"{name}_list" for name in lists}


def template_problems(rehearsal: Rehearsal, watch: TemplateWatch, places: Places) -> list[Problem]:
    """Variants of reply, answer, error and question templates that never rendered."""
    problems = []
    plays = rehearsal.all()
    for templates, language, index, missing, keys in watch.never_rendered():
        where = places.templates.get(id(templates))
        if where is None:
            continue
        base, kind, owner = where
        loc = places.variant(base, language, index)
        if kind == "reply":
            if missing.startswith("@"):
                tool, _, path = missing[1:].partition(".")
                results = results_of(plays, tool)
                if any(_resolves(path, r) for r in results):
                    continue
                has = [p for r in results[:3] for p in paths_of(r)]
                why = f"no earlier result of {tool!r} has {path!r}{_hint(path, has, 'it has')}"
            else:
                results = results_of(plays, owner)
                if any(_resolves(missing, r) for r in results) or missing in _declared(places.pack, owner):
                    continue  # a field some results leave out (null, optional): another variant covers them
                why = (f"{{{missing}}} is neither a field of {owner}'s result nor a slot of the scenarios that "
                       f"call it{_hint(missing, keys, 'it can name')}")
            message = f"{why}; this variant is never said (a generic sentence or another variant is used instead)"
        elif kind == "answer":
            message = (f"{{{missing}}} cannot be filled from the scenario's slots{_why_not(missing, keys, 'slots')}; "
                       "this answer is never said")
        elif kind == "error_reply":
            message = (f"{{{missing}}} cannot be filled (an error reply has {{error}} and the scenario's slots)"
                       f"{_why_not(missing, keys, 'it can name')}")
        else:
            message = (f"{{{missing}}} cannot be filled (a question has {{slot}} and {{label}}); "
                       "this question is never asked")
        problems.append(places.problem(loc, message))
    return problems
