"""The course's convnet against the classroom's default convnet, one process, same data.

    KERAS_CLASSROOM_DATA_DIR=<folder with datasets/fashion-mnist> python -m benchmarks.convolutions

Course recipe: two Conv2D(64, (3, 3)) + MaxPooling2D(2, 2) blocks, Dense(128), Dense(10),
`model.fit(training_images, training_labels, epochs=5)` (batch 32) on all 60,000 pictures,
then `model.evaluate(test_images, test_labels)`. Classroom: `convolutions.train_fashion_cnn`
with the page's default settings, exactly as the page runs it (validation every epoch
included in its time). Target from the issue: within 1 point of the course's test accuracy
in at most a third of its time.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from engine import convolutions  # noqa: E402
from engine import datasets  # noqa: E402
from engine import recipes  # noqa: E402


def course_recipe(data, epochs, seed):
    (training_images, training_labels), (test_images, test_labels) = data
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    training_images = training_images.reshape(60000, 28, 28, 1) / 255.0
    test_images = test_images.reshape(10000, 28, 28, 1) / 255.0
    model = recipes.fashion_cnn_model(filters=64, conv_blocks=2, learning_rate=0.001)
    model.fit(training_images, training_labels, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    _, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    return seconds, test_accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, Keras {keras.__version__}")
    data = datasets.load_fashion_mnist()
    settings = convolutions.CnnSettings(seed=arguments.seed)
    print(f"classroom settings: {settings.as_dict()}")

    started = time.perf_counter()
    result = convolutions.train_fashion_cnn(data, settings)
    classroom_seconds = time.perf_counter() - started
    classroom_accuracy = result.extras["test_accuracy"]
    print(f"classroom: test accuracy {classroom_accuracy:.4f} in {classroom_seconds:.1f} s "
          f"({len(result.history['loss'])} epochs, validation included)")

    course_seconds, course_accuracy = course_recipe(data, arguments.course_epochs,
                                                    arguments.seed)
    print(f"course recipe: test accuracy {course_accuracy:.4f} in {course_seconds:.1f} s "
          f"({arguments.course_epochs} epochs, batch 32)")
    gap = (course_accuracy - classroom_accuracy) * 100
    print(f"time ratio {course_seconds / classroom_seconds:.1f}x (target at least 3x); "
          f"accuracy gap {gap:+.2f} points (target at most 1)")


if __name__ == "__main__":
    main()
