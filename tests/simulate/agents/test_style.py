"""Persona style: typos that never touch facts, language, verbosity, frustration, determinism."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

from simulator.simulate.agents.slot_words import mentions_slot
from simulator.simulate.agents.style import (
    Styler,
    protected_strings,
    slot_label,
)
from simulator.simulate.agents.typos import TypoMaker
from simulator.spec import Persona

ROOT = Path(__file__).resolve().parents[3]

FACTS = {
    "order_id": "ORD-48291",
    "email": "jane.doe@example.com",
    "street": "1234 Maple Avenue",
    "city": "Salt Lake City",
    "postal_code": "84101",
    "amount": 27.5,
    "reason": {"code": "defective", "en": "it arrived broken", "zh": "收到的时候就是坏的"},
}
CORE = "Please could you tell me about ORD-48291? I really need it before tomorrow, thank you."
CJK = re.compile(r"[\u4e00-\u9fff]")


def _requests(styler: Styler, n: int) -> list[str]:
    volunteered = styler.fact_sentences(["email", "street", "city", "postal_code", "amount"], "volunteer")
    return [styler.request(CORE, volunteered, first=i % 3 == 0) for i in range(n)]


def test_typo_share_matches_the_persona_and_never_alters_facts(kit):
    persona = kit.load_persona("casual_typo")
    assert persona.typo_rate == 0.2
    styler = Styler(persona, random.Random(5), FACTS)
    messages = _requests(styler, 3000)
    share = styler.typo_messages / len(messages)
    assert 0.17 < share < 0.23
    for text in messages:
        for value in ("ORD-48291", "jane.doe@example.com", "1234 Maple Avenue", "Salt Lake City", "84101", "27.50"):
            assert value in text, (value, text)


def test_a_typo_message_differs_from_the_clean_one_only_outside_facts():
    maker = TypoMaker("en", {"please": "pls", "you": "u"}, protected_strings(FACTS))
    rng = random.Random(3)
    changed = 0
    for _ in range(200):
        text = maker.apply(CORE + " Send it to 1234 Maple Avenue, Salt Lake City 84101.", rng)
        changed += text != CORE + " Send it to 1234 Maple Avenue, Salt Lake City 84101."
        assert "ORD-48291" in text and "1234 Maple Avenue" in text and "Salt Lake City" in text
    assert changed == 200


def test_abbreviations_are_used_in_typo_messages():
    maker = TypoMaker("en", {"please": "pls", "thank you": "ty", "you": "u"}, [])
    outputs = {maker.apply("Please help, thank you.", random.Random(seed)) for seed in range(40)}
    assert any("pls" in text for text in outputs)
    assert any("ty" in text.split() or "ty." in text for text in outputs)


def test_same_seed_same_words():
    for name in ("casual_typo", "verbose_storyteller", "zh_casual"):
        one = _requests(Styler(_load(name), random.Random(9), FACTS), 50)
        two = _requests(Styler(_load(name), random.Random(9), FACTS), 50)
        assert one == two


def test_zh_persona_speaks_chinese(kit):
    styler = Styler(kit.load_persona("zh_polite"), random.Random(1), FACTS)
    assert CJK.search(styler.closing())
    sentences = styler.fact_sentences(["order_id"], "volunteer")
    assert CJK.search(sentences[0]) and "ORD-48291" in sentences[0]
    assert CJK.search(styler.answer(["reason"]))


def test_zh_typos_keep_facts():
    styler = Styler(_load("zh_casual", typo_rate=1.0), random.Random(2), FACTS)
    for _ in range(50):
        text = styler.request("订单ORD-48291什么时候到？谢谢，麻烦查一下。", [], first=False)
        assert "ORD-48291" in text
    assert styler.typo_messages == 50


def test_terse_answers_are_bare_values_and_address_parts_go_together():
    terse = Styler(_load("terse_guarded"), random.Random(1), FACTS)
    assert terse.answer(["order_id"]) == "ORD-48291"
    assert terse.answer(["street", "city", "postal_code"]) == "1234 Maple Avenue, Salt Lake City 84101"
    chatty = Styler(_load("formal_polite"), random.Random(1), FACTS)
    sentences = chatty.fact_sentences(["street", "city", "postal_code", "email"], "volunteer")
    assert len(sentences) == 2
    assert "1234 Maple Avenue" in sentences[0] and "84101" in sentences[0]


def test_verbose_persona_adds_context_and_terse_adds_nothing():
    """Verbose talk is longer on the whole (greetings, thanks, one reason why a conversation), not
    a stock sentence on every message; terse talk is the request alone."""
    core = "Where is ORD-48291?"
    lengths = []
    for seed in range(200):
        verbose = Styler(_load("verbose_storyteller"), random.Random(seed), FACTS)
        lengths.append(len(verbose.request(core, [], first=True)) + len(verbose.request(core, [], first=False)))
    assert sum(lengths) / len(lengths) > 2 * len(core) + 25
    terse = Styler(_load("terse_guarded"), random.Random(4), FACTS)
    assert all(terse.request(core, [], first=True) == core for _ in range(20))


def test_formal_persona_greets_formally():
    styler = Styler(_load("formal_polite"), random.Random(6), FACTS)
    firsts = [styler.request("I need help with ORD-48291.", [], first=True) for _ in range(30)]
    assert sum(t.startswith(("Good afternoon", "Good morning", "Hello", "Dear team")) for t in firsts) >= 20


def test_frustration_rises_after_clarifications_beyond_patience():
    styler = Styler(_load("frustrated_impatient"), random.Random(1), FACTS)
    start = styler.frustration_chance()
    styler.clarifications = styler.persona.patience
    assert styler.frustration_chance() == start
    styler.clarifications += 2
    assert styler.frustration_chance() > start
    calm = Styler(_load("formal_polite"), random.Random(1), FACTS)
    assert calm.frustration_chance() == 0.0
    assert all(calm.closing() in calm.phrases.closings["formal"] for _ in range(20))


def test_slot_words_for_both_languages():
    assert slot_label("order_id", "en") == "order number"
    assert slot_label("order_id", "zh") == "订单号"
    assert slot_label("loyalty_card", "en") == "loyalty card"
    assert mentions_slot("could you give me the order number?", "order_id")
    assert mentions_slot("请提供一下订单号", "order_id")
    assert not mentions_slot("what's the email on your account?", "order_id")


def _load(name: str, **overrides) -> Persona:
    raw = yaml.safe_load((ROOT / "personas" / f"{name}.yaml").read_text("utf-8"))
    return Persona.model_validate({**raw, **overrides})


def test_no_second_greeting_and_no_capital_after_a_comma():
    styler = Styler(_load("formal_polite"), random.Random(1), {"item": "Desk Lamp"})
    for _ in range(30):
        text = styler.request("Hi, the Desk Lamp is broken.", [], first=True)
        assert text.startswith("Hi, the Desk Lamp") or text.startswith("I ")
    angry = Styler(_load("frustrated_impatient", frustration=1.0), random.Random(2), {"item": "Desk Lamp"})
    texts = [angry.request("Oops, wrong one.", [], first=False) for _ in range(30)]
    assert not any(", Oops" in t for t in texts) and any(", oops" in t for t in texts)
    assert all("Desk Lamp" in angry.request("Desk Lamp broke.", [], first=False) for _ in range(30))


def test_a_greeting_does_not_end_on_the_word_the_line_starts_with():
    """"hey there," + "There are two of us flying" read "hey there, there are two of us"."""
    greeted = 0
    for seed in range(60):
        styler = Styler(_load("casual_typo", typo_rate=0.0), random.Random(seed), {})
        text = styler.request("There are two of us flying to Chengdu.", [], first=True).lower()
        assert not re.search(r"\bthere,? there\b", text), text
        greeted += not text.startswith("there")
    assert greeted > 10  # casual personas do greet: the other greetings are still used


def test_a_first_message_never_opens_on_again():
    """"Again?" / "又来了" need an earlier message; a frustrated first message opens otherwise."""
    for name, later in (("frustrated_impatient", ("Again?", "This is getting ridiculous.")), ("zh_casual", ("又来了",))):
        firsts, laters = [], []
        for seed in range(40):
            styler = Styler(_load(name, frustration=1.0, typo_rate=0.0), random.Random(seed), {})
            firsts.append(styler.request("Where is my parcel?", [], first=True))
            laters.append(styler.request("And the other one?", [], first=False))
        assert not any(t.startswith(later) for t in firsts), firsts
        assert any(t.startswith(later) for t in laters)


def test_a_domains_own_labels_name_and_recognise_its_slots():
    """Without them, a zh answer reads "departure city是上海" and a question about 出发城市
    is not recognised as asking for it."""
    from simulator.spec import LocalizedText

    labels = {"departure_city": LocalizedText(en=["departure city", "flying from"], zh=["出发城市", "出发地"])}
    assert slot_label("departure_city", "zh", labels) == "出发城市"
    assert slot_label("departure_city", "en", labels) == "departure city"
    assert slot_label("departure_city", "zh") == "departure city"  # the generic fallback
    assert mentions_slot("请问您从哪个出发地出发？", "departure_city", labels)
    assert mentions_slot("where are you flying from?", "departure_city", labels)
    assert not mentions_slot("请问您从哪个出发地出发？", "departure_city")
    persona = Persona(id="z", name="Z", language="zh", verbosity="normal")
    styler = Styler(persona, random.Random(1), {"departure_city": "上海"}, labels)
    answer = " ".join(styler.fact_sentences(["departure_city"], "answer"))
    assert "上海" in answer and "departure" not in answer
