"""A batching response cache (the LLM client's) writes in batches: what was put is found at once by the same cache, reaches
the file (and other processes) every FLUSH_EVERY answers, after FLUSH_AFTER seconds, and on close;
a failed write keeps the answers pending instead of dropping them."""

from __future__ import annotations

import sqlite3

import pytest

from simulator.llm import cache as cache_module
from simulator.llm.cache import FLUSH_EVERY, ResponseCache


def answer(i: int) -> dict:
    return {"content": f"answer {i}", "input_tokens": i, "output_tokens": 1, "cost_usd": 0.0, "finish_reason": "stop"}


def on_disk(path) -> int:
    with sqlite3.connect(path) as db:  # another connection: what another process would see
        return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def test_a_put_answer_is_found_at_once_and_reaches_the_file_in_batches(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path, batch=FLUSH_EVERY)
    for i in range(FLUSH_EVERY - 1):
        cache.put(f"k{i}", "m", answer(i))
    assert cache.get("k3") == answer(3) and cache.hits == 1
    assert on_disk(path) == 0, "not written yet: one transaction per batch"
    cache.put("last", "m", answer(99))
    assert on_disk(path) == FLUSH_EVERY
    cache.put("after", "m", answer(100))
    cache.close()
    assert on_disk(path) == FLUSH_EVERY + 1, "close writes what is pending"
    again = ResponseCache(path)
    assert again.get("after") == answer(100) and again.get("nope") is None
    again.close()


def test_an_old_pending_answer_is_written_with_the_next_put(tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite"
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    cache = ResponseCache(path, batch=FLUSH_EVERY)
    cache.put("a", "m", answer(1))
    clock[0] += cache_module.FLUSH_AFTER
    cache.put("b", "m", answer(2))
    assert on_disk(path) == 2
    cache.close()


def test_a_failed_write_keeps_the_answers_pending(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path, batch=FLUSH_EVERY)
    cache.put("a", "m", answer(1))
    real = cache._db
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock: our write fails
    cache._db = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    with pytest.raises(sqlite3.OperationalError):
        cache.flush()
    assert cache.get("a") == answer(1), "still pending, still found"
    blocker.rollback()
    blocker.close()
    cache._db.close()
    cache._db = real
    cache.close()
    assert on_disk(path) == 1


def test_by_default_every_answer_is_written_as_it_is_put(tmp_path):
    """A live service's answers: a rerun must find each one, even if this process never closes."""
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path)
    cache.put("write-1", "live:http", answer(1))
    assert on_disk(path) == 1
    cache.close()
