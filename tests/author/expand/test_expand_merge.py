"""Re-running `toolsim expand` keeps what a reviewer did to the file and only tops it up."""

from __future__ import annotations

import pytest
import yaml

from simulator.cli import main
from simulator.load.variants import default_path


def _expand(path, *extra: str) -> int:
    return main(["expand", str(path), "--quiet", *extra])


def _say(data, sid, language="en", turn=0) -> list[str]:
    return data["scenarios"][sid]["turns"][turn][language]


def _total(data, sid) -> int:
    turns = data["scenarios"][sid]["turns"].values()
    return sum(len(t.get("en", [])) + len(t.get("zh", [])) for t in turns)


@pytest.mark.slow
def test_rerun_keeps_edits_respects_exclude_and_tops_up(support_copy):
    out = default_path(support_copy)
    assert _expand(support_copy, "--per-scenario", "6") == 0
    data = yaml.safe_load(out.read_text())
    first, second = _say(data, "lookup_order_by_id")[:2]  # edit the first, delete the second

    edited = out.read_text()
    edited = edited.replace(f'- "{first}"', '- "Hand edited: please look up {order_id}."', 1)
    lines = edited.splitlines(keepends=True)
    lines.remove(next(line for line in lines if line.startswith(f'          - "{second}"')))
    edited = "".join(lines)
    edited = edited.replace("  lookup_order_by_id:\n", f'  lookup_order_by_id:\n    exclude: ["{second}"]\n', 1)
    out.write_text(edited)

    assert _expand(support_copy, "--per-scenario", "10") == 0
    data = yaml.safe_load(out.read_text())
    say = _say(data, "lookup_order_by_id")
    assert say[0] == "Hand edited: please look up {order_id}."
    assert second not in say  # deleted and excluded: not generated again
    assert data["scenarios"]["lookup_order_by_id"]["exclude"] == [second]
    for sid in data["scenarios"]:
        assert _total(data, sid) == 10, sid
    assert data["generated_by"] == ["offline"]


def test_rerun_with_the_same_count_changes_nothing(support_copy):
    out = default_path(support_copy)
    assert _expand(support_copy, "--per-scenario", "5") == 0
    before = out.read_bytes()
    assert _expand(support_copy, "--per-scenario", "5") == 0
    assert out.read_bytes() == before


@pytest.mark.slow
def test_scenario_flag_grows_only_that_scenario(support_copy):
    out = default_path(support_copy)
    assert _expand(support_copy, "--per-scenario", "4") == 0
    assert _expand(support_copy, "--per-scenario", "9", "--scenario", "escalate_on_request") == 0
    data = yaml.safe_load(out.read_text())
    assert _total(data, "escalate_on_request") == 9
    assert _total(data, "lookup_order_by_id") == 4


def test_hand_written_seeds_are_never_touched(support_copy):
    before = support_copy.read_bytes()
    assert _expand(support_copy, "--per-scenario", "3") == 0
    assert support_copy.read_bytes() == before
    assert main(["expand", str(support_copy), "--out", str(support_copy), "--quiet"]) == 2
    assert support_copy.read_bytes() == before


@pytest.mark.slow
def test_rerun_keeps_hand_edited_factors(support_copy):
    out = default_path(support_copy)
    assert _expand(support_copy, "--per-scenario", "10", "--scenario", "partial_refund_one_item") == 0
    (factor,) = yaml.safe_load(out.read_text())["scenarios"]["partial_refund_one_item"]["scales"]["amount"]
    out.write_text(out.read_text().replace(f"amount: [{factor}]", "amount: [0.35]", 1))  # a reviewer's own

    assert _expand(support_copy, "--per-scenario", "50", "--scenario", "partial_refund_one_item") == 0
    factors = yaml.safe_load(out.read_text())["scenarios"]["partial_refund_one_item"]["scales"]["amount"]
    assert factors[0] == 0.35 and len(factors) == 3 and len(set(factors)) == 3  # topped up to 3
    assert 0.5 not in factors and 1 not in factors  # the scenario's own factors are not repeated
