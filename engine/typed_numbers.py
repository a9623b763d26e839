"""Turning what a learner typed into numbers a model can learn from, with clear refusals.

Everything here raises ValueError with a sentence meant for the learner, never a traceback.
"""

import math

import numpy

# Full-batch training equals model.fit's default only while the data fits in one batch of 32.
MAX_EXAMPLES = 32


def split_items(text: str) -> list:
    """The items a learner typed, in order, empty ones included, so that "item 5" in a
    message is the fifth thing they see: '1, , 2' -> ['1', '', '2']; '1 2' -> ['1', '2']."""
    cleaned = str(text).strip().strip("[]()").replace(";", ",")
    if not cleaned.strip():
        return []
    items = []
    for chunk in cleaned.split(","):
        items += chunk.split() or [""]  # newlines, tabs and spaces separate numbers too
    return items


def is_number_list(text: str) -> bool:
    """Whether parse_numbers reads `text` (for checking a link's value before using it)."""
    try:
        parse_numbers(text, "numbers")
    except ValueError:
        return False
    return True


def parse_numbers(text: str, name: str) -> list:
    """'-1, 0, 1.5' (commas, spaces or semicolons; brackets allowed) -> [-1.0, 0.0, 1.5]."""
    pieces = split_items(text)
    if not pieces:
        raise ValueError(f"{name} is empty: type a list of numbers such as -1, 0, 1, 2.")
    numbers = []
    for position, piece in enumerate(pieces, start=1):
        if not piece:
            raise ValueError(
                f"{name}: item {position} is empty (two commas in a row, or one at the end); "
                "write a number there or remove the extra comma."
            )
        try:
            value = float(piece)
        except ValueError:
            raise ValueError(
                f"{name}: item {position}, '{piece}', is not a number. "
                "Use digits, a minus sign and a decimal point, separated by commas."
            ) from None
        if not math.isfinite(value):
            raise ValueError(
                f"{name}: item {position} is '{piece}', which is not a finite number. "
                "A model can only learn from ordinary numbers."
            )
        numbers.append(value)
    return numbers


def parse_examples(xs_text: str, ys_text: str):
    """Both lists as float arrays of equal length, at least two and at most MAX_EXAMPLES."""
    xs = parse_numbers(xs_text, "xs")
    ys = parse_numbers(ys_text, "ys")
    if len(xs) != len(ys):
        raise ValueError(
            f"xs has {len(xs)} numbers but ys has {len(ys)}: every x needs exactly one y."
        )
    if len(xs) < 2:
        raise ValueError(
            "One example is not enough: many different lines pass through a single point. "
            "Give at least two."
        )
    if len(xs) > MAX_EXAMPLES:
        raise ValueError(
            f"Use at most {MAX_EXAMPLES} examples here, so that every epoch sees all of them "
            "in one batch, exactly as model.fit does with its default batch size of 32."
        )
    if len(set(xs)) == 1:
        raise ValueError(
            "All xs are the same number, so there is no way to tell how y changes with x. "
            "Use at least two different xs."
        )
    return numpy.array(xs, dtype="float64"), numpy.array(ys, dtype="float64")


def format_numbers(values) -> str:
    """The inverse of parse_numbers, for pre-filling text boxes: [-1.0, 2.5] -> '-1, 2.5'."""
    return ", ".join(f"{value:g}" for value in values)
