"""Exporters: the canonical OpenAI record, its conversions, atomic file writing and the card.

Every format is converted from `to_openai_record`'s output, so format rules (stop token dropped,
system prompt first, arguments as JSON strings) are decided once in `simulator.export.openai`.
`simulator.export.answers` says what each assistant turn of a record accepts (the answer keys that
`toolsim eval` scores against and the `bfcl` format writes as possible answers).
"""

from simulator.core.atomic import atomic_write, write_jsonl
from simulator.export.openai import to_openai_record

__all__ = ["atomic_write", "to_openai_record", "write_jsonl"]
