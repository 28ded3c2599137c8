"""LSH band layouts: the optimiser picks datasketch's layouts; the leak layout catches near-duplicates
and most pairs at the leak threshold while rarely comparing unrelated ones."""

from __future__ import annotations

from simulator.curate.band_layout import (
    candidate_probability,
    leak_bands,
    optimal_bands,
)


def test_band_layouts_match_datasketchs_optimiser():
    # The layouts datasketch's MinHashLSH picked (checked against datasketch 1.x/2.x's
    # `_optimal_param`), so dropping it changed no layout.
    assert optimal_bands(0.8, (0.05, 0.95)) == (16, 8)
    assert optimal_bands(0.5) == (25, 5)
    assert optimal_bands(0.7, (0.05, 0.95)) == (21, 6)
    assert optimal_bands(0.9, (0.05, 0.95)) == (9, 14)


def test_leak_bands_catch_near_duplicates_with_fewer_buckets_than_the_default():
    bands = leak_bands(0.5, 0.8)
    assert bands == (22, 4) and bands[0] * bands[1] <= 128
    assert candidate_probability(0.8, bands) >= 0.995 and candidate_probability(0.5, bands) >= 0.75
    assert candidate_probability(0.25, bands) <= 0.1  # unrelated pairs are rarely compared
    assert bands[0] < optimal_bands(0.5)[0]  # the optimiser's layout for 0.5 is 25 bands of 5
