"""Every lesson's accuracy bar, checked over three seeds (issue 11): a bar holds when the lowest
of the three clears it.

    KERAS_CLASSROOM_DATA_DIR=<data dir> python -m benchmarks.quality_bars [--only dense]

Each run is the lesson's default run (its `default_job()`, what a new learner's page and
`python -m engine.prepare` train) with the seed changed, trained by the job's own function,
as a worker trains it. Measures: test accuracy for Fashion-MNIST (lessons 3 and 4), final
validation accuracy for horses-or-humans (lesson 5) and for both classifiers of the transfer
pair (lesson 7, on horses-or-humans and on cats-vs-dogs: six values per dataset).
"""

import argparse
import dataclasses
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import compare  # noqa: E402
from engine import convolutions  # noqa: E402
from engine import dropout_pair  # noqa: E402
from engine import fashion_mnist  # noqa: E402
from engine import jobs  # noqa: E402
from engine import real_world  # noqa: E402

SEEDS = (0, 1, 2)


def test_accuracy(result) -> list:
    return [result.extras["test_accuracy"]]


def final_validation(result) -> list:
    return [values[-1] for name, values in result.history.items()
            if name.endswith("val_accuracy")]


def pair_on(dataset: str):
    """Lesson 7's default pair on another course dataset."""
    def default_job():
        return dropout_pair.job(dataclasses.replace(dropout_pair.default_job().settings,
                                                    dataset=dataset))
    return default_job


# name -> (the default job, what is measured, the bar)
BARS = {
    "dense": (fashion_mnist.default_job, test_accuracy, 0.87),
    "convnet": (convolutions.default_job, test_accuracy, 0.89),
    "horses-or-humans convnet": (real_world.default_job, final_validation, 0.80),
    "transfer pair, horses-or-humans": (pair_on("horse-or-human"), final_validation, 0.95),
    "transfer pair, cats-vs-dogs": (pair_on("cats_and_dogs_filtered"), final_validation, 0.85),
}


def measure(name: str) -> list:
    default_job, measured, bar = BARS[name]
    values = []
    for seed in SEEDS:
        job = default_job()
        result = job.train(dataclasses.replace(job.settings, seed=seed), jobs.QuietReporter())
        values += measured(result)
        print(f"  {name}, seed {seed}: " + ", ".join(f"{value:.4f}" for value in
                                                     measured(result)), flush=True)
    print(f"bar {name}: mean {statistics.mean(values):.4f}, lowest {min(values):.4f} over "
          f"seeds {SEEDS} ({len(values)} values); bar {bar}: "
          f"{'met' if min(values) >= bar else 'NOT met'}", flush=True)
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(BARS), action="append",
                        help="measure only these bars (repeatable)")
    arguments = parser.parse_args()
    print(compare.machine_line())
    for name in arguments.only or BARS:
        measure(name)


if __name__ == "__main__":
    main()
