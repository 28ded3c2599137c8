"""A sqlite cache of model responses, keyed by the sha256 of the canonical request.

Why our own and not litellm's: litellm's cache-hit path imports its proxy modules (fastapi),
and we want the key under our control — it covers exactly what changes the answer (model,
api_base, messages, tools, response_format, temperature, max_tokens, seed, tool_format and a
caller's salt such as the episode id) and never the API key.

Re-running or resuming a run replays cached answers for free. WAL mode lets several processes
read while one writes; within a process every operation is a short synchronous statement under
a lock, so concurrent asyncio tasks cannot interleave inside one. `--no-cache` means the client
is built without a cache: nothing is read or written.

A model's answers are written in batches (`batch=FLUSH_EVERY`, what the LLM client asks for):
`put` keeps the answer in memory (where `get` finds it at once) and writes what is pending in one
transaction every `FLUSH_EVERY` answers, once the oldest has waited `FLUSH_AFTER` seconds, and on
`close`. One transaction per answer cost ~40 µs of CPU and up to
~100 µs of the event loop's time each, ~9 % of a toy-model run's loop at concurrency 256
(`bench/llm_concurrency.py`); 64 to a transaction cost ~5 µs each. The price: a process killed
without closing loses at most its last `FLUSH_EVERY` answers from the cache (a rerun asks for them
again); it never loses a finished episode, whose trace is in the run directory. A live service's
answers (`simulate/live`) are written one by one, as they come: a rerun must not make a write
again because its answer was still pending.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
FLUSH_EVERY = 64  # pending answers written in one transaction
FLUSH_AFTER = 0.25  # seconds the oldest pending answer may wait for its transaction
_INSERT = "INSERT OR REPLACE INTO responses (key, model, created_at, value) VALUES (?, ?, ?, ?)"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical request; the version salts out entries of an older layout."""
    return hashlib.sha256(canonical_json({"v": SCHEMA_VERSION, **request}).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path, *, batch: int = 1) -> None:
        self.path = Path(path)
        self.batch = batch  # answers written in one transaction (1: each as it is put)
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
        self._pending: dict[str, tuple[str, str, str, str]] = {}  # key -> the row to insert
        self._oldest = 0.0  # when the oldest pending answer was put (time.monotonic)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            pending = self._pending.get(key)
            text = pending[3] if pending is not None else None
            if text is None:
                row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
                text = row[0] if row is not None else None
        if text is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(text)

    def put(self, key: str, model: str, value: dict[str, Any]) -> None:
        now = datetime.now(timezone.utc).isoformat()
        row = (key, model, now, canonical_json(value))
        with self._lock:
            if not self._pending:
                self._oldest = time.monotonic()
            self._pending[key] = row
            if len(self._pending) >= self.batch or time.monotonic() - self._oldest >= FLUSH_AFTER:
                self._write_pending()

    def flush(self) -> None:
        """Write every pending answer now."""
        with self._lock:
            self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        rows = list(self._pending.values())
        self._db.execute("BEGIN")
        try:
            self._db.executemany(_INSERT, rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")  # they stay pending: a later flush may still succeed
            raise
        self._pending.clear()

    def __len__(self) -> int:
        with self._lock:
            self._write_pending()
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            try:
                self._write_pending()
            finally:
                self._db.close()
