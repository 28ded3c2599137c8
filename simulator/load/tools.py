"""Load a domain's tools: a Python tool-sim module or a schema-only `tools.yaml`, fully checked.

A tool spec is what the model is trained on, so a broken schema must never reach a dataset: every
spec is validated as a `ToolSpec`, its `parameters` and `returns` against the JSON-Schema
meta-schema, and names must be unique. Problems point at the tool's own `file:line` (the `@tool`
decorator for Python, the YAML entry for `tools.yaml`), not at the scenario file that names it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import importlib.util
import inspect
import random
import re
import sys
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import ValidationError

from simulator.core.errors import InputError, Problem
from simulator.core.files import outside_problem, read_bytes_bounded, regular_file_problem
from simulator.core.pydantic_problems import describe_error, validate
from simulator.core.yaml_lines import (
    Loc,
    YamlDocument,
    display_path,
    format_loc,
    read_yaml,
)
from simulator.load.sim_modes import binding_problems
from simulator.load.tool_errors import FactReference, fact_references, rule_problems
from simulator.spec import ToolsFile, ToolSpec
from simulator.spec.toolkit import State, ToolSimModule
from simulator.spec.validation import schema_problems, size_problems
from simulator.values.computed import computation_names
from simulator.values.schema_sim import returns_problems

DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
# The state the loader inspects (to check `record.collection` and fields) is seeded like this.
CHECK_SEED = 0
CHECK_TODAY = date(2025, 1, 15)


@dataclass
class LoadedTools:
    """The valid specs, plus every name declared (a tool with a broken spec still exists: calls to
    it should not also be reported as calls to an unknown tool)."""

    specs: dict[str, ToolSpec]
    names: set[str]
    source: str
    sims: ToolSimModule | None = None
    problems: list[Problem] = field(default_factory=list)
    error_facts: list[FactReference] = field(default_factory=list)  # facts declared errors test
    service: Any = None  # a tools.yaml's `service:` (simulator.spec.service), for `sim: live`
    folder: Path | None = None  # the tools.yaml's folder


def load_tools(reference: str, base_dir: Path, doc: YamlDocument, loc: Loc, root: Path | None = None) -> LoadedTools:
    """Load the tools `reference` (the `domain.tools` value at `loc` of `doc`) names; a file must
    be a regular file inside `root` (the pack folder, see `simulator.core.files`).

    Raises `InputError` when the source itself cannot be loaded (missing file, import error);
    problems of individual tools are collected in `.problems` so every one is reported."""
    here = format_loc(loc)
    if reference.endswith((".yaml", ".yml", ".py")):
        path = base_dir / reference
        kind = "tool-sim module" if reference.endswith(".py") else "tools file"
        problem = regular_file_problem(path) or (outside_problem(path, root) if root else None)
        if problem == "file not found":
            raise InputError([doc.problem(loc, f"{here}: {kind} not found: {display_path(path)}")])
        if problem:
            raise InputError([doc.problem(loc, f"{here}: {kind} {display_path(path)}: {problem}")])
        if reference.endswith(".py"):
            read_bytes_bounded(path, display_path(path))  # bounded size before Python reads it
            named_at = doc.problem(loc, f"{here}: {display_path(path)}")
            return _from_sims(_find_sims(_import_file(path), display_path(path), named_at), display_path(path))
        return _load_tools_yaml(path)
    if DOTTED_NAME.match(reference):
        module, source = _import_dotted(reference, doc, loc)
        return _from_sims(_find_sims(module, source, doc.problem(loc, f"{here}: {reference}")), source)
    raise InputError([doc.problem(loc, (
        f"{here}: expected a .py tool-sim module, a .yaml tools file or a dotted module name, got {reference!r}"
    ))])


# ---------------------------------------------------------------- tools.yaml


def _load_tools_yaml(path: Path) -> LoadedTools:
    doc = read_yaml(path, display_path(path))
    problems = list(doc.problems)
    tools_file, errors = validate(ToolsFile, doc.value, doc)
    problems += errors
    raw_tools = doc.value.get("tools") if isinstance(doc.value, dict) else None
    raw_tools = raw_tools if isinstance(raw_tools, list) else []
    loaded = LoadedTools(specs={}, names=set(), source=doc.source, problems=problems,
                         service=tools_file.service if tools_file else None, folder=path.parent)
    for index, raw in enumerate(raw_tools):
        name = raw.get("name") if isinstance(raw, dict) else None
        spec = tools_file.tools[index] if tools_file else _valid_or_none(raw)
        if spec is None:
            loaded.names.update([name] if isinstance(name, str) else [])
            continue
        loc = ("tools", index)
        if spec.name in loaded.names:
            problems.append(doc.problem(loc + ("name",), f"tools[{index}].name: duplicate tool name {spec.name!r}"))
            continue
        loaded.names.add(spec.name)
        if spec.read_only is None:
            problems.append(doc.problem(loc + ("name",), (
                f"tools[{index}] ({spec.name}): say whether the tool changes state: add `read_only: true` "
                "(it only reads, like a lookup or a search) or `read_only: false` (it books, sends or updates)"
            )))
        found = spec_schema_problems(spec)
        # Schema-only tools are answered by the generic sim: it must be able to fill `returns`.
        found = found or [("returns", message) for message in returns_problems(spec)]
        if spec.compute is not None and spec.compute not in computation_names():
            found.append(("compute", f"unknown computation {spec.compute!r}; known: {', '.join(computation_names())}"))
        for key, message in found:
            problems.append(doc.problem(loc + (key,), f"tools[{index}].{key}: {message}"))
        problems += _error_rule_problems(doc, loc, index, spec, loaded)
        for at, message in binding_problems(spec):
            problems.append(doc.problem(loc + at, f"tools[{index}].{format_loc(at)}: {message}"))
        if not found:
            loaded.specs[spec.name] = spec
    return loaded


def _error_rule_problems(doc: YamlDocument, loc: Loc, index: int, spec: ToolSpec, loaded: LoadedTools) -> list[Problem]:
    """The tool's declared `errors:` (load/tool_errors.py), each problem at its own line."""
    def problem_at(at: Loc, message: str) -> Problem:
        return doc.problem(loc + at, f"tools[{index}].{format_loc(at)}: {message}")

    loaded.error_facts += fact_references(spec, problem_at)
    return [problem_at(at, message) for at, message in rule_problems(spec)]


