"""`openai`: the canonical record itself (`simulator.export.openai`), copied unchanged — for
`toolsim export RUN --format openai --out DIR`."""

from __future__ import annotations

from typing import Any

from simulator.export.formats.base import Converter
from simulator.export.formats.registry import export_format


@export_format("openai")
class OpenAIConverter(Converter):
    def _convert(self, record: Any) -> dict[str, Any]:
        return record
