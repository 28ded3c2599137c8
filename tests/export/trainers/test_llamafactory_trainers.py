"""LLaMA-Factory 0.9.5: its own `get_dataset` (the export's dataset_info.json, its ShareGPT /
Alpaca converter, its template, its supervised processor) on every row of the customer-support
and travel runs, with the datasets 4.0.0 it pins (`lf`) and on datasets 5.x (`lf5`: its data
pipeline over the main environment, past its version check, as someone on a newer stack runs it).

- `sharegpt` with LLaMA-Factory's `qwen` template trains on exactly Qwen2.5's native rendering.
- `sharegpt --parallel-calls split` with its `llama3` template trains on Llama 3.1's native
  rendering of the split conversation, but for two choices of LLaMA-Factory's own template that no
  export can change (`LLAMAFACTORY_LLAMA3`): its system turn (its own tool prompt, after the
  system prompt, dated today, no `Environment: ipython`) and results written as they are (Meta's
  prompt format) where Hugging Face's template writes them as a JSON string. Everything else —
  user turns, one call per turn with its arguments as an object, one `ipython` turn per result
  with no Qwen separators — is compared byte for byte.
- `instruction` (Alpaca columns) with the `qwen` template trains on Qwen2.5's native rendering
  of the system prompt, tools, request and the assistant turn that answers it.
"""

from __future__ import annotations

import json
import re

import pytest
from simulator.export.formats.base import split_parallel_calls
from simulator.export.formats.trl import (
    to_chat_template_messages,
    to_chat_template_tools,
)

from native_render import native_text, native_texts
from trainer_kit import RUNS, SPLITS, canonical, first_difference, probe, read_rows

LLAMA_TURN = re.compile(r"<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n(.*?)<\|eot_id\|>", re.DOTALL)


CELLS = {  # name: (format flags, LLaMA-Factory template, tokenizer family)
    "sharegpt-qwen": (("sharegpt",), "qwen", "qwen2.5"),
    "sharegpt-llama3": (("sharegpt", "--parallel-calls", "split"), "llama3", "llama3.1"),
    "instruction-qwen": (("instruction",), "qwen", "qwen2.5"),
}


ENVS = ["lf", "lf5"]


@pytest.fixture(scope="module")
def lf_results(export, tmp_path_factory):
    """`get(env)` → ({package: version}, {(cell, run): {dataset name: decoded rows}}), from one
    LLaMA-Factory process per environment."""
    made: dict[str, tuple[dict, dict]] = {}

    def get(env: str):
        if env not in made:
            keys, jobs = [], []
            for cell, (flags, template, family) in CELLS.items():
                for run in RUNS:
                    keys.append((cell, run))
                    jobs.append({"task": "llamafactory", "family": family, "lf_template": template,
                                 "dataset_dir": str(export(run, *flags)), "inputs": [f"toolsim_{s}" for s in SPLITS]})
            answer = probe(env, jobs, tmp_path_factory.mktemp(env))
            made[env] = answer["versions"], dict(zip(keys, answer["results"]))
        return made[env]

    return get


@pytest.fixture(params=ENVS)
def lf_rows(request, lf_results):
    """The decoded rows of one environment, whose datasets major version is the one it names."""
    versions, rows = lf_results(request.param)
    assert versions["llamafactory"] == "0.9.5"
    assert versions["datasets"].split(".")[0] == {"lf": "4", "lf5": "5"}[request.param], versions
    return rows


@pytest.mark.slow
def test_sharegpt_with_the_qwen_template_is_qwen25_native(runs, lf_rows):
    checked = 0
    for run in RUNS:
        rows = lf_rows[("sharegpt-qwen", run)]
        for split in SPLITS:
            natives = native_texts(canonical(runs[run], split), "qwen2.5")
            got = rows[f"toolsim_{split}"]
            assert len(got) == len(natives), f"{run}/{split}: LLaMA-Factory kept {len(got)} of {len(natives)} rows"
            for index, (text, native) in enumerate(zip(got, natives)):
                assert text == native, f"{run}/{split} row {index} {first_difference(text, native)}"
            checked += len(got)
    assert checked >= 1000


