"""Lesson 7: transfer learning (course 2, week 3), the pretrained half.

The course builds InceptionV3 without its top, loads ImageNet's weights from a local file,
freezes every layer, cuts the network at mixed7 and trains a new classifier on top, once
without and once with Dropout(0.2). This module prepares the pretrained part of that story:

- which network: the course's InceptionV3, or a quarter-width MobileNet for slow laptops;
- how pictures are scaled before it: the course's 0..1 or the network's own -1..1;
- which weights: the data directory's ImageNet copy ("imagenet"), a file on this computer, an
  uploaded file (bytes), or, only when asked for explicitly with None, no pretrained knowledge;
- how many parameters freezing locks, where the network can be cut and what each cut hands on;
- putting a classifier trained on stored features back on top (the course's full model), and
  unfreezing the top layers for fine-tuning.

Features computed once and the classifiers trained on them live in engine/transfer_features.py.
"""

import dataclasses
import functools
import hashlib
import io
import pathlib
import typing
import warnings

import h5py
import keras
import numpy

from engine import caps
from engine import course_assets
from engine import downloads
from engine import hosting
from engine import keras_lock
from engine import recipes
from engine import registry
from engine import training
from engine import whole_files

IMAGENET = "imagenet"  # the ImageNet weights kept in the data directory (see engine/registry.py)


@dataclasses.dataclass(frozen=True)
class BaseChoice:
    """A pretrained network the lesson offers, and how it is used."""

    name: str
    build: typing.Callable  # (local_weights_file, input_shape) -> keras.Model, from recipes
    weights_asset: str  # registry key of its ImageNet weights without the top
    cut_layer_names: tuple  # where the page offers to cut, early to late
    default_cut: str
    minimum_image_size: int  # Keras refuses smaller pictures
    default_scaling: str  # the lesson's pixel scaling for it: a key of SCALINGS


# Default scalings: InceptionV3 the course's 0..1 (the course's recipe), though its ImageNet
# weights were trained on -1..1. MobileNet, which the course never uses, its own -1..1:
# measured on the lesson's default pair over three seeds, the course's 0..1 cost it 0.4
# points on horses-or-humans and 1.9 on cats-vs-dogs (benchmarks/pixel_scaling.py).
BASES = {
    "InceptionV3": BaseChoice(
        "InceptionV3", recipes.inception_base, course_assets.INCEPTION_V3_NOTOP.key,
        tuple(f"mixed{index}" for index in range(11)), "mixed7", 75, "course"),
    "MobileNet 0.25": BaseChoice(
        "MobileNet 0.25", recipes.mobilenet_base, course_assets.MOBILENET_V1_025_224_NOTOP.key,
        recipes.MOBILENET_CUT_LAYERS, "conv_pw_13_relu", 32, "network"),
}


def default_base_name() -> str:
    """The network lesson 7 starts with: the course's InceptionV3, unless its 88 MB of weights
    are absent and the small MobileNet's are here, so that a class without internet can still
    run the lesson. Checks the files only (their hashes); downloads nothing."""
    inception = registry.asset_status(BASES["InceptionV3"].weights_asset)
    mobilenet = registry.asset_status(BASES["MobileNet 0.25"].weights_asset)
    if not inception.is_present and mobilenet.is_present:
        return "MobileNet 0.25"
    return "InceptionV3"


def base_choice(base_name: str) -> BaseChoice:
    if base_name not in BASES:
        raise ValueError(f"There is no pretrained network called {base_name!r}; "
                         f"choose one of {', '.join(BASES)}.")
    return BASES[base_name]


# How pictures are scaled before the network -------------------------------------------------


def scale_as_the_course(base_name: str, pictures):
    """Pictures 0..255 -> 0..1, for either network: the course's
    ImageDataGenerator(rescale=1./255). Same shape and dtype as `pictures` (float)."""
    return pictures / 255.0


