"""Lesson 3's exploration exercises that break the model on purpose, as course 1 week 2 sets
them: take Flatten out, or give the last layer 5 neurons for 10 classes, then train and read
Keras' error.

Each broken model really meets Keras: `keras_error` builds it and calls `fit` on a few hundred
pictures, and returns the line of the error that says what went wrong. Both errors come from
the loss of the very first batch, before any weight changes, so nothing is trained and the
page may call this itself (under engine/keras_lock.building(), as for any model it makes).
"""

import dataclasses

import keras
import numpy

from engine import fashion_mnist

# Enough pictures for the first batches; the error comes at the first.
PICTURES = 256
BATCH_SIZE = 32


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One broken variation of the course's model: what changes and what Keras' error means."""

    name: str  # a short id, used in widget keys
    title: str  # what the learner does, as the course words it
    flatten: bool
    output_neurons: int
    explanation: str


EXERCISES = (
    Exercise(
        "without-flatten", "Remove Flatten()", flatten=False, output_neurons=10,
        explanation=(
            "Without Flatten, each Dense layer works on the last axis of the 28 x 28 picture, "
            "one row at a time: for a batch of 32 pictures the model gives 28 rows of 10 "
            "scores per picture, (32, 28, 10), while the labels are one number per picture, "
            "(32,). Keras cannot compare the two shapes and stops before training; Flatten "
            "turns the picture into one row of 784 numbers, so the last layer gives one set "
            "of 10 scores per picture.")),
    Exercise(
        "five-outputs", "5 neurons for 10 classes", flatten=True,
        output_neurons=5,
        explanation=(
            "The last layer has one neuron per class the model can name: with 5 it can only "
            "say 0 to 4, and the very first training picture is an ankle boot, label 9, which "
            "the loss cannot score. Keras stops at the first such label; the last layer needs as many "
            "neurons as there are classes, 10 for Fashion-MNIST.")),
)


def by_name(name: str) -> Exercise:
    """The exercise called `name` (one of EXERCISES); raises KeyError for any other."""
    found = {exercise.name: exercise for exercise in EXERCISES}
    return found[name]


def broken_model(flatten: bool = True, output_neurons: int = 10) -> keras.Model:
    """The course's Fashion-MNIST model with the exercise's change: Flatten kept or taken
    out, and `output_neurons` neurons in the last layer instead of 10."""
    layers = [keras.Input(shape=(28, 28))]
    if flatten:
        layers.append(keras.layers.Flatten())
    layers += [
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(output_neurons, activation="softmax"),
    ]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def keras_error(exercise: Exercise, training_images: numpy.ndarray,
                training_labels: numpy.ndarray) -> str:
    """Build the broken model and `fit` it on the first PICTURES pictures (uint8, (n, 28, 28))
    and labels ((n,), 0..9); returns the line of Keras' error that says what went wrong, or
    "" if `fit` raised nothing (which would mean Keras changed what it accepts)."""
    model = broken_model(exercise.flatten, exercise.output_neurons)
    pictures = fashion_mnist.prepare_images(training_images[:PICTURES], normalise=True)
    try:
        # shuffle=False: the first batch is the first 32 pictures, so every learner reads the
        # same message.
        model.fit(pictures, training_labels[:PICTURES], epochs=1, batch_size=BATCH_SIZE,
                  shuffle=False, verbose=0)
    except Exception as error:  # noqa: BLE001  (any error Keras raises is the lesson)
        return telling_line(error)
    return ""


def telling_line(error: Exception) -> str:
    """The first line of an error's message that says what went wrong. A TensorFlow error from
    inside the compiled step starts "Graph execution error:" and then names the node and the
    files of the call stack (server paths); its own words come after them."""
    for line in str(error).splitlines():
        line = line.strip()
        if line and not line.startswith(("Graph execution error", "Detected at node",
                                          "File ", "[[")):
            return line
    return type(error).__name__
