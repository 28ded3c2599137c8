"""TRL's `SFTTrainer` on toolsim's exports: every row of the customer-support and travel runs,
rendered by TRL's own dataset preparation, equals the model family's native rendering.

Cells (README "Compatibility"): TRL 1.x with datasets 5.x (`main`) and TRL 0.24 with datasets
4.8 (`ds48`), each with Qwen2.5's and Llama 3.1's chat templates:

- `trl` rows go through `apply_chat_template(messages, tools=tools)` with the model's own
  template: arguments rendered once, tools where the template puts them. Llama 3.1 takes one call
  per turn, so its export is made with `--parallel-calls split` and the native rendering is of the
  same split conversation.
- `hermes` rows (plain role/content text) rendered with Qwen2.5's template equal Qwen2.5's
  rendering of the structured conversation: results wrapped in `<tool_response>` once.
- `llama3` rows rendered with Llama 3's plain template equal Llama 3.1's rendering of the
  structured conversation.
"""

from __future__ import annotations

import pytest
from native_render import FAMILY, native_texts, template_path
from trainer_kit import RUNS, SPLITS, canonical, first_difference, probe, read_rows

ENVS = ["main", "ds48"]

# (format flags, template the trainer renders with, native template, split parallel calls)
CELLS = {
    "trl-qwen2.5": (("trl",), "qwen2.5", "qwen2.5", False),
    "trl-llama3.1": (("trl", "--parallel-calls", "split"), "llama3.1", "llama3.1", True),
    "hermes-qwen2.5": (("hermes",), "qwen2.5", "qwen2.5", False),
    "llama3-llama3.1": (("llama3",), "llama3", "llama3.1", True),
}


def assert_all_rows_native(result: dict, expected: dict[str, list[str]], cell: str) -> int:
    checked = 0
    for path, natives in expected.items():
        got = result["rows"][path]
        assert len(got) == len(natives), f"{cell}: {path}: {len(got)} rows trained, {len(natives)} in the dataset"
        for index, (text, native) in enumerate(zip(got, natives)):
            assert text == native, f"{cell}: {path} row {index} differs {first_difference(text, native)}"
        checked += len(got)
    return checked


@pytest.mark.slow
@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("cell", list(CELLS))
def test_sft_trainer_renders_every_row_natively(env, cell, runs, export, tmp_path):
    flags, trainer_template, native_template, split = CELLS[cell]
    fmt, *options = flags
    expected, inputs = {}, []
    for run in RUNS:
        out = export(run, fmt, *options)
        for split_name in SPLITS:
            path = out / f"{split_name}.jsonl"
            records = canonical(runs[run], split_name)
            assert len(read_rows(path)) == len(records), f"{fmt} skipped rows of {run}/{split_name}"
            expected[str(path)] = native_texts(records, native_template, split_parallel=split)
            inputs.append(str(path))
    job = {"task": "trl-sft", "family": FAMILY[trainer_template], "template": str(template_path(trainer_template)),
           "inputs": inputs}
    result = probe(env, job, tmp_path)
    checked = assert_all_rows_native(result, expected, cell)
    assert checked >= 1000, checked  # both whole runs
    print(f"{cell} {env} {result['versions']}: {checked} rows identical to the native rendering")
