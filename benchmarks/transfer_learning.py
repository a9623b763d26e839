"""Transfer learning: the course's two runs (without and with Dropout(0.2)) against the
classroom's paired comparison on features computed once, in one process on the same data.

    python -m benchmarks.transfer_learning [--recipe-epochs N]

Data: the folder named by KERAS_CLASSROOM_DATA_DIR (datasets/ and models/ as the registry lays
them out), else ../shared/data. Either way it is linked into a fresh temporary data directory,
so no features stored by an earlier run are found: extraction is always timed.

(a) The course's recipe: InceptionV3(weights=None) frozen, cut at mixed7, Flatten,
    Dense(1024), [Dropout(0.2)], Dense(1); `model.fit(train, validation_data=validation,
    epochs=20)` with batches of 20 pictures rescaled by 1/255; once without and once with
    dropout. weights=None because the ImageNet file is not offline here; the time per epoch
    does not depend on the numbers in the weights. With --recipe-epochs N < 20 the recipe runs
    N epochs and its 20-epoch time is extrapolated (said so in the output).
(b) The classroom: `transfer_features.cached_features` (building the network, decoding the
    pictures and the extraction included) then `train_paired` for 20 epochs of both heads
    (batches of the lesson's default size, dropout_pair.DEFAULT_BATCH_SIZE),
    then both heads put back on the network as the course's full models.
(c) The same comparison with MobileNet 0.25 and its real ImageNet weights, both ways, on
    horses-or-humans and cats-vs-dogs, to check that the fast way loses no accuracy.
Peak memory is the process's maxrss after each part, so (b) runs first.
"""

import argparse
import os
import pathlib
import platform
import resource
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from engine import dropout_pair  # noqa: E402
from engine import image_folders  # noqa: E402
from engine import recipes  # noqa: E402
from engine import registry  # noqa: E402
from engine import settings  # noqa: E402
from engine import transfer  # noqa: E402
from engine import transfer_features  # noqa: E402

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DATASET = "horse-or-human"


def link_data(folder: pathlib.Path):
    """Point a fresh data directory at the real datasets and weights, without copying."""
    configured = os.environ.get(settings.DATA_DIR_VARIABLE)
    os.environ[settings.DATA_DIR_VARIABLE] = str(folder)
    if configured:
        source = pathlib.Path(configured).expanduser()
        for part in ("datasets", "models"):
            if (source / part).exists():
                (folder / part).symlink_to(source / part)
        return source
    for asset in (registry.HORSE_OR_HUMAN, registry.CATS_AND_DOGS_FILTERED):
        for split in asset.splits:
            target = registry.image_folder(asset.key, split)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to((SHARED_DATA / asset.key / split).resolve())
    weights = registry.asset_path(registry.MOBILENET_V1_025_224_NOTOP)
    weights.parent.mkdir(parents=True, exist_ok=True)
    weights.symlink_to((SHARED_DATA / "weights" / weights.name).resolve())
    return SHARED_DATA.resolve()


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB


class EpochClock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds, self.started = [], time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def course_recipe(base_name, cut_layer_name, weights, dropout_rate, epochs, seed,
                  dataset=DATASET):
    """The course's code path: pictures through the whole frozen network in every epoch."""
    started, cpu_started = time.perf_counter(), time.process_time()
    folder_data = image_folders.load_dataset(dataset, (150, 150), batch_size=20, seed=seed)
    weights_file = transfer.resolve_weights(base_name, weights, seed).path
    keras.utils.set_random_seed(seed)
    pre_trained_model = transfer.base_choice(base_name).build(weights_file, (150, 150, 3))
    recipes.freeze_layers(pre_trained_model)
    model = recipes.transfer_head_model(pre_trained_model, cut_layer_name, dropout_rate)
    scaling = transfer.base_choice(base_name).default_scaling  # as cached_features' default
    training = folder_data.training.map(lambda pictures, labels: (
        transfer.prepare_pictures(base_name, pictures, scaling), labels))
    validation = folder_data.validation.map(lambda pictures, labels: (
        transfer.prepare_pictures(base_name, pictures, scaling), labels))
    clock = EpochClock()
    # The course's fit(generator) never passes shuffle; Keras 3 still warns that its default
    # shuffle=True does not apply to an already shuffled dataset.
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed")
    history = model.fit(training, validation_data=validation, epochs=epochs, callbacks=[clock],
                        verbose=0)
    setup = clock.started - started
    return history.history, setup, clock.seconds, time.process_time() - cpu_started


def recipe_time(setup, epoch_ends, epochs_wanted):
    """Measured total, or (when fewer epochs ran) setup + first epoch + the mean of the later
    ones for each missing epoch; the first epoch also decodes pictures and traces the model."""
    if len(epoch_ends) >= epochs_wanted:
        return setup + epoch_ends[-1], "measured"
    durations = [end - start for start, end in zip([0.0] + epoch_ends, epoch_ends)]
    later = durations[1:] or durations
    mean_later = sum(later) / len(later)
    total = setup + durations[0] + mean_later * (epochs_wanted - 1)
    return total, (f"EXTRAPOLATED from {len(epoch_ends)} measured epochs: setup {setup:.1f} s, "
                   f"first epoch {durations[0]:.1f} s, later epochs {mean_later:.1f} s each")


