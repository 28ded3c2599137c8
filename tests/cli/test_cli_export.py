"""`toolsim export`: the customer-support run in every format, each loaded back with
`datasets.load_dataset("json")` with every value unchanged."""

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from simulator.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
TEMPLATE = ROOT / "tests" / "fixtures" / "chat_templates" / "qwen25_like.jinja"
FORMATS = ["openai", "sharegpt", "trl", "hermes", "llama3", "instruction", "chat-template"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "cs"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--n", "80"]) == 0
    return out


def _load(path: Path, cache: Path) -> list[dict]:
    import datasets

    datasets.disable_progress_bars()
    ds = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(cache))
    return [ds[i] for i in range(len(ds))]


def _canon(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.slow
def test_every_format_loads_unchanged(run_dir, tmp_path, fmt):
    out = tmp_path / fmt
    args = ["export", str(run_dir), "--format", fmt, "--out", str(out)]
    if fmt == "chat-template":
        args += ["--template", str(TEMPLATE)]
    assert main(args) == 0
    total = 0
    for split in ("train", "validation", "test"):
        path = out / f"{split}.jsonl"
        written = [json.loads(line) for line in path.read_text().splitlines()]
        total += len(written)
        if not written:
            continue
        loaded = _load(path, tmp_path / "cache")
        if fmt == "openai":
            # DESIGN.md: `parallel_tool_calls` appears only on records with parallel calls; Arrow
            # gives the other rows that column as null. That is the one tolerated difference.
            for w, r in zip(written, loaded):
                if "parallel_tool_calls" not in w:
                    assert r.pop("parallel_tool_calls", None) is None
        assert [_canon(r) for r in loaded] == [_canon(w) for w in written]
    assert total > 0


def test_sharegpt_writes_its_dataset_info(run_dir, tmp_path):
    assert main(["export", str(run_dir), "--format", "sharegpt", "--out", str(tmp_path)]) == 0
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    entry = next(iter(info.values()))
    assert entry["formatting"] == "sharegpt"
    assert entry["columns"]["messages"] == "conversations"
    row = json.loads((tmp_path / "train.jsonl").read_text().splitlines()[0])
    assert isinstance(row["tools"], str) and json.loads(row["tools"])


def test_default_export_goes_under_the_run(run_dir):
    assert main(["export", str(run_dir), "--format", "trl"]) == 0
    assert (run_dir / "export" / "trl" / "train.jsonl").exists()


def test_chat_template_needs_a_template(run_dir, capsys):
    assert main(["export", str(run_dir), "--format", "chat-template"]) == 2
    assert "--template" in capsys.readouterr().err


def test_an_empty_export_writes_no_file_and_says_so(run_dir, tmp_path, capsys):
    """A run without rejected samples has no preference pairs: no empty JSONL (load_dataset raises on one)."""
    out = tmp_path / "dpo"
    assert main(["export", str(run_dir), "--format", "dpo", "--out", str(out)]) == 0
    assert "no rows to export, nothing written" in capsys.readouterr().out
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("pack", ["customer_support", "travel"])
def test_dpo_on_an_offline_run_gives_a_pair_per_ten_episodes_when_asked(pack, tmp_path):
    """Every episode played counts, mistake twins included; every twin the judge rejected pairs
    with its accepted original."""
    run = tmp_path / "run"
    scenario = ROOT / "scenarios" / f"{pack}.yaml"
    assert main(["run", str(scenario), "--out", str(run), "--quiet", "--n", "120", "--mistake-share", "0.2"]) == 0
    traces = [json.loads(line) for line in (run / "traces.jsonl").read_text().splitlines()]
    episodes, twins = len(traces), sum(bool(t["episode"]["mistake"]) for t in traces)
    assert main(["export", str(run), "--format", "dpo"]) == 0
    pairs = [json.loads(line) for split in ("train", "validation", "test")
             if (run / "export" / "dpo" / f"{split}.jsonl").exists()
             for line in (run / "export" / "dpo" / f"{split}.jsonl").read_text().splitlines()]
    assert len(pairs) * 10 >= episodes, (len(pairs), episodes)
    assert len(pairs) == twins, (len(pairs), twins)
    for pair in pairs:
        assert pair["prompt"][-1]["role"] == "user" and pair["chosen"] != pair["rejected"]
        assert pair["chosen"][-1]["role"] == "assistant" and pair["rejected"][-1]["role"] == "assistant"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["options"]["mistake_share"] == 0.2


def test_export_works_from_any_directory_after_the_pack_and_the_run_moved(tmp_path, monkeypatch, capsys):
    """A run made from a copy of the pack with relative paths; then the run directory is moved,
    the pack deleted, and export called from elsewhere with a relative RUN path: every format
    (the openai dataset re-published, converted formats, dpo) reads only the run directory and
    writes the same bytes as before the move; nothing lands in the working directory."""
    pack = tmp_path / "pack"
    for folder in ("scenarios", "tool_sims", "personas"):
        shutil.copytree(ROOT / folder, pack / folder)
    monkeypatch.chdir(pack)
    assert main(["run", "scenarios/customer_support.yaml", "--out", "runs/cs", "--quiet", "--n", "40",
                 "--mistake-share", "0.3"]) == 0
    formats = ("sharegpt", "trl", "llama3", "dpo")

    def export_all(run: str) -> dict[str, bytes]:
        assert main(["export", run]) == 0
        for fmt in formats:
            assert main(["export", run, "--format", fmt]) == 0
        made = {p.relative_to(Path(run)).as_posix(): p.read_bytes()
                for folder in ("dataset", "export") for p in sorted((Path(run) / folder).rglob("*.jsonl"))}
        assert {key.split("/")[0 if key.startswith("dataset") else 1] for key in made} >= {"dataset", *formats}
        return made

    before = export_all("runs/cs")
    (tmp_path / "kept").mkdir()
    shutil.move(pack / "runs" / "cs", tmp_path / "kept" / "cs")
    shutil.rmtree(pack)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    after = export_all("../kept/cs")
    assert after == before
    assert not list(elsewhere.iterdir()), "nothing written in the working directory"
    assert "Traceback" not in capsys.readouterr().err
