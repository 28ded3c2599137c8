"""Texts for the similarity tests (MinHash, near-duplicate index): a refund request, and random
requests over a small vocabulary with a few words swapped, so pairs span every Jaccard similarity."""

from __future__ import annotations

import random

BASE = "i need a refund for ord-48291, the blender arrived broken and the lid is cracked"
WORDS = ("order refund parcel address broken late email receipt kettle blender lid cracked monday "
         "tracking courier invoice street city postal please thanks help again still waiting where when").split()


def request_text(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" ord-{rng.randrange(10000, 99999)}"


def edit_words(rng: random.Random, text: str, edits: int) -> str:
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)
