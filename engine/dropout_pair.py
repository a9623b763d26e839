"""Lesson 7's dropout experiment, the course's two runs made a fair pair: a classifier
without and one with Dropout, trained on the same stored features (engine/transfer_features.py)
from the same starting weights on the same batches, as one server job (engine/jobs.py).

A pair is one run in the run cache, its two heads kept as a dictionary of models and their
histories flattened as "<head>: <metric>" (the CSV the page exports has the same columns).
"""

import dataclasses
import pathlib
import time

import keras
import numpy

from engine import augment
from engine import frozen_base
from engine import jobs
from engine import recipes
from engine import run_cache
from engine import training
from engine import transfer
from engine import transfer_features
from engine import weights_files

RUN_KIND = "dropout-pair"
# 1: features from engine.images' pixels; the heads' batches drawn by one seeded shuffle.
RECIPE_VERSION = 1


WITHOUT_DROPOUT = "without dropout"
WITH_DROPOUT = "with dropout"
# The course's generators hand out batches of 20. The classroom's default is 50: the same
# heads in fewer, larger steps. Measured with MobileNet's ImageNet features (20 epochs, both
# heads): horses-or-humans validation 0.996 at 20 and at 50; cats-vs-dogs 0.885 and 0.895 at
# 20, 0.890 and 0.885 at 50. InceptionV3's Dense(1024) after mixed7 then trains 1.7 times
# faster per epoch (2.09 s against 1.23 s), since RMSprop's update of its 38.5 million
# weights runs once per step. BENCHMARKS.md has the runs.
DEFAULT_BATCH_SIZE = 50
# Validation only predicts, so its batch size changes nothing but speed: every batch reads
# all of Dense(1024)'s weights (150 MB after mixed7) once.
VALIDATION_BATCH_SIZE = 256


@dataclasses.dataclass
class PairedRun:
    """The two classifiers of the course's dropout experiment, trained so far."""

    dropout_rate: float
    epochs: int  # asked for
    models: dict  # WITHOUT_DROPOUT / WITH_DROPOUT -> head model on features
    histories: dict  # same keys -> {"loss", "accuracy", "val_loss", "val_accuracy": [...]}
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def epochs_done(self) -> int:
        return min(len(history.get("loss", [])) for history in self.histories.values())


