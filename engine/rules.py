"""Lesson 1: rules written by a person, and a neuron that finds a rule from answers.

A rule is a small arithmetic expression in x, such as `1.8 * x + 32`. It is parsed with
Python's `ast` module and only numbers, x, + - * / ** and parentheses are allowed, so a
rule can never run arbitrary code.
"""

import ast
import dataclasses
import math
import operator

import keras
import numpy

from engine import recipes
from engine import training

PRESET_RULES = {
    "Celsius to Fahrenheit": "1.8 * x + 32",
    "The course's y = 2x - 1": "2 * x - 1",
    "Price with 20% tax": "1.2 * x",
    "Square it (not a straight line)": "x ** 2",
}

OPERATIONS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def parse_rule(text: str) -> ast.Expression:
    """Check a rule once; raises ValueError naming what is not allowed."""
    source = str(text).strip()
    if source.lower().startswith("y") and "=" in source:
        source = source.split("=", 1)[1].strip()  # accept "y = 2 * x - 1" too
    if not source:
        raise ValueError("The rule is empty: write something like 2 * x - 1.")
    if len(source) > 200:
        raise ValueError("Keep the rule under 200 characters.")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise ValueError(
            f"'{source}' is not a formula Python can read. Write multiplication "
            "explicitly, as in 2 * x - 1."
        ) from None
    for node in ast.walk(tree):
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name,
                   ast.Load, *OPERATIONS)
        if not isinstance(node, allowed):
            raise ValueError(
                "A rule may use only numbers, x, + - * / ** and parentheses."
            )
        if isinstance(node, ast.Name) and node.id != "x":
            raise ValueError(f"Unknown name '{node.id}': the only variable is x.")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError("A rule may use only numbers, x, + - * / ** and parentheses.")
    return tree


def evaluate(node, x: float) -> float:
    if isinstance(node, ast.Expression):
        return evaluate(node.body, x)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return x
    if isinstance(node, ast.UnaryOp):
        return OPERATIONS[type(node.op)](evaluate(node.operand, x))
    left, right = evaluate(node.left, x), evaluate(node.right, x)
    if isinstance(node.op, ast.Pow) and abs(right) > 10:
        raise ValueError("Keep powers small (at most 10), or the answers overflow.")
    return OPERATIONS[type(node.op)](left, right)


def apply_rule(text: str, xs) -> numpy.ndarray:
    """Traditional programming: rules + data -> answers."""
    tree = parse_rule(text)
    answers = []
    for x in xs:
        try:
            answer = evaluate(tree, float(x))
        except ZeroDivisionError:
            raise ValueError(f"The rule divides by zero at x = {x:g}.") from None
        except (OverflowError, TypeError):
            raise ValueError(f"The rule gives no ordinary number at x = {x:g}.") from None
        if isinstance(answer, complex) or not math.isfinite(answer):
            raise ValueError(f"The rule gives no ordinary number at x = {x:g}.")
        answers.append(answer)
    return numpy.array(answers, dtype="float64")


def straight_line(text: str, xs):
    """(slope, intercept) when the rule is a straight line over xs, else None."""
    answers = apply_rule(text, xs)
    slope, intercept = numpy.polyfit(numpy.asarray(xs, dtype="float64"), answers, 1)
    residual = numpy.max(numpy.abs(slope * numpy.asarray(xs) + intercept - answers))
    scale = max(1.0, float(numpy.max(numpy.abs(answers))))
    return (float(slope), float(intercept)) if residual <= 1e-6 * scale else None


@dataclasses.dataclass
class FoundRule:
    weight: float
    bias: float
    history: training.FullBatchHistory


def find_rule(xs, answers, epochs: int = 1000, seed: int = 0, on_progress=None) -> FoundRule:
    """Machine learning: answers + data -> rules. One neuron learns weight and bias."""
    keras.utils.set_random_seed(seed)
    model = recipes.rule_finder_model()
    history = training.train_full_batch(model, xs, answers, epochs, on_progress=on_progress)
    kernel, bias = model.get_weights()
    return FoundRule(float(kernel[0][0]), float(bias[0]), history)
