"""The course's models as short builders. Pages show these functions' own source, so what a
learner reads is exactly what runs. Each builder returns a compiled model, ready for training.

Keras 3 note: the course writes `Dense(units=1, input_shape=[1])`. Keras 3 still accepts that
but warns; its own form declares the input first with `keras.Input(shape=...)`, as here.
"""

import keras


def hello_neuron_model(learning_rate: float = 0.01) -> keras.Model:
    """Course 1, week 1: one neuron that learns y = w * x + b from examples."""
    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(units=1),
    ])
    # The course writes optimizer='sgd', which is SGD with learning_rate=0.01.
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss="mean_squared_error",
    )
    return model


def rule_finder_model(learning_rate: float = 0.5) -> keras.Model:
    """Lesson 1: the same single neuron, with Adam so that it also copes with data such as
    temperatures from -40 to 100, where plain SGD at 0.01 would overshoot and diverge."""
    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(units=1),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mean_squared_error",
    )
    return model
