"""`--override ID --accept|--reject --reason`: appended with history, atomic, other lines untouched."""

import json

import pytest

from simulator.core.errors import InputError
from simulator.core.records import Verdict
from simulator.review.audit.overrides import add_override
from simulator.review.audit.query import load_rows
from tests.review.audit.sample_run import run_cli, write_sample_run


@pytest.fixture
def sample(tmp_path):
    return write_sample_run(tmp_path / "run")


def _lines(sample):
    return sample.run.verdicts_path.read_bytes().splitlines(keepends=True)


def _final(sample, trace_id):
    return next(r.decision for r in load_rows(sample.run) if r.trace_id == trace_id)


def test_override_changes_the_final_decision_and_keeps_other_lines_byte_identical(sample, capsys):
    before = _lines(sample)
    target = sample.ids["schema"]
    assert _final(sample, target) == "reject"
    code = run_cli(["audit", str(sample.run.path), "--override", target, "--accept", "--reason", "legacy id format", "--who", "kim"])
    assert code == 0
    assert "accept (judge said reject) — by kim" in capsys.readouterr().out
    after = _lines(sample)
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed == [1]
    verdict = Verdict.model_validate_json(after[1])
    assert verdict.decision == "reject"  # the judge's decision is kept; the human's is added
    assert [(o.who, o.decision, o.reason) for o in verdict.overrides] == [("kim", "accept", "legacy id format")]
    assert verdict.overrides[0].when.endswith("+00:00")  # UTC ISO
    assert _final(sample, target) == "accept"


def test_second_override_appends_to_the_history(sample):
    target = sample.ids["overridden"]
    updated = add_override(sample.run, target, "reject", "on second thought: empty answer", who="lee", when="2025-02-01T00:00:00+00:00")
    assert [(o.who, o.decision) for o in updated.overrides] == [("ana", "accept"), ("lee", "reject")]
    assert _final(sample, target) == "reject"
    stored = [json.loads(line) for line in _lines(sample)]
    assert [o["who"] for o in stored[5]["overrides"]] == ["ana", "lee"]


def test_who_defaults_to_user_then_human(sample, monkeypatch):
    monkeypatch.setenv("USER", "dana")
    assert add_override(sample.run, sample.ids["accepted"], "reject", "tone").overrides[-1].who == "dana"
    monkeypatch.delenv("USER")
    monkeypatch.setattr("getpass.getuser", lambda: (_ for _ in ()).throw(OSError("no passwd entry")))
    assert add_override(sample.run, sample.ids["accepted"], "reject", "tone").overrides[-1].who == "human"


def test_the_last_verdict_of_a_rejudged_trace_gets_the_override(sample):
    target = sample.ids["accepted"]
    first = _lines(sample)[0]
    rejudged = json.loads(first) | {"decision": "reject", "reasons": ["helpfulness"]}
    with sample.run.verdicts_path.open("a") as f:
        f.write(json.dumps(rejudged) + "\n")
    add_override(sample.run, target, "accept", "fine by me", who="kim")
    lines = _lines(sample)
    assert lines[0] == first
    assert json.loads(lines[-1])["overrides"][0]["who"] == "kim"


def test_unknown_id_is_input_error_and_leaves_the_file_alone(sample):
    before = sample.run.verdicts_path.read_bytes()
    with pytest.raises(InputError, match="no verdict for trace 'nope'"):
        run_cli(["audit", str(sample.run.path), "--override", "nope", "--reject", "--reason", "x"])
    assert sample.run.verdicts_path.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--override", "X", "--reason", "why"], "say --accept or --reject"),
        (["--override", "X", "--accept"], "say why with --reason"),
        (["--override", "X", "--accept", "--reason", "  "], "say why with --reason"),
        (["--accept"], "only goes with --override"),
        (["--who", "kim"], "only goes with --override"),
        (["--override", "X", "--accept", "--reason", "r", "--decision", "reject"], "does nothing with --override"),
    ],
)
def test_flag_mistakes_are_input_errors(sample, argv, message):
    with pytest.raises(InputError, match=message):
        run_cli(["audit", str(sample.run.path), *argv])
