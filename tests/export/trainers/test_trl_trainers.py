"""TRL's `SFTTrainer` on toolsim's exports: every row of the customer-support and travel runs,
rendered by TRL's own dataset preparation, equals the model family's native rendering.

- `trl` rows go through `apply_chat_template(messages, tools=tools)` with the model's own
  template: arguments rendered once, tools where the template puts them. Llama 3.1 takes one call
  per turn, so its export is made with `--parallel-calls split` and the native rendering is of the
  same split conversation.
- `hermes` rows (plain role/content text) rendered with Qwen2.5's template equal Qwen2.5's
  rendering of the structured conversation: results wrapped in `<tool_response>` once.
- `llama3` rows rendered with Llama 3's plain template equal Llama 3.1's rendering of the
  structured conversation.

Environments (trainer_kit): TRL 1.x with datasets 5.x (`main`) and 4.8 (`ds48`), TRL 0.24 with
datasets 4.8 (`trl024`), and for the text formats also TRL 0.24 with datasets 4.0 (`lf`, as
LLaMA-Factory installs them). `trl` needs datasets >= 4.7 (README, "Compatibility").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from native_render import FAMILY, native_texts, template_path
from trainer_kit import RUNS, SPLITS, batched, canonical, first_difference, read_rows

# cell: (format flags, template the trainer renders with, native template, split parallel calls)
CELLS = {
    "trl-qwen2.5": (("trl",), "qwen2.5", "qwen2.5", False),
    "trl-llama3.1": (("trl", "--parallel-calls", "split"), "llama3.1", "llama3.1", True),
    "hermes-qwen2.5": (("hermes",), "qwen2.5", "qwen2.5", False),
    "llama3-llama3.1": (("llama3",), "llama3", "llama3.1", True),
}
ENV_CELLS = {
    "main": list(CELLS),
    "ds48": list(CELLS),
    "trl024": list(CELLS),
    "lf": ["hermes-qwen2.5", "llama3-llama3.1"],
}
PAIRS = [(env, cell) for env, cells in ENV_CELLS.items() for cell in cells]


def inputs_of(export, cell: str) -> list[tuple[str, str, Path]]:
    """(run, split, export file) for every split of both runs."""
    fmt, *options = CELLS[cell][0]
    return [(run, split, export(run, fmt, *options) / f"{split}.jsonl") for run in RUNS for split in SPLITS]


@pytest.fixture(scope="module")
def trained(export):
    def jobs(env):
        return [
            (cell, {"task": "trl-sft", "family": FAMILY[CELLS[cell][1]], "template": str(template_path(CELLS[cell][1])),
                    "inputs": [str(path) for _, _, path in inputs_of(export, cell)]})
            for cell in ENV_CELLS[env]
        ]

    return batched(jobs)


@pytest.mark.slow
@pytest.mark.parametrize(("env", "cell"), PAIRS)
def test_sft_trainer_renders_every_row_natively(env, cell, trained, runs, export, tmp_path):
    _, _, native_template, split = CELLS[cell]
    versions, results = trained(env, tmp_path)
    checked = 0
    for run, split_name, path in inputs_of(export, cell):
        records = canonical(runs[run], split_name)
        assert len(read_rows(path)) == len(records), f"the export skipped rows of {path}"
        natives = native_texts(records, native_template, split_parallel=split)
        got = results[cell][str(path)]
        assert len(got) == len(natives), f"{cell}: {path}: {len(got)} rows trained, {len(natives)} in the dataset"
        for index, (text, native) in enumerate(zip(got, natives)):
            assert text == native, f"{cell} on {versions}: {path} row {index} differs {first_difference(text, native)}"
        checked += len(got)
    assert checked >= 1000, checked  # both whole runs
