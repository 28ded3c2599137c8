"""Load an export the way a trainer does and print the training text it builds from each row.

Run as a script with the interpreter of the environment under test (the main test venv, or one
of the venvs `.ci/trainer-envs` builds with other `datasets` / TRL / LLaMA-Factory versions):

    python probe.py JOBS.json OUT.json

JOBS is `{"jobs": [...]}`, each naming a task and its inputs; OUT gets the versions that ran and,
per job, one result per row:

- `load`: `datasets.load_dataset("json", data_files=FILE)`, every row as the dataset returns it;
- `trl-sft`: the rows go through TRL's real `SFTTrainer` dataset preparation (its loading,
  chat-template and tokenisation code, with a byte-level tokenizer of the model family carrying
  the family's published chat template and a one-layer random model); each row's `input_ids`
  are decoded back to the text TRL trains on;
- `trl-dpo`: the same with `DPOTrainer`: the prompt + chosen and prompt + rejected texts;
- `llamafactory`: LLaMA-Factory's own `get_dataset` (dataset_info.json, its converter, its
  template, its supervised processor) with a `template` such as `qwen` or `llama3`; each row's
  `input_ids` decoded.

Standalone on purpose: the other environments do not have toolsim installed.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
import tempfile
import types
import warnings
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_DISABLED", "true")
warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from byte_tokenizer import byte_tokenizer  # noqa: E402


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("datasets", "transformers", "trl", "llamafactory", "torch"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def load_rows(path: str, cache: str) -> list:
    import datasets

    datasets.disable_progress_bars()
    loaded = datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)
    return [_plain(loaded[i]) for i in range(len(loaded))]


def _plain(value):
    """JSON-safe: datasets < 4.7 may hand back timestamps for date-like strings; show them as such."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return {"__not_json__": f"{type(value).__name__}: {value}"}


def tiny_model(tokenizer):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                         num_attention_heads=1, num_key_value_heads=1, max_position_embeddings=65536)
    return LlamaForCausalLM(config)


def trl_dataset(paths: list[str], cache: str):
    """All inputs as one dataset, in order (one trainer set-up for all of them)."""
    import datasets

    datasets.disable_progress_bars()
    return datasets.load_dataset("json", data_files=paths, split="train", cache_dir=cache)


def trl_sft(job: dict, path: list[str], cache: str, out_dir: str) -> list:
    from trl import SFTConfig, SFTTrainer

    tokenizer = byte_tokenizer(job["family"], Path(job["template"]).read_text(encoding="utf-8"))
    args = SFTConfig(output_dir=out_dir, report_to=[], max_length=None, dataset_num_proc=None, use_cpu=True)
    trainer = SFTTrainer(model=tiny_model(tokenizer), args=args, train_dataset=trl_dataset(path, cache),
                         processing_class=tokenizer)
    prepared = trainer.train_dataset
    return [tokenizer.decode(prepared[i]["input_ids"]) for i in range(len(prepared))]


def trl_dpo(job: dict, path: list[str], cache: str, out_dir: str) -> list:
    from trl import DPOConfig, DPOTrainer

    tokenizer = byte_tokenizer(job["family"], Path(job["template"]).read_text(encoding="utf-8"))
    dataset = trl_dataset(path, cache)
    extra = {}
    if "tools" in DPOConfig.__dataclass_fields__:
        # TRL < 1 renders every pair with `DPOConfig.tools`, not a `tools` column: one tool list for
        # the dataset, which holds for an export of one pack.
        tool_lists = {json.dumps(t, sort_keys=True) for t in dataset["tools"]}
        if len(tool_lists) != 1:
            raise SystemExit("DPOConfig.tools takes one tool list; these rows have several")
        extra["tools"] = dataset[0]["tools"]
    args = DPOConfig(output_dir=out_dir, report_to=[], max_length=None, dataset_num_proc=None, use_cpu=True, **extra)
    for name in ("max_prompt_length", "max_completion_length"):
        if hasattr(args, name):
            setattr(args, name, None)
    trainer = DPOTrainer(model=tiny_model(tokenizer), ref_model=tiny_model(tokenizer), args=args, train_dataset=dataset,
                         processing_class=tokenizer)
    prepared = trainer.train_dataset
    columns = prepared.column_names
    prompt_key = "prompt_ids" if "prompt_ids" in columns else "prompt_input_ids"
    chosen_key = "chosen_ids" if "chosen_ids" in columns else "chosen_input_ids"
    rejected_key = "rejected_ids" if "rejected_ids" in columns else "rejected_input_ids"
    rows = []
    for i in range(len(prepared)):
        prompt = prepared[i][prompt_key]
        rows.append({
            "chosen": tokenizer.decode(prompt + prepared[i][chosen_key]),
            "rejected": tokenizer.decode(prompt + prepared[i][rejected_key]),
        })
    return rows


