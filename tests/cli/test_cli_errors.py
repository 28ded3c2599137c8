"""Bad input at the CLI edge: `file:line: message`, exit 2, no traceback, nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _toolsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _copy_pack(tmp: Path, mutate) -> Path:
    """The real customer-support pack, copied so one line can be broken."""
    (tmp / "scenarios").mkdir()
    for name in ("customer_support.system.md",):
        (tmp / "scenarios" / name).write_text((ROOT / "scenarios" / name).read_text())
    (tmp / "personas").mkdir()
    for p in (ROOT / "personas").glob("*.yaml"):
        (tmp / "personas" / p.name).write_text(p.read_text())
    (tmp / "tool_sims").mkdir()
    (tmp / "tool_sims" / "customer_support.py").write_text((ROOT / "tool_sims" / "customer_support.py").read_text())
    text = (ROOT / "scenarios" / "customer_support.yaml").read_text()
    path = tmp / "scenarios" / "customer_support.yaml"
    path.write_text(mutate(text))
    return path


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle.rstrip("\n") in line and (not needle.endswith("\n") or line.endswith(needle.rstrip("\n"))):
            return i
    raise AssertionError(needle)


CASES = {
    "yaml syntax": (lambda t: t.replace("scenarios:\n", "scenarios:\n  - id: [unclosed\n", 1), "[unclosed", "yaml"),
    "unknown field": (lambda t: t.replace("    goal:", "    gaol: typo\n    goal:", 1), "gaol:", "unknown field"),
    "unknown tool": (lambda t: t.replace("tool: initiate_refund", "tool: initiate_refnd", 1), "initiate_refnd", "unknown tool"),
    "unknown slot": (
        lambda t: t.replace("Can you look up order {order_id} for me?", "Can you look up order {order_number}?", 1),
        "{order_number}", "order_number",
    ),
    "invalid value": (lambda t: t.replace("category: positive", "category: positiv", 1), "positiv\n", "category"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.slow
def test_bad_scenario_file_is_reported_with_its_line(tmp_path, case):
    mutate, needle, words = CASES[case]
    path = _copy_pack(tmp_path, mutate)
    line = _line_of(path, needle)
    for command in (["validate", str(path)], ["run", str(path)]):
        result = _toolsim(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        # A YAML syntax error is reported where the parser noticed it, naming where the construct began.
        assert f"customer_support.yaml:{line}:" in result.stderr or f"line {line}" in result.stderr, result.stderr
        assert words in result.stderr.lower()
    assert not (tmp_path / "runs").exists(), "no run directory on bad input"


def test_bad_flag_exits_2_without_traceback(tmp_path):
    result = _toolsim("run", str(ROOT / "scenarios" / "customer_support.yaml"), "--n", "zero", cwd=tmp_path)
    assert result.returncode == 2 and "--n" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_missing_file_is_an_input_error(tmp_path):
    result = _toolsim("validate", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert result.returncode == 2 and "nope.yaml" in result.stderr and "Traceback" not in result.stderr


def test_validate_accepts_the_shipped_file(tmp_path):
    result = _toolsim("validate", str(ROOT / "scenarios" / "customer_support.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
