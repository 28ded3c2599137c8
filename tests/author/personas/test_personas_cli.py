"""`toolsim personas expand` end to end: offline to stdout and to a file, bad input, and a model
over HTTP (a local fake OpenAI server) whose proposals include a near-copy and an invalid one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from simulator.cli import main
from simulator.spec import Persona
from tests.fakes.openai_server import error_reply, text

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = ROOT / "personas"


def _documents(yaml_text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(yaml_text) if d is not None]


def test_offline_expand_prints_reviewable_yaml_that_validates(capsys):
    assert main(["personas", "expand", "--n", "20", "--personas", str(LIBRARY), "--seed", "5"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Persona proposals") and "PROPOSAL TO REVIEW" in out
    documents = _documents(out)
    assert len(documents) == 20
    library_ids = {p.stem for p in LIBRARY.glob("*.yaml")}
    for document in documents:
        persona = Persona.model_validate(document)
        assert persona.id not in library_ids and f"# personas/{persona.id}.yaml" in out
    assert "20 of 20 kept" in err and "near-cop" in err
    assert main(["personas", "expand", "--n", "20", "--personas", str(LIBRARY), "--seed", "5"]) == 0
    assert capsys.readouterr().out == out  # deterministic for a seed


def test_out_is_written_once_and_only_replaced_with_force(tmp_path, capsys):
    out = tmp_path / "proposals.yaml"
    args = ["personas", "expand", "--n", "4", "--personas", str(LIBRARY), "--out", str(out)]
    assert main(args) == 0
    first = out.read_text(encoding="utf-8")
    assert len(_documents(first)) == 4 and capsys.readouterr().out == ""
    assert main([*args, "--seed", "99"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == first  # untouched
    assert main([*args, "--seed", "99", "--force"]) == 0
    assert out.read_text(encoding="utf-8") != first
    assert [p.name for p in tmp_path.iterdir()] == ["proposals.yaml"]  # no temporary file left


@pytest.mark.parametrize("flags", [
    ["--n", "0"], ["--n", "many"], ["--seed", "x"], ["--max-similarity", "2"], ["--min-distance", "-1"],
    ["--bogus"],
])
def test_bad_flags_exit_2(flags, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["personas", "expand", "--personas", str(LIBRARY), *flags])
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_a_broken_library_or_missing_folder_exits_2_with_file_and_line(tmp_path, capsys):
    assert main(["personas", "expand", "--personas", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
    shutil.copy(LIBRARY / "formal_polite.yaml", tmp_path)
    (tmp_path / "broken.yaml").write_text("id: broken\nname: B\nformality: posh\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    assert main(["personas", "expand", "--personas", str(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:3: formality: must be one of casual, neutral, formal" in err
    assert not out.exists()


# ---------------------------------------------------------------- with a model


def _proposal(**fields) -> dict:
    return {"name": "X", "language": "en", "formality": "neutral", "verbosity": "normal", "typo_rate": 0.0,
            "frustration": 0.0, "cooperativeness": 0.5, "patience": 3, **fields}


NEW_ZH = _proposal(id="zh_angry_shorthand", name="老刘", description="开出租车的老司机，等红灯时用语音转文字发消息，火气大。",
                   language="zh", formality="casual", verbosity="terse", frustration=0.7, patience=1,
                   punctuation="none", abbreviation_rate=0.6)
NEAR_COPY = _proposal(id="formal_polite_again", name="Marge", formality="formal", cooperativeness=0.9, patience=6,
                      description="A retired teacher who writes to customer service like a letter - polite and complete.")
INVALID = _proposal(id="posh", formality="posh", description="Very grand.")
NEW_EN = _proposal(id="formal_polite", name="Ken Adeyemi", description="A night-shift nurse, kind but exhausted, "
                   "who rambles a little and forgets what he was saying.", expertise="novice", emotion="anxious",
                   verbosity="verbose", rambling=0.6, cooperativeness=0.2)


@pytest.fixture
def model_args(openai_fake, tmp_path):
    return ["personas", "expand", "--personas", str(LIBRARY), "--model", "openai/fake-model",
            "--api-base", openai_fake.base_url, "--no-cache", "--retries", "0"]


def test_model_proposals_are_validated_and_filtered(openai_fake, model_args, tmp_path, capsys):
    openai_fake.push(text(json.dumps({"personas": [NEW_ZH, NEAR_COPY, INVALID, NEW_EN]})))
    out = tmp_path / "proposals.yaml"
    assert main([*model_args, "--n", "2", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 of 2 kept, 1 invalid dropped, 1 near-copy rejected" in err
    written = out.read_text(encoding="utf-8")
    documents = _documents(written)
    assert [d["id"] for d in documents] == ["zh_angry_shorthand", "formal_polite_2"]  # a taken id is renamed
    assert documents[1]["rambling"] == 0.6 and "typo_rate" in documents[1]
    assert "rejected formal_polite_again: near-copy of formal_polite" in written
    assert "invalid posh: formality: must be one of casual, neutral, formal" in written
    assert openai_fake.calls == 1
    prompt = openai_fake.requests[0].body["messages"][0]["content"]
    assert "Propose **4**" in prompt and "`terse_guarded`" in prompt and "`vagueness`" in prompt
    assert "habit" in prompt and "{{" not in prompt


def test_the_model_is_asked_again_for_what_is_missing(openai_fake, model_args, capsys):
    openai_fake.push(text("Sure! Here are some personas: ..."), text(json.dumps([NEW_ZH, NEW_EN])))
    assert main([*model_args, "--n", "2"]) == 0
    out, err = capsys.readouterr()
    assert [d["id"] for d in _documents(out)] == ["zh_angry_shorthand", "formal_polite_2"]
    assert "2 of 2 kept, 1 invalid dropped, 0 near-copies rejected" in err
    assert openai_fake.calls == 2
    second_prompt = openai_fake.requests[1].body["messages"][0]["content"]
    assert "Propose **4**" in second_prompt


def test_a_failing_model_writes_nothing(openai_fake, model_args, tmp_path, capsys):
    openai_fake.push(error_reply(500, "boom"))
    out = tmp_path / "proposals.yaml"
    assert main([*model_args, "--n", "2", "--out", str(out)]) == 1
    assert "model call failed" in capsys.readouterr().err
    assert not out.exists()
