"""The loader merges `X.variants.yaml` into the scenarios and checks it like seeds, with lines."""

from __future__ import annotations

import pytest
import yaml

from simulator.cli import main
from simulator.core.errors import InputError
from simulator.load.loader import load_pack
from simulator.load.variants import default_path

GOOD = """\
source: customer_support.yaml
generated_by: [offline]
scenarios:
  lookup_order_by_id:
    turns:
      0:
        en:
          - "Reviewer line: find order {order_id}, please."
        zh:
          - "帮我找找订单{order_id}。"
  refund_delivered_order:
    turns:
      0:
        zh:
          - "订单{order_id}要退款，{reason.zh}。"
    choices:
      reason:
        - {code: defective, en: "the lid is cracked", zh: "盖子裂了"}
  partial_refund_one_item:
    scales:
      amount: [0.3, 0.75]
"""


def _lines(text: str) -> dict[str, int]:
    return {line.strip(): n for n, line in enumerate(text.splitlines(), 1)}


def test_default_file_is_merged_and_counted(support_copy, capsys):
    default_path(support_copy).write_text(GOOD)
    pack = load_pack(support_copy)
    assert "Reviewer line: find order {order_id}, please." in pack.scenarios["lookup_order_by_id"].turns[0].say.en
    assert "帮我找找订单{order_id}。" in pack.scenarios["lookup_order_by_id"].turns[0].say.zh
    seeds_en = yaml.safe_load(support_copy.read_text())["scenarios"][0]["turns"][0]["say"]["en"]
    assert pack.scenarios["lookup_order_by_id"].turns[0].say.en[:len(seeds_en)] == seeds_en  # seeds first
    reasons = pack.scenarios["refund_delivered_order"].slots["reason"].choice
    assert {"code": "defective", "en": "the lid is cracked", "zh": "盖子裂了"} in reasons
    assert pack.scenarios["partial_refund_one_item"].slots["amount"].scale == [1.0, 0.5, 0.3, 0.75]
    assert pack.file.variants == ["customer_support.variants.yaml"]

    assert main(["validate", str(support_copy)]) == 0
    assert "+ 6 generated variants from customer_support.variants.yaml" in capsys.readouterr().out


@pytest.mark.slow
def test_variants_key_chooses_the_files(support_copy, capsys):
    default_path(support_copy).write_text(GOOD)
    text = support_copy.read_text()
    support_copy.write_text(text + "\nvariants: []\n")
    pack = load_pack(support_copy)
    assert "Reviewer line: find order {order_id}, please." not in pack.scenarios["lookup_order_by_id"].turns[0].say.en
    assert main(["validate", str(support_copy)]) == 0
    assert "generated variants" not in capsys.readouterr().out

    (support_copy.parent / "reviewed.yaml").write_text(GOOD)
    support_copy.write_text(text + "\nvariants: [reviewed.yaml, missing.yaml]\n")
    with pytest.raises(InputError) as caught:
        load_pack(support_copy)
    assert len(caught.value.problems) == 1
    line = len(text.splitlines()) + 2
    assert str(caught.value) == f"{support_copy}:{line}: variants[1]: not found: {support_copy.parent / 'missing.yaml'}"


BROKEN = {
    "unknown scenario": ("  lookup_order_by_id:\n", "  lookup_order_by_idd:\n", "lookup_order_by_idd:",
                         "unknown scenario id 'lookup_order_by_idd' (did you mean 'lookup_order_by_id'?)"),
    "turn out of range": ("      0:\n", "      3:\n", "3:", "turn 3 is out of range"),
    "unknown placeholder": ("find order {order_id}", "find order {order_number}", "Reviewer line",
                            "placeholder {order_number} is not filled"),
    "choice without code": ("{code: defective, en:", "{en:", "the lid is cracked", "choice entry without `code`"),
    "choice with a new code": ("{code: defective,", "{code: broken,", "the lid is cracked", "code 'broken' is not one"),
    "wrong language phrase": ("{reason.zh}", "{reason.en}", "要退款", "{reason.en} is the en phrase, in a zh variant"),
    "unknown choice key": ("{reason.zh}", "{reason.fr}", "要退款", "the choices of slot 'reason' have no key 'fr'"),
    "unknown key": ("    turns:\n", "    turnz:\n", "turnz:", "unknown field"),
    "factor above 1": ("[0.3, 0.75]", "[0.3, 1.5]", "amount: [", "scales.amount[1]: a factor must be more than 0 and at most 1"),
    "factor of 0": ("[0.3, 0.75]", "[0, 0.75]", "amount: [", "scales.amount[0]: a factor must be more than 0"),
    "factor not a number": ("[0.3, 0.75]", "[0.3, half]", "amount: [", "scales.amount[1]: expected a number, got 'half'"),
    "factor already in the scale": ("[0.3, 0.75]", "[0.3, 0.5]", "amount: [",
                                    "factor 0.5 is already in the scenario's scale (1, 0.5)"),
    "factor listed twice": ("[0.3, 0.75]", "[0.3, 0.3]", "amount: [", "factor 0.3 is listed twice"),
    "scales for an unscaled slot": ("      amount: [", "      item: [", "item: [",
                                    "slot 'item' of scenario 'partial_refund_one_item' is not a scaled `field` slot"),
    "scales for an unknown slot": ("      amount: [", "      amout: [", "amout: [",
                                   "scenario 'partial_refund_one_item' has no slot 'amout'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.slow
def test_broken_variant_file_is_reported_with_its_line(support_copy, capsys, case):
    old, new, needle, message = BROKEN[case]
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    out = default_path(support_copy)
    out.write_text(text)
    line = next(n for key, n in _lines(text).items() if needle in key)
    for command in (["validate", str(support_copy)], ["expand", str(support_copy), "--quiet"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"customer_support.variants.yaml:{line}: " in err, err
        assert message in err, err
        assert "Traceback" not in err
    assert out.read_text() == text  # expand wrote nothing


def test_a_variant_in_a_language_the_scenario_does_not_speak(support_copy, capsys):
    zh_seeds = (
        '          zh:\n'
        '            - "帮我查一下订单{order_id}。"\n'
        '            - "我想看看订单{order_id}的详情。"\n'
        '            - "订单{order_id}里买的是什么来着？帮我查查。"\n'
    )
    text = support_copy.read_text()
    assert zh_seeds in text
    support_copy.write_text(text.replace(zh_seeds, "", 1))  # lookup_order_by_id becomes English-only
    default_path(support_copy).write_text(GOOD)
    assert main(["validate", str(support_copy)]) == 2
    err = capsys.readouterr().err
    zh_line = GOOD.splitlines().index("        zh:") + 1  # the first `zh:`, under lookup_order_by_id
    assert f"customer_support.variants.yaml:{zh_line}: " in err
    assert "scenario 'lookup_order_by_id' is not played in zh" in err
