"""Lesson 4: the course's convnet on Fashion-MNIST, and what its layers see.

The convolution and pooling arithmetic itself, done by hand, is in engine/filters.py.
Training runs as a server job (engine/jobs.py) through the same fit as lesson 3's
(engine/training.py fit_and_evaluate).
"""

import dataclasses
from typing import Optional

import keras
import numpy

from engine import activations
from engine import datasets
from engine import fashion_mnist
from engine import jobs
from engine import keras_lock
from engine import recipes
from engine import run_cache
from engine import training

RUN_KIND = "fashion-cnn"
# 2: the callback (recipes.StopAtAccuracy) compares as the course's does, training accuracy
# strictly above the target (it was "at or above"): a run whose accuracy equalled its target
# now trains on.
RECIPE_VERSION = 2

# The course looks inside the convnet at three test pictures of the same class.
COURSE_PICTURES = (0, 23, 28)


@dataclasses.dataclass(frozen=True)
class CnnSettings:
    """Every choice that changes what the convnet learns: the page's controls, and
    `normalise` (on) and `target_accuracy` (none), which the page does not offer."""

    RUN_KIND = RUN_KIND  # class constant, not a setting: tells tensorboard_folder the lesson

    # Filters, batch, learning rate and epochs chosen on a validation split of the training
    # pictures (benchmarks/choose_defaults.py; BENCHMARKS.md has the figures).
    filters: int = 32
    conv_blocks: int = 2
    epochs: int = 4
    batch_size: int = 128
    learning_rate: float = 0.002
    training_images: int = 60_000
    seed: int = 0
    normalise: bool = True
    target_accuracy: Optional[float] = None
    tensorboard: bool = False

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


COURSE_RECIPE = CnnSettings(filters=64, epochs=5, batch_size=32, learning_rate=0.001)


def train_job(settings: CnnSettings, reporter) -> run_cache.RunResult:
    """The job the page submits (engine/jobs.py): the course's pictures, then the run."""
    return train_fashion_cnn(datasets.fashion_mnist_kept(), settings, reporter)


def train_fashion_cnn(data, settings: CnnSettings,
                      reporter=jobs.QuietReporter()) -> run_cache.RunResult:
    (training_images, training_labels), (test_images, test_labels) = data
    count = settings.training_images
    # The course's reshape: a convolution wants a channel axis, (60000, 28, 28, 1).
    training_images = training_images[:count].reshape(count, 28, 28, 1)
    training_images = fashion_mnist.prepare_images(training_images, settings.normalise)
    test_images = test_images.reshape(len(test_images), 28, 28, 1)
    test_images = fashion_mnist.prepare_images(test_images, settings.normalise)

    keras.utils.set_random_seed(settings.seed)
    model = recipes.fashion_cnn_model(settings.filters, settings.conv_blocks,
                                      settings.learning_rate)
    return training.fit_and_evaluate(
        model, (training_images, training_labels[:count]), (test_images, test_labels),
        settings, reporter)


def job(settings: CnnSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)


def default_job() -> jobs.Job:
    """Lesson 4's convnet as a new visitor opens it: the classroom defaults (CnnSettings()),
    the page's starting controls and what `python -m engine.prepare` trains."""
    return job(CnnSettings())


def summary_rows(settings: CnnSettings) -> list:
    """The summary of the model these settings build, before any training, with the layer
    names the trained model has (a training job starts its names afresh too)."""
    with keras_lock.building(fresh_names=True):
        return activations.layer_table(recipes.fashion_cnn_model(
            settings.filters, settings.conv_blocks, settings.learning_rate))


def model_inputs(pictures: numpy.ndarray) -> numpy.ndarray:
    """Test pictures (n, 28, 28) with values 0..255 as the convnet takes them: the course's
    reshape to one channel, (n, 28, 28, 1), and its division by 255."""
    return fashion_mnist.prepare_images(pictures.reshape(-1, 28, 28, 1), normalise=True)


def first_layer_kernels(model: keras.Model) -> numpy.ndarray:
    """The learned 3x3 kernels of the first convolution, shape (filters, 3, 3)."""
    kernel = activations.looked_at_layers(model)[0].get_weights()[0]  # (3, 3, 1, filters)
    return numpy.transpose(kernel[:, :, 0, :], (2, 0, 1))
