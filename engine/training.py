"""Fast, observable training loops.

`model.fit` pays a fixed cost per epoch (callbacks, iterators, logging): about 40 ms on a
2-core machine, which is nearly all of the time when the whole dataset is six numbers. For
such full-batch problems we run many epochs inside one compiled TensorFlow loop, doing
exactly what `fit` does per epoch (one gradient step on the whole batch, loss measured before
the step), and hand control back every `chunk_epochs` epochs so the page can draw the curve
and the learner can stop.
"""

import csv
import dataclasses
import io
import math
import pathlib
import time
from typing import Callable, Optional

import keras
import numpy
import tensorflow

from engine import hosting
from engine import recipes
from engine import run_cache


@dataclasses.dataclass
class FullBatchHistory:
    """What a full-batch run learned, one entry per finished epoch."""

    losses: list = dataclasses.field(default_factory=list)
    # Every trainable number after each epoch, flattened (for one neuron: [w, b]).
    weights: list = dataclasses.field(default_factory=list)
    diverged_at_epoch: Optional[int] = None  # 1-based epoch whose loss was not finite
    stopped_early: bool = False

    @property
    def epochs_done(self) -> int:
        return len(self.losses)


def as_column(values) -> numpy.ndarray:
    """Numbers as the (n, 1) float32 column a one-input Dense layer expects."""
    return numpy.asarray(values, dtype="float32").reshape(-1, 1)


def make_epoch_runner(model: keras.Model, inputs, targets) -> Callable:
    """A compiled function that runs `steps` full-batch epochs and returns, per epoch, the
    loss before its update and the trainable numbers after it."""
    inputs = tensorflow.constant(inputs)
    targets = tensorflow.constant(targets)
    variables = model.trainable_variables

    @tensorflow.function
    def run_epochs(steps):
        losses = tensorflow.TensorArray(tensorflow.float32, size=steps)
        weights = tensorflow.TensorArray(tensorflow.float32, size=steps)
        for step in tensorflow.range(steps):
            with tensorflow.GradientTape() as tape:
                predictions = model(inputs, training=True)
                loss = model.compute_loss(x=inputs, y=targets, y_pred=predictions)
            gradients = tape.gradient(loss, variables)
            model.optimizer.apply(gradients, variables)
            losses = losses.write(step, loss)
            flat = [tensorflow.reshape(variable, [-1]) for variable in variables]
            weights = weights.write(step, tensorflow.concat(flat, axis=0))
        return losses.stack(), weights.stack()

    return run_epochs


def train_full_batch(
    model: keras.Model,
    inputs,
    targets,
    epochs: int,
    chunk_epochs: int = 50,
    on_progress: Optional[Callable[[FullBatchHistory], None]] = None,
    should_stop: Optional[Callable[[], bool]] = None,
) -> FullBatchHistory:
    """Train `model` for `epochs` full-batch epochs; same result as `model.fit(inputs,
    targets, epochs=epochs)` when the data fits in one batch (up to 32 rows), only faster.

    `on_progress(history)` is called after every chunk; `should_stop()` is asked before
    each chunk. Training also ends as soon as the loss stops being a finite number.
    """
    if epochs < 1:
        raise ValueError("Train for at least one epoch.")
    run_epochs = make_epoch_runner(model, as_column(inputs), as_column(targets))
    history = FullBatchHistory()
    while history.epochs_done < epochs:
        if should_stop is not None and should_stop():
            history.stopped_early = True
            break
        steps = min(chunk_epochs, epochs - history.epochs_done)
        losses, weights = run_epochs(tensorflow.constant(steps))
        if record_chunk(history, losses.numpy(), weights.numpy()):
            break
        if on_progress is not None:
            on_progress(history)
    return history


class ExamplesAsLists:
    """For the settings of lessons 1 and 2 (frozen dataclasses, their examples kept as tuples
    so that settings can be hashed): as_dict() with every tuple as a list, as a stored run's
    settings hold them."""

    def as_dict(self) -> dict:
        return {name: list(value) if isinstance(value, tuple) else value
                for name, value in dataclasses.asdict(self).items()}


