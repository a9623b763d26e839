"""Lesson 7's pixel scaling: the course's 0..1 against the network's own -1..1, measured.

    python -m benchmarks.pixel_scaling [--seeds 0 1 2] [--epochs 20]

The course feeds InceptionV3 pictures divided by 255 (0..1), while its ImageNet weights were
trained on preprocess_input's -1..1. InceptionV3's ImageNet file is not offline here, so this
measures the same question on MobileNet 0.25 with its real ImageNet weights: the lesson's
default pair (cut at conv_pw_13_relu, 150x150 pictures, Flatten, Dense(1024), Dense(1),
without and with Dropout(0.2), 20 epochs, batches of dropout_pair.DEFAULT_BATCH_SIZE) on
horses-or-humans and cats-vs-dogs, once per seed and scaling, exactly as the lesson's job
trains it (engine.dropout_pair.train_job).

The seed decides the heads' starting weights and the order of their batches; the features
of a course dataset do not depend on it, so they are computed once per dataset and scaling.

Data: as benchmarks/transfer_learning.py, linked into a fresh temporary data directory.
Ends with one line per dataset and scaling: the final validation accuracy over the seeds,
mean and minimum, of each classifier and of both together; then one line per dataset with
the difference of the means.
"""

import argparse
import os
import pathlib
import platform
import statistics
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from benchmarks.transfer_learning import link_data  # noqa: E402
from engine import dropout_pair  # noqa: E402
from engine import jobs  # noqa: E402
from engine import transfer  # noqa: E402
from engine import weights_files  # noqa: E402

BASE = "MobileNet 0.25"
DATASETS = ("horse-or-human", "cats_and_dogs_filtered")


def final_accuracies(dataset: str, scaling: str, seed: int, epochs: int) -> dict:
    """{classifier: final validation accuracy} of the lesson's pair, trained as its job."""
    weights = weights_files.resolve_weights(BASE)
    settings = dropout_pair.PairSettings(
        base_name=BASE, weights_identity=weights.identity, weights_path=str(weights.path),
        pixel_scaling=scaling, cut_layer_name=transfer.base_choice(BASE).default_cut,
        dataset=dataset, epochs=epochs, seed=seed)
    result = dropout_pair.train_job(settings, jobs.QuietReporter())
    histories = dropout_pair.histories(result.history)
    return {name: history["val_accuracy"][-1] for name, history in histories.items()}


def summary_line(dataset: str, scaling: str, runs: list, seeds: list) -> str:
    parts = []
    for name in runs[0]:
        values = [run[name] for run in runs]
        parts.append(f"{name} mean {statistics.mean(values):.4f}, min {min(values):.4f}")
    both = [value for run in runs for value in run.values()]
    parts.append(f"both mean {statistics.mean(both):.4f}, min {min(both):.4f}")
    return (f"pixel scaling: {dataset}, {transfer.pixel_scaling(scaling).title}: "
            f"{'; '.join(parts)} (final validation accuracy, seeds "
            f"{', '.join(map(str, seeds))})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    arguments = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start, Python {platform.python_version()}, "
          f"Keras {keras.__version__}")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        source = link_data(pathlib.Path(folder))
        print(f"data: {source} (linked into a fresh data directory {folder})")
        for dataset in DATASETS:
            for scaling in transfer.SCALINGS:
                runs = []
                for seed in arguments.seeds:
                    runs.append(final_accuracies(dataset, scaling, seed, arguments.epochs))
                    print(f"  {dataset}, {scaling}, seed {seed}: " + ", ".join(
                        f"{name} {value:.4f}" for name, value in runs[-1].items()), flush=True)
                results[dataset, scaling] = runs
    print(f"load average now {os.getloadavg()[0]:.1f}\n")
    for (dataset, scaling), runs in results.items():
        print(summary_line(dataset, scaling, runs, arguments.seeds))
    for dataset in DATASETS:
        differences = []
        for name in results[dataset, "course"][0]:
            means = {scaling: statistics.mean(run[name] for run in results[dataset, scaling])
                     for scaling in transfer.SCALINGS}
            differences.append(f"{name} {means['network'] - means['course']:+.4f}")
        print(f"pixel scaling: {dataset}, network's -1..1 minus course's 0..1 (means): "
              f"{', '.join(differences)}")


if __name__ == "__main__":
    main()
