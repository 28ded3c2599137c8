"""A sqlite cache of model responses, keyed by the sha256 of the canonical request.

Why our own and not litellm's: litellm's cache-hit path imports its proxy modules (fastapi),
and we want the key under our control — it covers exactly what changes the answer (model,
api_base, messages, tools, response_format, temperature, max_tokens, seed, tool_format and a
caller's salt such as the episode id) and never the API key.

Re-running or resuming a run replays cached answers for free. WAL mode lets several processes
read while one writes; within a process every operation is a short synchronous statement under
a lock, so concurrent asyncio tasks cannot interleave inside one. `--no-cache` means the client
is built without a cache: nothing is read or written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical request; the version salts out entries of an older layout."""
    return hashlib.sha256(canonical_json({"v": SCHEMA_VERSION, **request}).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            " key TEXT PRIMARY KEY, model TEXT NOT NULL, created_at TEXT NOT NULL, value TEXT NOT NULL)"
        )
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(row[0])

    def put(self, key: str, model: str, value: dict[str, Any]) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, model, created_at, value) VALUES (?, ?, ?, ?)",
                (key, model, now, canonical_json(value)),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
