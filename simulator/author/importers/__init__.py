"""Bring your own tools: `toolsim new NAME --from-openapi FILE` and `--from-mcp COMMAND|URL`.

An importer turns a description of real tools into `Imported` (tools with their live bindings, the
service, the API's own words, notes): `openapi.py` reads an OpenAPI 3 document (`openapi_schema.py`
inlines its `$ref`s and speaks its JSON-Schema dialect), `mcp_tools.py` lists an MCP server's
tools with the SDK. `imported_pack` hands the tools to the scaffolder (`simulator.author.scaffold`,
the same step as `toolsim new --tools`: tools in, pack files out) with the tools file, the system
prompt and the `sim:` line written by `render.py`. `naming.py` makes names valid and unique and
filters operations.
"""

from __future__ import annotations

from typing import Sequence

from simulator.author.importers.imported import Imported
from simulator.author.importers.naming import Filter
from simulator.author.importers.render import sim_lines, system_prompt, tools_file
from simulator.author.scaffold import Scaffold, scaffold_pack


def imported_pack(name: str, imported: Imported, *, languages: Sequence[str] = ("en", "zh"),
                  with_personas: bool = False) -> Scaffold:
    """The new pack of an import: `scenarios/NAME.tools.yaml` and the scaffolder's files."""
    scaffold = scaffold_pack(name, imported.tools, f"{name}.tools.yaml", tools_text=tools_file(imported),
                             languages=languages, with_personas=with_personas)
    scaffold.prompt = system_prompt(imported)
    scaffold.domain_lines = sim_lines(imported.tools, imported.service is not None)
    return scaffold


__all__ = ["Filter", "Imported", "imported_pack"]
