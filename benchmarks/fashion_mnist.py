"""Fashion-MNIST's dense network: the course's recipe against the classroom, one process.

    KERAS_CLASSROOM_DATA_DIR=<folder with datasets/fashion-mnist> python -m benchmarks.fashion_mnist [--repeats 3]

Course recipe, word for word: `training_images / 255.0`, the course's model and Adam 0.001,
`model.fit(training_images, training_labels, epochs=5)` (batch 32), then
`model.evaluate(test_images, test_labels)`; timed from the division to the evaluation's end.
The classroom runs `fashion_mnist.train_fashion_mnist` exactly as the page does (validation on
the test set after every epoch for the curves, the final evaluation and the predictions for
the confusion matrix all inside its time), twice per repeat:
- like-for-like: with the course's settings (fashion_mnist.COURSE_RECIPE); only how it runs
  differs (float32 pictures, several batches per compiled step of fit);
- default: with the lesson's default settings, which differ from the course (named in the line).
One seed per repeat, the same on every side; the sides take turns going first. Targets from
issue 11: like-for-like at least 2x. Then the default run is stored and read back from the
disk cache, as a page does after a restart (target under 0.5 s).
"""

import argparse
import dataclasses
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import compare  # noqa: E402
from engine import datasets  # noqa: E402
from engine import fashion_mnist  # noqa: E402
from engine import recipes  # noqa: E402
from engine import run_cache  # noqa: E402


def course_recipe(data, seed: int) -> tuple:
    """(seconds, test accuracy) of the course's own code."""
    def prepare(training_images, test_images):
        return training_images / 255.0, test_images / 255.0
    return compare.timed_course_recipe(data, seed, prepare, recipes.fashion_mnist_model)


def classroom(data, settings) -> tuple:
    """(seconds, test accuracy, the run) of the lesson's routine with `settings`."""
    return compare.timed_classroom(fashion_mnist.train_fashion_mnist, data, settings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    print(compare.machine_line())
    data = datasets.load_fashion_mnist()
    recipe, default = fashion_mnist.COURSE_RECIPE, fashion_mnist.FashionSettings()
    times = {"course": [], "like-for-like": [], "default": []}
    accuracies = {"course": [], "like-for-like": [], "default": []}
    for seed in range(arguments.repeats):
        (course_seconds, course_accuracy), same = compare.in_turn(
            seed, lambda: course_recipe(data, seed),
            lambda: classroom(data, dataclasses.replace(recipe, seed=seed)))
        own = classroom(data, dataclasses.replace(default, seed=seed))
        for name, (seconds, accuracy) in (("course", (course_seconds, course_accuracy)),
                                          ("like-for-like", same[:2]), ("default", own[:2])):
            times[name].append(seconds)
            accuracies[name].append(accuracy)
        print(f"seed {seed}: course {course_seconds:.1f} s ({course_accuracy:.4f}), classroom "
              f"like-for-like {same[0]:.1f} s ({same[1]:.4f}), default {own[0]:.1f} s "
              f"({own[1]:.4f})")
    for name in ("like-for-like", "default"):
        print(compare.comparison_line(
            name, times["course"], times[name], (accuracies["course"], accuracies[name]),
            compare.differences(default, recipe) if name == "default" else None))

    with tempfile.TemporaryDirectory() as folder:
        os.environ["KERAS_CLASSROOM_DATA_DIR"] = folder  # the run cache lives there
        job = fashion_mnist.job(default)
        key = run_cache.save_run(job.kind, job.key_settings, fashion_mnist.RECIPE_VERSION,
                                 own[2])
        started = time.perf_counter()
        again = run_cache.load_run(job.kind, key)
        print(f"the default run read back from the disk cache, as after a restart: "
              f"{time.perf_counter() - started:.3f} s, found={again is not None}, same key as "
              f"the page's job={key == job.key} (target under 0.5 s)")


if __name__ == "__main__":
    main()
