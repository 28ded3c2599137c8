"""Every format's rows load back unchanged with `datasets` 4.x and 5.x, and the `openai` rows are
what OpenAI's fine-tuning takes (validated with the official SDK's request types).

Environments: `main` (datasets 5.x), `ds48` (datasets 4.8; 4.7 added the `Json` type for objects
of mixed shapes) and `lf` (datasets 4.0.0, LLaMA-Factory's pin, before `Json`). Formats that keep
structure (`openai`, `trl`, `dpo`: objects whose keys differ from row to row) need `Json`: on
datasets < 4.7 Arrow merges them into one struct, pads the missing keys with null and reads
date-like strings as timestamps, so they are checked on `main` and `ds48`; the text formats
(every value a string) on all three.
"""

from __future__ import annotations

import json
import typing

import pytest

from trainer_kit import RUNS, SPLITS, batched, read_rows

TEXT_FORMATS = [("sharegpt",), ("sharegpt", "--parallel-calls", "split"), ("hermes",), ("hermes", "--style", "hermes3"),
                ("llama3",), ("instruction",)]
STRUCTURED_FORMATS = [("openai",), ("trl",), ("trl", "--parallel-calls", "split")]
CELLS = [(env, flags) for env in ("main", "ds48", "lf") for flags in TEXT_FORMATS] + [
    (env, flags) for env in ("main", "ds48") for flags in STRUCTURED_FORMATS
]


def canon(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def paths_of(export, flags) -> list:
    fmt, *options = flags
    paths = [export(run, fmt, *options) / f"{split}.jsonl" for run in RUNS for split in SPLITS]
    return [p for p in paths if p.exists()]


@pytest.fixture(scope="module")
def loaded(export):
    return batched(lambda env: [
        (flags, {"task": "load", "inputs": [str(p) for p in paths_of(export, flags)]}) for e, flags in CELLS if e == env
    ])


@pytest.mark.slow
@pytest.mark.parametrize(("env", "flags"), CELLS, ids=[f"{e}-{'_'.join(f).replace('--', '')}" for e, f in CELLS])
def test_rows_load_back_unchanged(env, flags, export, loaded, tmp_path):
    fmt = flags[0]
    versions, results = loaded(env, tmp_path)
    checked = 0
    for path in paths_of(export, flags):
        written, loaded_rows = read_rows(path), results[flags][str(path)]
        assert len(loaded_rows) == len(written)
        for index, (w, r) in enumerate(zip(written, loaded_rows)):
            if fmt == "openai" and "parallel_tool_calls" not in w:
                # The one documented difference: a top-level key only some rows have reads back as null.
                assert r.pop("parallel_tool_calls", None) is None
            assert canon(r) == canon(w), f"{path.name} row {index} changed on datasets {versions['datasets']}"
        checked += len(written)
    assert checked >= 300


def openai_example_adapter():
    """A fine-tuning example typed as the SDK types a chat request (`CompletionCreateParams`):
    `messages`, `tools` and `parallel_tool_calls`, no other key. The SDK annotates the lists as
    `Iterable[...]`, which pydantic validates lazily, so they are checked as lists of the SDK's
    own item types."""
    from openai.types.chat import (
        ChatCompletionMessageParam,
        ChatCompletionToolUnionParam,
    )
    from openai.types.chat.completion_create_params import CompletionCreateParamsBase
    from pydantic import ConfigDict, TypeAdapter, with_config
    from typing_extensions import NotRequired, TypedDict

    hints = typing.get_type_hints(CompletionCreateParamsBase, include_extras=True)

    def item_type(hint):  # [Required[]]Iterable[X] -> X
        if typing.get_origin(hint) in (typing.Required, typing.NotRequired):
            hint = typing.get_args(hint)[0]
        return typing.get_args(hint)[0]

    assert item_type(hints["messages"]) == ChatCompletionMessageParam
    assert item_type(hints["tools"]) == ChatCompletionToolUnionParam
    assert hints["parallel_tool_calls"] is bool

    @with_config(ConfigDict(extra="forbid"))
    class FineTuningExample(TypedDict):
        messages: list[ChatCompletionMessageParam]
        tools: NotRequired[list[ChatCompletionToolUnionParam]]
        parallel_tool_calls: NotRequired[bool]

    adapter = TypeAdapter(FineTuningExample)

    class Deep:
        """Validate, then walk the result: pydantic checks `Iterable` fields (the SDK's
        `tool_calls`, content parts) only as they are iterated."""

        @staticmethod
        def validate_python(row):
            return materialize(adapter.validate_python(row))

    return Deep


def materialize(value):
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [materialize(v) for v in value]
    if hasattr(value, "__next__"):
        return [materialize(v) for v in value]
    return value


def test_openai_rows_validate_against_the_sdk_request_types(runs):
    from pydantic import ValidationError

    adapter = openai_example_adapter()
    checked = 0
    for run in runs.values():
        for split in SPLITS:
            for row in read_rows(run / "dataset" / f"{split}.jsonl"):
                adapter.validate_python(row)
                checked += 1
    assert checked >= 1000
    # The check has teeth: arguments as an object, or an unknown key, are refused.
    row = read_rows(next(iter(runs.values())) / "dataset" / "train.jsonl")[0]
    with pytest.raises(ValidationError):
        adapter.validate_python({**row, "extra": 1})
    called = next(r for r in read_rows(runs["travel"] / "dataset" / "train.jsonl")
                  if any("tool_calls" in m for m in r["messages"]))
    broken = json.loads(json.dumps(called))
    call = next(m for m in broken["messages"] if "tool_calls" in m)["tool_calls"][0]
    call["function"]["arguments"] = json.loads(call["function"]["arguments"])
    with pytest.raises(ValidationError):
        adapter.validate_python(broken)
