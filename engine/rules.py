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

from engine import caps
from engine import jobs
from engine import recipes
from engine import run_cache
from engine import source_code
from engine import training
from engine import typed_numbers

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
        tree = source_code.parse(source, mode="eval")
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


RUN_KIND = "rule-finder"
RECIPE_VERSION = 1
DEFAULT_EPOCHS = 1000  # what lesson 1 opens with


@dataclasses.dataclass
class FoundRule:
    weight: float
    bias: float
    history: training.FullBatchHistory
    model: keras.Model = None


def find_rule(xs, answers, epochs: int = DEFAULT_EPOCHS, seed: int = 0, on_progress=None,
              should_stop=None) -> FoundRule:
    """Machine learning: answers + data -> rules. One neuron learns weight and bias."""
    keras.utils.set_random_seed(seed)
    model = recipes.rule_finder_model()
    history = training.train_full_batch(model, xs, answers, epochs, on_progress=on_progress,
                                        should_stop=should_stop)
    kernel, bias = model.get_weights()
    return FoundRule(float(kernel[0][0]), float(bias[0]), history, model)


@dataclasses.dataclass(frozen=True)
class RuleSettings(training.ExamplesAsLists):
    """The data and answers (tuples of floats) the neuron learns from, and for how long."""

    RUN_KIND = RUN_KIND  # class constant, not a setting: tells tensorboard_folder the lesson

    xs: tuple
    answers: tuple
    epochs: int = DEFAULT_EPOCHS
    seed: int = 0
    tensorboard: bool = False  # also write TensorBoard logs (watches only: not in the key)


def train_job(settings: RuleSettings, reporter) -> run_cache.RunResult:
    """The job the page submits (engine/jobs.py): `find_rule`, kept as a run."""
    found = find_rule(list(settings.xs), list(settings.answers), settings.epochs, settings.seed,
                      on_progress=lambda history: reporter.on_epoch({"loss": history.losses}),
                      should_stop=reporter.should_stop)
    training.full_batch_tensorboard_logs(found.model, found.history, settings)
    return training.full_batch_run(found.model, found.history,
                                   {"weight": found.weight, "bias": found.bias})


def job(settings: RuleSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)


# What lesson 1 opens with: the first preset and its xs (and DEFAULT_EPOCHS, above).
DEFAULT_PRESET = next(iter(PRESET_RULES))
TEMPERATURES = "-40, -20, 0, 20, 40, 60, 80, 100"
SMALL_XS = "-1, 0, 1, 2, 3, 4"


def default_xs_text(preset: str) -> str:
    """The xs lesson 1 offers with a preset: temperatures for Celsius to Fahrenheit, small
    numbers for every other rule."""
    return TEMPERATURES if preset == "Celsius to Fahrenheit" else SMALL_XS


def rule_settings(rule_text: str, xs, epochs: int, tensorboard: bool = False) -> RuleSettings:
    """What the neuron learns from: the xs and the rule's answers for them, as floats.
    Raises ValueError (a sentence for the learner) when the rule cannot be applied."""
    answers = apply_rule(rule_text, xs)
    return RuleSettings(tuple(float(x) for x in xs), tuple(float(answer) for answer in answers),
                        epochs, tensorboard=tensorboard)


def default_job() -> jobs.Job:
    """Lesson 1's run as a new visitor opens it (the page and `python -m engine.prepare`
    both build it here, so a prepared run is the one the page asks for)."""
    xs = typed_numbers.parse_numbers(default_xs_text(DEFAULT_PRESET), "xs")
    return job(rule_settings(PRESET_RULES[DEFAULT_PRESET], xs, DEFAULT_EPOCHS))


def found_from_run(run) -> FoundRule:
    """The FoundRule of a stored run (engine.run_cache.Run)."""
    return FoundRule(run.extras["weight"], run.extras["bias"],
                     training.full_batch_history(run), run.model)


# --- Judging what the neuron found ---------------------------------------------------------

# The lesson's epochs slider goes this far; advice never asks for more than a learner can set.
MOST_EPOCHS = caps.most(RUN_KIND, "epochs")  # engine/caps.py
# Adam moves a weight by at most about its learning rate per step: recipes.rule_finder_model's
# default, 0.5. A rule whose weight or bias is far larger cannot be reached in MOST_EPOCHS.
ADAM_STEP = 0.5
# Recovered means every answer the learned line gives on the xs is within 1% of the size of
# the rule's own answers (so 1e10 * x is judged on its scale, and 0.001 * x on its own).
TOLERANCE = 0.01


@dataclasses.dataclass
class Verdict:
    """Whether the neuron recovered a straight-line rule, and the sentence that says so."""

    recovered: bool
    message: str  # one sentence for the learner, with the errors and what to try


def readable(value: float) -> str:
    """A number as a learner reads it: 76, 280, 0.00123, and 1e+10 only when very large or small."""
    if value == 0 or 1e-4 <= abs(value) < 1e7:
        return numpy.format_float_positional(value, precision=3, unique=False,
                                             fractional=False, trim="-")
    return f"{value:.2g}"


def rule_size(xs, answers) -> float:
    """How large the rule's answers are on these xs; 1 when they are all zero."""
    return float(numpy.max(numpy.abs(answers))) or 1.0


def worst_miss(found: FoundRule, line, xs) -> float:
    """The largest gap, over the xs, between the learned line and the rule's line."""
    xs = numpy.asarray(xs, dtype="float64")
    return float(numpy.max(numpy.abs((found.weight - line[0]) * xs + found.bias - line[1])))


def still_falling(losses) -> bool:
    """True when the loss was still going down over the last tenth of training."""
    if len(losses) < 10:
        return True
    return losses[-1] < 0.99 * losses[int(len(losses) * 0.9)]


def what_to_try(found: FoundRule, line, epochs: int) -> str:
    """The way forward after a miss: more epochs, smaller numbers, or smaller steps."""
    largest = max(abs(line[0]), abs(line[1]))
    if largest / ADAM_STEP > MOST_EPOCHS:
        return (f"Adam moves them about {ADAM_STEP:g} per epoch, too slowly to reach "
                f"{readable(largest)} in {MOST_EPOCHS} epochs, so scale your rule and xs by a "
                "power of ten to keep the numbers between about -100 and 100, as the course "
                "scales pixels by 1/255")
    if still_falling(found.history.losses) and epochs < MOST_EPOCHS:
        return (f"the loss was still falling at epoch {epochs}, so give it more epochs "
                f"(up to {MOST_EPOCHS})")
    return (f"Adam's steps of {ADAM_STEP:g} did not settle on it in {epochs} epochs: scale "
            "your xs to between about -10 and 10, which helps as a smaller learning rate "
            "would")


def judge(found: FoundRule, line, xs, answers, epochs: int) -> Verdict:
    """Did the neuron recover a straight-line rule (slope, intercept) = `line`? Judged by
    the error relative to the size of the rule's answers; a miss says what to try."""
    weight_error = abs(found.weight - line[0])
    bias_error = abs(found.bias - line[1])
    size = rule_size(xs, answers)
    errors = (f"The learned weight is off by {readable(weight_error)} and the bias by "
              f"{readable(bias_error)}")
    if worst_miss(found, line, xs) <= TOLERANCE * size:
        return Verdict(True, f"{errors}, tiny next to your rule's answers (up to "
                             f"{readable(size)}): the model recovered your rule from "
                             "examples alone.")
    return Verdict(False, f"{errors}, too much for answers up to {readable(size)}, so the "
                          "model has not found your rule yet: "
                          f"{what_to_try(found, line, epochs)}.")
