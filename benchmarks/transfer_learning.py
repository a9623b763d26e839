"""Transfer learning: the course's two runs (without and with Dropout(0.2)) against the
classroom's paired comparison on features computed once, in one process on the same data,
broken into what each change buys (issue 11).

    python -m benchmarks.transfer_learning [--repeats 3] [--measured-epochs 3]
    python -m benchmarks.transfer_learning --accuracy [--repeats 3]

Data: the folder named by KERAS_CLASSROOM_DATA_DIR (datasets/ and models/ as the registry lays
them out), else ../shared/data. Every repeat links it into a fresh temporary data directory,
so no features stored by an earlier repeat are found: extraction is always timed.

Timing (InceptionV3 cut at mixed7, weights=None because the ImageNet file is not offline here;
the time of an epoch does not depend on the numbers in the weights), horses-or-humans, 500
training and 256 validation pictures at 150x150, 20 epochs per run:
  course      `model.fit` of the whole frozen model, batches of 20 pictures rescaled by 1/255,
              once without and once with dropout (recipes.transfer_head_model).
  classroom   features computed once (`transfer_features.cached_features`: building the
              network, decoding and extraction included), then both heads on them
              (`dropout_pair.train_paired`), then the course's full models put back together.
              Three ways: batch 20 without XLA (features once, alone), batch 20 with XLA (the
              like-for-like row: the course's network, optimiser, batch and epochs), and
              batch 50 with XLA (the lesson's default).
Each run measures `--measured-epochs` epochs and takes its 20-epoch time as setup + first
epoch + 19 times the median later epoch, on both sides alike (said so in the output); with
--measured-epochs 20 nothing is extrapolated.

Accuracy (`--accuracy`): MobileNet 0.25 with its real ImageNet weights (cut at
conv_pw_13_relu), fully trained, 20 epochs, on horses-or-humans and cats-vs-dogs, seeds 0,
1, 2: the course's recipe against the classroom at batch 20 and at batch 50, final validation
accuracy of both heads.
"""

import argparse
import os
import pathlib
import statistics
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from benchmarks import compare  # noqa: E402
from engine import course_assets  # noqa: E402
from engine import dropout_pair  # noqa: E402
from engine import frozen_base  # noqa: E402
from engine import hosting  # noqa: E402
from engine import image_folders  # noqa: E402
from engine import recipes  # noqa: E402
from engine import registry  # noqa: E402
from engine import transfer  # noqa: E402
from engine import transfer_features  # noqa: E402
from engine import weights_files  # noqa: E402

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DATASET = "horse-or-human"
EPOCHS = 20
COURSE_BATCH = 20  # the course's generators: batch_size=20
# (label, batch size, XLA): the classroom's ways, from engineering alone to the default.
CLASSROOM_WAYS = (
    ("features once, without XLA", COURSE_BATCH, False),
    ("like-for-like", COURSE_BATCH, True),
    ("default", dropout_pair.DEFAULT_BATCH_SIZE, True),
)


# Where the real data is, read once: link_data points the variable at each fresh folder.
CONFIGURED = os.environ.get(hosting.DATA_DIR_VARIABLE)


def link_data(folder: pathlib.Path):
    """Point a fresh data directory at the real datasets and weights, without copying."""
    configured = CONFIGURED
    os.environ[hosting.DATA_DIR_VARIABLE] = str(folder)
    if configured:
        source = pathlib.Path(configured).expanduser()
        for part in ("datasets", "models"):
            if (source / part).exists():
                (folder / part).symlink_to(source / part)
        return source
    for asset in (course_assets.HORSE_OR_HUMAN, course_assets.CATS_AND_DOGS_FILTERED):
        for split in asset.splits:
            target = registry.image_folder(asset.key, split)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to((SHARED_DATA / asset.key / split).resolve())
    weights = registry.asset_path(course_assets.MOBILENET_V1_025_224_NOTOP)
    weights.parent.mkdir(parents=True, exist_ok=True)
    weights.symlink_to((SHARED_DATA / "weights" / weights.name).resolve())
    return SHARED_DATA.resolve()


