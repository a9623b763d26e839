import numpy
import pytest

from engine import typed_numbers


def test_course_lists_parse_in_many_spellings():
    for text in ["-1, 0, 1", "[-1.0, 0.0, 1.0]", "-1 0 1", "-1;0;1", "(-1,\n0,\t1)"]:
        assert typed_numbers.parse_numbers(text, "xs") == [-1.0, 0.0, 1.0]


@pytest.mark.parametrize("xs, ys, message", [
    ("", "1", "xs is empty"),
    ("1, 2", "", "ys is empty"),
    ("1, two, 3", "1, 2, 3", "item 2, 'two', is not a number"),
    ("1, nan", "1, 2", "not a finite number"),
    ("1, inf", "1, 2", "not a finite number"),
    ("1, 2, 3", "1, 2", "xs has 3 numbers but ys has 2"),
    ("1", "2", "One example is not enough"),
    ("5, 5, 5", "1, 2, 3", "All xs are the same"),
    (", ".join(["1"] * 33), ", ".join(["1"] * 33), "at most 32"),
])
def test_bad_tables_get_a_sentence(xs, ys, message):
    with pytest.raises(ValueError, match=message):
        typed_numbers.parse_examples(xs, ys)


def test_parse_examples_returns_arrays_and_format_round_trips():
    xs, ys = typed_numbers.parse_examples("-1, 0, 1.5", "-3, -1, 2")
    numpy.testing.assert_array_equal(xs, [-1.0, 0.0, 1.5])
    assert typed_numbers.parse_numbers(typed_numbers.format_numbers(ys), "ys") == [-3.0, -1.0, 2.0]


@pytest.mark.parametrize("text, message", [
    ("-3, -1, 1, , nan, inf", "item 4 is empty"),
    ("-3, -1, 1, 3, nan, inf", "item 5 is 'nan'"),
    ("1, 2, 3,", "item 4 is empty"),
    ("1 2, x", "item 3, 'x', is not a number"),  # spaces separate items too
])
def test_items_are_counted_as_typed_empty_ones_included(text, message):
    with pytest.raises(ValueError, match=message):
        typed_numbers.parse_numbers(text, "ys")
