"""The files an import adds to what the scaffolder writes: the tools file (its `service:` and the
tools with their bindings, headed by the notes of the import), the system prompt in the API's own
words, and the scenario file's `sim:` line with how to go live."""

from __future__ import annotations

from typing import Any, Sequence

import yaml

from simulator.author.importers.imported import Imported
from simulator.spec.tools import ToolSpec

TOOLS_HEADER = """\
# Tools imported by `toolsim new` from {source}.
# Each tool is what the model sees (name, description, parameters) plus what only toolsim reads:
# `returns` (the schema sim answers from it), `read_only`, and where a live call goes (`http` / `mcp`).
{service_line}"""


def _service_line(imported: Imported) -> str:
    service = imported.service
    if service is None:
        return "# No `service:`: the tools can be simulated (sim: schema or model) but not called live.\n"
    where = getattr(service, "base_url", None) or getattr(service, "url", None) or " ".join(service.command or [])
    key = f" with the key in ${service.auth.env}" if getattr(service, "auth", None) else ""
    return f"# `service:` is the real thing: `sim: live` in the scenario file calls {where}{key}.\n"


def tools_file(imported: Imported) -> str:
    header = TOOLS_HEADER.format(source=imported.source, service_line=_service_line(imported))
    if imported.notes:
        header += "# Notes of the import:\n" + "".join(f"#   - {note}\n" for note in imported.notes)
    body: dict[str, Any] = {}
    if imported.service is not None:
        body["service"] = imported.service.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        body["service"] = {"kind": imported.service.kind, **body["service"]}
    body["tools"] = [spec.model_dump(mode="json", by_alias=True, exclude_defaults=True) for spec in imported.tools]
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110)


def _plain(text: str) -> str:
    """Text safe in a template (`{today}` is filled in system prompts; an API's `{id}` must not be)."""
    return " ".join(text.replace("{", "(").replace("}", ")").split())


def system_prompt(imported: Imported) -> str:
    listed = "\n".join(f"- {spec.name}: {_plain(spec.description)}" for spec in imported.tools)
    about = f" {_plain(imported.about)}" if imported.about else ""
    return (f"You are the assistant of {_plain(imported.title)}.{about}\n\nUse a tool when a request needs one, ask "
            "when a detail the tool needs is missing, and answer directly when no tool fits.\n\n"
            f"Tools:\n{listed}\n\nToday is {{today}} ({{weekday}}).\n")


def sim_lines(tools: Sequence[ToolSpec], live_possible: bool) -> str:
    """`domain.sim`, commented: offline by default, and how to answer with the real service."""
    reads = [spec.name for spec in tools if spec.read_only]
    lines = ["  # How calls are answered: schema (offline, the default), model (--tool-model), or live (the real\n",
             "  # service of the tools file); one mode for all, or per tool name or pattern.\n"]
    if live_possible and reads:
        example = ", ".join(f"{name}: live" for name in reads[:2])
        lines.append(f"  # Read-only tools may go live, e.g. sim: {{{example}}};\n"
                     "  # a tool that writes also needs --allow-live-writes.\n")
    lines.append("  sim: schema\n")
    return "".join(lines)
