"""Lesson 7, the fast way: a frozen network turns a picture into the same numbers in every
epoch, so compute those numbers (the cut layer's "features") once, keep them on disk, and
train the new layers on them.

The course's model.fit sends every picture through InceptionV3 up to mixed7 in every one of
its 20 epochs, for each of its two models. Here the pictures go through once per (dataset,
weights, network, cut layer, picture size, pixel scaling); the classifiers on top then train
on the stored features, and engine.frozen_base.full_model puts a trained classifier back on
the network, so the model a learner exports is the course's own.

Layout, under `hosting.data_dir()`:

    features/<dataset>/<network>-<cut layer>-<size>px-<key>.npz   the features, labels, settings
    features/<dataset>/<...>.lock                                 held while they are computed

The key holds the pixel scaling too (engine.transfer.SCALINGS): the course's 0..1 and the
network's own -1..1 give other numbers at every cut.

Features are stored as float16, half the disk of float32. Measured on horses-or-humans with
MobileNet's ImageNet weights, heads trained on float16 and on float32 features reached the same
validation accuracy after three epochs at each of the three cuts tried (after one epoch they
differed by at most 2 of 256 pictures). Numbers beyond float16's range (65,504) are stored as
float32. Training always uses the stored numbers, so a fresh and a reloaded set train alike.

Augmentation changes the pictures in every epoch, so it cannot be computed once exactly. With
`augmented_views=K`, each training picture is augmented K times, once and for all, and those
K views' features are stored; in each epoch a classifier sees one of the K views of every
picture. FeatureSet.augmentation says which of the two ways ran.

The course's dropout experiment on these features, the two heads trained as a fair pair, is
engine/dropout_pair.py.
"""

import dataclasses
import hashlib
import json
import pathlib
import time
import typing

import keras
import numpy

from engine import course_assets
from engine import downloads
from engine import frozen_base
from engine import hosting
from engine import image_folders
from engine import registry
from engine import run_cache
from engine import transfer
from engine import weights_files
from engine import whole_files

FEATURES_FORMAT = 3  # bump when what is stored, or how it is computed, changes
EXTRACTION_BATCH_SIZE = 32
FLOAT16_LARGEST = 65504.0


@dataclasses.dataclass
class FeatureSet:
    """The cut layer's output for every picture of a dataset, with the labels."""

    training_features: numpy.ndarray  # (pictures, *feature_shape), or (views, pictures, ...)
    training_labels: numpy.ndarray  # (pictures, 1) binary, or (pictures, classes) one-hot
    validation_features: numpy.ndarray  # (pictures, *feature_shape), never augmented
    validation_labels: numpy.ndarray
    class_names: list
    settings: dict  # everything that decides these numbers; the cache key is made from it
    augmentation: str  # which way ran, in a sentence
    path: pathlib.Path
    from_disk: bool  # True when loaded rather than computed by this call
    seconds: float  # time spent computing or loading

    @property
    def feature_shape(self) -> tuple:
        return tuple(self.validation_features.shape[1:])

    @property
    def augmented_views(self) -> int:
        return self.settings["augmentation"]["views"] if self.settings["augmentation"] else 0


