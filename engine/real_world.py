"""Lessons 5 and 6: the course's convnet on real pictures in class folders, with and
without augmentation, trained as server jobs (engine/jobs.py) like every lesson."""

import dataclasses
import time

import keras
import numpy

from engine import augment
from engine import image_folders
from engine import jobs
from engine import recipes
from engine import run_cache
from engine import training

RUN_KIND = "real-world"
# 2: pictures decoded by engine.images (EXIF, palettes) and batches gathered from kept pixels
# in a fresh seeded order per run; augmentation layers seeded from the run's seed.
RECIPE_VERSION = 2


@dataclasses.dataclass(frozen=True)
class RealWorldSettings:
    """Every choice that changes what is learned. `dataset` is a registry key, or an id of a
    learner's pictures ("upload-<sha256 of the zip>", "folder-<fingerprint>") found in
    `training_folder` and `validation_folder` (where they are, which changes nothing learned).
    `augmentation`: (name, value) pairs of engine.augment.AugmentSettings, or () for none."""

    RUN_KIND = RUN_KIND

    dataset: str = "horse-or-human"
    training_folder: str = None
    validation_folder: str = None
    image_size: int = 150  # the course's "speed up at the cost of accuracy": 300, 150, 100
    conv_blocks: int = 5
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 0.001
    seed: int = 0
    augmentation: tuple = ()  # (name, value) pairs of the augmentation lesson's settings
    tensorboard: bool = False  # also write TensorBoard logs (watches only: not in the key)

    def as_dict(self) -> dict:
        settings = dataclasses.asdict(self)
        settings["augmentation"] = [list(pair) for pair in self.augmentation]
        return settings

    def key_dict(self) -> dict:
        """What changes the learned weights: not where the pictures lie (the dataset id says
        which they are), and of the augmentation only the layers it makes (rescale and a
        fill mode that no layer uses change nothing: the model rescales itself)."""
        settings = self.as_dict()
        del settings["training_folder"], settings["validation_folder"]
        settings["augmentation"] = augment.layer_recipes(self.augment_settings())
        return settings

    def augment_settings(self) -> augment.AugmentSettings:
        return augment.AugmentSettings(**dict(self.augmentation))


def train_job(settings: RealWorldSettings, reporter) -> run_cache.RunResult:
    """The job the page submits (engine/jobs.py): the pictures, read from plain settings in
    the worker (decoded once, kept on disk), then the run."""
    course_dataset = settings.dataset if settings.training_folder is None else None
    data = image_folders.load_pictures(course_dataset, settings.training_folder,
                                       settings.validation_folder, settings.image_size,
                                       settings.batch_size, settings.seed)
    layers = augment.augmentation_layers(settings.augment_settings(), seed=settings.seed)
    return train_real_world(data, settings, layers, reporter)


def train_real_world(folder_data: image_folders.FolderData, settings: RealWorldSettings,
                     augmentation_layers=(), reporter=jobs.QuietReporter()) -> run_cache.RunResult:
    keras.utils.set_random_seed(settings.seed)
    model = recipes.real_world_model(settings.image_size, settings.conv_blocks,
                                     len(folder_data.class_names), settings.learning_rate)
    training_batches = folder_data.training
    if augmentation_layers:
        # Only the training pictures are augmented, freshly every epoch; validation
        # pictures stay as they are (the course's "do we augment validation data?": no).
        augment_pictures = keras.Sequential(list(augmentation_layers))
        training_batches = training_batches.map(
            lambda pictures, labels: (augment_pictures(pictures, training=True), labels))

    live = training.LiveProgress(folder_data.steps_per_epoch, reporter.on_epoch,
                                 reporter.on_batch, reporter.should_stop, batch_interval=1,
                                 on_end=reporter.on_training_end)
    started = time.perf_counter()
    model.fit(training_batches, validation_data=folder_data.validation,
              epochs=settings.epochs,
              callbacks=[live, *training.tensorboard_callbacks(settings)], verbose=0)
    seconds = time.perf_counter() - started

    facts = evaluate(model, folder_data)
    probabilities = facts.pop("validation_probabilities")
    extras = {**facts, "training_seconds": seconds, "parameters": model.count_params(),
              "class_names": folder_data.class_names, "partial_epoch": live.partial_epoch}
    return run_cache.RunResult(model, live.history, extras,
                               {"validation_probabilities": probabilities},
                               complete=not live.stopped_early)