def paired_heads(feature_shape, dropout_rate: float = 0.2, classes: int = 2,
                 learning_rate: float = 0.0001, seed: int = 0) -> dict:
    """Two heads that differ only in the Dropout layer: built from the same seed, then the
    first one's starting weights copied into the second, layer by layer."""
    keras.utils.set_random_seed(seed)
    without_dropout = recipes.feature_head_model(feature_shape, None, classes, learning_rate)
    with_dropout = recipes.feature_head_model(feature_shape, dropout_rate, classes,
                                              learning_rate)
    dense_layers = [[layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
                    for model in (without_dropout, with_dropout)]
    for source, target in zip(*dense_layers):
        target.set_weights(source.get_weights())
    return {WITHOUT_DROPOUT: without_dropout, WITH_DROPOUT: with_dropout}


def train_paired(training_features, training_labels, validation_features, validation_labels,
                 epochs: int = 20, batch_size: int = DEFAULT_BATCH_SIZE, dropout_rate: float = 0.2,
                 seed: int = 0, learning_rate: float = 0.0001, on_epoch=None, on_batch=None,
                 should_stop=None, callbacks: dict = None) -> PairedRun:
    """The course's two runs, without and with Dropout(dropout_rate), made a fair comparison:
    the same starting weights, the same batches in the same order in every epoch (one seeded
    shuffle, shared), the same seed. Only the dropout differs.

    Training features of shape (views, pictures, ...) hold augmented views (see
    cached_features): each epoch then takes one seeded view per picture, the same for both.
    `on_epoch(run)` is called after every epoch of both; `on_batch(head_name, epoch, batch,
    steps)` within epochs; `should_stop()` ends training within one batch, keeping both
    models as trained so far (the head that was not interrupted may then be an epoch behind).
    `callbacks`: head name -> more Keras callbacks for that head's fits (TensorBoard's), which
    only watch.
    """
    training_features = numpy.asarray(training_features, dtype="float32")
    validation_features = numpy.asarray(validation_features, dtype="float32")
    views = training_features.ndim - validation_features.ndim  # 1 when augmented views
    if views not in (0, 1) or training_features.shape[views + 1:] != validation_features.shape[1:]:
        raise ValueError("Training and validation features must come from the same cut layer.")
    picture_count = training_features.shape[views]
    if len(training_labels) != picture_count or len(validation_labels) != len(
            validation_features):
        raise ValueError("There must be one label for every picture's features.")
    if epochs < 1 or batch_size < 1 or not 0 <= dropout_rate < 1:
        raise ValueError("Train for at least one epoch, with batches of at least one picture "
                         "and a dropout rate from 0 up to (not including) 1.")
    label_width = numpy.shape(training_labels)[-1] if numpy.ndim(training_labels) > 1 else 1
    heads = paired_heads(validation_features.shape[1:], dropout_rate,
                         2 if label_width == 1 else label_width, learning_rate, seed)
    run = PairedRun(dropout_rate, epochs, heads, {name: {} for name in heads})
    watchers = {name: training.LiveProgress(
        -(-picture_count // batch_size), should_stop=should_stop, batch_interval=5,
        on_batch=on_batch and (lambda epoch, batch, steps, name=name:
                               on_batch(name, epoch, batch, steps))) for name in heads}
    shuffler = numpy.random.default_rng(seed)
    started = time.perf_counter()
    for epoch in range(epochs):
        order = shuffler.permutation(picture_count)
        if views:
            chosen_views = shuffler.integers(training_features.shape[0], size=picture_count)
            epoch_features = training_features[chosen_views, order]
        else:
            epoch_features = training_features[order]
        epoch_labels = numpy.asarray(training_labels)[order]
        for name, head in heads.items():
            if should_stop is not None and should_stop():
                run.stopped_early = True
                break
            # shuffle=False: the order was drawn above, once for both heads.
            head.fit(epoch_features, epoch_labels, batch_size=batch_size, epochs=epoch + 1,
                     initial_epoch=epoch, shuffle=False,
                     validation_data=(validation_features, validation_labels),
                     validation_batch_size=VALIDATION_BATCH_SIZE,
                     callbacks=[watchers[name], *(callbacks or {}).get(name, [])],
                     verbose=0)
            run.histories[name] = watchers[name].history
            run.stopped_early = run.stopped_early or watchers[name].stopped_early
            if run.stopped_early:
                break
        run.seconds = time.perf_counter() - started
        if on_epoch is not None:
            on_epoch(run)
        if run.stopped_early:
            break
    return run


@dataclasses.dataclass(frozen=True)
class PairSettings:
    """Every choice that changes what the pair learns, and where to find what it needs.

    weights_path, training_folder, validation_folder: where the weights and pictures lie on
    the server (their identities, weights_identity and dataset, are what the key holds).
    pixel_scaling: how pictures are scaled before the network, a key of
    engine.transfer.SCALINGS (the page passes the network's default_scaling unless the
    learner picks the other).
    augmentation: (name, value) pairs of engine.augment.AugmentSettings, () for none; with
    some, `views` augmented views of every training picture are stored (transfer_features).
    tensorboard: also write TensorBoard logs, one folder per classifier (watches only: not
    in the key).
    """

    RUN_KIND = RUN_KIND  # class constant, not a setting: tells tensorboard_folder the lesson

    base_name: str = "InceptionV3"
    weights_identity: str = ""
    weights_path: str = None
    image_size: int = 150
    pixel_scaling: str = "course"
    cut_layer_name: str = "mixed7"
    dataset: str = "horse-or-human"
    training_folder: str = None
    validation_folder: str = None
    augmentation: tuple = ()
    views: int = 0
    dropout_rate: float = 0.2
    epochs: int = 20
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int = 0
    tensorboard: bool = False

    def as_dict(self) -> dict:
        settings = dataclasses.asdict(self)
        settings["augmentation"] = [list(pair) for pair in self.augmentation]
        return settings

    def key_dict(self) -> dict:
        settings = self.as_dict()
        # WATCHES_ONLY too, though a Job leaves them out: fine-tuning nests this dict.
        for not_learned in ("weights_path", "training_folder", "validation_folder",
                            *jobs.WATCHES_ONLY):
            del settings[not_learned]
        settings["augmentation"] = augment.layer_recipes(self.augment_settings())
        settings["views"] = self.views if settings["augmentation"] else 0
        # Runs stored before the field was renamed hold "cut_layer" in their key; keeping
        # that name keeps every prepared class's runs found.
        settings["cut_layer"] = settings.pop("cut_layer_name")
        return settings

    def augment_settings(self) -> augment.AugmentSettings:
        return augment.AugmentSettings(**dict(self.augmentation))

    def weights(self) -> weights_files.Weights:
        return weights_files.Weights(
            pathlib.Path(self.weights_path) if self.weights_path else None,
            self.weights_identity, "")

    def folders(self):
        """(training folder, validation folder or None) of a learner's pictures, or None for
        a course dataset."""
        if self.training_folder is None:
            return None
        return self.training_folder, self.validation_folder


def train_job(settings: PairSettings, reporter) -> run_cache.RunResult:
    """The job the page submits: the cut layer's features (computed once, kept on disk),
    then the pair trained on them."""
    frozen = frozen_base.kept_frozen_network(settings.base_name, settings.weights(),
                                             settings.image_size, settings.seed)
    layers = augment.augmentation_layers(settings.augment_settings(), seed=settings.seed)
    features = transfer_features.cached_features(
        settings.dataset, settings.base_name, settings.weights(), settings.cut_layer_name,
        settings.image_size, augmentation_layers=layers or None,
        augmented_views=settings.views if layers else 0, seed=settings.seed,
        on_progress=lambda done, total: reporter.on_step("Computing features", done, total),
        folders=settings.folders(), frozen=frozen, pixel_scaling=settings.pixel_scaling)
    run = train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, settings.epochs, settings.batch_size,
        settings.dropout_rate, settings.seed,
        on_epoch=lambda run: reporter.on_epoch(flat_histories(run.histories), run.epochs_done),
        on_batch=lambda name, epoch, batch, steps: reporter.on_batch(epoch, batch, steps),
        should_stop=reporter.should_stop,
        callbacks={name: training.tensorboard_callbacks(settings, name.replace(" ", "_"))
                   for name in (WITHOUT_DROPOUT, WITH_DROPOUT)})
    extras = {"class_names": features.class_names, "features_how": features.augmentation,
              "pixel_scaling": features.settings["pixel_scaling"],
              "features_from_disk": features.from_disk, "features_seconds": features.seconds,
              "training_seconds": run.seconds, "epochs_done": run.epochs_done}
    return run_cache.RunResult(run.models, flat_histories(run.histories), extras,
                               complete=not run.stopped_early)


def job(settings: PairSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)


def default_job() -> jobs.Job:
    """Lesson 7's pair as a new visitor opens it: the default network
    (transfer.default_base_name) with its ImageNet weights from the data directory, cut at its
    default layer, its default pixel scaling, horses or humans without augmentation, 20 epochs. `python -m
    engine.prepare` trains it. Raises downloads.MissingDataError when the weights are
    missing and cannot be downloaded."""
    base_name = transfer.default_base_name()
    choice = transfer.base_choice(base_name)
    weights = weights_files.resolve_weights(base_name)
    return job(PairSettings(base_name=base_name, weights_identity=weights.identity,
                            weights_path=str(weights.path), cut_layer_name=choice.default_cut,
                            pixel_scaling=choice.default_scaling))


def flat_histories(histories: dict) -> dict:
    """{head: {metric: [...]}} -> {"<head>: <metric>": [...]}, the run cache's history."""
    return {f"{head}: {metric}": list(values) for head, history in histories.items()
            for metric, values in history.items()}


def histories(flat: dict) -> dict:
    """The reverse of flat_histories: {head: {metric: [...]}}."""
    nested = {}
    for name, values in flat.items():
        head, metric = name.split(": ", 1)
        nested.setdefault(head, {})[metric] = values
    return nested