def _valid_or_none(raw: Any) -> ToolSpec | None:
    try:
        return ToolSpec.model_validate(raw)
    except ValidationError:
        return None  # already reported through ToolsFile


# ---------------------------------------------------------------- Python tool sims


def _import_file(path: Path) -> ModuleType:
    """Import a module by file path under a unique name (two domains may both have a `sims.py`).
    Bytecode is not written: loading a pack must not leave files behind."""
    absolute = path.resolve()
    digest = hashlib.sha1(str(absolute).encode()).hexdigest()[:10]
    name = f"_toolsim_sims_{re.sub(r'[^A-Za-z0-9_]', '_', absolute.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(name, absolute)
    if spec is None or spec.loader is None:
        raise InputError.single(display_path(path), "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    try:
        _without_bytecode(spec.loader.exec_module, module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a module's own BaseException subclass included
        sys.modules.pop(name, None)
        raise InputError(_import_problems(exc, absolute)) from None
    return module


def _import_dotted(name: str, doc: YamlDocument, loc: Loc) -> tuple[ModuleType, str]:
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise InputError([doc.problem(loc, f"{format_loc(loc)}: no Python module named {name!r}")])
    origin = Path(found.origin) if found.origin and found.origin not in ("built-in", "frozen") else None
    source = display_path(origin) if origin else name
    try:
        return _without_bytecode(importlib.import_module, name), source
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a module's own BaseException subclass included
        raise InputError(_import_problems(exc, origin, source)) from None


def _without_bytecode(function: Any, *args: Any) -> Any:
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        return function(*args)
    finally:
        sys.dont_write_bytecode = previous


def _import_problems(exc: BaseException, path: Path | None, source: str | None = None) -> list[Problem]:
    """`module.py:LINE: cannot import ...` with the module's own line from the traceback (for an
    error inside a helper it imports, the line of that import). A data file the module reads with
    `simulator.read_yaml_data` reports its own `file:line`; a YAML error from plain
    `yaml.safe_load` names the data file when PyYAML knows it, else its line inside the text."""
    if isinstance(exc, InputError):
        return list(exc.problems)
    source = source or (display_path(path) if path else "<module>")
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        if mark.name and Path(mark.name).is_file():
            return [Problem(display_path(Path(mark.name)), mark.line + 1, f"invalid YAML: {exc.problem}")]
    line = None
    if isinstance(exc, SyntaxError) and exc.filename and path and Path(exc.filename).resolve() == path.resolve():
        line = exc.lineno
    elif path is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
        line = frames[-1].lineno if frames else None
    detail = exc.msg if isinstance(exc, SyntaxError) else _text_of(exc)
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        detail = (f"invalid YAML at line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1} "
                  f"of the text it loads: {exc.problem}")
    return [Problem(source, line, f"cannot import the tool sims: {type(exc).__name__}: {detail}")]


def _text_of(exc: BaseException) -> str:
    """`str(exc)`, which an author's exception class may have broken."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the real problem
        return repr(type(exc))


def _find_sims(module: ModuleType, source: str, reference: Problem) -> ToolSimModule:
    """The module's one `ToolSimModule`; a missing one is reported where the scenario file names
    the module (`reference`), several at the line that made the second."""
    found = {name: value for name, value in vars(module).items() if isinstance(value, ToolSimModule)}
    if len(found) == 1:
        return next(iter(found.values()))
    if not found:
        raise InputError([Problem(reference.path, reference.line, f"{reference.message} defines no ToolSimModule: "
                                  "create one, e.g. `sims = ToolSimModule(\"shop\")`")])
    lines = sorted(sims.defined_line for sims in found.values() if sims.defined_line)
    raise InputError([Problem(source, lines[1] if len(lines) > 1 else None,
                              f"several ToolSimModule objects ({', '.join(sorted(found))}): keep one per module")])


def _from_sims(sims: ToolSimModule, source: str) -> LoadedTools:
    loaded = LoadedTools(specs={}, names=set(sims.tools), source=source, sims=sims)
    for replaced in sims.duplicates:
        later = sims.tools[replaced.spec.name]
        loaded.problems.append(Problem(
            _source_of(later.source, source), later.line,
            f"duplicate tool name {replaced.spec.name!r} (also registered on line {replaced.line})",
        ))
    if not sims.tools:
        loaded.problems.append(Problem(source, sims.defined_line, f"ToolSimModule {sims.name!r} registers no tools"))
    for name, registered in sims.tools.items():
        where = _source_of(registered.source, source)
        raw = {k: getattr(registered.spec, k, None)
               for k in ("name", "description", "parameters", "returns", "read_only")}
        unwritable = _not_json(raw)
        if unwritable:
            loaded.problems.append(Problem(where, registered.line, f"tool {name!r}: {unwritable}"))
            continue
        try:
            spec = ToolSpec.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                at, message = describe_error(error, ToolSpec, from_yaml=False)
                loaded.problems.append(Problem(where, registered.line, f"tool {name!r}: {format_loc(at)}: {message}"))
            continue
        if spec.read_only is None:
            loaded.problems.append(Problem(where, registered.line, (
                f"tool {name!r}: say whether it changes state: @sims.tool(..., read_only=True) "
                "when it only reads (a lookup, a search), read_only=False when it books, sends or updates"
            )))
        found = spec_schema_problems(spec)
        for key, message in found:
            loaded.problems.append(Problem(where, registered.line, f"tool {name!r}: {key}: {message}"))
        if not found:
            loaded.specs[name] = spec
    return loaded


def _not_json(raw: dict[str, Any]) -> str | None:
    """Why a spec written in Python cannot go into a UTF-8 JSON dataset line, or None."""
    problems = size_problems(raw.get("parameters")) + size_problems(raw.get("returns"))
    if problems:  # a schema that contains itself would never finish dumping
        return "; ".join(problems)
    try:
        json.dumps(raw, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # a set, a function, nan; a lone surrogate (UnicodeEncodeError)
        return f"the spec cannot be written as JSON: {exc}"
    return None


def _source_of(registered_source: str, module_source: str) -> str:
    return display_path(Path(registered_source)) if registered_source != "<unknown>" else module_source


def seeded_state(loaded: LoadedTools) -> tuple[State | None, list[Problem]]:
    """Seed the sims' state once (fixed seed and date) so scenarios' records can be checked.
    None for schema-only tools, which have no state."""
    sims = loaded.sims
    if sims is None:
        return None, []
    seeder_file = inspect.getsourcefile(sims.seeder) if sims.seeder else None
    path = Path(seeder_file) if seeder_file else None
    try:
        state = sims.seed_state(random.Random(CHECK_SEED), CHECK_TODAY)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a bug in the author's seeder: report it where it happened
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if path and Path(f.filename) == path]
        where = display_path(path) if path else loaded.source
        line = frames[-1].lineno if frames else None
        return None, [Problem(where, line, f"seeding the tool state failed: {type(exc).__name__}: {_text_of(exc)}")]
    well_formed = isinstance(state, dict) and all(
        isinstance(records, list) and all(isinstance(r, dict) for r in records) for records in state.values()
    )
    if not well_formed:
        where = display_path(path) if path else loaded.source
        line = inspect.getsourcelines(sims.seeder)[1] if sims.seeder else None
        message = "the state seeder must return a mapping of collection -> list of records (dicts)"
        return None, [Problem(where, line, message)]
    return state, []


# ---------------------------------------------------------------- schemas


def spec_schema_problems(spec: ToolSpec) -> list[tuple[str, str]]:
    """(`parameters` or `returns`, message) for each way a tool's schemas are unusable."""
    found = [("parameters", m) for m in schema_problems(spec.parameters)]
    if not found and spec.parameters.get("type") != "object":  # (a misspelt type is reported once)
        found.append(("parameters", f"must have type: object (got {spec.parameters.get('type')!r})"))
    properties = spec.parameters.get("properties", {})
    required = spec.parameters.get("required", [])
    if isinstance(properties, dict) and isinstance(required, list):
        for name in required:
            if isinstance(name, str) and name not in properties:
                found.append(("parameters", f"required parameter {name!r} is not among the properties"))
    if spec.returns is not None:
        found += [("returns", m) for m in schema_problems(spec.returns)]
    return found
