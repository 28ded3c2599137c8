"""Extending toolsim without touching `simulator/`: the example plugin package
(examples/toolsim-plugin-example), installed, adds a judge check that `toolsim run` records in
every verdict and an export format `toolsim export --format` offers; a pack's own `@sims.check`
applies to that pack; a broken plugin is a clear error, never a traceback.

"Installed" is what pip leaves behind for a wheel: the package beside a `.dist-info` folder whose
`entry_points.txt` names the `toolsim` entry point, on the path of a fresh Python process (the
CLI runs as a subprocess, so this test's process keeps its registries as they were)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "toolsim-plugin-example"

pytestmark = pytest.mark.slow  # subprocess runs of the CLI


def install(site: Path, package: Path, name: str, entry_point: str) -> None:
    """What `pip install` of a wheel leaves: the package and its dist-info with the entry point."""
    shutil.copytree(package, site / package.name)
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[toolsim]\n{entry_point}\n")
    (info / "RECORD").write_text("")


def toolsim(*args: str, site: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site-packages")
    install(site, EXAMPLE / "toolsim_example_plugin", "toolsim-example-plugin", "example = toolsim_example_plugin")
    return site


def test_an_installed_plugins_check_is_in_every_verdict_and_judges(site, tmp_path):
    out = tmp_path / "run"
    done = toolsim("run", "scenarios/customer_support.yaml", "--out", str(out), "--n", "30", "--quiet", site=site)
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in (out / "verdicts.jsonl").read_text().splitlines()]
    names = [[c["name"] for c in v["checks"]] for v in verdicts]
    assert all(n[-1] == "reply_length" and n[0] == "tool_exists" for n in names)  # toolsim's own first
    assert all(c["passed"] for v in verdicts for c in v["checks"] if c["name"] == "reply_length")


def test_an_installed_plugins_format_is_offered_and_exports(site, tmp_path):
    out = tmp_path / "run"
    assert toolsim("run", "scenarios/customer_support.yaml", "--out", str(out), "--n", "30", "--quiet", site=site).returncode == 0
    assert "transcript" in toolsim("export", "--help", site=site).stdout
    done = toolsim("export", str(out), "--format", "transcript", site=site)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (out / "export" / "transcript" / "train.jsonl").read_text().splitlines()]
    assert rows and all(row["text"].startswith("user: ") for row in rows)
    assert toolsim("export", str(out), "--format", "transcript", site=tmp_path / "nothing").returncode == 2


def test_a_broken_plugin_is_reported_not_raised(tmp_path):
    broken = tmp_path / "broken_plugin"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('needs a library that is not installed')\n")
    site = tmp_path / "site"
    install(site, broken, "broken-plugin", "broken = broken_plugin")
    done = toolsim("export", str(tmp_path / "no-run"), "--format", "trl", site=site)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot import broken_plugin: ImportError: needs a library that is not installed" in done.stderr


def test_a_packs_own_check_applies_to_that_pack_only(tmp_path):
    from simulator.judge import check_names
    from simulator.load import load_pack

    shutil.copytree(ROOT / "tests" / "fixtures" / "loader" / "pack", tmp_path / "pack")
    sims = tmp_path / "pack" / "tool_sims" / "shop.py"
    sims.write_text(sims.read_text() + '''

@sims.check("refund_mentions_reason")
def refund_mentions_reason(ctx):
    return [] if ctx.scenario is None or ctx.scenario.id != "refund" else ["always fails, for the test"]
''')
    shop = load_pack(tmp_path / "pack" / "scenarios" / "shop.yaml")
    weather = load_pack(tmp_path / "pack" / "scenarios" / "weather.yaml")
    assert check_names(shop)[-1] == "refund_mentions_reason"
    assert "refund_mentions_reason" not in check_names(weather)