def _stub_torchaudio() -> None:
    """LLaMA-Factory's multimodal plugin imports torchaudio unconditionally; text rows never reach
    it, and no torchaudio build matches the CPU torch these environments use. An empty module
    lets the real text pipeline import."""
    try:
        import torchaudio  # noqa: F401
    except Exception:  # noqa: BLE001 - missing, or a build for another torch
        stub = types.ModuleType("torchaudio")
        stub.__spec__ = importlib.machinery.ModuleSpec("torchaudio", None)
        sys.modules["torchaudio"] = stub


def llamafactory(job: dict, dataset: str, cache: str, out_dir: str) -> list:
    _stub_torchaudio()
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments, ModelArguments
    from transformers import Seq2SeqTrainingArguments

    tokenizer = byte_tokenizer(job["family"])
    data_args = DataArguments(dataset=dataset, dataset_dir=job["dataset_dir"], template=job["lf_template"],
                              cutoff_len=1_000_000, overwrite_cache=True, preprocessing_num_workers=None)
    model_args = ModelArguments(model_name_or_path="toolsim-byte-tokenizer", cache_dir=cache)
    training_args = Seq2SeqTrainingArguments(output_dir=out_dir, do_train=True, report_to=[])
    template = get_template_and_fix_tokenizer(tokenizer, data_args)
    module = get_dataset(template, model_args, data_args, training_args, stage="sft", tokenizer=tokenizer)
    prepared = module["train_dataset"]
    return [tokenizer.decode(prepared[i]["input_ids"]) for i in range(len(prepared))]


def split_back(rows: list, files: dict[str, str]) -> dict[str, list]:
    """The results of one pass over several files, back per file (in order, by line count). If
    the trainer dropped rows the totals differ and the last file shows it."""
    results = {}
    for name, path in files.items():
        count = sum(1 for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip())
        results[name], rows = rows[:count], rows[count:]
    if rows:
        raise SystemExit(f"{len(rows)} rows more than the inputs hold")
    return results


TASKS = {"trl-sft": trl_sft, "trl-dpo": trl_dpo}


def run_job(job: dict, scratch: str) -> dict[str, list]:
    """One job: `inputs` are files (load: each on its own; trl-*: all in one dataset, results
    split back per file by line count) or LLaMA-Factory dataset names."""
    task = job["task"]
    cache, out_dir = tempfile.mkdtemp(dir=scratch), tempfile.mkdtemp(dir=scratch)
    if task == "load":
        return {item: load_rows(item, tempfile.mkdtemp(dir=scratch)) for item in job["inputs"]}
    if task == "llamafactory":
        info = json.loads((Path(job["dataset_dir"]) / "dataset_info.json").read_text(encoding="utf-8"))
        files = {name: str(Path(job["dataset_dir"]) / info[name]["file_name"]) for name in job["inputs"]}
        return split_back(llamafactory(job, ",".join(job["inputs"]), cache, out_dir), files)
    rows = TASKS[task](job, job["inputs"], cache, out_dir)
    return split_back(rows, {item: item for item in job["inputs"]})


def main(job_path: str, out_path: str) -> None:
    """JOB is `{"jobs": [job, ...]}`, run in order in this one process (imports are paid once)."""
    jobs = json.loads(Path(job_path).read_text(encoding="utf-8"))["jobs"]
    with tempfile.TemporaryDirectory() as scratch:
        results = [run_job(job, scratch) for job in jobs]
    Path(out_path).write_text(json.dumps({"versions": versions(), "results": results}, ensure_ascii=False),
                              encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
