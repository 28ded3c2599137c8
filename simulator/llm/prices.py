"""litellm's price table, read without importing litellm.

Calls that bypass litellm (`openai_http`) are priced from the same table litellm prices its own
calls from (the JSON file it ships, `LITELLM_LOCAL_MODEL_COST_MAP` being set): input and output
tokens at the model's per-token prices, looked up by the full model string and then by the name
without its provider prefix, as litellm does for `openai/`. A model the table does not know costs
None ("unknown"), as with litellm. Importing litellm to read the table would cost the ~2 s that
bypassing it saves.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE_FILE = "model_prices_and_context_window_backup.json"


@lru_cache(maxsize=1)
def price_table() -> dict[str, Any]:
    spec = importlib.util.find_spec("litellm")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / TABLE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def table_cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    table = price_table()
    entry = table.get(model) or table.get(model.partition("/")[2])
    if not isinstance(entry, dict):
        return None
    price_in, price_out = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
    if not price_in and not price_out:
        return None
    return input_tokens * float(price_in or 0) + output_tokens * float(price_out or 0)
