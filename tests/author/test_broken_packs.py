"""Broken packs, each caught by `toolsim validate` at the line that causes it, before any run.

The clinic pack of issue 15 (`tests/fixtures/clinic`), written from the README in both forms —
stateful Python sims and schema-only tools — is broken one mistake at a time: every failure the
issue lists (a record in a pack without state, a `where` nothing matches, a wrong `{@tool.path}`,
a reply or answer naming what is not there, an expected error the tool never raises, a blueprint
the offline assistant cannot satisfy, a sim that crashes, a declared error that can never fire).
Each must make `validate` exit 2 with exactly the expected `file:line: message` problems and
write nothing; the intact pack validates and runs to its targets.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.cli import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "clinic"
PY, SCHEMA = "scenarios/clinic.yaml", "scenarios/clinic_schema.yaml"
SIMS, TOOLS = "tool_sims/clinic.py", "scenarios/clinic.tools.yaml"


@dataclass(frozen=True)
class Broken:
    """Edit the copied pack (`(file, old, new)`, `old` occurring once), validate `target`, and
    expect these problems in order: `(file, marker on the line, message)`."""

    id: str
    target: str
    edits: tuple[tuple[str, str, str], ...]
    problems: tuple[tuple[str, str, str], ...]


BOOKED = '"Booked {appointment_id} on {date}."'
COFFEE = '"In moderation, coffee is fine for most people; ask your doctor if unsure."'
CASES = [
    # ------------------------------------------------ a record in a pack that has no state
    Broken("record in a schema-only pack", SCHEMA,
           ((SCHEMA, "      rx_id: {choice: [RX-1042, RX-2231, RX-3307]}\n    turns:\n      - say: {en: [\"What's",
             "      rx_id: {field: rx_id}\n    record: {collection: prescriptions}\n    turns:\n"
             "      - say: {en: [\"What's"),),
           ((SCHEMA, "record: {collection: prescriptions}", "scenarios[2].record: schema-only tools (a tools.yaml) "
             "keep no state, so there is no record to pick and every episode would fail; give the slots as `fake`, "
             "`choice`, `value` or `date` instead (field slots: rx_id)"),)),
    # ------------------------------------------------ a where nothing matches
    Broken("where matching nothing", PY, ((PY, "where: {status: active}", "where: {status: cancelled}"),),
           ((PY, "where: {status: cancelled}", "scenarios[3].record.where: no 'prescriptions' record matches "
             "{'status': 'cancelled'} in the seeded state of any rehearsal episode, so every episode fails "
             "(status takes 'active', 'expired')"),)),
    # ------------------------------------------------ a {@tool.path} no result has
    Broken("wrong result path (Python)", PY, ((PY, "doctors.0.doctor_id}", "doctors.0.id}"),),
           ((PY, "{@find_doctor.doctors.0.id}", "scenarios[1].turns[1].expect[0].args.doctor_id: "
             "{@find_doctor.doctors.0.id}: no result of 'find_doctor' has 'doctors.0.id', so this call is never made "
             "and every episode is rejected; did you mean 'doctors.0.doctor_id'? (it has: doctors, "
             "doctors.0.doctor_id, doctors.0.name, doctors.0.specialty)"),)),
    Broken("wrong result path (schema-only)", SCHEMA, ((SCHEMA, "doctors.0.id}", "doctors.0.doctor_id}"),),
           ((SCHEMA, "{@find_doctor.doctors.0.doctor_id}", "scenarios[1].turns[1].expect[0].args.doctor_id: "
             "{@find_doctor.doctors.0.doctor_id}: no result of 'find_doctor' has 'doctors.0.doctor_id', so this "
             "call is never made and every episode is rejected; did you mean 'doctors.0.id'? (it has: doctors, "
             "doctors.0.id, doctors.0.name, doctors.0.specialty)"),)),
    # ------------------------------------------------ a reply naming a field the result lacks
    *[Broken(f"reply naming an absent field ({form})", target,
             ((target, BOOKED, '"Booked {appointment_ref} on {date}."'),),
             ((target, "{appointment_ref}", "domain.replies.book_appointment.en[0]: {appointment_ref} is neither a "
               "field of book_appointment's result nor a slot of the scenarios that call it; did you mean "
               "'appointment_id'? (it can name: appointment_id, date, doctor_id, specialty, when); this variant is "
               "never said (a generic sentence or another variant is used instead)"),))
      for form, target in (("Python", PY), ("schema-only", SCHEMA))],
    # ------------------------------------------------ an answer naming what no slot has
    *[Broken(f"answer naming an absent field ({form})", target,
             ((target, "    goal: Ask a health question no tool answers\n",
               "    goal: Ask a health question no tool answers\n    slots:\n      doc: {value: Dr Park}\n"),
              (target, COFFEE, '"In moderation it is fine; ask {doc.name}."')),
             ((target, "{doc.name}", "scenarios[5].turns[0].answer.en[0]: {doc.name} cannot be filled from the "
               "scenario's slots: 'doc' has no 'name'; this answer is never said"),))
      for form, target in (("Python", PY), ("schema-only", SCHEMA))],
    # ------------------------------------------------ an expected error the tool never raises
    Broken("expected error never raised (Python)", PY, ((PY, "where: {status: expired}", "where: {status: active}"),),
           ((PY, "expect_error: true", "scenarios[4].turns[0].expect[0].expect_error: the call of "
             "'refill_prescription' expects an error, but refill_prescription answered without one in every "
             "rehearsal episode (6 calls); make the scenario's facts meet a case where the sim raises ToolError"),)),
    Broken("expected error never raised (schema-only)", SCHEMA,
           ((SCHEMA, "rx_state: {value: expired}", "rx_state: {value: active}"),),
           ((SCHEMA, "expect_error: true", "scenarios[4].turns[0].expect[0].expect_error: the call of "
             "'refill_prescription' expects an error, but refill_prescription answered without one in every "
             "rehearsal episode (6 calls); declare when it fails under the tool's `errors:` in the tools file"),)),
    Broken("declared error on a fact no scenario has", SCHEMA,
           ((SCHEMA, "      rx_state: {value: expired}\n", ""),),
           ((TOOLS, "rx_state: expired", "tools[3].errors[0].when.facts.rx_state: no scenario has a slot 'rx_state', "
             "so this error never happens (a fact is a slot of the scenario being played)"),)),
    # ------------------------------------------------ a blueprint the offline assistant cannot satisfy
    *[Broken(f"blueprint the offline assistant cannot satisfy ({form})", target,
             ((target, 'check_prescription, args: {rx_id: "{rx_id}"}', "check_prescription, args: {rx_id: RX-1999}"),),
             ((target, "rx_id: RX-1999", "scenarios[2].turns[0].expect[0].args.rx_id: the offline assistant cannot "
               "satisfy this scenario's blueprint in en and zh, so every episode would be rejected: "
               f"arguments_grounded: check_prescription: rx_id='RX-1999' not in the conversation{more}"),))
      for form, target, more in (
          ("Python", PY, "; tool_errors_expected: unexpected error from check_prescription (call_1)"),
          ("schema-only", SCHEMA, ""))],
    # ------------------------------------------------ a sim that crashes
    Broken("a sim that crashes", PY, ((SIMS, 'for d in ctx.state["doctors"] if', 'for d in ctx.state["doctor"] if'),),
           ((PY, "- id: find_a_doctor", "scenarios[0].id: every rehearsal episode in en and zh crashed: "
             "KeyError: 'doctor' (at tool_sims/clinic.py:21)"),
            (PY, "- id: find_then_book", "scenarios[1].id: every rehearsal episode in en and zh crashed: "
             "KeyError: 'doctor' (at tool_sims/clinic.py:21)"))),
]


@pytest.fixture
def clinic(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    return root


def _edit(root: Path, file: str, old: str, new: str) -> None:
    text = (root / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    (root / file).write_text(text.replace(old, new), encoding="utf-8")


def _line(root: Path, file: str, marker: str) -> int:
    hits = [n for n, line in enumerate((root / file).read_text(encoding="utf-8").splitlines(), 1) if marker in line]
    assert len(hits) == 1, f"{marker!r} must be on exactly one line of {file}: {hits}"
    return hits[0]


def _tree(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_validate_names_the_line_that_breaks_the_pack(clinic, case: Broken, capsys):
    for file, old, new in case.edits:
        _edit(clinic, file, old, new)
    before = _tree(clinic)
    assert main(["validate", case.target]) == 2
    err = capsys.readouterr().err.splitlines()
    expected = [f"{file}:{_line(clinic, file, marker)}: {message}" for file, marker, message in case.problems]
    assert err[:-1] == expected
    assert err[-1] == f"toolsim: {len(expected)} problem{'s' if len(expected) > 1 else ''} found; nothing was written"
    assert _tree(clinic) == before  # nothing written: no run directory, no cache


def test_a_read_only_sim_that_changes_the_state_is_caught(clinic, capsys):
    # Runs trust `read_only` (such a tool reads the cached seeded state itself); the rehearsal checks it.
    find = '    return {"doctors": [d for d in ctx.state["doctors"] if d["specialty"] == specialty]}'
    _edit(clinic, SIMS, find, '    ctx.state["last_search"] = specialty\n' + find)
    before = _tree(clinic)
    assert main(["validate", PY]) == 2
    err = capsys.readouterr().err.splitlines()
    wanted = "crashed: ReturnsMismatch: sim 'find_doctor' is declared read_only but changed the state"
    assert [line.split(": scenarios")[0] for line in err[:-1]] == [
        f"{PY}:{_line(clinic, PY, '- id: find_a_doctor')}", f"{PY}:{_line(clinic, PY, '- id: find_then_book')}"]
    assert all(wanted in line and "(declare it read_only: false)" in line for line in err[:-1])
    assert _tree(clinic) == before


@pytest.mark.parametrize("target", [PY, SCHEMA])
@pytest.mark.slow
def test_the_intact_pack_validates_and_runs_to_its_targets(clinic, target, capsys):
    assert main(["validate", target]) == 0
    assert main(["run", target, "--out", "runs/r", "--quiet"]) == 0  # exit 0: every target met