def twenty_epochs(setup: float, epoch_ends: list, epochs: int = EPOCHS) -> float:
    """Seconds for `epochs` epochs from the epochs measured: measured when all ran, else setup
    + first epoch (it also traces and decodes) + the median later epoch for each missing one.
    `epoch_ends`: seconds from the start of training to the end of each epoch."""
    if len(epoch_ends) >= epochs:
        return setup + epoch_ends[epochs - 1]
    durations = [end - start for start, end in zip([0.0] + epoch_ends, epoch_ends)]
    later = statistics.median(durations[1:] or durations)
    return setup + durations[0] + later * (epochs - 1)


class EpochClock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.ends, self.started = [], time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.ends.append(time.perf_counter() - self.started)


def course_run(base_name, cut_layer_name, weights, dropout_rate, epochs, seed,
               dataset=DATASET):
    """The course's code path, pictures through the whole frozen network in every epoch.
    Returns (history, setup seconds, epoch ends in seconds)."""
    started = time.perf_counter()
    folder_data = image_folders.load_dataset(dataset, (150, 150), batch_size=COURSE_BATCH,
                                             seed=seed)
    weights_file = weights_files.resolve_weights(base_name, weights, seed).path
    keras.utils.set_random_seed(seed)
    pre_trained_model = transfer.base_choice(base_name).build(weights_file, (150, 150, 3))
    recipes.freeze_layers(pre_trained_model)
    model = recipes.transfer_head_model(pre_trained_model, cut_layer_name, dropout_rate)
    scaling = transfer.base_choice(base_name).default_scaling  # as the lesson's default
    training, validation = (split.map(lambda pictures, labels: (
        transfer.prepare_pictures(base_name, pictures, scaling), labels))
        for split in (folder_data.training, folder_data.validation))
    clock = EpochClock()
    # The course's fit(generator) never passes shuffle; Keras 3 still warns that its default
    # shuffle=True does not apply to an already shuffled dataset.
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed")
    history = model.fit(training, validation_data=validation, epochs=epochs, callbacks=[clock],
                        verbose=0)
    return history.history, clock.started - started, clock.ends


def course_pair_seconds(epochs_measured, seed) -> float:
    """The course's two InceptionV3 runs, without and with dropout, in seconds for 20 epochs."""
    total = 0.0
    for dropout_rate in (None, 0.2):
        _, setup, ends = course_run("InceptionV3", "mixed7", None, dropout_rate,
                                    epochs_measured, seed)
        total += twenty_epochs(setup, ends)
    return total


def heads_without_xla(use_xla: bool):
    """recipes.feature_head_model as the lesson builds it, or with XLA switched off: how
    the benchmark measures what XLA buys without a switch in the engine."""
    build = recipes.feature_head_model
    if use_xla:
        return build

    def build_without_xla(*arguments, **keywords):
        model = build(*arguments, **keywords)
        model.jit_compile = False
        return model
    return build_without_xla


def train_heads(features, epochs, batch_size, use_xla, seed):
    """Both heads on stored features; returns (run, seconds for 20 epochs of both)."""
    ends = []
    original = recipes.feature_head_model
    recipes.feature_head_model = heads_without_xla(use_xla)
    try:
        run = dropout_pair.train_paired(
            features.training_features, features.training_labels,
            features.validation_features, features.validation_labels, epochs=epochs,
            batch_size=batch_size, dropout_rate=0.2, seed=seed,
            on_epoch=lambda run: ends.append(run.seconds))
    finally:
        recipes.feature_head_model = original
    return run, twenty_epochs(0.0, ends)


def classroom_seconds(epochs_measured, seed) -> dict:
    """Features once, then both heads each way of CLASSROOM_WAYS; seconds for 20 epochs by
    label, each including the extraction and the course's full models put back together."""
    started = time.perf_counter()
    features = transfer_features.cached_features(DATASET, "InceptionV3", None, "mixed7",
                                                 seed=seed)
    extraction = time.perf_counter() - started
    seconds, last_run = {}, None
    for label, batch_size, use_xla in CLASSROOM_WAYS:
        last_run, seconds[label] = train_heads(features, epochs_measured, batch_size, use_xla,
                                               seed)
    started = time.perf_counter()
    frozen = frozen_base.build_frozen_network("InceptionV3", None, 150, seed)
    for head in last_run.models.values():
        frozen_base.full_model(frozen, "mixed7", head)
    assembly = time.perf_counter() - started
    print(f"    classroom: features computed in {extraction:.1f} s, the course's full models "
          f"put together in {assembly:.1f} s", flush=True)
    return {label: extraction + heads + assembly for label, heads in seconds.items()}


