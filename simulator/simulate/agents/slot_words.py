"""Does an assistant's question ask for a slot? The offline user answers what it was asked.

The words that name a slot (the domain's own labels in every language, then each phrase book's
keywords or label) are gathered once per slot and domain, not for every question: the user
checks every missing slot against every assistant message.
"""

from __future__ import annotations

from simulator.core.identity_memo import by_identity
from simulator.simulate.agents.style import Labels, humanise, phrases_for
from simulator.spec import LANGUAGES


def mentions_slot(text_lower: str, slot: str, labels: Labels | None = None) -> bool:
    """Does a (lowercased) question ask for this slot? Checked in every language we speak, with
    the domain's own labels as well."""
    for word in _words_naming(labels, slot):
        if word in text_lower:
            return True
    return False


@by_identity(4096)
def _words_naming(labels: Labels | None, slot: str) -> tuple[str, ...]:
    """Every word that names `slot` (the domain's labels in every language, then each phrase
    book's keywords or label), gathered once per slot and domain rather than per question."""
    own = labels.get(slot) if labels else None
    words = [w.lower() for lang in LANGUAGES for w in own.for_language(lang)] if own is not None else []
    for language in LANGUAGES:
        phrases = phrases_for(language)
        words.extend(phrases.keywords.get(slot) or (phrases.labels.get(slot, humanise(slot)).lower(),))
    return tuple(words)