def scale_as_the_network(base_name: str, pictures):
    """Pictures 0..255 -> -1..1 (x / 127.5 - 1): the network's own preprocess_input, the
    range its ImageNet weights were trained on. Same shape as `pictures` (float); a float32
    numpy array is scaled in place, so pass a copy of what must stay."""
    if base_name == "InceptionV3":
        return keras.applications.inception_v3.preprocess_input(pictures)
    return keras.applications.mobilenet.preprocess_input(pictures)


@dataclasses.dataclass(frozen=True)
class PixelScaling:
    """One way of scaling pictures before the network."""

    key: str  # what run keys, feature keys and links hold
    title: str  # the page's option
    value_range: tuple  # (lowest, highest) for pictures of 0..255
    scale: typing.Callable  # (base_name, pictures 0..255) -> scaled pictures


SCALINGS = {
    "course": PixelScaling("course", "the course's: divided by 255, 0..1", (0.0, 1.0),
                           scale_as_the_course),
    "network": PixelScaling("network", "the network's own preprocess_input, -1..1",
                            (-1.0, 1.0), scale_as_the_network),
}


def pixel_scaling(scaling: str) -> PixelScaling:
    if scaling not in SCALINGS:
        raise ValueError(f"There is no pixel scaling called {scaling!r}; "
                         f"choose one of {', '.join(SCALINGS)}.")
    return SCALINGS[scaling]


def prepare_pictures(base_name: str, pictures, scaling: str):
    """Pictures with values 0..255 (numpy or tensor, (n, size, size, 3)) scaled for the
    network by `scaling`, a key of SCALINGS: the one function that prepares pictures for
    feature extraction, fine-tuning and a learner's own pictures. Raises ValueError for an
    unknown network or scaling."""
    base_choice(base_name)
    return pixel_scaling(scaling).scale(base_name, pictures)


# Weights: where they come from and whether they fit -------------------------------------------


@dataclasses.dataclass(frozen=True)
class Weights:
    path: typing.Optional[pathlib.Path]  # None: random starting weights
    identity: str  # "sha256:<hex>" of the file, or "random-seed-<seed>"
    description: str  # for the page, in a few words


def resolve_weights(base_name: str, weights=IMAGENET, seed: int = 0) -> Weights:
    """Where the weights come from: "imagenet" (the data directory's copy, downloaded when
    missing), a path, the bytes of an uploaded file, or None for no pretrained knowledge."""
    choice = base_choice(base_name)
    if weights is None:
        return Weights(None, f"random-seed-{seed}",
                       f"no pretrained knowledge: random starting weights (seed {seed})")
    if isinstance(weights, Weights):
        return weights
    if isinstance(weights, (bytes, bytearray, memoryview)):
        caps.check_upload(len(weights), "The weights file")
        path = save_uploaded_weights(base_name, bytes(weights))
        description = "the uploaded weights file"
    elif isinstance(weights, str) and weights == IMAGENET:
        path = downloads.ensure_asset(choice.weights_asset)  # MissingDataError says what to do
        description = f"ImageNet weights from the data directory ({path.name})"
    else:
        path = pathlib.Path(weights).expanduser()
        if not path.is_file():
            raise ValueError(f"There is no weights file at {path}.")
        check_weights_file(path, choice)
        description = f"weights from {path}"
    return Weights(path, "sha256:" + registry.file_digest(path, "sha256"), description)


def save_uploaded_weights(base_name: str, file_bytes: bytes) -> pathlib.Path:
    """Keep an uploaded weights file in hosting.weights_uploads_folder(), named after its contents,
    once it has loaded into the network it is meant for. It is written under a temporary name
    and renamed only after that check, so a wrong or cut-off upload leaves nothing behind."""
    file_format, _ = weights_file_layout(io.BytesIO(file_bytes), base_choice(base_name))
    # Keras picks the loader by the file name: .weights.h5 is Keras 3's layout, .h5 the older.
    suffix = ".weights.h5" if file_format == "keras 3" else ".h5"
    digest = hashlib.sha256(file_bytes).hexdigest()
    folder = hosting.weights_uploads_folder()
    final_path = folder / f"{base_name.replace(' ', '-').lower()}-{digest[:16]}{suffix}"
    if final_path.is_file():
        return final_path  # the same bytes were checked when they were first uploaded
    folder.mkdir(parents=True, exist_ok=True)
    with whole_files.written_whole(final_path) as partial_path:
        partial_path.write_bytes(file_bytes)
        load_network(base_name, partial_path, image_size=150)
    return final_path


