"""TRL's `DPOTrainer` on the `dpo` export of offline runs made with `--mistake-share`: every pair's
prompt + chosen and prompt + rejected, as TRL tokenises them, equal the native rendering of those
conversations with the model's template (Qwen2.5: calls kept; Llama 3.1: `--parallel-calls split`).

Checked with TRL 1.x on datasets 5.x (`main`) and 4.8 (`ds48`). TRL 0.24's DPOTrainer cannot
take tool-calling pairs on any datasets version: before 4.7 Arrow cannot hold the completions
(mixed shapes), and from 4.7 on its `dataset.map` that applies the chat template keeps the
`chosen` column typed `Json` and stores the rendered text as a list of characters (and it reads
tools only from `DPOConfig(tools=...)`, not from the rows).
"""

from __future__ import annotations

import pytest
from simulator.cli import main

from native_render import FAMILY, native_text, template_path
from trainer_kit import SPLITS, batched, first_difference, read_rows

CELLS = {"qwen2.5": (), "llama3.1": ("--parallel-calls", "split")}


@pytest.fixture(scope="module")
def mistake_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("mistake-runs")
    made = {}
    for name in ("customer_support", "travel"):
        scenario = f"scenarios/{name}.yaml"
        assert main(["run", scenario, "--out", str(out / name), "--quiet", "--mistake-share", "0.2"]) == 0
        made[name] = out / name
    return made


@pytest.fixture(scope="module")
def pair_files(mistake_runs, tmp_path_factory):
    """{(family, run): [dpo export files]}: one job per pack (TRL < 1 takes one tool list)."""
    out = tmp_path_factory.mktemp("dpo")
    made = {}
    for family, flags in CELLS.items():
        for run, run_dir in mistake_runs.items():
            target = out / f"{family}-{run}"
            assert main(["export", str(run_dir), "--format", "dpo", "--out", str(target), *flags]) == 0
            made[(family, run)] = [target / f"{s}.jsonl" for s in SPLITS if (target / f"{s}.jsonl").exists()]
    return made


@pytest.fixture(scope="module")
def dpo_results(pair_files):
    return batched(lambda env: [
        (key, {"task": "trl-dpo", "family": FAMILY[key[0]], "template": str(template_path(key[0])),
               "inputs": [str(p) for p in paths]})
        for key, paths in pair_files.items()
    ])


@pytest.mark.slow
@pytest.mark.parametrize("env", ["main", "ds48"])
@pytest.mark.parametrize("family", list(CELLS))
def test_dpo_trainer_renders_every_pair_natively(env, family, pair_files, dpo_results, tmp_path):
    _, results = dpo_results(env, tmp_path)
    checked = 0
    for run in ("customer_support", "travel"):
        for path in pair_files[(family, run)]:
            rows = read_rows(path)
            got = results[(family, run)][str(path)]
            assert len(got) == len(rows)
            for index, (pair, row) in enumerate(zip(got, rows)):
                for side in ("chosen", "rejected"):
                    native = native_text(row["prompt"] + row[side], row["tools"], family)
                    assert pair[side] == native, f"{run} {path.name} row {index} {side} {first_difference(pair[side], native)}"
            checked += len(rows)
    assert checked >= 100
