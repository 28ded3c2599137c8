"""Load a scenario file into a `Pack`, or fail with every problem as `path:line: message`.

A run that dies an hour in because of a typo wastes an hour and money, so loading is where all
input mistakes surface, and all at once: a broken part (a persona file, the tool module, one
scenario) is reported and the other parts are still checked. Steps:

1. the scenario file, strictly (`ScenarioFile`), errors mapped to lines (`yaml_lines`);
2. its tools (`load_tools`): a tool-sim module by path or dotted name, or a schema-only tools.yaml;
3. the system prompt, inline or from a file;
4. personas: files, folders, globs or bare ids (looked up in `<scenario dir>/../personas`);
5. cross-references between them (`load_checks`).

Loading reads only: nothing is written (not even `__pycache__` for the imported sims).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from simulator.core.errors import InputError, Problem
from simulator.core.files import MAX_PROMPT_BYTES, outside_problem, pack_root, read_text_bounded, regular_file_problem
from simulator.core.pydantic_problems import validate
from simulator.core.yaml_lines import (
    Loc,
    YamlDocument,
    display_path,
    format_loc,
    read_yaml,
)
from simulator.load.chains import extend_pack
from simulator.load.checks import PackContext, check_domain, check_scenarios
from simulator.load.sim_modes import sim_modes
from simulator.load.tool_errors import unknown_facts
from simulator.load.tools import load_tools, seeded_state
from simulator.load.variants import with_variants
from simulator.spec import DomainConfig, Persona, Scenario, ScenarioFile
from simulator.spec.pack import Domain, Pack

DEFAULT_PERSONAS = "../personas"
PERSONA_SUFFIXES = (".yaml", ".yml")


def load_pack(path: str | Path, *, allow_live_writes: bool = False) -> Pack:
    """Load and cross-check a scenario file. Raises `InputError` carrying every problem found.
    `allow_live_writes` lets `domain.sim` make live calls of tools not marked `read_only`."""
    given = str(path)
    path = Path(path)
    doc = read_yaml(path, given)
    if not isinstance(doc.value, dict):
        raise InputError([Problem(given, 1, "expected a mapping with name, domain, personas and scenarios")])
    problems = list(doc.problems)
    scenario_file, errors = validate(ScenarioFile, doc.value, doc)
    problems += [p for p in errors if "duplicate scenario id" not in p.message]  # load_checks says where
    parts = _Parts.of(scenario_file) if scenario_file else _Parts.salvage(doc.value)
    base_dir = path.parent
    root = pack_root(path)  # every file the scenario file names must be inside it

    tools = None
    if parts.domain is not None:
        try:
            tools = load_tools(parts.domain.tools, base_dir, doc, ("domain", "tools"), root)
            problems += tools.problems
        except InputError as exc:
            problems += exc.problems
    system_prompt = _system_prompt(parts.domain, base_dir, doc, problems, root) if parts.domain else ""
    personas = _load_personas(parts.persona_entries, base_dir, doc, root) if parts.persona_entries is not None else None
    problems += personas.problems if personas else []
    state = None
    if tools is not None:
        state, seeding_problems = seeded_state(tools)
        problems += seeding_problems

    ctx = PackContext(
        doc=doc, tools=tools, state=state,
        personas=personas.by_id if personas else {},
        persona_ids=personas.all_ids if personas and personas.ids_known else None,
        personas_complete=bool(personas and personas.complete),
    )
    modes: dict[str, str] = {}
    if parts.domain is not None:
        problems += check_domain(ctx, parts.domain)
        if tools is not None:
            python_tools = set(tools.sims.tools) if tools.sims else set()
            modes, found = sim_modes(parts.domain, tools.specs, python_tools, tools.service, doc,
                                     allow_live_writes=allow_live_writes)
            problems += found
    problems += check_scenarios(ctx, parts.scenarios)
    if tools is not None and tools.error_facts:
        problems += unknown_facts(tools.error_facts, (s for _, s in parts.scenarios))
    scenario_file = with_variants(scenario_file, path, problems)  # generated `say` variants (toolsim expand)
    if problems or scenario_file is None or tools is None or personas is None:
        raise InputError(problems)

    domain = Domain(
        name=tools.sims.name if tools.sims else scenario_file.name,
        system_prompt=system_prompt,
        tools=tools.specs,
        config=scenario_file.domain,
        sims=tools.sims,
        tools_source=tools.source,
        service=tools.service,
        tools_dir=tools.folder,
        sim_modes=modes,
    )
    pack = Pack(
        path=path,
        file=scenario_file,
        domain=domain,
        personas=personas.by_id,
        scenarios={s.id: s for s in scenario_file.scenarios},
        persona_sources=personas.sources,
    )
    extend_pack(pack, ctx)  # domain.links checks; generation.chains scenarios from the tool graph
    return pack


@dataclass
class _Parts:
    """The parts of a scenario file that are valid on their own, so a typo in one scenario does
    not hide the problems of the tools, the personas or the other scenarios."""

    domain: DomainConfig | None
    persona_entries: list[str] | None
    scenarios: list[tuple[int, Scenario]]

    @classmethod
    def of(cls, file: ScenarioFile) -> "_Parts":
        return cls(file.domain, file.personas, list(enumerate(file.scenarios)))

    @classmethod
    def salvage(cls, raw: dict[str, Any]) -> "_Parts":
        raw_scenarios = raw.get("scenarios")
        scenarios = []
        for index, item in enumerate(raw_scenarios if isinstance(raw_scenarios, list) else []):
            scenario = _valid(Scenario, item)
            if scenario is not None:
                scenarios.append((index, scenario))
        return cls(
            domain=_valid(DomainConfig, raw.get("domain")),
            persona_entries=_valid(TypeAdapter(list[str]), raw.get("personas", [DEFAULT_PERSONAS])),
            scenarios=scenarios,
        )


def _valid(model: Any, value: Any) -> Any:
    """The validated value, or None (its errors were reported by the whole-file validation)."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(value, strict=True)
        return model.model_validate(value)
    except ValidationError:
        return None


