"""Lesson 7's frozen base: the pretrained network with its weights, frozen the course's way,
where it can be cut and what each cut hands on; then the course's full model on top of the
cut, and unfreezing its top layers for fine-tuning."""

import dataclasses
import functools
import pathlib

import keras
import numpy

from engine import recipes
from engine import transfer
from engine import weights_files


# The frozen base, its parameters and its cut points -------------------------------------------


@dataclasses.dataclass(frozen=True)
class ParameterCounts:
    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


def parameter_counts(model: keras.Model) -> ParameterCounts:
    def count(variables):
        return sum(int(numpy.prod(variable.shape)) for variable in variables)

    return ParameterCounts(count(model.trainable_weights), count(model.non_trainable_weights))


@dataclasses.dataclass
class FrozenNetwork:
    model: keras.Model  # frozen: every layer has trainable=False
    base_name: str
    weights: weights_files.Weights
    image_size: int
    before_freezing: ParameterCounts
    after_freezing: ParameterCounts


def build_frozen_network(base_name: str = "InceptionV3", weights=weights_files.IMAGENET,
                         image_size: int = 150, seed: int = 0) -> FrozenNetwork:
    """The pretrained network with its weights, frozen the course's way. `seed` makes the
    random starting weights of weights=None the same every time."""
    resolved = weights_files.resolve_weights(base_name, weights, seed)
    keras.utils.set_random_seed(seed)
    model = weights_files.load_network(base_name, resolved.path, image_size)
    before_freezing = parameter_counts(model)
    recipes.freeze_layers(model)
    return FrozenNetwork(model, base_name, resolved, image_size, before_freezing,
                         parameter_counts(model))


def kept_frozen_network(base_name: str, weights: weights_files.Weights, image_size: int,
                        seed: int) -> FrozenNetwork:
    """`build_frozen_network`, kept for the next call with the same arguments: a training
    worker builds the frozen network once for every job on it. One at a time (InceptionV3
    is 90 MB of weights). Treat it as read-only: fine-tuning works on a copy."""
    return _kept_network(base_name, weights.path and str(weights.path), weights.identity,
                         image_size, seed)


@functools.lru_cache(maxsize=1)
def _kept_network(base_name, weights_path, weights_identity, image_size, seed):
    weights = weights_files.Weights(weights_path and pathlib.Path(weights_path),
                                    weights_identity, "")
    return build_frozen_network(base_name, weights, image_size, seed)


@dataclasses.dataclass(frozen=True)
class CutPoint:
    layer_name: str
    output_shape: tuple  # per picture, e.g. (7, 7, 768) for mixed7 at 150x150
    feature_count: int  # what Flatten hands to Dense(1024)
    head_parameters: int  # of the new layers: Dense(1024) and the output


def head_parameter_count(feature_count: int, classes: int = 2) -> int:
    """Flatten -> Dense(1024) -> Dense(1 or classes): weights plus biases."""
    outputs = 1 if classes == 2 else classes
    return feature_count * 1024 + 1024 + 1024 * outputs + outputs


def cut_layer(base_model: keras.Model, base_name: str, cut_layer_name: str):
    try:
        return base_model.get_layer(cut_layer_name)
    except ValueError:
        offered = ", ".join(transfer.base_choice(base_name).cut_layer_names)
        raise ValueError(f"{base_name} has no layer called {cut_layer_name!r}; "
                         f"cut it at one of {offered}.") from None


def cut_points(frozen: FrozenNetwork, classes: int = 2) -> list:
    points = []
    for layer_name in transfer.base_choice(frozen.base_name).cut_layer_names:
        output_shape = tuple(cut_layer(frozen.model, frozen.base_name,
                                       layer_name).output.shape[1:])
        feature_count = int(numpy.prod(output_shape))
        points.append(CutPoint(layer_name, output_shape, feature_count,
                               head_parameter_count(feature_count, classes)))
    return points


def feature_extractor(frozen: FrozenNetwork, cut_layer_name: str) -> keras.Model:
    """The frozen network up to the cut: pictures in, the cut layer's features out, computed
    once per picture (engine/transfer_features.py) for the new layers to train on."""
    return keras.Model(frozen.model.input,
                       cut_layer(frozen.model, frozen.base_name, cut_layer_name).output)


# Back to the course's model, and fine-tuning --------------------------------------------------


def full_model(frozen: FrozenNetwork, cut_layer_name: str, head_model: keras.Model):
    """The course's own Model(pre_trained_model.input, x): the cut network with the very
    layers `head_model` trained on stored features put on top, so it takes prepared pictures
    and predicts what the head predicts on their features.

    The layers are shared, not copied: after mixed7 the head's Dense(1024) alone holds 147 MB,
    and a copy measured 280 MB more server memory that stayed (BENCHMARKS.md)."""
    x = cut_layer(frozen.model, frozen.base_name, cut_layer_name).output
    if tuple(x.shape[1:]) != tuple(head_model.input.shape[1:]):
        raise ValueError(f"This classifier was trained on features of another shape than "
                         f"{cut_layer_name} gives ({int(numpy.prod(x.shape[1:]))} numbers).")
    for layer in head_model.layers[1:]:  # after its Input: Flatten, Dense, [Dropout], Dense
        x = layer(x)
    # Named, not auto-named: see fine_tuning_model.
    model = keras.Model(frozen.model.input, x, name="transfer_learning")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.0001),
                  loss=head_model.loss, metrics=["accuracy"])
    return model


def fine_tuning_model(frozen: FrozenNetwork, cut_layer_name: str, head_model: keras.Model,
                      unfreeze_after: str, learning_rate: float = 0.00001) -> keras.Model:
    """Pictures -> the cut base -> the trained head, with the base's layers after
    `unfreeze_after` (up to the cut) trainable again: fine-tuning, the step after the course.

    BatchNormalization layers stay frozen and the base is called with training=False, as the
    Keras transfer-learning guide advises: a trainable BatchNormalization would replace the
    means and variances it learned on ImageNet by those of a few small batches of our
    pictures, and the large updates that follow would wreck what the unfrozen layers knew.
    The learning rate is ten times smaller than the head's for the same reason. This
    changes `frozen.model` and `head_model` in place (their layers are shared)."""
    base_model = frozen.model
    for name in (unfreeze_after, cut_layer_name):  # a sentence naming the offered cuts
        cut_layer(base_model, frozen.base_name, name)
    recipes.unfreeze_top_layers(base_model, unfreeze_after, cut_layer_name)
    # Named, not auto-named: Keras numbers its automatic names per thread, and Streamlit runs
    # each rerun in a new thread, so a head trained in an earlier run and a model made now
    # could both be called "functional", which a model refuses.
    cut_model = keras.Model(base_model.input, base_model.get_layer(cut_layer_name).output,
                            name="pretrained_network")
    classifier = keras.Model(head_model.input, head_model.output, name="new_classifier")
    pictures = keras.Input(shape=base_model.input.shape[1:])
    features = cut_model(pictures, training=False)
    model = keras.Model(pictures, classifier(features), name="fine_tuning")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss=head_model.loss, metrics=["accuracy"])
    return model