def full_batch_run(model: keras.Model, history: FullBatchHistory, extras: dict,
                   weight_names=("weight", "bias")) -> run_cache.RunResult:
    """A full-batch run as the run cache keeps it: history "loss" and, per trainable number
    (named by `weight_names`, e.g. a neuron's weight and bias), its value after each epoch."""
    series = {"loss": list(history.losses)}
    for index, name in enumerate(weight_names):
        series[name] = [epoch_weights[index] for epoch_weights in history.weights]
    extras = {**extras, "diverged_at_epoch": history.diverged_at_epoch}
    return run_cache.RunResult(model, series, extras, complete=not history.stopped_early)


def full_batch_history(run, weight_names=("weight", "bias")) -> FullBatchHistory:
    """The reverse of full_batch_run: the FullBatchHistory of a stored run."""
    weights = [list(values) for values in zip(*(run.history[name] for name in weight_names))]
    return FullBatchHistory(list(run.history["loss"]), weights,
                            run.extras.get("diverged_at_epoch"), not run.complete)


def record_chunk(history: FullBatchHistory, losses, weights) -> bool:
    """Append one chunk; returns True when the loss diverged (and keeps only finite epochs)."""
    for loss, epoch_weights in zip(losses, weights):
        if not math.isfinite(float(loss)) or not numpy.all(numpy.isfinite(epoch_weights)):
            history.diverged_at_epoch = history.epochs_done + 1
            return True
        history.losses.append(float(loss))
        history.weights.append([float(value) for value in epoch_weights])
    return False


class LiveProgress(keras.callbacks.Callback):
    """Lets a job report and stop `model.fit`.

    After every epoch it appends Keras' logs to `history` and calls `on_epoch(history)`;
    every `batch_interval` batches it calls `on_batch(epoch, batch, steps_per_epoch)`
    (epoch 0-based, batch 1-based), so a long epoch still moves the progress bar. After each
    batch it asks `should_stop()`: Keras checks `model.stop_training` after every batch, so a
    stop takes effect within one batch, and the model keeps exactly the weights of that batch.
    When `fit` runs several batches per compiled call (`steps_per_execution`, see
    batches_per_step), Keras calls back once per call: the stop then lands at the call's end.

    Keras still validates and ends the epoch it stopped in, so that partial epoch is in
    `history` too; `partial_epoch` then says which it was ({"epoch": 3, "batches": 40,
    "of": 118}, epochs counted from 1), and is None when every epoch ran to its end.
    """

    def __init__(self, steps_per_epoch: int, on_epoch=None, on_batch=None, should_stop=None,
                 batch_interval: int = 25, on_end=None):
        super().__init__()
        self.on_end = on_end
        self.steps_per_epoch = steps_per_epoch
        self.on_epoch = on_epoch
        self.on_batch = on_batch
        self.should_stop = should_stop
        self.batch_interval = batch_interval
        self.history = {}
        self.current_epoch = 0
        self.stopped_early = False
        self.partial_epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        # With steps_per_execution > 1 Keras calls this once per compiled step, with the
        # index of its last batch, which can run past the epoch's end in the last step.
        batches_done = min(batch + 1, self.steps_per_epoch)
        if self.should_stop is not None and self.should_stop():
            self.stopped_early = True
            self.model.stop_training = True
            if batches_done < self.steps_per_epoch:
                self.partial_epoch = {"epoch": self.current_epoch + 1, "batches": batches_done,
                                      "of": self.steps_per_epoch}
        if self.on_batch is not None and batches_done % self.batch_interval == 0:
            self.on_batch(self.current_epoch, batches_done, self.steps_per_epoch)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        if self.on_epoch is not None:
            self.on_epoch(self.history)

    def on_train_end(self, logs=None):
        if self.on_end is not None:
            self.on_end()


