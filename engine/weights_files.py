"""Lesson 7's pretrained weights: where they come from (the data directory's ImageNet copy, a
file on this computer, an uploaded file, or none) and whether a file fits the network it is
meant for, answered in a sentence before a network is built from it. The networks offered
are engine/transfer.py's BASES."""

import dataclasses
import functools
import hashlib
import io
import pathlib
import typing
import warnings

import h5py
import keras

from engine import caps
from engine import course_assets
from engine import downloads
from engine import hosting
from engine import keras_lock
from engine import registry
from engine import transfer
from engine import whole_files

IMAGENET = "imagenet"  # the ImageNet weights kept in the data directory (see engine/registry.py)


@dataclasses.dataclass(frozen=True)
class Weights:
    path: typing.Optional[pathlib.Path]  # None: random starting weights
    identity: str  # "sha256:<hex>" of the file, or "random-seed-<seed>"
    description: str  # for the page, in a few words


def resolve_weights(base_name: str, weights=IMAGENET, seed: int = 0) -> Weights:
    """Where the weights come from: "imagenet" (the data directory's copy, downloaded when
    missing), a path, the bytes of an uploaded file, or None for no pretrained knowledge."""
    choice = transfer.base_choice(base_name)
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
    file_format, _ = weights_file_layout(io.BytesIO(file_bytes), transfer.base_choice(base_name))
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


def weights_file_layout(file, choice: transfer.BaseChoice) -> tuple:
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


def check_weights_file(path: pathlib.Path, choice: transfer.BaseChoice) -> None:
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


def expected_file(choice: transfer.BaseChoice) -> str:
    file_name = course_assets.asset_by_key(choice.weights_asset).files[0].file_name
    return f"{choice.name} weights without the top, such as {file_name}"


@functools.lru_cache(maxsize=None)
def network_layout(base_name: str) -> dict:
    """How many layers with weights, and weight arrays, the network without its top has."""
    with keras_lock.building():
        network = transfer.base_choice(base_name).build(None, (75, 75, 3))
    return {"keras 2": sum(1 for layer in network.layers if layer.weights),
            "keras 3": len(network.weights)}


def wrong_network_message(choice: transfer.BaseChoice, file_format: str, found: int) -> str:
    unit = "layers with weights" if file_format == "keras 2" else "weight arrays"
    expected = network_layout(choice.name)[file_format]
    if found == expected:
        difference = ("the layers have other sizes: the same kind of network, but wider or "
                      "narrower (for MobileNet, another alpha)")
    else:
        difference = f"the file has {found} {unit}"
        for other in transfer.BASES:
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
    choice = transfer.base_choice(base_name)
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
