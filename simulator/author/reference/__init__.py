"""`docs/scenario-format.md`: every field of every file a pack is made of, from the pydantic models.

Each field's description and example live on the field itself (`Field(description=...,
examples=[...])`), so the reference cannot drift from what the loader accepts: a field added
without either fails `tests/author/test_reference.py`, and so does a stale docs file. The prose
around the tables (templates, placeholders, date keywords) is `intro.md` next to this module; the
date keywords are listed from `simulator.words.relative_dates` itself.

    python -m simulator.author.reference docs/scenario-format.md    # rewrite the file
"""

from __future__ import annotations

import json
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from simulator.load.variants import ScenarioVariants, VariantFile
from simulator.spec import (
    ChainsConfig,
    DedupeConfig,
    DomainConfig,
    ErrorCondition,
    ErrorText,
    ExpectedCall,
    GenerationConfig,
    LocalizedText,
    Mix,
    ModelsConfig,
    ModelSettings,
    Persona,
    Scenario,
    ScenarioFile,
    SlotSpec,
    SplitConfig,
    StateQuery,
    ToolErrorRule,
    ToolLink,
    ToolsFile,
    ToolSpec,
    Turn,
)
from simulator.spec.service import ApiKeyAuth, HttpOperation, HttpService, MCPBinding, MCPService, WireParam
from simulator.words.relative_dates import MAX_DAYS, WEEKDAYS

INTRO = Path(__file__).with_name("intro.md")


@dataclass(frozen=True)
class Section:
    where: str  # how the YAML reaches it: `scenarios[].slots.<name>`
    model: type[BaseModel]
    file: str  # which file kind


SECTIONS: tuple[Section, ...] = (
    Section("(top level)", ScenarioFile, "scenario file"),
    Section("domain", DomainConfig, "scenario file"),
    Section("domain.error_texts[]", ErrorText, "scenario file"),
    Section("domain.links[]", ToolLink, "scenario file"),
    Section("scenarios[]", Scenario, "scenario file"),
    Section("scenarios[].record", StateQuery, "scenario file"),
    Section("scenarios[].slots.<name>", SlotSpec, "scenario file"),
    Section("scenarios[].turns[]", Turn, "scenario file"),
    Section("scenarios[].turns[].expect[]", ExpectedCall, "scenario file"),
    Section("say, answer, replies.<tool>, ask.<slot>, ...", LocalizedText, "scenario file"),
    Section("generation", GenerationConfig, "scenario file"),
    Section("generation.mix", Mix, "scenario file"),
    Section("generation.dedupe", DedupeConfig, "scenario file"),
    Section("generation.split", SplitConfig, "scenario file"),
    Section("generation.chains", ChainsConfig, "scenario file"),
    Section("models", ModelsConfig, "scenario file"),
    Section("models.<role>, models.judges[]", ModelSettings, "scenario file"),
    Section("(top level)", ToolsFile, "tools file"),
    Section("service (kind: openapi)", HttpService, "tools file"),
    Section("service (kind: mcp)", MCPService, "tools file"),
    Section("service.auth", ApiKeyAuth, "tools file"),
    Section("tools[]", ToolSpec, "tools file"),
    Section("tools[].http", HttpOperation, "tools file"),
    Section("tools[].http.params.<argument>", WireParam, "tools file"),
    Section("tools[].mcp", MCPBinding, "tools file"),
    Section("tools[].errors[]", ToolErrorRule, "tools file"),
    Section("tools[].errors[].when", ErrorCondition, "tools file"),
    Section("(top level)", Persona, "persona file"),
    Section("(top level)", VariantFile, "variants file"),
    Section("scenarios.<id>", ScenarioVariants, "variants file"),
)
FILES = {
    "scenario file": "A scenario file (`scenarios/NAME.yaml`)",
    "tools file": "A tools file of schema-only tools (`scenarios/NAME.tools.yaml`)",
    "persona file": "A persona (`personas/ID.yaml`)",
    "variants file": "Generated `say` variants (`scenarios/NAME.variants.yaml`, written by `toolsim expand`)",
}


def fields_of(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields a person writes: not those the loader fills in (`json_schema_extra={"set_by": "loader"}`,
    such as a turn's `variant_of`, which a scenario file may not set)."""
    return {name: info for name, info in model.model_fields.items()
            if not (isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("set_by") == "loader")}


def yaml_name(name: str, info: FieldInfo) -> str:
    return info.alias or name


def missing_docs() -> list[str]:
    """`Model.field` for every field without a description or without an example."""
    missing = []
    for section in SECTIONS:
        for name, info in fields_of(section.model).items():
            if not (info.description or "").strip():
                missing.append(f"{section.model.__name__}.{name}: no description")
            if not info.examples:
                missing.append(f"{section.model.__name__}.{name}: no example")
    return missing


def type_text(annotation: Any) -> str:
    """A readable type: `list of string`, `one of positive, negative`, `Scenario` (a section)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation)]
    if origin is typing.Annotated:  # a discriminated union (`service:`): its members
        return type_text(args[0])
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" (or null)" if type(None) in args else "")
    if origin in (list, tuple, set):
        return f"list of {type_text(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {type_text(args[0])} → {type_text(args[1])}" if len(args) == 2 else "mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "string", int: "integer", float: "number", bool: "true/false", Any: "any"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation)).replace("date", "date (YYYY-MM-DD)")


def default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        if isinstance(value, BaseModel):
            return "(defaults)"
    else:
        value = info.default
    if value is PydanticUndefined or value is None:
        return "—"
    return f"`{_flow(value)}`"


def _flow(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(value, ensure_ascii=False, default=str)


def _cell(text: str) -> str:
    """One table cell: one line, `|` escaped, `<name>` shown as text outside code spans."""
    parts = " ".join(text.split()).replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def render() -> str:
    out = [INTRO.read_text(encoding="utf-8").rstrip() + "\n", _date_keywords()]
    current = None
    for section in SECTIONS:
        if section.file != current:
            current = section.file
            out.append(f"\n## {FILES[current]}\n")
        model = section.model
        doc = (model.__doc__ or "").strip().split("\n\n")[0]
        out.append(f"\n### {model.__name__}\n\n`{section.where}` — {_cell(doc)}\n\n")
        out.append("| field | type | default | what it is | example |\n| --- | --- | --- | --- | --- |\n")
        for name, info in fields_of(model).items():
            example = _flow(info.examples[0]) if info.examples else ""
            out.append(f"| `{yaml_name(name, info)}` | {_cell(type_text(info.annotation))} | {default_text(info)} | "
                       f"{_cell(info.description or '')} | `{_cell(example)}` |\n")
    return "".join(out)


def _date_keywords() -> str:
    days = ", ".join(f"`next_{d}`" for d in WEEKDAYS)
    this = ", ".join(f"`this_{d}`" for d in WEEKDAYS)
    return (f"\n### Date keywords (`date:` slots)\n\n`any`, `today`, `tomorrow`, `day_after_tomorrow`, "
            f"`in_<n>_days` (2 ≤ n ≤ {MAX_DAYS}), {this}, {days}. `next_<weekday>` is that weekday of next "
            "week (weeks run Monday to Sunday); `this_<weekday>` once that day has passed (or is "
            "today) is said and meant as next week's. A list draws one per episode.\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if argv:
        Path(argv[0]).parent.mkdir(parents=True, exist_ok=True)
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
