"""Lesson 2: the course's hello world, as one routine the page shows word for word."""

import dataclasses
from typing import Optional

import keras
import numpy

from engine import recipes
from engine import training

COURSE_XS = [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
COURSE_YS = [-3.0, -1.0, 1.0, 3.0, 5.0, 7.0]  # y = 2x - 1


@dataclasses.dataclass
class HelloNeuronResult:
    history: training.FullBatchHistory
    weight: Optional[float]  # None when training diverged
    bias: Optional[float]
    prediction_for_10: Optional[float]


def train_hello_neuron(xs, ys, epochs=500, learning_rate=0.01, seed=0,
                       on_progress=None, should_stop=None) -> HelloNeuronResult:
    keras.utils.set_random_seed(seed)  # same seed, same starting weight, same curve
    model = recipes.hello_neuron_model(learning_rate)

    # Does what model.fit(xs, ys, epochs=epochs) does, about 90x faster (see training.py).
    history = training.train_full_batch(
        model, xs, ys, epochs, on_progress=on_progress, should_stop=should_stop
    )
    if history.diverged_at_epoch is not None:
        return HelloNeuronResult(history, None, None, None)

    prediction = model.predict(numpy.array([[10.0]]), verbose=0)
    kernel, bias = model.get_weights()
    return HelloNeuronResult(history, float(kernel[0][0]), float(bias[0]),
                             float(prediction[0][0]))
