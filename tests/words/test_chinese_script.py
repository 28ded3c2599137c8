"""Script conversion piece by piece is OpenCC's conversion of the whole text (simulator.words.chinese_script)."""

import random
import subprocess
from pathlib import Path

import pytest

from simulator.words import chinese_script as cs

# Simplified and Traditional texts with the values the packs put in them (ids, amounts, dates,
# e-mails, product names), and next to the few ASCII-bearing phrases OpenCC's dictionaries hold
# (capitals and "-" only): a run of digits, lower-case letters or other punctuation splits the
# text, a capital or "-" never does.
TEXTS = [
    "订单ORD-68411当前状态：已发货，承运商DHL，物流单号1012864169，预计送达2026-12-14。",
    "共查到2个订单：ORD-20485（处理中，2026-10-03）；最近的一单包含Cast Iron Skillet，总额39.95 USD。",
    "订单号找不到了，我的邮箱是mason.davis28@proton.me，能帮我查一下订单吗？",
    "已更新訂單ord-66972的配送地址:tampa 3033 church lane(67477),訂單目前仍在處理中狀態。",
    "我已將問題轉交給人工同事處理,工單號tck-36215,預計等待25分鐘左右。",
    "U盘2个，B超3次，SQL注入攻击1起，伯克希尔-哈撒韦公司4家，B肝5例，PN结6个，BMW集团7家。",
    "u盘 b超 sql注入 里姆斯基-科萨科夫 1里姆斯基 科萨科夫2 发1发 后2后 头发3发展",
    "软件 内存 信息 打印机 123 软件abc内存 x86服务器，发 后",
    "打扰了，能帮我转人工吗？“头发”「后来」（里面）：干净；《发展》…〇·一，W型 E型肝炎、D肝！",
]


@pytest.mark.parametrize("config", ["s2twp", "tw2sp"])
def test_a_text_converted_by_pieces_is_the_text_converted_whole(config):
    whole = cs._converter(config).convert
    rng = random.Random(7)
    texts = list(TEXTS)
    for text in TEXTS:  # values dropped in anywhere, even inside a phrase
        for _ in range(20):
            cut = rng.randrange(len(text) + 1)
            texts.append(text[:cut] + rng.choice(["7", "ab", " ", "-", "X", "A1-b", ".", "@x_y", "，", "。", "“", "·", "〇", "\n"]) + text[cut:])
    for text in texts:
        assert cs._by_pieces(config, text) == whole(text), text
        assert cs._by_pieces(config, text) == whole(text), text  # again, from the memo


def test_no_dictionary_key_holds_a_character_the_pieces_are_cut_at():
    """The reason the pieces convert as the whole does, checked on the installed dictionaries
    (dumped to text by OpenCC's own `opencc_dict`)."""
    import opencc

    clib = Path(opencc.__file__).parent / "clib"
    tool, share = clib / "bin" / "opencc_dict", clib / "share" / "opencc"
    if not tool.exists():
        pytest.skip("this OpenCC build has no opencc_dict")
    dictionaries = sorted(share.glob("*.ocd2"))
    assert dictionaries
    for dictionary in dictionaries:
        text = subprocess.run([str(tool), "-i", str(dictionary), "-o", "/dev/stdout", "-f", "ocd2", "-t", "text"],
                              capture_output=True, check=True).stdout.decode("utf-8")
        keys = [line.split("\t", 1)[0] for line in text.splitlines()]
        assert keys, dictionary
        assert not [key for key in keys if cs._PASSED.search(key)], dictionary.name
