"""LLaMA-Factory's ShareGPT format, with a `dataset_info.json` entry per split file.

One record is
`{"conversations": [{"from": ..., "value": ...}, ...], "system": "...", "tools": "<JSON string>"}`
as LLaMA-Factory's data/README.md ("Sharegpt Format", example glaive_toolcall_en_demo.json)
describes. The rules that make LLaMA-Factory keep or drop a sample come from its
`SharegptDatasetConverter` (src/llamafactory/data/converter.py):

- `human` and `observation` only at odd positions (1st, 3rd, ... — index 0, 2, ...),
  `gpt` and `function_call` only at even positions; an even number of turns. A sample that
  breaks this is dropped by LLaMA-Factory, so we skip it here and count it
  (`roles_do_not_alternate`) instead of writing data that silently disappears at training.
- A `function_call` value is the JSON of `{"name": ..., "arguments": {...}}` with `arguments`
  an object (its FunctionFormatter does `json.dumps(tool_call["arguments"])`, so a string would
  be double-encoded); parallel calls are a JSON *list* of such objects in one turn.
- The results of parallel calls must share one `observation` turn to keep the alternation; we
  join them with `"\\n</tool_response>\\n<tool_response>\\n"`, exactly as LLaMA-Factory's own
  OpenAI-format converter does, so this export trains the same as feeding it our OpenAI export.
- `tools` is a JSON string of bare function objects (`name`, `description`, `parameters`), as
  in glaive_toolcall_en_demo.json; `"[]"` when the record has none.
- Assistant text beside tool calls has no place in a `function_call` turn (LLaMA-Factory's
  OpenAI converter drops it too); it is dropped and counted as the note `assistant_text_dropped`.
- `parallel_calls`: `keep` (default) writes a round of parallel calls as above, which
  LLaMA-Factory's `qwen` template renders exactly as Qwen2.5 does; `split` writes them as
  consecutive `function_call` / `observation` pairs, one call each — for the `llama3` template,
  whose tool format would otherwise write a JSON list Llama 3.1 never saw and join the results
  with Qwen's `</tool_response>` separators; `skip` drops such records.

Every value is a string, so the rows load unchanged with any `datasets` version, including the
4.0 LLaMA-Factory pins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simulator.export.formats.base import (
    PARALLEL_POLICIES,
    Converter,
    SkipRecord,
    bare_functions,
    call_object,
    calls_of,
    check_choice,
    group_tool_results,
    messages_of,
    split_system,
    text_of,
    tojson,
)
from simulator.export.formats.registry import export_format

PARALLEL_OBSERVATION_SEPARATOR = "\n</tool_response>\n<tool_response>\n"
ODD_POSITION_ROLES = ("human", "observation")
EVEN_POSITION_ROLES = ("gpt", "function_call")
DATASET_INFO_FILE = "dataset_info.json"


def dataset_info_entry(file_name: str) -> dict[str, Any]:
    """The `dataset_info.json` description of one ShareGPT file. The tags are LLaMA-Factory's
    defaults, spelled out so the entry still works if those defaults ever change."""
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
        "tags": {
            "role_tag": "from",
            "content_tag": "value",
            "user_tag": "human",
            "assistant_tag": "gpt",
            "observation_tag": "observation",
            "function_tag": "function_call",
        },
    }


def check_positions(conversations: list[dict[str, str]]) -> None:
    """LLaMA-Factory's alternation rule (see module docstring); raises SkipRecord if broken."""
    if not conversations or len(conversations) % 2 != 0:
        raise SkipRecord("roles_do_not_alternate")
    for index, turn in enumerate(conversations):
        allowed = ODD_POSITION_ROLES if index % 2 == 0 else EVEN_POSITION_ROLES
        if turn["from"] not in allowed:
            raise SkipRecord("roles_do_not_alternate")


@export_format()
class ShareGPTConverter(Converter):
    name = "sharegpt"

    def __init__(self, dataset_prefix: str = "toolsim", parallel_calls: str = "keep") -> None:
        super().__init__()
        self.dataset_prefix = dataset_prefix
        self.parallel_calls = check_choice("parallel_calls", parallel_calls, PARALLEL_POLICIES)

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        rest = self.apply_parallel_policy(rest, self.parallel_calls)
        conversations = [self._turn(item) for item in group_tool_results(rest)]
        check_positions(conversations)
        return {"conversations": conversations, "system": system or "", "tools": tojson(bare_functions(record))}

    def _turn(self, item: dict[str, Any] | list[dict[str, Any]]) -> dict[str, str]:
        if isinstance(item, list):
            return {"from": "observation", "value": PARALLEL_OBSERVATION_SEPARATOR.join(text_of(m) for m in item)}
        if item["role"] == "user":
            return {"from": "human", "value": text_of(item)}
        calls = calls_of(item)
        if not calls:
            return {"from": "gpt", "value": text_of(item)}
        if text_of(item).strip():
            self.note("assistant_text_dropped")
        objects = [call_object(call) for call in calls]
        return {"from": "function_call", "value": tojson(objects[0] if len(objects) == 1 else objects)}

    def extra_files(
        self, out_dir: str | Path, split_files: Mapping[str, str | Path] | Iterable[str | Path]
    ) -> list[Path]:
        """Write `dataset_info.json` into `out_dir` with one entry per split file, named
        `<prefix>_<split>` (e.g. `toolsim_train`). Point LLaMA-Factory's `dataset_dir` at
        `out_dir` and use `dataset: toolsim_train`."""
        return [write_dataset_info(out_dir, split_files, self.dataset_prefix, dataset_info_entry)]


def write_dataset_info(
    out_dir: str | Path,
    split_files: Mapping[str, str | Path] | Iterable[str | Path],
    prefix: str,
    entry: Any,
) -> Path:
    """LLaMA-Factory's `dataset_info.json`: `entry(file_name)` for each split file, named
    `<prefix>_<split>`. `split_files` maps split name to file path, or is a list of paths whose
    stems are the split names."""
    from simulator.core.atomic import atomic_write

    out_dir = Path(out_dir)
    if not isinstance(split_files, Mapping):
        split_files = {Path(path).stem: path for path in split_files}
    info = {f"{prefix}_{split}": entry(_relative_name(Path(path), out_dir)) for split, path in split_files.items()}
    target = out_dir / DATASET_INFO_FILE
    with atomic_write(target) as handle:
        handle.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    return target


def _relative_name(path: Path, out_dir: Path) -> str:
    """LLaMA-Factory resolves `file_name` against the dataset directory."""
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())