def cached_features(dataset_id: str = "horse-or-human", base_name: str = "InceptionV3",
                    weights=weights_files.IMAGENET,
                    cut_layer_name: typing.Optional[str] = None,
                    image_size: int = 150, augmentation_layers=None, augmented_views: int = 0,
                    seed: int = 0, storage_dtype: str = "float16", on_progress=None,
                    on_wait=None, folders=None, frozen=None,
                    pixel_scaling: typing.Optional[str] = None) -> FeatureSet:
    """The features of `dataset_id`'s training and validation pictures at the cut layer,
    computed once and stored under <data dir>/features/, loaded from there afterwards.

    `dataset_id`: a course dataset's key (engine/course_assets.py), or, with `folders`, any id
    that names other pictures (for example "upload-<the zip's sha256>"), as the page's
    ui/picture_choice.Choice.dataset_id does. `folders`: (training folder, validation folder
    or None) for pictures that are not a course dataset, such as a learner's extracted zip. Without a validation folder, a seeded fifth
    of the pictures is kept for validation.

    `frozen`: the network already built for these settings
    (engine.frozen_base.build_frozen_network), for example the page's shared one; without it
    a network is built for the extraction.

    `augmentation_layers`: Keras preprocessing layers (for example from engine.augment),
    applied with training=True to 0..255 pictures before the network's own preparation, as
    ImageDataGenerator transforms before it rescales; `augmented_views` training views are
    stored per picture. Give the layers a seed to get the same views on another server.
    `pixel_scaling`: how pictures are scaled before the network, a key of
    engine.transfer.SCALINGS; None is the lesson's default for the network.
    `on_progress(pictures_done, pictures_total)` follows the computation; `on_wait()` is
    called once if another learner is computing the same features and we wait for them."""
    choice = transfer.base_choice(base_name)
    cut_layer_name = cut_layer_name or choice.default_cut
    pixel_scaling = transfer.pixel_scaling(pixel_scaling or choice.default_scaling).key
    augmentation = augmentation_settings(augmentation_layers, augmented_views, seed)
    if storage_dtype not in ("float16", "float32"):
        raise ValueError(f"Features are stored as float16 or float32, not {storage_dtype!r}.")
    resolved = weights_files.resolve_weights(base_name, weights, seed)
    if folders is None:
        downloads.ensure_asset(dataset_id)
    feature_settings = {
        "format": FEATURES_FORMAT, "dataset": dataset_id,
        "dataset_files": pictures_fingerprint(dataset_id, folders, seed), "base": base_name,
        "weights": resolved.identity, "cut_layer": cut_layer_name, "image_size": image_size,
        "pixel_scaling": pixel_scaling, "augmentation": augmentation,
        "storage_dtype": storage_dtype}
    path = features_path(feature_settings)
    stored = load_features(path, feature_settings)
    if stored is not None:
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    with run_cache.exclusive_lock(path.with_suffix(".lock"), on_wait):
        stored = load_features(path, feature_settings)  # the learner we waited for made them
        if stored is not None:
            return stored
        started = time.perf_counter()
        if frozen is None or (frozen.base_name, frozen.weights.identity,
                              frozen.image_size) != (base_name, resolved.identity, image_size):
            frozen = frozen_base.build_frozen_network(base_name, resolved, image_size, seed)
        extractor = frozen_base.feature_extractor(frozen, cut_layer_name)
        folder_data = load_pictures(dataset_id, folders, image_size, seed)
        views = augmentation["views"] if augmentation else 0
        total = folder_data.training_count * max(views, 1) + folder_data.validation_count
        progress = Progress(on_progress, total)
        training_features, training_labels = extract_features(
            extractor, base_name, pixel_scaling, folder_data.training, augmentation_layers,
            views, progress)
        validation_features, validation_labels = extract_features(
            extractor, base_name, pixel_scaling, folder_data.validation, None, 0, progress)
        # Train on exactly the numbers a later learner will load from disk.
        dtype = storage_dtype if max(numpy.abs(training_features).max(), numpy.abs(
            validation_features).max()) <= FLOAT16_LARGEST else "float32"
        training_features = training_features.astype(dtype).astype("float32")
        validation_features = validation_features.astype(dtype).astype("float32")
        feature_set = FeatureSet(
            training_features, training_labels, validation_features, validation_labels,
            list(folder_data.class_names), {**feature_settings, "stored_as": dtype},
            describe(augmentation), path,
            from_disk=False, seconds=time.perf_counter() - started)
        save_features(feature_set)
    return feature_set


def augmentation_settings(augmentation_layers, augmented_views: int, seed: int):
    if not augmentation_layers and not augmented_views:
        return None
    if not augmentation_layers or augmented_views < 1:
        raise ValueError("To store augmented features, give both the augmentation layers and "
                         "how many augmented views of each picture to keep (at least 1).")
    layers = []
    for layer in augmentation_layers:
        config = {name: value for name, value in layer.get_config().items() if name != "name"}
        layers.append({"class": type(layer).__name__, "config": config})
    # default=str: some configs hold objects (such as dtype policies) that JSON cannot write.
    return json.loads(json.dumps({"views": int(augmented_views), "layers": layers,
                                  "seed": seed}, default=str))


def describe(augmentation) -> str:
    if augmentation is None:
        return ("exact: without augmentation every epoch would compute the same features, so "
                "training on them is the same as training the course's whole model")
    return (f"approximate: {augmentation['views']} augmented views of every training picture "
            f"were made once and stored; each epoch uses one of them per picture, where "
            f"ImageDataGenerator would make a new one every epoch")