def llama_turns(text: str) -> list[tuple[str, str]]:
    return LLAMA_TURN.findall(text)


@pytest.mark.slow
def test_sharegpt_split_with_the_llama3_template_is_llama31_native_but_for_its_own_choices(runs, lf_rows):
    checked = 0
    for run in RUNS:
        rows = lf_rows[("sharegpt-llama3", run)]
        for split in SPLITS:
            records = canonical(runs[run], split)
            got = rows[f"toolsim_{split}"]
            assert len(got) == len(records)
            for index, (text, record) in enumerate(zip(got, records)):
                messages = to_chat_template_messages(split_parallel_calls(record["messages"]))
                tools = to_chat_template_tools(record)
                native = native_text(messages, tools, "llama3.1")
                assert text.startswith("<|begin_of_text|>") and native.startswith("<|begin_of_text|>")
                ours, theirs = llama_turns(text), llama_turns(native)
                assert len(ours) == len(theirs), f"{run}/{split} row {index}: {len(ours)} turns, native {len(theirs)}"
                # LLaMA-Factory's system turn: the system prompt, then its tool prompt holding every tool once.
                assert ours[0][0] == "system" and ours[0][1].startswith(record["messages"][0]["content"].strip())
                for tool in tools or []:
                    assert ours[0][1].count(json.dumps(tool, indent=4, ensure_ascii=False)) == 1
                # Hugging Face's template puts the tools in the first user turn; LLaMA-Factory in the system turn.
                first_user = next(m["content"] for m in record["messages"] if m["role"] == "user")
                body_theirs = list(theirs[1:])
                if tools:
                    assert body_theirs[0][1].endswith(first_user.strip())
                    body_theirs[0] = ("user", first_user.strip())
                for position, ((role, content), (native_role, native_content)) in enumerate(zip(ours[1:], body_theirs)):
                    assert role == native_role, f"{run}/{split} row {index} turn {position}"
                    if role == "ipython":
                        assert "</tool_response>" not in content
                        assert json.dumps(content, ensure_ascii=False) == native_content  # as is vs as a JSON string
                    else:
                        assert content == native_content, f"{run}/{split} row {index} turn {position} {first_difference(content, native_content)}"
                checked += 1
    assert checked >= 1000


@pytest.mark.slow
def test_instruction_with_the_qwen_template_is_qwen25_native(export, lf_rows):
    checked = 0
    for run in RUNS:
        out = export(run, "instruction")
        rows = lf_rows[("instruction-qwen", run)]
        for split in SPLITS:
            written = read_rows(out / f"{split}.jsonl")
            got = rows[f"toolsim_{split}"]
            assert len(got) == len(written) > 0
            natives = [native_of_instruction(row) for row in written]
            for index, (text, native) in enumerate(zip(got, natives)):
                assert text == native, f"{run}/{split} row {index} {first_difference(text, native)}"
            checked += len(got)
    assert checked >= 300


def native_of_instruction(row: dict) -> str:
    """Qwen2.5's rendering of the turn an instruction row was cut from: system, request, and the
    assistant's answer — its calls as structured `tool_calls` when it called tools."""
    calls = re.findall(r"<tool_call>\n(.*?)\n</tool_call>", row["output"], re.DOTALL)
    if calls:
        parsed = [json.loads(c) for c in calls]
        answer = {"role": "assistant", "tool_calls": [{"type": "function", "function": p} for p in parsed]}
    else:
        answer = {"role": "assistant", "content": row["output"]}
    messages = [{"role": "system", "content": row["system"]}, {"role": "user", "content": row["instruction"]}, answer]
    return native_text(messages, json.loads(row["tools"]), "qwen2.5")
