"""Lesson 4's convnet: the course's recipe against the classroom, one process, same data.

    KERAS_CLASSROOM_DATA_DIR=<folder with datasets/fashion-mnist> python -m benchmarks.convolutions [--repeats 3] [--default-only]

Course recipe, word for word: the pictures reshaped to (60000, 28, 28, 1) and divided by
255.0, two Conv2D(64, (3, 3)) + MaxPooling2D(2, 2) blocks, Dense(128), Dense(10), Adam 0.001,
`model.fit(training_images, training_labels, epochs=5)` (batch 32), then
`model.evaluate(test_images, test_labels)`; timed from the reshape to the evaluation's end.
The classroom runs `convolutions.train_fashion_cnn` exactly as the page does (validation on
the test set after every epoch, the final evaluation and predictions inside its time):
- like-for-like: with the course's settings (convolutions.COURSE_RECIPE: 64 filters, batch
  32, Adam 0.001, 5 epochs); only how it runs differs;
- default: with the lesson's default settings (named in the line); with `--default-only` the
  course and the default take turns going first, and the like-for-like run is left out.
One seed per repeat, the same on every side; the sides take turns going first. Target from
issue 11: like-for-like at least 1.3x.
"""

import argparse
import dataclasses
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import compare  # noqa: E402
from engine import convolutions  # noqa: E402
from engine import datasets  # noqa: E402
from engine import recipes  # noqa: E402


def course_recipe(data, seed: int) -> tuple:
    """(seconds, test accuracy) of the course's own code."""
    def prepare(training_images, test_images):
        return (training_images.reshape(60000, 28, 28, 1) / 255.0,
                test_images.reshape(10000, 28, 28, 1) / 255.0)
    return compare.timed_course_recipe(data, seed, prepare, lambda: recipes.fashion_cnn_model(
        filters=64, conv_blocks=2, learning_rate=0.001))


def classroom(data, settings) -> tuple:
    """(seconds, test accuracy) of the lesson's routine with `settings`."""
    return compare.timed_classroom(convolutions.train_fashion_cnn, data, settings)[:2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--default-only", action="store_true",
                        help="the course against the default alone, taking turns going first "
                             "(the like-for-like run takes half of the script's time)")
    arguments = parser.parse_args()
    print(compare.machine_line())
    data = datasets.load_fashion_mnist()
    recipe, default = convolutions.COURSE_RECIPE, convolutions.CnnSettings()
    rows = ("default",) if arguments.default_only else ("like-for-like", "default")
    results = {"course": [], "like-for-like": [], "default": []}  # (seconds, accuracy)
    for seed in range(arguments.repeats):
        run_course = lambda: course_recipe(data, seed)  # noqa: E731
        if arguments.default_only:
            measured = dict(zip(("course", "default"), compare.in_turn(
                seed, run_course, lambda: classroom(data, dataclasses.replace(default,
                                                                               seed=seed)))))
        else:
            measured = dict(zip(("course", "like-for-like"), compare.in_turn(
                seed, run_course, lambda: classroom(data, dataclasses.replace(recipe,
                                                                               seed=seed)))))
            measured["default"] = classroom(data, dataclasses.replace(default, seed=seed))
        for name, result in measured.items():
            results[name].append(result)
        print(f"seed {seed}: " + ", ".join(f"{name} {seconds:.1f} s ({accuracy:.4f})"
                                           for name, (seconds, accuracy) in measured.items()))
    course_seconds, course_accuracies = zip(*results["course"])
    for name in rows:
        seconds, accuracies = zip(*results[name])
        print(compare.comparison_line(
            name, list(course_seconds), list(seconds), (course_accuracies, accuracies),
            compare.differences(default, recipe) if name == "default" else None))

if __name__ == "__main__":
    main()
