"""`toolsim eval` on bad input: one `path: message` line each, exit 2, nothing written; and
`--compare`'s significance: a delta counts only when the two Wilson intervals do not overlap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.eval.compare import compare
from simulator.eval.metrics import wilson
from tests.eval.evalrun import write_run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run(tmp_path_factory.mktemp("cli") / "run")


@pytest.mark.parametrize("argv, message", [
    (["{run}"], "--model: which model to evaluate?"),
    (["{run}", "--model", "openai/m", "--split", "dev"], "--split: unknown split 'dev'"),
    (["{run}", "--model", "openai/m", "--split", "train"], "the train split of this run is empty"),
    (["{run}", "--model", "openai/m", "--out", "{run}/pack.json"], "exists and is not an eval result"),
    (["--compare", "{run}/pack.json", "{run}/pack.json"], "not an eval result written by `toolsim eval`"),
    (["--compare", "{run}/missing.json", "{run}/pack.json"], "missing.json: no such file"),
    ([], "give a run directory, a scenario file or an eval .json"),
    (["nowhere"], "--model: which model to evaluate?"),
])
def test_bad_input_is_one_line_and_exit_2(run: Path, argv: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in run.iterdir())
    assert main(["eval", *[a.format(run=run) for a in argv]]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert sorted(p.name for p in run.iterdir()) == before


def test_a_directory_that_is_no_run_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(tmp_path), "--model", "openai/m"]) == 2
    assert "no run here" in capsys.readouterr().err


def _result(k: int, n: int) -> dict:
    return {"kind": "turns", "source": "r", "split": "test", "metrics": {"accuracy": wilson(k, n)}, "items": []}


def test_significant_only_when_intervals_do_not_overlap() -> None:
    row = compare(_result(50, 100), _result(60, 100))["metrics"][0]
    assert row["delta"] == pytest.approx(0.10) and not row["significant"]
    row = compare(_result(50, 100), _result(75, 100))["metrics"][0]
    assert row["delta"] == pytest.approx(0.25) and row["significant"]
    assert wilson(50, 100)["high"] < wilson(75, 100)["low"]


def test_compare_warns_when_the_items_differ() -> None:
    a, b = _result(5, 10), _result(6, 10)
    a["items"] = [{"id": "x#0", "status": "ok", "score": {"correct": True}}]
    b["items"] = [{"id": "y#0", "status": "ok", "score": {"correct": True}}]
    b["split"] = "validation"
    warnings = compare(a, b)["warnings"]
    assert any("different split" in w for w in warnings) and any("different items" in w for w in warnings)
    assert json.dumps(compare(a, b))  # the comparison is plain JSON
