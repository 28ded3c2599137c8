"""`chat-template` with the published Qwen2.5 and Llama 3.1 templates (from TRL's package): every
row's `text` is the native rendering (transformers' own `apply_chat_template`) of its record, and
the rows load back unchanged with datasets 4.0, 4.8 and 5.x.

The Llama 3.1 template is given as a model repository ships it today: `chat_template.jinja` with
`tokenizer_config.json` beside it, whose `bos_token` the text starts with.
"""

from __future__ import annotations

import json
import shutil

import pytest
from simulator.cli import main

from native_render import native_texts, template_path
from trainer_kit import RUNS, SPLITS, canonical, first_difference, probe, read_rows


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    made = {}
    for name in ("qwen2.5", "llama3.1"):
        folder = tmp_path_factory.mktemp(name)
        shutil.copy(template_path(name), folder / "chat_template.jinja")
        if name == "llama3.1":
            config = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
            (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
        made[name] = folder / "chat_template.jinja"
    return made


@pytest.fixture(scope="module")
def rendered(templates, export):
    return {
        "qwen2.5": {run: export(run, "chat-template", "--template", str(templates["qwen2.5"])) for run in RUNS},
        "llama3.1": {
            run: export(run, "chat-template", "--template", str(templates["llama3.1"]), "--parallel-calls", "split")
            for run in RUNS
        },
    }


@pytest.mark.slow
@pytest.mark.parametrize("family", ["qwen2.5", "llama3.1"])
def test_text_is_the_native_rendering_of_every_row(family, rendered, runs):
    checked = 0
    for run, out in rendered[family].items():
        for split in SPLITS:
            records = canonical(runs[run], split)
            texts = [row["text"] for row in read_rows(out / f"{split}.jsonl")]
            natives = native_texts(records, family, split_parallel=family == "llama3.1")
            assert len(texts) == len(natives)
            for index, (text, native) in enumerate(zip(texts, natives)):
                assert text == native, f"{run}/{split} row {index} {first_difference(text, native)}"
            checked += len(texts)
    assert checked >= 1000
    if family == "llama3.1":
        assert all(t.startswith("<|begin_of_text|>") for t in texts)


@pytest.mark.slow
@pytest.mark.parametrize("env", ["main", "ds48", "lf"])
def test_text_rows_load_back_unchanged(env, rendered, tmp_path):
    paths = [out / f"{split}.jsonl" for family in rendered.values() for out in family.values() for split in SPLITS]
    [loaded] = probe(env, [{"task": "load", "inputs": [str(p) for p in paths]}], tmp_path)["results"]
    for path in paths:
        assert loaded[str(path)] == read_rows(path)


def test_a_jinja_template_that_writes_bos_token_needs_it(tmp_path, runs, capsys):
    template = tmp_path / "chat_template.jinja"
    shutil.copy(template_path("llama3.1"), template)
    out = tmp_path / "out"
    run = str(runs["customer_support"])
    assert main(["export", run, "--format", "chat-template", "--template", str(template), "--out", str(out)]) == 2
    assert "bos_token" in capsys.readouterr().err and not out.exists()
    assert main(["export", run, "--format", "chat-template", "--template", str(template), "--out", str(out),
                 "--bos-token", "<|begin_of_text|>", "--parallel-calls", "split"]) == 0
    assert read_rows(out / "test.jsonl")[0]["text"].startswith("<|begin_of_text|><|start_header_id|>system")