def weights_file_layout(file, choice: BaseChoice) -> tuple:
    """("keras 2", layers with weights) or ("keras 3", weight arrays) for a file or path."""
    try:
        with h5py.File(file, "r") as weights_file:
            group = weights_file.get("model_weights", weights_file)  # a whole saved model
            if "layer_names" in group.attrs:
                layer_names = [name.decode("utf8") if isinstance(name, bytes) else name
                               for name in group.attrs["layer_names"]]
                return "keras 2", sum(1 for name in layer_names
                                      if len(group[name].attrs.get("weight_names", [])))
            if "layers" in weights_file:
                arrays = []
                weights_file.visititems(lambda name, item: arrays.append(name)
                                        if isinstance(item, h5py.Dataset) else None)
                return "keras 3", len(arrays)
    except (OSError, KeyError) as error:
        if "signature" in str(error):  # HDF5 files start with a fixed signature
            raise ValueError(f"This is not a weights file: Keras keeps weights in HDF5 files. "
                             f"Expected {expected_file(choice)}.") from error
        raise ValueError(
            f"This is not a complete weights file (HDF5): it may have been cut short while "
            f"downloading or uploading. Expected {expected_file(choice)}.") from error
    raise ValueError(f"This HDF5 file holds no Keras weights. Expected {expected_file(choice)}.")


def check_weights_file(path: pathlib.Path, choice: BaseChoice) -> None:
    """Raise ValueError, in a sentence, unless the file at `path` holds Keras weights laid out
    like `choice`'s network without its top: any file a learner types (say /etc/passwd) gets
    an answer before a network is built from it."""
    try:
        file_format, found = weights_file_layout(str(path), choice)
    except PermissionError:
        raise ValueError("That weights file cannot be read (it is not yours to read); "
                         f"expected {expected_file(choice)}.") from None
    if found != network_layout(choice.name)[file_format]:
        raise ValueError(wrong_network_message(choice, file_format, found))


def expected_file(choice: BaseChoice) -> str:
    file_name = course_assets.asset_by_key(choice.weights_asset).files[0].file_name
    return f"{choice.name} weights without the top, such as {file_name}"


@functools.lru_cache(maxsize=None)
def network_layout(base_name: str) -> dict:
    """How many layers with weights, and weight arrays, the network without its top has."""
    with keras_lock.building():
        network = base_choice(base_name).build(None, (75, 75, 3))
    return {"keras 2": sum(1 for layer in network.layers if layer.weights),
            "keras 3": len(network.weights)}


def wrong_network_message(choice: BaseChoice, file_format: str, found: int) -> str:
    unit = "layers with weights" if file_format == "keras 2" else "weight arrays"
    expected = network_layout(choice.name)[file_format]
    if found == expected:
        difference = ("the layers have other sizes: the same kind of network, but wider or "
                      "narrower (for MobileNet, another alpha)")
    else:
        difference = f"the file has {found} {unit}"
        for other in BASES:
            if other != choice.name and network_layout(other)[file_format] == found:
                difference += f", which is what {other} has"
    return (f"This file holds weights for a different network: expected {choice.name} "
            f"without its top ({expected} {unit}), but {difference}.")


def load_network(base_name: str, weights_path, image_size: int = 150) -> keras.Model:
    """The network built by its recipe with the weights file loaded, or a ValueError saying
    what the file holds instead."""
    with keras_lock.building():  # pages check weights files in their own threads
        return build_network(base_name, weights_path, image_size)