def timing(repeats, epochs_measured):
    course, classroom = [], {label: [] for label, _, _ in CLASSROOM_WAYS}
    for repeat in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            link_data(pathlib.Path(folder))
            course_seconds, classroom_by_way = compare.in_turn(
                repeat, lambda: course_pair_seconds(epochs_measured, repeat),
                lambda: classroom_seconds(epochs_measured, repeat))
        course.append(course_seconds)
        for label, value in classroom_by_way.items():
            classroom[label].append(value)
        print(f"  repeat {repeat + 1}: course {course_seconds:.1f} s; " + "; ".join(
            f"{label} {value:.1f} s" for label, value in classroom_by_way.items()), flush=True)
    extrapolated = ("" if epochs_measured >= EPOCHS else
                    f"; 20 epochs extrapolated from {epochs_measured} measured on both sides")
    for label, batch_size, use_xla in CLASSROOM_WAYS:
        differs = {"features once, without XLA": "XLA off (the lesson uses it)",
                   "default": f"batch size {batch_size}"}.get(label)
        print(compare.comparison_line(label, course, classroom[label], differs=differs)
              + extrapolated)


def final_accuracies(history_by_head: dict) -> list:
    return [history_by_head[name]["val_accuracy"][-1]
            for name in (dropout_pair.WITHOUT_DROPOUT, dropout_pair.WITH_DROPOUT)]


def accuracy(repeats):
    """MobileNet 0.25 with ImageNet weights: final validation accuracy of both heads, the
    course's recipe against the classroom at batch 20 and 50, one line per dataset and way."""
    cut = "conv_pw_13_relu"
    for dataset in (DATASET, "cats_and_dogs_filtered"):
        found = {"course": [], COURSE_BATCH: [], dropout_pair.DEFAULT_BATCH_SIZE: []}
        for seed in range(repeats):
            histories = {}
            for name, dropout_rate in ((dropout_pair.WITHOUT_DROPOUT, None),
                                       (dropout_pair.WITH_DROPOUT, 0.2)):
                histories[name] = course_run("MobileNet 0.25", cut, "imagenet", dropout_rate,
                                             EPOCHS, seed, dataset)[0]
            found["course"] += final_accuracies(histories)
            features = transfer_features.cached_features(dataset, "MobileNet 0.25",
                                                         "imagenet", cut, seed=seed)
            for batch_size in (COURSE_BATCH, dropout_pair.DEFAULT_BATCH_SIZE):
                run, _ = train_heads(features, EPOCHS, batch_size, True, seed)
                found[batch_size] += final_accuracies(run.histories)
            print(f"  {dataset}, seed {seed}: " + "; ".join(
                f"{way} {found[way][-2]:.4f} / {found[way][-1]:.4f}" for way in found),
                flush=True)
        for way in (COURSE_BATCH, dropout_pair.DEFAULT_BATCH_SIZE):
            label = "like-for-like" if way == COURSE_BATCH else "default"
            print(f"accuracy {label} (MobileNet 0.25 ImageNet, {dataset}, classroom batch "
                  f"{way}, final validation accuracy of both heads, seeds 0-{repeats - 1}): "
                  f"course median {statistics.median(found['course']):.4f} lowest "
                  f"{min(found['course']):.4f} vs classroom median "
                  f"{statistics.median(found[way]):.4f} lowest {min(found[way]):.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--measured-epochs", type=int, default=3,
                        help="epochs each run really trains; 20 are extrapolated from them")
    parser.add_argument("--accuracy", action="store_true",
                        help="MobileNet's accuracies instead of InceptionV3's times")
    arguments = parser.parse_args()
    print(compare.machine_line())
    if arguments.accuracy:
        with tempfile.TemporaryDirectory() as folder:
            print(f"data: {link_data(pathlib.Path(folder))}")
            accuracy(arguments.repeats)
    else:
        timing(arguments.repeats, max(2, arguments.measured_epochs))
    print(compare.machine_line())


if __name__ == "__main__":
    main()
