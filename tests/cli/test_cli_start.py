"""`toolsim run` starts fast: it builds only its own subcommand, and a run whose models are all
OpenAI-compatible servers at an address never imports litellm (~2-3 s) or the export plugins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from tests.fakes import toy_model
from tests.fakes.openai_server import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
PROBE = """
import sys
from simulator.cli import main
code = main(sys.argv[1:])
print(sorted(m for m in ("litellm", "simulator.export.formats", "simulator.cli.audit") if m in sys.modules))
sys.exit(code)
"""


def test_run_help_still_lists_every_run_flag_and_the_other_commands_still_parse(capsys):
    with pytest.raises(SystemExit) as done:
        main(["run", "--help"])
    assert done.value.code == 0
    assert "--concurrency" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "export" in capsys.readouterr().out


@pytest.mark.slow
def test_a_run_against_a_server_at_an_address_imports_neither_litellm_nor_the_exporters(tmp_path, fake_keys):
    with FakeOpenAIServer() as server:
        server.responder = toy_model.respond
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TOOLSIM_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "run", str(SCENARIO), "--out", str(tmp_path / "run"), "--quiet", "--n", "6",
             "--max-episodes", "6", "--allow-short", "--model", "openai/toy", "--api-base", server.base_url],
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert server.calls > 0
    assert done.stdout.strip().splitlines()[-1] == "[]"
