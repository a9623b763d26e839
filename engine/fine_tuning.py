"""Lesson 7's optional last step, fine-tuning: after the new classifier has learned, unlock the
top blocks of the pretrained network below the cut and train them too, gently.

The course says "some lower layers can be retrained" and leaves it there; the Keras
transfer-learning guide adds the two precautions engine.frozen_base.fine_tuning_model takes
(BatchNormalization kept in inference mode, a learning rate ten times smaller than the
head's). Fine-tuning changes the network's weights, so the features stored on disk no longer
apply: pictures go through the network in every epoch, which is why it is slow and why it
runs on a copy of the network's layers below the cut (the lesson's frozen one is shared).
"""

import dataclasses
import time

import keras

from engine import dropout_pair
from engine import frozen_base
from engine import image_folders
from engine import jobs
from engine import run_cache
from engine import training
from engine import transfer

RUN_KIND = "fine-tuning"
RECIPE_VERSION = 1

DEFAULT_EPOCHS = 2
LEARNING_RATE = 0.00001
# The course's batches of 20 pictures: every picture goes through the network again, so the
# batch decides the size of the activations kept for the backward pass (measured: 110 MB
# less server memory than batches of 50 with InceptionV3 cut at mixed7).
BATCH_SIZE = 20


@dataclasses.dataclass
class FineTuningRun:
    history: dict  # Keras' logs per epoch: loss, accuracy, val_loss, val_accuracy
    model: keras.Model  # pictures -> prediction, the unlocked layers retrained
    unfreeze_after: str
    unlocked: frozen_base.ParameterCounts  # of the whole model, once the top blocks are open
    validation_accuracy_before: float
    seconds: float
    stopped_early: bool = False
    partial_epoch: dict = None  # see training.LiveProgress


def unfreeze_choices(cut_layer_names: list, cut_layer_name: str) -> list:
    """The cut points below the cut, nearest first: unfreezing after the first of them opens
    one block, after the second two blocks, and so on."""
    below = cut_layer_names[:cut_layer_names.index(cut_layer_name)]
    return list(reversed(below))


def network_copy(frozen: frozen_base.FrozenNetwork, cut_layer_name: str):
    """A copy of the network's layers up to the cut, weights included: fine-tuning changes
    them, and `frozen` (built once per server) is shared by every learner. Copying only
    what is below the cut also leaves out InceptionV3's mixed8 to mixed10."""
    below_cut = keras.Model(frozen.model.input, frozen_base.cut_layer(
        frozen.model, frozen.base_name, cut_layer_name).output, name="network_to_cut")
    copy = keras.models.clone_model(below_cut)
    copy.set_weights(below_cut.get_weights())
    return dataclasses.replace(frozen, model=copy)


def fine_tune(frozen: frozen_base.FrozenNetwork, cut_layer_name: str, head_model: keras.Model,
              unfreeze_after: str, folder_data, epochs: int, pixel_scaling: str,
              reporter=jobs.QuietReporter(), callbacks=()) -> FineTuningRun:
    """Train the classifier `head_model` (trained on stored features) together with the
    layers of the network between `unfreeze_after` and the cut, on `folder_data`'s pictures
    (image_folders.FolderData, 0..255) scaled by `pixel_scaling` (a key of
    engine.transfer.SCALINGS: the head's features were scaled so). `frozen` and
    `head_model` are left as they were. `callbacks`: more Keras callbacks for `fit` that
    only watch (TensorBoard's)."""
    started = time.perf_counter()
    base_name = frozen.base_name
    network = network_copy(frozen, cut_layer_name)
    head = keras.models.clone_model(head_model)
    head.set_weights(head_model.get_weights())
    head.compile(loss=head_model.loss)  # fine_tuning_model takes the head's loss
    model = frozen_base.fine_tuning_model(network, cut_layer_name, head, unfreeze_after,
                                          LEARNING_RATE)

    def prepared_pictures(batches):
        return batches.unbatch().batch(BATCH_SIZE).map(lambda pictures, labels: (
            transfer.prepare_pictures(base_name, pictures, pixel_scaling), labels))

    pictures, validation = (prepared_pictures(folder_data.training),
                            prepared_pictures(folder_data.validation))
    reporter.on_step("Measuring validation accuracy before fine-tuning", 0, 0)
    before = model.evaluate(validation, verbose=0, return_dict=True)["accuracy"]
    watcher = training.LiveProgress(-(-folder_data.training_count // BATCH_SIZE),
                                    reporter.on_epoch, reporter.on_batch,
                                    reporter.should_stop, batch_interval=1,
                                    on_end=reporter.on_training_end)
    model.fit(pictures, validation_data=validation, epochs=epochs,
              callbacks=[watcher, *callbacks], verbose=0)
    return FineTuningRun(watcher.history, model, unfreeze_after,
                         frozen_base.parameter_counts(model), float(before),
                         time.perf_counter() - started, watcher.stopped_early,
                         watcher.partial_epoch)


@dataclasses.dataclass(frozen=True)
class FineTuneSettings:
    """Fine-tuning `head_name` of the finished pair `pair` with the layers after
    `unfreeze_after` unlocked, for `epochs` epochs; `tensorboard`: also write TensorBoard
    logs (watches only: not in the key)."""

    RUN_KIND = RUN_KIND  # class constant, not a setting: tells tensorboard_folder the lesson

    pair: dropout_pair.PairSettings
    head_name: str
    unfreeze_after: str
    epochs: int = DEFAULT_EPOCHS
    tensorboard: bool = False

    def as_dict(self) -> dict:
        return {"pair": self.pair.as_dict(), "head_name": self.head_name,
                "unfreeze_after": self.unfreeze_after, "epochs": self.epochs,
                "tensorboard": self.tensorboard}

    def key_dict(self) -> dict:
        return {**self.as_dict(), "pair": self.pair.key_dict()}


def train_job(settings: FineTuneSettings, reporter) -> run_cache.RunResult:
    """The job the page submits: the pair's trained head, the kept network and the
    pictures, then `fine_tune`. Raises ValueError when the pair is not trained."""
    pair = settings.pair
    pair_run = run_cache.load_run(dropout_pair.RUN_KIND, dropout_pair.job(pair).key)
    if pair_run is None:
        raise ValueError("Train both classifiers to the end (part 3) before fine-tuning one.")
    reporter.on_step("Copying the network and reading the pictures", 0, 0)
    frozen = frozen_base.kept_frozen_network(pair.base_name, pair.weights(), pair.image_size,
                                             pair.seed)
    course_dataset = pair.dataset if pair.training_folder is None else None
    pictures = image_folders.load_pictures(course_dataset, pair.training_folder,
                                           pair.validation_folder, pair.image_size,
                                           BATCH_SIZE, pair.seed)
    run = fine_tune(frozen, pair.cut_layer_name, pair_run.model[settings.head_name],
                    settings.unfreeze_after, pictures, settings.epochs, pair.pixel_scaling,
                    reporter, training.tensorboard_callbacks(settings))
    extras = {"validation_accuracy_before": run.validation_accuracy_before,
              "trainable_parameters": run.unlocked.trainable, "training_seconds": run.seconds,
              "partial_epoch": run.partial_epoch}
    return run_cache.RunResult(run.model, run.history, extras, complete=not run.stopped_early)


def job(settings: FineTuneSettings) -> jobs.Job:
    return jobs.Job(RUN_KIND, RECIPE_VERSION, train_job, settings, settings.epochs)