def _system_prompt(domain: DomainConfig, base_dir: Path, doc: YamlDocument, problems: list[Problem],
                   root: Path) -> str:
    if domain.system_prompt_file is None:
        text, loc = domain.system_prompt or "", ("domain", "system_prompt")
    else:
        loc = ("domain", "system_prompt_file")
        prompt_path = base_dir / domain.system_prompt_file
        unreadable = regular_file_problem(prompt_path)
        reason = f"{unreadable}: {display_path(prompt_path)}" if unreadable else outside_problem(prompt_path, root)
        if reason:
            problems.append(doc.problem(loc, f"{format_loc(loc)}: {reason}"))
            return ""
        try:
            text = read_text_bounded(prompt_path, display_path(prompt_path), MAX_PROMPT_BYTES)
        except InputError as exc:
            problems += exc.problems
            return ""
    if not text.strip():
        problems.append(doc.problem(loc, f"{format_loc(loc)}: the system prompt is empty"))
    return text


# ---------------------------------------------------------------- personas


@dataclass
class _Personas:
    by_id: dict[str, Persona] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # id -> file as shown in messages
    all_ids: set[str] = field(default_factory=set)  # including files that failed validation
    ids_known: bool = True  # False when an entry could not be resolved: any id might be in it
    complete: bool = True  # every persona file loaded
    problems: list[Problem] = field(default_factory=list)


def _load_personas(entries: list[str], base_dir: Path, doc: YamlDocument, root: Path) -> _Personas:
    result = _Personas()
    files: list[Path] = []
    if ("personas",) not in doc.lines and not (base_dir / DEFAULT_PERSONAS).is_dir():
        folder = display_path(base_dir / DEFAULT_PERSONAS)
        message = (
            f"personas: the default folder {folder} does not exist; "
            "list persona files or folders under `personas:`"
        )
        return _Personas(ids_known=False, complete=False, problems=[Problem(doc.source, None, message)])
    for index, entry in enumerate(entries):
        found, problem = _persona_files(entry, base_dir, doc, ("personas", index), root)
        if problem:
            result.problems.append(problem)
            result.ids_known = result.complete = False
        files += [f for f in found if f not in files]
    for file in files:
        _load_persona(file, result)
    if not result.by_id and not result.problems:
        message = "no personas found: list persona files or folders under `personas:`"
        result.problems.append(doc.problem(("personas",), message))
    return result


def _persona_files(entry: str, base_dir: Path, doc: YamlDocument, loc: Loc, root: Path) -> tuple[list[Path], Problem | None]:
    """The files one `personas:` entry stands for (a glob, a folder, a file or a bare persona
    id), all inside the pack folder `root`."""
    found, problem = _persona_candidates(entry, base_dir, doc, loc)
    here = format_loc(loc) if loc in doc.lines else "personas (default)"
    for file in found:
        reason = outside_problem(file, root)
        if reason:
            return [], doc.problem(loc, f"{here}: {reason}")
    return found, problem


def _persona_candidates(entry: str, base_dir: Path, doc: YamlDocument, loc: Loc) -> tuple[list[Path], Problem | None]:
    here = format_loc(loc)
    if loc not in doc.lines:  # the default entry: no line to point at
        here, doc = "personas (default)", YamlDocument(doc.source, None, lines={})
    target = base_dir / entry
    if glob.has_magic(entry):
        matches = sorted(Path(p) for p in glob.glob(str(target)) if p.endswith(PERSONA_SUFFIXES))
        return _normal(matches), None if matches else doc.problem(loc, f"{here}: no persona file matches {entry!r}")
    if target.is_dir():
        matches = sorted(p for p in target.iterdir() if p.suffix in PERSONA_SUFFIXES and p.is_file())
        empty = f"{here}: no persona files (*.yaml) in {display_path(target)}"
        return _normal(matches), None if matches else doc.problem(loc, empty)
    if target.is_file():
        return _normal([target]), None
    if entry.endswith(PERSONA_SUFFIXES) or "/" in entry or os.sep in entry:
        return [], doc.problem(loc, f"{here}: not found: {display_path(target)}")
    by_id = base_dir / DEFAULT_PERSONAS / f"{entry}.yaml"
    if by_id.is_file():
        return _normal([by_id]), None
    return [], doc.problem(loc, f"{here}: unknown persona {entry!r} (no file {display_path(by_id)})")


def _normal(paths: list[Path]) -> list[Path]:
    return [Path(os.path.normpath(os.path.abspath(p))) for p in paths]


def _load_persona(file: Path, result: _Personas) -> None:
    source = display_path(file)
    try:
        doc = read_yaml(file, source)
    except InputError as exc:
        result.problems += exc.problems
        result.complete = False
        return
    result.problems += doc.problems
    raw_id = doc.value.get("id") if isinstance(doc.value, dict) else None
    if isinstance(raw_id, str):
        result.all_ids.add(raw_id)
    persona, errors = validate(Persona, doc.value, doc)
    if persona is None:
        result.problems += errors
        result.complete = False
        return
    if persona.id in result.by_id:
        message = f"id: duplicate persona id {persona.id!r} (also in {result.sources[persona.id]})"
        result.problems.append(doc.problem(("id",), message))
        return
    result.by_id[persona.id] = persona
    result.sources[persona.id] = source
