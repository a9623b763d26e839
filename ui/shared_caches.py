"""The one place where engine results meet Streamlit's caches.

`st.cache_resource` objects are shared by every session in the server process: a result
computed for one learner is reused by the next. Treat everything returned here as read-only.
"""

import os
import threading

import cachetools
import numpy
import streamlit as st

from engine import keras_lock


# What the runs kept in memory may weigh together, for every session of the server: each
# run counts its models' weights and optimizer state and its arrays (run_bytes). The heaviest,
# lesson 7's pair cut at mixed7, holds two Dense(1024) of 38.5 million float32 weights:
# 0.31 GB, 0.62 GB with RMSprop's stored velocities, so it fits beside the other lessons' runs.
RUN_STORE_BYTES = 1_000_000_000
# Lesson 7's course models share their layers with a run and a network already kept, so they
# are counted, not weighed.
COURSE_MODELS_KEPT = 3


class NothingToLoad(Exception):
    """ResultStore.get_or_load's `load` found nothing to load."""


class ResultStore:
    """A thread-safe map from settings to finished results, shared by every session, that
    drops the least recently used once its entries weigh more than `most` together.
    cachetools' LRUCache does the bounding: unlike `st.cache_resource(max_entries=...)`, it
    weighs each entry (`weigh(result)`, 1 each by default), and one store holds runs of a few
    kilobytes and of more than half a gigabyte. A result heavier than the whole store is returned by
    its caller but not kept."""

    def __init__(self, most: int, weigh=None):
        self.results = cachetools.LRUCache(maxsize=most, getsizeof=weigh)
        self.lock = threading.Lock()  # cachetools' caches are not thread-safe themselves
        # cachetools' condition: while one thread loads a key, the others asking for it wait
        # for that load instead of loading it too (a class opening a lesson at once).
        self._load_once = cachetools.cached(
            self.results, key=lambda key, load: key,
            condition=threading.Condition(self.lock))(lambda key, load: load())

    def get_or_load(self, key, load):
        """The result kept for `key`, else `load()`'s, kept for the next asker. However many
        threads ask at once, one calls `load()` and the others wait for its result. When
        `load()` returns None (nothing to load), None is returned and nothing is kept."""
        def load_or_raise():
            result = load()
            if result is None:
                raise NothingToLoad  # an exception is not kept: the next asker looks again
            return result

        try:
            return self._load_once(key, load_or_raise)
        except NothingToLoad:
            return None

    def get(self, key):
        with self.lock:
            return self.results.get(key)

    def put(self, key, result) -> None:
        with self.lock:
            try:
                self.results[key] = result
            except ValueError:  # cachetools: "value too large" for the whole store
                pass

    def keys(self) -> list:
        """The keys kept, least recently used first."""
        with self.lock:
            return list(self.results)


def run_bytes(run) -> int:
    """What a run keeps in memory, in bytes: every weight and optimizer variable of its model
    (or models), and its arrays."""
    models = run.model.values() if isinstance(run.model, dict) else [run.model]
    total = sum(numpy.asarray(array).nbytes for array in (run.arrays or {}).values())
    for model in models:
        if model is None:
            continue
        variables = list(model.weights)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            variables += list(optimizer.variables)
        total += sum(int(numpy.prod(variable.shape)) * numpy.dtype(variable.dtype).itemsize
                     for variable in variables)
    return max(total, 1)


@st.cache_resource
def result_store() -> ResultStore:
    """Finished and stopped runs (fine-tuned models and lesson 7's pairs among them), one
    store for the whole server, at most RUN_STORE_BYTES."""
    return ResultStore(RUN_STORE_BYTES, weigh=run_bytes)


@st.cache_resource
def transfer_store() -> ResultStore:
    """Lesson 7's course models, each a trained head put back on the network, kept apart
    because a head after mixed7 holds 38.5 million weights: the last three only, so that new
    settings cannot grow the server past its memory (BENCHMARKS.md, whole-app memory)."""
    return ResultStore(COURSE_MODELS_KEPT)


@st.cache_resource(show_spinner="Loading Fashion-MNIST...")
def fashion_mnist_data():
    """The 70,000 pictures, read from disk once per server and shared (read-only)."""
    from engine import datasets

    return datasets.load_fashion_mnist()


@st.cache_data(show_spinner="Building the broken model and calling fit...")
def exercise_error(name: str) -> str:
    """The line of Keras' error that lesson 3's broken model `name` (engine/exercises.py)
    meets in `fit`: the same for every learner, so computed once per server."""
    from engine import exercises

    (training_images, training_labels), _ = fashion_mnist_data()
    with keras_lock.building():  # the broken model's layers, made in a page's thread
        return exercises.keras_error(exercises.by_name(name), training_images, training_labels)


def stored_run(kind: str, key: str):
    """A finished run from memory, else from the disk cache (kept in memory afterwards)."""
    from engine import run_cache

    def load():
        with keras_lock.building():  # loading a model makes its layers
            return run_cache.load_run(kind, key)

    return result_store().get_or_load((kind, key), load)


