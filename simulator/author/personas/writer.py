"""Proposals as YAML for a human to review: one YAML document per persona, in the order and
field layout of the hand-written files in `personas/`, under a header that says it is a
proposal. `yaml.safe_load_all` reads the stream back; each document is a valid persona file.

Only fields that differ from their defaults are written (besides the core ones every library
file spells out), so a reviewer sees at a glance which traits a proposal uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.author.personas.axes import AXES, axes_of, describe_axes
from simulator.author.personas.library import Proposals
from simulator.core.atomic import atomic_write
from simulator.core.errors import InputError
from simulator.core.yaml_lines import display_path
from simulator.spec import Persona

LISTED = 20  # near-copies named in the header (the rest are counted)
CORE_FIELDS = (
    "id", "name", "description", "language", "formality", "verbosity", "typo_rate", "frustration",
    "cooperativeness", "patience",
)


def persona_fields(persona: Persona) -> dict[str, Any]:
    """The persona as a library file writes it: core fields, then the traits it sets."""
    data = persona.model_dump()
    extra = persona.model_dump(exclude_defaults=True)
    return {**{k: data[k] for k in CORE_FIELDS}, **{k: v for k, v in extra.items() if k not in CORE_FIELDS}}


def render(proposals: Proposals) -> str:
    """The whole review file."""
    header = [
        f"# Persona proposals from `toolsim personas expand` ({proposals.source}).",
        "# A PROPOSAL TO REVIEW, not part of the persona library yet. Each document below is one",
        "# persona file: copy the ones you keep to personas/<id>.yaml, edit them freely, then run",
        "# `toolsim validate` on a scenario file that uses them.",
        f"# Axes: {', '.join(AXES)}.",
        f"# {proposals.summary()}",
    ]
    for persona_id, rejection in proposals.near_copies[:LISTED]:
        header.append(f"#   rejected {persona_id}: near-copy of {rejection.of} ({rejection.reason})")
    if len(proposals.near_copies) > LISTED:
        header.append(f"#   ... and {len(proposals.near_copies) - LISTED} more near-copies")
    for problem in proposals.invalid:
        header.append(f"#   invalid {problem}")
    documents = []
    for persona in proposals.personas:
        body = yaml.safe_dump(persona_fields(persona), sort_keys=False, allow_unicode=True, width=1000)
        documents.append(f"---\n# personas/{persona.id}.yaml: {describe_axes(axes_of(persona))}\n{body}")
    return "\n".join(header) + "\n" + "".join(documents)


def write(text: str, out: Path, *, force: bool) -> None:
    """Write atomically; an existing file is replaced only with `force` (else InputError)."""
    shown = display_path(out)
    if out.exists() and not force:
        raise InputError.single(shown, "already exists; pass --force to overwrite it")
    if out.is_dir():
        raise InputError.single(shown, "is a folder, expected a file name")
    if not out.parent.is_dir():
        raise InputError.single(shown, f"folder {display_path(out.parent)} does not exist")
    with atomic_write(out) as handle:
        handle.write(text)
