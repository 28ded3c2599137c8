import math
import random

import pytest

from simulator.values.schema_numbers import (
    Unsatisfiable,
    integer_for,
    is_multiple,
    number_for,
    preferred_range,
    schema_range,
)


def test_exclusive_bounds_move_inwards():
    assert schema_range({"exclusiveMinimum": 2.5, "exclusiveMaximum": 7}, integer=True) == (3, 6)
    low, high = schema_range({"exclusiveMinimum": 0, "exclusiveMaximum": 0.001}, integer=False)
    assert 0 < low <= high < 0.001
    assert schema_range({}, integer=True) == (-math.inf, math.inf)


def test_name_range_is_preferred_and_clipped_to_the_schema():
    assert preferred_range(-math.inf, math.inf, "quantity", integer=True) == (1, 5)
    assert preferred_range(3, math.inf, "quantity", integer=True) == (3, 5)
    assert preferred_range(1000, 2000, "quantity", integer=True) == (1000, 2000)  # barely overlaps


def test_multiples_outside_the_name_range_take_the_nearest_valid_one():
    assert integer_for({"multipleOf": 7, "minimum": 0, "maximum": 100}, "quantity", random.Random(0)) == 7  # not 1-5
    value = number_for({"multipleOf": 0.25, "minimum": 1, "maximum": 3}, None, random.Random(0))
    assert 1 <= value <= 3 and is_multiple(value, 0.25)


def test_a_single_multiple_at_the_top_of_the_schema_widens_downwards():
    # the schema ends at 3, the preferred 1-3 holds only 2: seeds must still differ (found by CI's hypothesis run)
    schema = {"exclusiveMinimum": -6457, "maximum": 3, "multipleOf": 2}
    values = {integer_for(schema, None, random.Random(seed)) for seed in range(20)}
    assert len(values) > 1 and all(-6456 <= v <= 3 and v % 2 == 0 for v in values)


@pytest.mark.parametrize("schema", [{"minimum": 5, "maximum": 4}, {"multipleOf": 1000, "minimum": 1, "maximum": 999}])
def test_impossible_ranges_raise(schema):
    with pytest.raises(Unsatisfiable):
        integer_for(schema, None, random.Random(0))
