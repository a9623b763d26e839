"""Lessons 5 and 6: the course's convnet on real pictures in class folders, with and
without augmentation. Training reuses the live progress, stop and disk cache of lesson 3."""

import dataclasses
import time

import keras
import numpy
import tensorflow

from engine import image_folders
from engine import recipes
from engine import run_cache
from engine import training

RUN_KIND = "real-world"
RECIPE_VERSION = 1


@dataclasses.dataclass(frozen=True)
class RealWorldSettings:
    """Every choice that changes what is learned. `dataset` is a registry key, or
    "upload-<sha256 of the zip>" for a learner's own pictures."""

    RUN_KIND = RUN_KIND

    dataset: str = "horse-or-human"
    image_size: int = 150  # the course's "speed up at the cost of accuracy": 300, 150, 100
    conv_blocks: int = 5
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 0.001
    seed: int = 0
    augmentation: tuple = ()  # (name, value) pairs of the augmentation lesson's settings

    def as_dict(self) -> dict:
        settings = dataclasses.asdict(self)
        settings["augmentation"] = [list(pair) for pair in self.augmentation]
        return settings


def train_real_world(folder_data: image_folders.FolderData, settings: RealWorldSettings,
                     augmentation_layers=(), on_epoch=None, on_batch=None,
                     should_stop=None) -> run_cache.RunResult:
    keras.utils.set_random_seed(settings.seed)
    model = recipes.real_world_model(settings.image_size, settings.conv_blocks,
                                     len(folder_data.class_names), settings.learning_rate)
    training_batches = folder_data.training
    if augmentation_layers:
        # Only the training pictures are augmented, freshly every epoch; validation
        # pictures stay as they are (the course's "do we augment validation data?": no).
        augment = keras.Sequential(list(augmentation_layers))
        training_batches = training_batches.map(
            lambda pictures, labels: (augment(pictures, training=True), labels),
            num_parallel_calls=tensorflow.data.AUTOTUNE)

    live = training.LiveProgress(folder_data.steps_per_epoch, on_epoch, on_batch, should_stop,
                                 batch_interval=2)
    started = time.perf_counter()
    model.fit(training_batches, validation_data=folder_data.validation,
              epochs=settings.epochs, callbacks=[live], verbose=0)
    seconds = time.perf_counter() - started

    facts = evaluate(model, folder_data)
    probabilities = facts.pop("validation_probabilities")
    extras = {**facts, "training_seconds": seconds, "parameters": model.count_params(),
              "class_names": folder_data.class_names}
    return run_cache.RunResult(model, live.history, extras,
                               {"validation_probabilities": probabilities},
                               complete=not live.stopped_early)


def train_or_reuse(folder_data, settings: RealWorldSettings, augmentation_layers=(),
                   on_epoch=None, on_batch=None, on_wait=None) -> run_cache.Run:
    return run_cache.train_once(
        RUN_KIND, settings.as_dict(), RECIPE_VERSION,
        lambda: train_real_world(folder_data, settings, augmentation_layers, on_epoch,
                                 on_batch), on_wait)


def run_key(settings: RealWorldSettings) -> str:
    return run_cache.run_key(RUN_KIND, settings.as_dict(), RECIPE_VERSION)


def first_batch(folder_data: image_folders.FolderData, count: int = 16):
    """Up to `count` training pictures (uint8), evenly spaced over the folders so that every
    class shows, with their class names, for a grid. The same ones on every rerun: they are
    read from the kept pictures, not from the training shuffle, whose order changes."""
    pictures, class_indices = folder_data.training_sample(count)
    return pictures, [folder_data.class_names[index] for index in class_indices]


def predict_pictures(model: keras.Model, pictures: numpy.ndarray, class_names) -> numpy.ndarray:
    """Class probabilities for pictures (n, size, size, 3) in 0..255. A binary model's one
    sigmoid output p is the probability of the second class (folders sort alphabetically)."""
    return training.class_probabilities(model.predict(pictures.astype("float32"), verbose=0))


def evaluate(model: keras.Model, folder_data: image_folders.FolderData) -> dict:
    """Validation loss, accuracy and probabilities: after training, or of a model whose
    training the learner stopped."""
    validation_loss, validation_accuracy = model.evaluate(folder_data.validation, verbose=0)
    return {"validation_loss": float(validation_loss),
            "validation_accuracy": float(validation_accuracy),
            "validation_probabilities": model.predict(folder_data.validation, verbose=0)}