def classroom(base_name, cut_layer_name, weights, epochs, seed, batch_size, dataset=DATASET):
    started, cpu_started = time.perf_counter(), time.process_time()
    features = transfer_features.cached_features(dataset, base_name, weights, cut_layer_name,
                                                 seed=seed)
    extracted = time.perf_counter() - started
    run = dropout_pair.train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, epochs=epochs, batch_size=batch_size, dropout_rate=0.2,
        seed=seed)
    prepared = transfer.build_base(base_name, weights, 150, seed)
    full_models = [transfer.full_model(prepared, cut_layer_name, head)
                   for head in run.models.values()]
    assert len(full_models) == 2
    total, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    again = time.perf_counter()
    transfer_features.cached_features(dataset, base_name, weights, cut_layer_name, seed=seed)
    return run, features, extracted, (total, cpu_seconds), time.perf_counter() - again


def accuracy_line(name, history):
    values = history["val_accuracy"]
    last_five = values[-5:]
    return (f"  {name:<16} val_accuracy last {values[-1]:.4f}, mean of last {len(last_five)} "
            f"{sum(last_five) / len(last_five):.4f}, best {max(values):.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--recipe-epochs", type=int, default=20,
                        help="epochs the InceptionV3 recipe really runs (the rest extrapolated)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classroom-batch", type=int,
                        default=dropout_pair.DEFAULT_BATCH_SIZE,
                        help="the classroom's batch size (default: the lesson's default)")
    parser.add_argument("--skip-mobilenet", action="store_true")
    arguments = parser.parse_args()
    epochs, recipe_epochs = arguments.epochs, min(arguments.recipe_epochs, arguments.epochs)
    batch_size = arguments.classroom_batch
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start, Python {platform.python_version()}, "
          f"Keras {keras.__version__}")

    with tempfile.TemporaryDirectory() as folder:
        source = link_data(pathlib.Path(folder))
        print(f"data: {source} (linked into a fresh data directory {folder})")
        print(f"{DATASET}: 500 training and 256 validation pictures at 150x150, cut at mixed7, "
              f"{epochs} epochs; course batches of 20, classroom batches of {batch_size}\n")

        print("(b) classroom: features once, then both heads on them (InceptionV3, weights=None)")
        run, features, extracted, (classroom_seconds, classroom_cpu), reload_seconds = classroom(
            "InceptionV3", "mixed7", None, epochs, arguments.seed, batch_size)
        print(f"  features {features.training_features.shape[1:]} stored as "
              f"{features.settings['stored_as']}: computed in {extracted:.1f} s, read back from "
              f"disk in {reload_seconds:.2f} s")
        print(f"  both heads, {epochs} epochs each: {run.seconds:.1f} s "
              f"({run.seconds / (2 * epochs):.2f} s per head and epoch, XLA compile included); "
              f"end to end {classroom_seconds:.1f} s, CPU time {classroom_cpu:.1f} s")
        print(f"  peak memory so far {peak_memory_mb():,.0f} MB\n")

        print(f"(a) course recipe: the full frozen model, {recipe_epochs} epochs per run")
        recipe_total, recipe_cpu = 0.0, 0.0
        for dropout_rate in (None, 0.2):
            _, setup, epoch_ends, cpu_seconds = course_recipe(
                "InceptionV3", "mixed7", None, dropout_rate, recipe_epochs, arguments.seed)
            seconds, how = recipe_time(setup, epoch_ends, epochs)
            recipe_total += seconds
            recipe_cpu += cpu_seconds * epochs / recipe_epochs  # scaled like the time, if so
            print(f"  dropout {dropout_rate}: {seconds:.1f} s for {epochs} epochs ({how}), "
                  f"CPU time {cpu_seconds:.1f} s for {recipe_epochs} epochs")
        print(f"  both runs: {recipe_total:.1f} s; peak memory so far {peak_memory_mb():,.0f} MB")
        print(f"\nratio: course recipe {recipe_total:.1f} s / classroom {classroom_seconds:.1f} s"
              f" = {recipe_total / classroom_seconds:.1f}x (target 6x); in CPU time "
              f"{recipe_cpu:.1f} s / {classroom_cpu:.1f} s = {recipe_cpu / classroom_cpu:.1f}x")
        print(f"load average now {os.getloadavg()[0]:.1f} (other programs slow both sides)")

        if arguments.skip_mobilenet:
            return
        print("\n(c) MobileNet 0.25 with its ImageNet weights, cut at conv_pw_13_relu, both ways")
        for dataset in (DATASET, "cats_and_dogs_filtered"):
            compare_accuracy(dataset, epochs, arguments.seed, batch_size)
        print(f"  peak memory {peak_memory_mb():,.0f} MB")


def compare_accuracy(dataset, epochs, seed, batch_size):
    cut = "conv_pw_13_relu"
    run, _, _, (mobilenet_classroom, _), _ = classroom("MobileNet 0.25", cut, "imagenet",
                                                       epochs, seed, batch_size, dataset)
    recipe_histories, recipe_seconds = {}, 0.0
    for name, dropout_rate in ((dropout_pair.WITHOUT_DROPOUT, None),
                               (dropout_pair.WITH_DROPOUT, 0.2)):
        history, setup, epoch_ends, _ = course_recipe("MobileNet 0.25", cut, "imagenet",
                                                      dropout_rate, epochs, seed, dataset)
        recipe_histories[name] = history
        recipe_seconds += setup + epoch_ends[-1]
    print(f" {dataset}: recipe both runs {recipe_seconds:.1f} s, classroom "
          f"{mobilenet_classroom:.1f} s")
    for name in recipe_histories:
        print(accuracy_line(f"recipe, {name}", recipe_histories[name]))
        print(accuracy_line(f"classroom, {name}", run.histories[name]))
        gap = run.histories[name]["val_accuracy"][-1] - recipe_histories[name][
            "val_accuracy"][-1]
        print(f"  {name}: classroom minus recipe, last epoch: {gap * 100:+.1f} points "
              f"(target within 2)")


if __name__ == "__main__":
    main()
