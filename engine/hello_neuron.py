"""Lesson 2: the course's hello world, as one routine the page shows word for word."""

import dataclasses
from typing import Optional

import keras
import numpy

from engine import jobs
from engine import recipes
from engine import run_cache
from engine import training

COURSE_XS = [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
COURSE_YS = [-3.0, -1.0, 1.0, 3.0, 5.0, 7.0]  # y = 2x - 1
RUN_KIND = "hello-neuron"
RECIPE_VERSION = 1


@dataclasses.dataclass
class HelloNeuronResult:
    history: training.FullBatchHistory
    weight: Optional[float]  # None when training diverged
    bias: Optional[float]
    prediction_for_10: Optional[float]
    model: Optional[keras.Model] = None


@dataclasses.dataclass(frozen=True)
class HelloNeuronSettings(training.ExamplesAsLists):
    """The page's choices: the examples (xs, ys as tuples of floats) and how to train."""

    RUN_KIND = RUN_KIND  # class constant, not a setting: tells tensorboard_folder the lesson

    xs: tuple = tuple(COURSE_XS)
    ys: tuple = tuple(COURSE_YS)
    epochs: int = 500
    learning_rate: float = 0.01
    seed: int = 0
    tensorboard: bool = False  # also write TensorBoard logs (watches only: not in the key)


def train_job(settings: HelloNeuronSettings, reporter) -> run_cache.RunResult:
    """The job the page submits (engine/jobs.py): `train_hello_neuron`, kept as a run."""
    result = train_hello_neuron(
        list(settings.xs), list(settings.ys), settings.epochs, settings.learning_rate,
        settings.seed, on_progress=lambda history: reporter.on_epoch({"loss": history.losses}),
        should_stop=reporter.should_stop)
    training.full_batch_tensorboard_logs(result.model, result.history, settings)
    return training.full_batch_run(result.model, result.history, {
        "weight": result.weight, "bias": result.bias,
        "prediction_for_10": result.prediction_for_10})


def job(settings: HelloNeuronSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)


def default_job() -> jobs.Job:
    """Lesson 2's run as a new visitor opens it: the course's six pairs, 500 epochs of SGD at
    0.01 (the page takes its controls' starting values from this job's settings, and
    `python -m engine.prepare` trains it)."""
    return job(HelloNeuronSettings())


def result_from_run(run) -> HelloNeuronResult:
    """The HelloNeuronResult of a stored run (engine.run_cache.Run)."""
    return HelloNeuronResult(training.full_batch_history(run), run.extras["weight"],
                             run.extras["bias"], run.extras["prediction_for_10"], run.model)


def train_hello_neuron(xs, ys, epochs=500, learning_rate=0.01, seed=0,
                       on_progress=None, should_stop=None) -> HelloNeuronResult:
    keras.utils.set_random_seed(seed)  # same seed, same starting weight, same curve
    model = recipes.hello_neuron_model(learning_rate)

    # Does what model.fit(xs, ys, epochs=epochs) does, about 90x faster (see training.py).
    history = training.train_full_batch(
        model, xs, ys, epochs, on_progress=on_progress, should_stop=should_stop
    )
    if history.diverged_at_epoch is not None:
        return HelloNeuronResult(history, None, None, None, model)

    prediction = model.predict(numpy.array([[10.0]]), verbose=0)
    kernel, bias = model.get_weights()
    return HelloNeuronResult(history, float(kernel[0][0]), float(bias[0]),
                             float(prediction[0][0]), model)


# --- Why training blew up -------------------------------------------------------------------

# The smallest learning rate the lesson offers; below it, only scaling the data helps.
SMALLEST_LEARNING_RATE = 0.0001
# The model computes in float32: beyond about 1.8e19 a squared error is no longer a number.
LARGEST_SAFE_NUMBER = 1.8e19


def largest_stable_learning_rate(xs) -> float:
    """Plain SGD on the mean squared error of w * x + b over-corrects, step after step,
    above 1 / (the largest eigenvalue of the mean of [x, 1] [x, 1]^T): the bound for xs."""
    inputs = numpy.stack([numpy.asarray(xs, dtype="float64"), numpy.ones(len(xs))], axis=1)
    curvature = inputs.T @ inputs / len(xs)
    return float(1.0 / numpy.linalg.eigvalsh(curvature).max())


def divergence_advice(xs, ys, learning_rate: float, diverged_at_epoch: int) -> str:
    """One sentence for a run whose loss stopped being a number: the cause, from the data's
    scale or the learning rate, and what to change."""
    largest = float(max(numpy.max(numpy.abs(xs)), numpy.max(numpy.abs(ys))))
    blew_up = f"Training blew up at epoch {diverged_at_epoch}"
    scale_down = ("so divide your xs and ys by a power of ten until they stay between about "
                  "-10 and 10, as the course divides pixel values by 255")
    if largest >= LARGEST_SAFE_NUMBER:
        return (f"{blew_up} because of the data's scale, not the learning rate: the model "
                f"computes in 32-bit numbers, and squaring a number as large as {largest:.3g} "
                f"is beyond them, {scale_down}.")
    stable_below = largest_stable_learning_rate(xs)
    if stable_below < SMALLEST_LEARNING_RATE:
        return (f"{blew_up} because of the data's scale: with xs as large as "
                f"{numpy.max(numpy.abs(xs)):.3g}, any learning rate above {stable_below:.2g} "
                "makes each step over-correct, smaller than any this lesson offers, "
                f"{scale_down}.")
    if learning_rate > stable_below:
        return (f"{blew_up}: with a learning rate of {learning_rate:g}, each step "
                "over-corrected, jumping past the best weight to a worse one on the other side, "
                f"further out each time, and for these xs any rate above {stable_below:.2g} "
                "does that, so lower the learning rate (the course uses 0.01).")
    return (f"{blew_up} although a learning rate of {learning_rate:g} is small enough for "
            f"these xs: numbers as large as {largest:.3g} made the errors too large, "
            f"{scale_down}.")
