"""Keep API keys out of everything we write: exception messages, logs, traces, cache keys.

Provider errors sometimes echo the key ("Incorrect API key provided: sk-...") and litellm
includes request details in its messages; every message we raise or record passes through
`redact` first.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

MASK = "[REDACTED]"
_KEY_LIKE = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{6,}|\bBearer\s+[A-Za-z0-9_\-.=]{8,}", re.IGNORECASE)
_MIN_SECRET_LEN = 6  # shorter env values ("1", "none") would mask ordinary words


def secret_values(extra_env_names: Iterable[str] = ()) -> list[str]:
    """Values of every `*_API_KEY` variable (and the named extras) currently set."""
    names = {n for n in os.environ if n.upper().endswith("_API_KEY")} | set(extra_env_names)
    values = {os.environ.get(n, "") for n in names}
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LEN), key=len, reverse=True)


def redact(text: str, extra_env_names: Iterable[str] = ()) -> str:
    for value in secret_values(extra_env_names):
        text = text.replace(value, MASK)
    return _KEY_LIKE.sub(MASK, text)
