"""Lesson 7: transfer learning (course 2, week 3), the pretrained half.

The course builds InceptionV3 without its top, loads ImageNet's weights from a local file,
freezes every layer, cuts the network at mixed7 and trains a new classifier on top, once
without and once with Dropout(0.2). This module and two beside it prepare the pretrained part
of that story:

- which network: the course's InceptionV3, or a quarter-width MobileNet for slow laptops;
- how pictures are scaled before it: the course's 0..1 or the network's own -1..1;
- which weights (engine/weights_files.py): the data directory's ImageNet copy ("imagenet"), a
  file on this computer, an uploaded file (bytes), or, only when asked for explicitly with
  None, no pretrained knowledge;
- how many parameters freezing locks, where the network can be cut and what each cut hands
  on (engine/frozen_base.py);
- putting a classifier trained on stored features back on top (the course's full model), and
  unfreezing the top layers for fine-tuning (engine/frozen_base.py).

Features computed once and the classifiers trained on them live in engine/transfer_features.py.
"""

import dataclasses
import typing

import keras
import numpy

from engine import course_assets
from engine import recipes
from engine import registry
from engine import training


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


def predict_pictures(model: keras.Model, base_name: str, pictures,
                     scaling: str) -> numpy.ndarray:
    """Class probabilities (n, classes) for pictures (n, size, size, 3) in 0..255, scaled by
    `scaling` as the model's training pictures were; a binary model's sigmoid p becomes
    [1 - p, p]. The pictures are left as they were: they are copied before preparing, because
    preprocess_input scales a float32 array in place (the page then showed a black square)."""
    outputs = model.predict(
        prepare_pictures(base_name, numpy.array(pictures, "float32"), scaling), verbose=0)
    return training.class_probabilities(outputs)
