"""Plan: from a pack and its `generation.mix` to targets per cell, and to the deterministic
episodes (scenario × persona × seed) of each round that should meet them.

Takes a `Pack` (and what curation says is still short); gives `Targets` and `Episode`s.
"""