def build_network(base_name: str, weights_path, image_size: int) -> keras.Model:
    choice = base_choice(base_name)
    if image_size < choice.minimum_image_size:
        raise ValueError(f"{choice.name} needs pictures of at least "
                         f"{choice.minimum_image_size}x{choice.minimum_image_size} pixels.")
    input_shape = (image_size, image_size, 3)
    if weights_path is None:
        return choice.build(None, input_shape)
    file_format, found = weights_file_layout(weights_path, choice)
    # Keras picks its loader by the file name, so a name that does not match the layout inside
    # would fail with a confusing message.
    suffixes = (".weights.h5",) if file_format == "keras 3" else (".h5", ".hdf5")
    name = pathlib.Path(weights_path).name
    if not name.endswith(suffixes) or (file_format == "keras 2" and name.endswith(".weights.h5")):
        raise ValueError(f"Keras reads this kind of weights file only when its name ends in "
                         f"{suffixes[0]}; rename {name} and try again.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            network = choice.build(str(weights_path), input_shape)
        except (ValueError, OSError, KeyError) as error:
            raise ValueError(wrong_network_message(choice, file_format, found)) from error
    # Keras 3's loader only warns about parts of the network it found nothing for.
    skipped = any("Skipping" in str(warning.message) for warning in caught)
    if skipped or (file_format == "keras 3" and found != len(network.weights)):
        raise ValueError(wrong_network_message(choice, file_format, found))
    return network


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
    weights: Weights
    image_size: int
    before_freezing: ParameterCounts
    after_freezing: ParameterCounts


def build_frozen_network(base_name: str = "InceptionV3", weights=IMAGENET,
                         image_size: int = 150, seed: int = 0) -> FrozenNetwork:
    """The pretrained network with its weights, frozen the course's way. `seed` makes the
    random starting weights of weights=None the same every time."""
    resolved = resolve_weights(base_name, weights, seed)
    keras.utils.set_random_seed(seed)
    model = load_network(base_name, resolved.path, image_size)
    before_freezing = parameter_counts(model)
    recipes.freeze_layers(model)
    return FrozenNetwork(model, base_name, resolved, image_size, before_freezing,
                         parameter_counts(model))


def kept_frozen_network(base_name: str, weights: Weights, image_size: int,
                        seed: int) -> FrozenNetwork:
    """`build_frozen_network`, kept for the next call with the same arguments: a training
    worker builds the frozen network once for every job on it. One at a time (InceptionV3
    is 90 MB of weights). Treat it as read-only: fine-tuning works on a copy."""
    return _kept_network(base_name, weights.path and str(weights.path), weights.identity,
                         image_size, seed)


@functools.lru_cache(maxsize=1)
def _kept_network(base_name, weights_path, weights_identity, image_size, seed):
    weights = Weights(weights_path and pathlib.Path(weights_path), weights_identity, "")
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
        offered = ", ".join(base_choice(base_name).cut_layer_names)
        raise ValueError(f"{base_name} has no layer called {cut_layer_name!r}; "
                         f"cut it at one of {offered}.") from None


def cut_points(frozen: FrozenNetwork, classes: int = 2) -> list:
    points = []
    for layer_name in base_choice(frozen.base_name).cut_layer_names:
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


def predict_pictures(model: keras.Model, base_name: str, pictures,
                     scaling: str) -> numpy.ndarray:
    """Class probabilities (n, classes) for pictures (n, size, size, 3) in 0..255, scaled by
    `scaling` as the model's training pictures were; a binary model's sigmoid p becomes
    [1 - p, p]. The pictures are left as they were: they are copied before preparing, because
    preprocess_input scales a float32 array in place (the page then showed a black square)."""
    outputs = model.predict(
        prepare_pictures(base_name, numpy.array(pictures, "float32"), scaling), verbose=0)
    return training.class_probabilities(outputs)