def job(settings: RealWorldSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)


def default_job() -> jobs.Job:
    """Lesson 5's run as a new visitor opens it: horses or humans with the classroom defaults
    (RealWorldSettings()), the page's starting controls and what `python -m engine.prepare`
    trains."""
    return job(RealWorldSettings())


# Lesson 6's experiment, small enough for a live class: two runs of it take about two minutes
# on a laptop. Only the training pictures' augmentation differs between the two.
AUGMENTATION_EXPERIMENT = RealWorldSettings(dataset="cats_and_dogs_filtered", image_size=100,
                                            conv_blocks=4, epochs=20, batch_size=32)
# The course's two augmentation lessons (course 2, week 2), by dataset: cats vs dogs, where
# augmentation narrows the gap, and horses or humans, where it does not help.
AUGMENTATION_DATASETS = ("cats_and_dogs_filtered", "horse-or-human")


def augmentation_jobs(augment_settings: augment.AugmentSettings = augment.COURSE_SETTINGS,
                      epochs: int = AUGMENTATION_EXPERIMENT.epochs,
                      tensorboard: bool = False,
                      dataset: str = AUGMENTATION_EXPERIMENT.dataset) -> tuple:
    """Lesson 6's pair of runs, (without, with augmentation), `epochs` each, on `dataset` (one
    of AUGMENTATION_DATASETS; ValueError otherwise), the second with `augment_settings`, both
    writing TensorBoard logs when `tensorboard`. With no arguments: the runs a new visitor
    sees, on cats vs dogs, which `python -m engine.prepare` trains."""
    if dataset not in AUGMENTATION_DATASETS:
        raise ValueError(f"Lesson 6 trains on {' or '.join(AUGMENTATION_DATASETS)}, not "
                         f"{dataset!r}.")
    plain = dataclasses.replace(AUGMENTATION_EXPERIMENT, epochs=epochs, tensorboard=tensorboard,
                                dataset=dataset)
    augmented = dataclasses.replace(plain, augmentation=tuple(
        (field.name, getattr(augment_settings, field.name))
        for field in dataclasses.fields(augment_settings)))
    return job(plain), job(augmented)


def first_batch(folder_data: image_folders.FolderData, count: int = 16):
    """Up to `count` training pictures (uint8), evenly spaced over the folders so that every
    class shows, with their class names, for a grid. The same ones on every rerun: they are
    read from the kept pictures, not from the training shuffle, whose order changes."""
    pictures, class_indices = folder_data.training_sample(count)
    return pictures, [folder_data.class_names[index] for index in class_indices]


def predict_pictures(model: keras.Model, pictures: numpy.ndarray, class_names) -> numpy.ndarray:
    """Class probabilities for pictures (n, size, size, 3) in 0..255. A binary model's one
    sigmoid output p is the probability of the second class (folders sort alphabetically)."""
    return training.class_probabilities(model.predict(model_inputs(pictures), verbose=0))


def model_inputs(pictures: numpy.ndarray) -> numpy.ndarray:
    """Pictures (n, size, size, 3) with values 0..255 as the convnet takes them: as they are,
    in float32, since its first layer rescales them (recipes.real_world_model)."""
    return pictures.astype("float32")


def evaluate(model: keras.Model, folder_data: image_folders.FolderData) -> dict:
    """Validation loss, accuracy and probabilities: after training, or of a model whose
    training the learner stopped."""
    validation_loss, validation_accuracy = model.evaluate(folder_data.validation, verbose=0)
    return {"validation_loss": float(validation_loss),
            "validation_accuracy": float(validation_accuracy),
            "validation_probabilities": model.predict(folder_data.validation, verbose=0)}
