"""`now_iso` says what `datetime.now(timezone.utc).isoformat()` says, from a per-second cache."""

from __future__ import annotations

from datetime import datetime, timezone

from simulator.core import records
from simulator.core.records import now_iso


def test_now_iso_is_the_isoformat_of_now() -> None:
    before = datetime.now(timezone.utc)
    said = now_iso()
    after = datetime.now(timezone.utc)
    assert before <= datetime.fromisoformat(said) <= after
    assert said.endswith("+00:00")


def test_now_iso_writes_microseconds_as_isoformat_does(monkeypatch) -> None:
    for ns in (1_700_000_000_000_000_000, 1_700_000_000_000_123_999, 1_700_000_001_999_999_000):
        monkeypatch.setattr(records.time, "time_ns", lambda ns=ns: ns)
        expected = datetime.fromtimestamp(ns // 1000 / 1e6, timezone.utc).isoformat()
        assert now_iso() == expected
