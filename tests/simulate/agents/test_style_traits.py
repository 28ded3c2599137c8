"""The optional persona traits change how the offline user writes, never the facts it gives."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

from simulator.simulate.agents.offline_user import OfflineUser
from simulator.simulate.agents.style import Styler, phrases_for
from simulator.spec import Persona
from tests.simulate.agents.test_style import (
    FACTS,  # one set of facts for every styler test
)

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
FACT_TEXTS = ("ORD-48291", "jane.doe@example.com", "1234 Maple Avenue", "Salt Lake City", "84101", "27.50")
EN_CORE = "Could you check the order? I'm worried it's lost, thanks."
ZH_CORE = "帮我查一下订单的物流状态，谢谢。"
ORIGINAL = ("casual_typo", "formal_polite", "frustrated_impatient", "terse_guarded",
            "zh_casual", "zh_polite")


def _load(name: str, **overrides) -> Persona:
    raw = yaml.safe_load((ROOT / "personas" / f"{name}.yaml").read_text("utf-8"))
    return Persona.model_validate({**raw, **overrides})


def _persona(**fields) -> Persona:
    return Persona.model_validate({"id": "t", "name": "T", "cooperativeness": 1.0, **fields})


def _messages(persona: Persona, core: str, n: int = 200, seed: int = 3) -> list[str]:
    """Requests (every third a first message, all volunteering every fact), answers, closings."""
    styler = Styler(persona, random.Random(seed), FACTS)
    volunteered = styler.fact_sentences(["order_id", "email", "street", "city", "postal_code", "amount"], "volunteer")
    out = []
    for i in range(n):
        out.append(styler.request(core, volunteered, first=i % 3 == 0))
        out.append(styler.answer(["order_id", "reason"]))
    out.append(styler.closing())
    return out


HUMAN_ASIDES = {"human": {"en": ["If this gets complicated, just get me a human.", "If you can't sort it quickly, I want a real person."],
                          "zh": ["实在不行就直接给我转人工。"]}}


def _asides(raw: dict) -> dict:
    from simulator.spec import LocalizedText
    return {k: LocalizedText.model_validate(v) for k, v in raw.items()}


def _conversations(persona: Persona, core: str, n: int = 300, asides: dict | None = None) -> list[list[str]]:
    """`n` conversations of a fresh styler each (asides are budgeted per conversation): a first
    request, an answer, a later request, the closing."""
    out = []
    for seed in range(n):
        styler = Styler(persona, random.Random(seed), FACTS, asides=_asides(asides) if asides else None)
        out.append([styler.request(core, [], first=True), styler.answer(["order_id"]),
                    styler.request(core, [], first=False), styler.closing()])
    return out


def _share(texts: list[str], phrases) -> float:
    return sum(any(p in t for p in phrases) for t in texts) / len(texts)


def _without_facts(text: str) -> str:
    for fact in (*FACT_TEXTS, "it arrived broken", "收到的时候就是坏的"):
        text = text.replace(fact, " ")
    return text


def test_every_trait_keeps_every_fact_intact():
    personas = [_load(name) for name in ("mobile_typist", "second_language_en", "human_seeker", "vague_novice",
                                         "multi_intent_rambler", "elderly_verbose", "precise_expert")]
    personas += [_load("zh_code_switching", code_switching=1.0), _load("zh_second_language"), _load("zh_anxious_elder")]
    for persona in personas:
        core = ZH_CORE if persona.language == "zh" else EN_CORE
        for text in _messages(persona, core, n=60)[:-1:2]:  # the requests, which volunteer every fact
            for fact in FACT_TEXTS:
                assert fact in text, (persona.id, fact, text)


def test_the_mobile_typist_writes_no_punctuation_and_uses_shorthand():
    persona = _load("mobile_typist")
    texts = _messages(persona, EN_CORE)
    for text in texts:
        assert not re.search(r"[.!?,;:]$", text), text
        assert not re.search(r"[.!?,;:](\s|$)", _without_facts(text)), text
    requests = texts[:-1:2]  # each has words to shorten ("you", "I'm", "thanks")
    shorthand = sum(bool(re.search(r"\b(?:u|ur|pls|thx|ty|im|its)\b", t)) for t in requests)
    assert 0.7 < shorthand / len(requests) < 0.95  # abbreviation_rate 0.8 (typos shorten some of the rest)
    assert any(re.search(r"[.!?]$", t) for t in _messages(_load("casual_typo"), EN_CORE))  # others do punctuate


def test_the_code_switcher_mixes_english_terms_into_chinese():
    persona = _load("zh_code_switching")
    texts = _messages(persona, ZH_CORE)
    mixed = [t for t in texts if CJK.search(t) and LATIN_WORD.search(_without_facts(t).replace("ORD", ""))]
    assert 0.5 < len(mixed) / len(texts) < 0.95  # code_switching 0.7: most, not all
    assert any(" order " in t or "order ORD" in t for t in texts)
    assert all(CJK.search(t) for t in texts)  # still Chinese
    plain = _messages(_load("zh_polite"), ZH_CORE)
    assert not any(LATIN_WORD.search(_without_facts(t).replace("ORD", "")) for t in plain)


def test_a_code_switched_word_never_glues_onto_an_id():
    styler = Styler(_load("zh_code_switching", code_switching=1.0), random.Random(1), FACTS)
    for _ in range(100):
        text = styler.answer(["order_id"])
        assert re.search(r"(?<![A-Za-z0-9])ORD-48291(?![A-Za-z0-9])", text), text


def test_the_second_language_speaker_drops_contractions_and_articles():
    texts = _messages(_load("second_language_en"), EN_CORE)
    assert not any(re.search(r"\b(?:I'm|it's|what's|don't|I'd)\b", _without_facts(t)) for t in texts)
    assert not any(re.search(r"\bthe\b", _without_facts(t), re.IGNORECASE) for t in texts)
    asides = phrases_for("en").traits.options("second_language", "asides")
    firsts = [c[0] for c in _conversations(_load("second_language_en"), EN_CORE)]
    assert 0.05 < _share(firsts, asides) < 0.2  # SECOND_LANGUAGE_ASIDE_CHANCE 0.12, first messages only
    native = _messages(_load("formal_polite"), EN_CORE)
    assert any("I'm" in t for t in native)


def test_the_human_seeker_asks_for_a_human_early_and_only_as_an_aside():
    persona = _load("human_seeker", frustration=0.0, typo_rate=0.0)
    human = HUMAN_ASIDES["human"]["en"]
    talks = _conversations(persona, EN_CORE, asides=HUMAN_ASIDES)
    share_first, share_later = _share([c[0] for c in talks], human), _share([c[2] for c in talks], human)
    assert 0.7 < share_first < 0.9 and 0.15 < share_later < 0.35  # asks_for_human 0.8, 0.3 of it later
    assert all(c[0].startswith(EN_CORE) for c in talks)  # the request itself is unchanged
    assert all("?" not in h and not re.search(r"\d", h) for h in human)
    # A pack that cannot hand over to a person gives the persona nothing to ask for.
    assert not any("human" in t or "person" in t for c in _conversations(persona, EN_CORE, n=50) for t in c)


def test_the_rambler_adds_asides_that_ask_for_nothing():
    persona = _load("multi_intent_rambler")
    asides = phrases_for("en").traits.options("rambling")
    talks = _conversations(persona, EN_CORE)
    share = _share([c[0] for c in talks], asides)
    assert 0.07 < share < 0.22  # rambling 0.7 x RAMBLING_FACTOR 0.2
    # One stock aside a conversation at most, whatever the persona's rates.
    canned = [*asides, *phrases_for("en").context, *phrases_for("en").answer_extras]
    assert all(sum(a in t for t in c for a in canned) <= 1 for c in talks)
    for language in ("en", "zh"):
        for aside in phrases_for(language).traits.options("rambling"):
            assert "?" not in aside and "？" not in aside and not re.search(r"\d", aside)


def test_novice_hedges_expert_skips_pleasantries_and_mood_shows_in_the_goodbye():
    hedges = phrases_for("en").traits.options("expertise", "novice")
    novice = [t for c in _conversations(_load("elderly_verbose"), EN_CORE) for t in c]
    assert any(h in t for t in novice for h in hedges)
    anxious_goodbyes = phrases_for("en").traits.options("emotion_closings", "anxious")
    closings = {Styler(_load("elderly_verbose", typo_rate=0.0), random.Random(s), FACTS).closing() for s in range(20)}
    assert closings <= set(anxious_goodbyes) and len(closings) > 1
    expert = Styler(_load("precise_expert"), random.Random(2), FACTS)
    greetings = {g for gs in phrases_for("en").greetings.values() for g in gs}
    signoffs = {s for ss in phrases_for("en").signoffs.values() for s in ss}
    for _ in range(50):
        text = expert.request("I need a refund for ORD-48291.", [], first=True)
        assert not any(text.startswith(g) for g in greetings)
        assert not any(text.endswith(s) for s in signoffs)


def test_a_vague_user_picks_a_line_without_the_id_and_looks_it_up_when_asked(kit):
    scenario = kit.scenario(category="positive", turns=[
        {"say": {"en": ["Where is {order_id}?", "Where is my parcel?"]},
         "expect": [{"tool": "check_status", "args": {"order_id": "{order_id}"}}]},
    ])
    vague = kit.persona(vagueness=1.0, cooperativeness=0.0, expertise="novice")
    plain = kit.persona(cooperativeness=0.0)
    firsts = {OfflineUser(kit.context(scenario, vague, FACTS, seed=s)).next_message([]) for s in range(30)}
    assert not any("ORD-48291" in t for t in firsts)
    assert any(t.startswith("Where is my parcel?") for t in firsts)
    plain_firsts = {OfflineUser(kit.context(scenario, plain, FACTS, seed=s)).next_message([]) for s in range(30)}
    assert any("ORD-48291" in t for t in plain_firsts)
    lookups = phrases_for("en").traits.options("lookup")
    answers = [Styler(vague, random.Random(s), FACTS).answer(["order_id"]) for s in range(40)]
    assert all("ORD-48291" in a for a in answers)
    assert any(a.startswith(tuple(lookups)) for a in answers)


def test_personas_without_new_traits_take_the_old_path():
    for name in ORIGINAL:
        assert Styler(_load(name), random.Random(1), FACTS).traits is None
    assert Styler(_load("mobile_typist"), random.Random(1), FACTS).traits is not None


def test_traits_are_deterministic_per_seed():
    for name in ("mobile_typist", "zh_code_switching", "multi_intent_rambler", "vague_novice"):
        persona = _load(name)
        core = ZH_CORE if persona.language == "zh" else EN_CORE
        assert _messages(persona, core, n=40, seed=8) == _messages(persona, core, n=40, seed=8)
        assert _messages(persona, core, n=40, seed=8) != _messages(persona, core, n=40, seed=9)


def test_the_llm_user_prompt_states_the_traits(support_pack):
    from simulator.simulate.agents.llm_user import system_prompt
    from tests.fakes.fixtures import episode_context

    scenario = next(iter(support_pack.scenarios))
    typist = system_prompt(episode_context(support_pack, scenario, "mobile_typist"))
    assert "no punctuation" in typist and "shorthand" in typist and "never *what* you want" in typist
    seeker = system_prompt(episode_context(support_pack, scenario, "human_seeker"))
    assert "human" in seeker and "do not insist" in seeker
    mixed = system_prompt(episode_context(support_pack, "lookup_order_by_id", "zh_code_switching"))
    assert "mix in English words" in mixed and "know how these systems work" in mixed
    plain = system_prompt(episode_context(support_pack, scenario, "formal_polite"))
    assert "Traits of how you write:\n\n- (none)" in plain
