"""Lesson 3: Fashion-MNIST, trained the course's way with live progress and a stop control.

`train_fashion_mnist` is the routine the page shows; everything else prepares or reads
its results. Runs are cached on disk by their settings (engine/run_cache.py).
"""

import dataclasses
import pathlib
import time
from typing import Optional

import keras
import numpy

from engine import datasets
from engine import recipes
from engine import run_cache
from engine import settings as classroom_settings
from engine import training

CLASS_NAMES = datasets.FASHION_MNIST_CLASS_NAMES
RUN_KIND = "fashion-mnist"
RECIPE_VERSION = 1  # bump when train_fashion_mnist changes what a run learns


@dataclasses.dataclass(frozen=True)
class FashionSettings:
    """Every choice that changes what is learned; the page offers each one as a control.
    The defaults are the classroom's fast configuration; COURSE_RECIPE is the course's."""

    hidden_units: int = 128
    extra_hidden_layer: bool = False
    normalise: bool = True
    epochs: int = 10
    batch_size: int = 512
    learning_rate: float = 0.004
    target_accuracy: Optional[float] = None  # the course's callback; None: train all epochs
    training_images: int = 60_000
    seed: int = 0
    tensorboard: bool = False

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


COURSE_RECIPE = FashionSettings(epochs=5, batch_size=32, learning_rate=0.001)


def prepare_images(images: numpy.ndarray, normalise: bool) -> numpy.ndarray:
    """The course's `training_images / 255.0`: pixel values from 0..255 down to 0..1."""
    images = images.astype("float32")
    return images / 255.0 if normalise else images


def train_fashion_mnist(data, settings: FashionSettings, on_epoch=None, on_batch=None,
                        should_stop=None) -> run_cache.RunResult:
    (training_images, training_labels), (test_images, test_labels) = data
    training_images = prepare_images(training_images[:settings.training_images],
                                     settings.normalise)
    training_labels = training_labels[:settings.training_images]
    test_images = prepare_images(test_images, settings.normalise)

    keras.utils.set_random_seed(settings.seed)
    model = recipes.fashion_mnist_model(settings.hidden_units, settings.extra_hidden_layer,
                                        settings.learning_rate)
    return fit_and_evaluate(model, (training_images, training_labels),
                            (test_images, test_labels), settings, on_epoch, on_batch,
                            should_stop)


def fit_and_evaluate(model, training_set, test_set, settings, on_epoch=None, on_batch=None,
                     should_stop=None) -> run_cache.RunResult:
    """`model.fit` with the lesson's callbacks, then the course's `model.evaluate` on the
    test set; shared by the dense network here and the convnet of lesson 4."""
    training_images, training_labels = training_set
    test_images, test_labels = test_set
    steps_per_epoch = -(-len(training_images) // settings.batch_size)
    live = training.LiveProgress(steps_per_epoch, on_epoch, on_batch, should_stop)
    callbacks = [live]
    stop_at_accuracy = None
    if settings.target_accuracy is not None:
        stop_at_accuracy = recipes.StopAtAccuracy(settings.target_accuracy)
        callbacks.append(stop_at_accuracy)
    if settings.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(tensorboard_folder(settings),
                                                     histogram_freq=1))
    started = time.perf_counter()
    model.fit(training_images, training_labels, epochs=settings.epochs,
              batch_size=settings.batch_size, validation_data=(test_images, test_labels),
              callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - started

    test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    probabilities = model.predict(test_images, batch_size=1024, verbose=0)
    extras = {
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "training_seconds": seconds,
        "stopped_by_callback_at_epoch": stop_at_accuracy and stop_at_accuracy.stopped_at_epoch,
        "last_logs": stop_at_accuracy.last_logs if stop_at_accuracy else {},
        "parameters": model.count_params(),
    }
    return run_cache.RunResult(model, live.history, extras,
                               {"test_probabilities": probabilities},
                               complete=not live.stopped_early)


def run_key(settings: FashionSettings) -> str:
    return run_cache.run_key(RUN_KIND, settings.as_dict(), RECIPE_VERSION)


def train_or_reuse(data, settings: FashionSettings, on_epoch=None, on_batch=None,
                   on_wait=None) -> run_cache.Run:
    """The stored run for these settings, else train once (for every learner) and store it."""
    return run_cache.train_once(
        RUN_KIND, settings.as_dict(), RECIPE_VERSION,
        lambda: train_fashion_mnist(data, settings, on_epoch, on_batch), on_wait)


def evaluate_stopped_model(model, data, settings) -> dict:
    """Test accuracy and probabilities of a model whose training the learner stopped
    (the dense network, or lesson 4's convnet with its channel axis)."""
    _, (test_images, test_labels) = data
    test_images = test_images.reshape((len(test_images),) + tuple(model.input_shape[1:]))
    test_images = prepare_images(test_images, settings.normalise)
    test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    probabilities = model.predict(test_images, batch_size=1024, verbose=0)
    return {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy),
            "test_probabilities": probabilities}


def confusion_matrix(true_labels, predicted_labels, classes: int = 10) -> numpy.ndarray:
    """Rows: the true class; columns: what the model said. Counts of test images."""
    matrix = numpy.zeros((classes, classes), dtype="int64")
    numpy.add.at(matrix, (numpy.asarray(true_labels), numpy.asarray(predicted_labels)), 1)
    return matrix


def per_class_accuracy(matrix: numpy.ndarray) -> numpy.ndarray:
    return numpy.diag(matrix) / numpy.maximum(matrix.sum(axis=1), 1)


def tensorboard_folder(settings) -> pathlib.Path:
    """One folder per settings, under <data dir>/tensorboard/<lesson>/."""
    kind = getattr(settings, "RUN_KIND", RUN_KIND)
    key = run_cache.run_key(kind, settings.as_dict(), RECIPE_VERSION)[:12]
    return classroom_settings.data_dir() / "tensorboard" / kind / key


def tensorboard_command() -> str:
    folder = classroom_settings.data_dir() / "tensorboard"
    return f"tensorboard --logdir {folder}"


def predict_one(model: keras.Model, picture: numpy.ndarray,
                normalise: bool = True) -> numpy.ndarray:
    """The ten class probabilities (10,) for one 28x28 picture with values 0..255, scaled
    as the model's training pictures were (`normalise`: divided by 255, else left 0..255),
    for the dense network (input 28x28) and the convnet (input 28x28x1) alike."""
    batch = prepare_images(numpy.asarray(picture).reshape((1,) + tuple(model.input_shape[1:])),
                           normalise)
    return model.predict(batch, verbose=0)[0]
