"""LSH band layouts: how many bands of how many signature values the near-duplicate index sorts by.

Banding only proposes candidates: two items are compared when all `rows` values of one of the
`bands` agree, and every candidate is then confirmed on the whole signature. A layout trades
missed pairs (too few candidates) against needless comparisons (too many); `optimal_bands`
weighs the two the way datasketch's `MinHashLSH` did — so replacing datasketch changed no
layout — and `leak_bands` picks a cheaper layout for the looser leak threshold of the splits.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from simulator.curate.minhash import NUM_PERM


def candidate_probability(similarity: float, bands: tuple[int, int]) -> float:
    """The chance that banding with (bands, rows) proposes a pair of this Jaccard similarity."""
    b, r = bands
    return 1.0 - (1.0 - similarity ** r) ** b


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """The (bands, rows) layout, bands × rows ≤ NUM_PERM, minimising the weighted sum of the
    false-positive area (candidate probability integrated over similarities below the threshold)
    and the false-negative area (its complement integrated above) — the layout datasketch's
    `MinHashLSH` picks. The integrands are polynomials of degree ≤ NUM_PERM, so 80-point
    Gauss–Legendre quadrature integrates them exactly (up to rounding)."""
    fp_weight, fn_weight = weights
    nodes, node_weights = np.polynomial.legendre.leggauss(80)

    def points(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        return (b - a) / 2 * nodes + (a + b) / 2, (b - a) / 2 * node_weights

    below, below_w = points(0.0, threshold)
    above, above_w = points(threshold, 1.0)
    best, layout = math.inf, (1, 1)
    for b in range(1, NUM_PERM + 1):
        for r in range(1, NUM_PERM // b + 1):
            fp = float(np.dot(below_w, 1.0 - (1.0 - below ** r) ** b))
            fn = float(np.dot(above_w, (1.0 - above ** r) ** b))
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, layout = error, (b, r)
    return layout


def leak_bands(threshold: float, must_catch: float) -> tuple[int, int] | None:
    """The fewest bands (each costs a sort and its candidates' comparisons) whose candidates
    include pairs at `must_catch` similarity with probability ≥ 99.5 % and pairs at `threshold`
    at least three times in four, while pairs half as similar as `threshold` are proposed at most
    10 % of the time. For 0.5 / 0.8 that is 22 bands of 4 rows: fewer than the 25 × 5
    `optimal_bands` picks for 0.5, and more of the 0.5-similar pairs (76 % against 55 %). (Bands
    cost no memory between links here, so recall at the leak threshold is worth a few more than
    the 11 that the 50 % this asked for under datasketch needed.) None when no layout fits
    (`optimal_bands` decides then)."""
    for b in range(1, NUM_PERM + 1):
        for r in range(NUM_PERM // b, 0, -1):
            layout = (b, r)
            if candidate_probability(threshold / 2, layout) > 0.1:
                break  # fewer rows only propose more unrelated pairs
            if candidate_probability(must_catch, layout) >= 0.995 and candidate_probability(threshold, layout) >= 0.75:
                return layout
    return None