def load_pictures(dataset_id: str, folders, image_size: int, seed: int):
    """The pictures to extract, as image_folders.FolderData (the order does not matter:
    every picture is extracted once, with its label)."""
    if folders is None:
        return image_folders.load_pictures(dataset_id, image_size=image_size,
                                           batch_size=EXTRACTION_BATCH_SIZE, seed=0)
    training_folder, validation_folder = folders
    return image_folders.load_pictures(None, training_folder, validation_folder, image_size,
                                       EXTRACTION_BATCH_SIZE, seed)


def pictures_fingerprint(dataset_id: str, folders, seed: int) -> str:
    """A digest of every picture's name and size (new or changed pictures, new features),
    and of the seed that splits a folder without a validation folder."""
    if folders is None:
        asset = course_assets.asset_by_key(dataset_id)
        return ":".join(image_folders.folder_fingerprint(registry.image_folder(
            dataset_id, split)) for split in asset.splits)
    training_folder, validation_folder = folders
    if validation_folder is None:
        return f"{image_folders.folder_fingerprint(training_folder)}:split-seed-{seed}"
    return ":".join(image_folders.folder_fingerprint(folder) for folder in folders)


def features_path(feature_settings: dict) -> pathlib.Path:
    key = hashlib.sha256(json.dumps(feature_settings, sort_keys=True).encode()).hexdigest()
    base = feature_settings["base"].replace(" ", "-").lower()
    name = (f"{base}-{feature_settings['cut_layer']}-{feature_settings['image_size']}px-"
            f"{key[:20]}.npz")
    return hosting.data_dir() / "features" / feature_settings["dataset"] / name


class Progress:
    def __init__(self, on_progress, total: int):
        self.on_progress, self.total, self.done = on_progress, total, 0

    def advance(self, pictures: int):
        self.done += pictures
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


def extract_features(extractor: keras.Model, base_name: str, pixel_scaling: str, batches,
                     augmentation_layers, views: int, progress: Progress) -> tuple:
    """Every picture of `batches` (0..255) through the cut network, once (or once per
    augmented view), scaled by `pixel_scaling` after augmenting. Returns float32 features,
    (pictures, ...) or (views, pictures, ...), and the labels."""
    features_per_view = [[] for _ in range(max(views, 1))]
    labels = []
    for pictures, batch_labels in batches:
        labels.append(batch_labels.numpy())
        for view_features in features_per_view:
            view = pictures
            for layer in augmentation_layers or ():
                view = layer(view, training=True)
            prepared = transfer.prepare_pictures(base_name, view, pixel_scaling)
            view_features.append(extractor.predict_on_batch(prepared))
            progress.advance(len(pictures))
    features = numpy.stack([numpy.concatenate(parts) for parts in features_per_view])
    return (features if views else features[0]), numpy.concatenate(labels)


def save_features(feature_set: FeatureSet):
    """Write the features whole or not at all (whole_files.written_whole)."""
    dtype = feature_set.settings["stored_as"]
    try:
        with whole_files.written_whole(feature_set.path) as partial_path, \
                open(partial_path, "wb") as file:
            numpy.savez(file, training_features=feature_set.training_features.astype(dtype),
                        training_labels=feature_set.training_labels,
                        validation_features=feature_set.validation_features.astype(dtype),
                        validation_labels=feature_set.validation_labels,
                        class_names=numpy.array(feature_set.class_names),
                        settings=numpy.array(json.dumps(feature_set.settings, sort_keys=True)))
    except OSError:
        pass  # a full or read-only disk costs the next learner time, not this one the features


def load_features(path: pathlib.Path, feature_settings: dict) -> typing.Optional[FeatureSet]:
    """The stored features, or None when there are none (or they are damaged, then removed)."""
    if not path.is_file():
        return None
    started = time.perf_counter()
    try:
        with numpy.load(path, allow_pickle=False) as stored:
            stored_settings = json.loads(str(stored["settings"]))
            stored_as = stored_settings.pop("stored_as")
            if stored_settings != json.loads(json.dumps(feature_settings, sort_keys=True)):
                raise ValueError("the stored settings are not these")
            arrays = {name: stored[name] for name in stored.files}
    except Exception:  # noqa: BLE001 - whatever is wrong, computing again cures it
        path.unlink(missing_ok=True)
        return None
    return FeatureSet(
        arrays["training_features"].astype("float32"), arrays["training_labels"],
        arrays["validation_features"].astype("float32"), arrays["validation_labels"],
        [str(name) for name in arrays["class_names"]],
        {**feature_settings, "stored_as": stored_as},
        describe(feature_settings["augmentation"]), path, from_disk=True,
        seconds=time.perf_counter() - started)