def stopped_run(kind: str, key: str):
    """The last stopped run of these settings, from the disk (kept in memory until another
    stop replaces it), or None."""
    from engine import run_cache

    folder = run_cache.run_folder(kind, key, run_cache.STOPPED_SHELF)
    try:
        stamp = folder.stat().st_mtime_ns  # a newer stop is a new folder
    except OSError:
        return None
    def load():
        with keras_lock.building():
            return run_cache.load_run(kind, key, run_cache.STOPPED_SHELF)

    return result_store().get_or_load((kind, key, stamp), load)


@st.cache_resource(show_spinner="Reading and resizing the pictures...", max_entries=6)
def loaded_pictures(dataset_id: str, dataset_key, training_folder, validation_folder,
                    image_size: int, batch_size: int, seed: int):
    """A course dataset's or a learner's pictures, decoded once per size and shared
    (read-only); `dataset_id` (registry key, or the zip's or folder's fingerprint) keys the
    cache. The pixels themselves stay on disk, memory-mapped (engine.picture_store), so an
    entry keeps little memory of its own."""
    from engine import image_folders

    return image_folders.load_pictures(dataset_key, training_folder, validation_folder,
                                       image_size, batch_size, seed)


def still_unpacked(extracted) -> bool:
    """Whether a cached upload's folder is still on disk, marking it used now: an upload a
    learner opened in the last 24 hours is not abandoned (uploads.remove_abandoned_uploads
    goes by the folder's modification time). False once it was removed, so Streamlit drops
    the entry and the zip is unpacked again instead of training on a missing folder."""
    try:
        os.utime(extracted.folder)
    except FileNotFoundError:
        return False
    return True


@st.cache_resource(show_spinner="Checking and unpacking your zip...", max_entries=8,
                   validate=still_unpacked)
def extracted_zip(digest: str, _zip_bytes: bytes):
    """A learner's zip, checked and extracted once per content: `digest` (its sha256) is
    the cache key; the leading underscore keeps Streamlit from hashing the bytes again."""
    from engine import hosting
    from engine import uploads

    root = hosting.picture_uploads_folder()
    root.mkdir(parents=True, exist_ok=True)
    uploads.remove_abandoned_uploads(root)  # folders of sessions long gone
    # ...and those a server upgraded in place kept from before uploads/pictures/ (2026-11-30),
    # unpacked straight into uploads/; the weights folder beside it has another name.
    uploads.remove_abandoned_uploads(root.parent)
    return uploads.extract_class_folders(_zip_bytes, root)


@st.cache_resource(show_spinner="Building the pretrained network...", max_entries=3)
def frozen_network(base_name: str, weights_identity: str, weights_path, image_size: int,
                   seed: int):
    """A frozen pretrained network, built once per (network, weights, size) and shared;
    `weights_identity` (the file's hash, or "random-seed-N") is what the cache keys on."""
    from engine import frozen_base
    from engine import weights_files

    import pathlib

    weights = weights_files.Weights(pathlib.Path(weights_path) if weights_path else None,
                                    weights_identity, "")
    with keras_lock.building():
        return frozen_base.build_frozen_network(base_name, weights, image_size, seed)


def course_model(pair_key: str, complete: bool, head_name: str, frozen, cut_layer_name: str,
                 head_model):
    """The course's Model(pre_trained_model.input, x) made from a trained pair's head, kept in
    the transfer store (three at most): it shares the head's and the network's layers."""
    from engine import frozen_base

    store = transfer_store()
    key = (pair_key, complete, head_name, id(frozen.model))
    model = store.get(key)
    if model is None:
        with keras_lock.building():
            model = frozen_base.full_model(frozen, cut_layer_name, head_model)
        store.put(key, model)
    return model


@st.cache_data(max_entries=32, show_spinner=False)
def augment_preview(picture: numpy.ndarray, settings, count: int, seed: int) -> numpy.ndarray:
    """engine.augment.preview_grid, drawn once per server for the same picture, settings,
    count and seed (the same seed gives the same draws): building the layers and drawing 16
    views took 0.1-0.2 s of CPU for every learner's view of lesson 6."""
    from engine import augment

    return augment.preview_grid(picture, settings, count=count, seed=seed)


@st.cache_data(max_entries=32, show_spinner=False)
def convnet_summary(settings) -> list:
    """engine.convolutions.summary_rows, once per server for the same settings: building the
    model for its summary took 0.1 s of CPU for every learner's view of lesson 4."""
    from engine import convolutions

    return convolutions.summary_rows(settings)


# A finished run's maps are the same for every learner who looks at the same pictures: one
# predict per server instead of one per page view (0.1-0.3 s of CPU each, py-spy under load).
# Eight sets of a few MiB each; pages only read them.
@st.cache_resource(max_entries=8, show_spinner=False)
def maps_and_first_lively_filter(run_key: str, key_prefix: str, chosen: tuple, _model,
                                 _pictures, _prepare) -> tuple:
    """The layer viewer's feature maps of a finished run (`run_key`) for the `chosen` pictures
    (indices into `_pictures`, prepared by `_prepare`), and the filter to show first:
    engine.activations.maps_and_first_lively_filter, computed once per server."""
    from engine import activations

    return activations.maps_and_first_lively_filter(_model, _prepare(_pictures[list(chosen)]))