# Pictures per compiled step of `fit` (see batches_per_step).
PICTURES_PER_STEP = 512


def batches_per_step(batch_size: int) -> int:
    """How many batches `fit` runs inside one compiled TensorFlow call (Keras'
    `steps_per_execution`): enough for about PICTURES_PER_STEP pictures, so small batches
    stop paying Python's per-batch cost (at the course's batch 32, 16 batches a call; at
    512, one). The arithmetic is the same batch by batch, so the weights are too (a test
    checks it); Stop and the progress bar then act once per call, a fraction of a second."""
    return max(1, PICTURES_PER_STEP // batch_size)


def fit_and_evaluate(model, training_set, test_set, settings, reporter) -> run_cache.RunResult:
    """The course's `model.fit` with the lesson's callbacks, then its `model.evaluate` on the
    test set: for lesson 3's dense network and lesson 4's convnet. A run the learner stopped
    is evaluated as it was at the stop, so the page can say what the kept model is worth.

    training_set, test_set: (images, labels), images already prepared for `model`.
    settings: epochs, batch_size, target_accuracy (None: no callback), tensorboard.
    reporter: engine.jobs.Reporter (progress, Stop) or QuietReporter."""
    training_images, training_labels = training_set
    test_images, test_labels = test_set
    steps_per_epoch = -(-len(training_images) // settings.batch_size)
    live = LiveProgress(steps_per_epoch, reporter.on_epoch, reporter.on_batch,
                        reporter.should_stop, batch_interval=1, on_end=reporter.on_training_end)
    callbacks = [live]
    stop_at_accuracy = None
    if settings.target_accuracy is not None:
        stop_at_accuracy = recipes.StopAtAccuracy(settings.target_accuracy)
        callbacks.append(stop_at_accuracy)
    callbacks += tensorboard_callbacks(settings)
    # Set before the first fit builds its compiled loop; compile() has left it at 1.
    model.steps_per_execution = batches_per_step(settings.batch_size)
    started = time.perf_counter()
    model.fit(training_images, training_labels, epochs=settings.epochs,
              batch_size=settings.batch_size, validation_data=(test_images, test_labels),
              callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - started

    test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    probabilities = model.predict(test_images, batch_size=1024, verbose=0)
    extras = {
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "training_seconds": seconds,
        "stopped_by_callback_at_epoch": stop_at_accuracy and stop_at_accuracy.stopped_at_epoch,
        "last_logs": stop_at_accuracy.last_logs if stop_at_accuracy else {},
        "parameters": model.count_params(),
        "partial_epoch": live.partial_epoch,
    }
    return run_cache.RunResult(model, live.history, extras,
                               {"test_probabilities": probabilities},
                               complete=not live.stopped_early)


def callback_outcome(run, target_accuracy: Optional[float], epochs: int) -> Optional[str]:
    """One sentence on what the course's callback did in `run` (engine.run_cache.Run or
    RunResult), from the run's own history (its "accuracy" list, one training accuracy per
    epoch) and extras ("stopped_by_callback_at_epoch", counted from 1), as lesson 3's page says it.
    None when the run had no callback (`target_accuracy` None), or when the learner stopped
    it before the callback did."""
    if target_accuracy is None:
        return None
    accuracies = run.history.get("accuracy", [])
    stopped_at = run.extras.get("stopped_by_callback_at_epoch")
    if stopped_at and stopped_at < epochs:
        return (f"Your callback stopped training after epoch {stopped_at} of {epochs}: "
                f"training accuracy {accuracies[stopped_at - 1]:.4f} passed the target "
                f"{target_accuracy:g}.")
    if stopped_at:
        return (f"Your callback's target {target_accuracy:g} was passed only in the last "
                f"epoch, {stopped_at} of {epochs} (training accuracy "
                f"{accuracies[stopped_at - 1]:.4f}), so there was nothing left to stop. A "
                "lower target, or more epochs, shows it stop a run early.")
    if not run.complete or not accuracies:
        return None
    best = max(range(len(accuracies)), key=accuracies.__getitem__)
    return (f"Your callback never stopped training: training accuracy reached at most "
            f"{accuracies[best]:.4f} (epoch {best + 1} of {epochs}), not above the target "
            f"{target_accuracy:g}. Lower the target, or train more epochs, to see it stop.")


def tensorboard_callbacks(settings, folder_name: str = "") -> list:
    """The course's TensorBoard callback when `settings.tensorboard` is on, else nothing: a
    list to add to `fit`'s callbacks, for every lesson that trains with `fit`. It writes
    into tensorboard_folder(settings), under `folder_name` when one run trains several models
    (lesson 7's pair)."""
    if not settings.tensorboard:
        return []
    folder = tensorboard_folder(settings) / folder_name if folder_name else \
        tensorboard_folder(settings)
    return [keras.callbacks.TensorBoard(folder, histogram_freq=1)]


def full_batch_tensorboard_logs(model: keras.Model, history: FullBatchHistory,
                                settings) -> None:
    """For lessons 1 and 2, whose full-batch runs replace `fit` (train_full_batch): once the
    run ends, hand each epoch to the course's TensorBoard callback as `fit` would have, so
    the logs hold what a `fit` run's hold: per epoch, the loss ("epoch_loss", before that
    epoch's step, as `fit` logs it), the optimiser's learning rate, and a histogram of every
    weight as it was after that epoch. Nothing when `settings.tensorboard` is off.

    history: its `weights` hold every trainable number after each epoch, flattened in the
    order of `model.trainable_variables` (make_epoch_runner). The model ends with the weights
    it had on entry (the run's final ones)."""
    callbacks = tensorboard_callbacks(settings)
    if not callbacks:
        return
    callback, = callbacks
    variables = model.trainable_variables
    final_weights = [variable.numpy() for variable in variables]
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, (loss, numbers) in enumerate(zip(history.losses, history.weights)):
        # The histograms read the model's variables: give them this epoch's values.
        offset = 0
        for variable in variables:
            size = int(numpy.prod(variable.shape))
            variable.assign(numpy.reshape(numbers[offset:offset + size], variable.shape))
            offset += size
        callback.on_epoch_end(epoch, {"loss": loss})
    callback.on_train_end()
    for variable, values in zip(variables, final_weights):
        variable.assign(values)


def tensorboard_folder(settings) -> pathlib.Path:
    """One folder per settings, under <data dir>/tensorboard/<lesson>/."""
    kind = settings.RUN_KIND
    key = run_cache.run_key(kind, settings.as_dict(), 1)[:12]
    return hosting.data_dir() / "tensorboard" / kind / key


def tensorboard_event_files(settings) -> list:
    """The TensorBoard event files the run of `settings` wrote (none when it was trained
    without the option, e.g. by a classmate before: the option is not part of a run's key)."""
    return sorted(tensorboard_folder(settings).rglob("events.out.tfevents.*"))


def tensorboard_command() -> str:
    folder = hosting.data_dir() / "tensorboard"
    return f"tensorboard --logdir {folder}"


def history_csv(history: dict) -> str:
    """The history as CSV, one row per epoch, for a spreadsheet."""
    names = list(history)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["epoch", *names])
    for epoch in range(max((len(values) for values in history.values()), default=0)):
        writer.writerow([epoch + 1, *(history[name][epoch] if epoch < len(history[name])
                                      else "" for name in names)])
    return buffer.getvalue()


def class_probabilities(outputs) -> numpy.ndarray:
    """A classifier's outputs as one probability per class: a binary model's single
    sigmoid p (the probability of the second class, as folders sort) becomes [1 - p, p]."""
    outputs = numpy.asarray(outputs)
    if outputs.shape[-1] == 1:
        return numpy.concatenate([1.0 - outputs, outputs], axis=-1)
    return outputs
