import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.values.fake_patterns import PatternTooComplex, fake_from_pattern


@pytest.mark.parametrize("pattern", [
    r"^ORD-\d{5}$", r"^[A-Z]{3}-[0-9]{2,4}$", r"^(foo|bar)+baz?$", r"^\w+@\w+\.com$", r"^[^abc]{3}$",
    r"^(?:AB|CD){2}x*$", r"a{2,}", r"^\+1-\d{3}-\d{3}-\d{4}$", r"^[a-z_][a-z0-9_-]*$", r"^[-a-z]+$",
    r"^(?P<year>\d{4})-(?P<m>\d{2})$", r"^RF-\d+$", r"a{,3}b", r"^x{2}?$", r"^\.\*$", r"[\d\s]{4}",
])
def test_pattern_values_match(pattern):
    rng = random.Random(0)
    for _ in range(25):
        assert re.search(pattern, fake_from_pattern(pattern, rng))


@pytest.mark.parametrize("pattern", [r"(?=x)a", r"(a)\1", r"\bfoo", r"a(?!b)", "[", r"x{3,1}"])
def test_complex_or_invalid_patterns_are_refused(pattern):
    with pytest.raises(PatternTooComplex):
        fake_from_pattern(pattern, random.Random(0))


_ATOMS = st.sampled_from([r"\d", r"\w", "[A-Z]", "[a-f0-9]", "x", "-", r"\.", "(ab|cd)", "[^xyz]", "(?:q|rs)"])
_QUANTIFIERS = st.sampled_from(["", "?", "*", "+", "{2}", "{1,3}", "{0,}"])


@given(st.lists(st.tuples(_ATOMS, _QUANTIFIERS), min_size=1, max_size=6), st.integers(0, 2**32), st.booleans())
def test_generated_patterns_always_match(parts, seed, anchored):
    pattern = "".join(atom + quantifier for atom, quantifier in parts)
    if anchored:
        pattern = f"^{pattern}$"
    assert re.search(pattern, fake_from_pattern(pattern, random.Random(seed)))

