"""The seeded mutation fuzzer over the shipped packs (issue 16), at a budget that fits CI: every
case exits 0 or 2, without a traceback, without a hang, and writes nothing when it exits 2.
`bench/fuzz.py` runs the same fuzzer for a thousand cases."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from tests.fuzz_kit import describe, fuzz

CASES = 240
SEED = 20260


@pytest.fixture
def workdir(tmp_path: Path):
    """Where the cases' pack copies go: RAM when the machine has a tmpfs at /dev/shm (each case
    writes a pack copy, and the runs' fsyncs would otherwise flush them all to disk)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(prefix="toolsim-fuzz-", dir=shm) as folder:
            yield Path(folder)
    else:
        yield tmp_path


@pytest.mark.slow
def test_mutated_packs_never_traceback_hang_or_write_when_refused(workdir: Path):
    outcomes = fuzz(CASES, SEED, workdir, timeout=20.0)
    bad = [describe(o) for o in outcomes if not o.ok]
    assert not bad, f"{len(bad)} of {CASES} cases broke a guarantee:\n" + "\n".join(bad)
    codes = Counter(o.code for o in outcomes)
    assert codes[2] > CASES // 2, "most mutations are refused (the fuzzer breaks things)"
    assert codes[0] > 0, "some mutations are harmless and run (the fuzzer does not only break the parser)"
    kinds = Counter(o.case.kind.split(":")[0] for o in outcomes)
    assert {"scenario", "persona", "special file", "outside path", "tool module", "tools.yaml"} <= set(kinds)
