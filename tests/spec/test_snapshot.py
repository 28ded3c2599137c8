"""The pack a run keeps (`pack.json`): it gives back the pack the later stages need — the system
prompt, every tool spec, persona and scenario as played (with generated chains) — without the
scenario file; the same pack always writes the same bytes; a run without one is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.core.errors import InputError
from simulator.core.rundir import RunDir
from simulator.load import load_pack
from simulator.spec.snapshot import read_snapshot, snapshot_path, write_snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["customer_support", "smart_home"])  # Python sims; schema-only with chains
def test_a_snapshot_gives_back_what_later_stages_read(name, tmp_path):
    pack = load_pack(ROOT / "scenarios" / f"{name}.yaml")
    run = RunDir(tmp_path / "run")
    write_snapshot(run, pack)
    again = read_snapshot(run)
    assert again.domain.sims is None  # the one thing left behind: Python sims never run again
    assert again.domain.system_prompt == pack.domain.system_prompt
    assert again.domain.tool_list() == pack.domain.tool_list()
    assert again.domain.config == pack.domain.config and again.file == pack.file
    assert again.scenarios == pack.scenarios and again.personas == pack.personas
    assert again.path == pack.path and again.domain.tools_source == pack.domain.tools_source
    first = snapshot_path(run).read_bytes()
    write_snapshot(run, again)
    assert snapshot_path(run).read_bytes() == first


def test_a_run_without_a_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no pack.json .* older toolsim"):
        read_snapshot(RunDir(tmp_path))


def test_a_damaged_snapshot_is_a_clear_error(tmp_path):
    (tmp_path / "pack.json").write_text('{"version": 1, "scenario_file": 3}')
    with pytest.raises(InputError) as caught:
        read_snapshot(RunDir(tmp_path))
    assert str(caught.value).startswith(f"{tmp_path / 'pack.json'}: not a pack snapshot this toolsim can read")
