"""Hello-world training: the course's model.fit against the classroom's loop, one process.

    python -m benchmarks.hello_neuron [--epochs 500] [--repeats 3]

Both start from the same seed (so the same initial weight). Prints each time, the ratio,
the largest weight difference, and whether the classroom kept a loss for every epoch.
Target from the foundation issue: at least 50x faster, weights equal within 1e-4.
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy  # noqa: E402

from engine import hello_neuron  # noqa: E402
from engine import recipes  # noqa: E402
from engine import training  # noqa: E402

XS = numpy.array(hello_neuron.COURSE_XS)
YS = numpy.array(hello_neuron.COURSE_YS)


def course_recipe(epochs, seed):
    keras.utils.set_random_seed(seed)
    model = recipes.hello_neuron_model()
    start = time.perf_counter()
    history = model.fit(XS, YS, epochs=epochs, verbose=0)
    return time.perf_counter() - start, model.get_weights(), history.history["loss"]


def classroom_loop(epochs, seed):
    keras.utils.set_random_seed(seed)
    model = recipes.hello_neuron_model()
    start = time.perf_counter()
    history = training.train_full_batch(model, XS, YS, epochs)  # includes tracing the loop
    return time.perf_counter() - start, model.get_weights(), history.losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, Keras {keras.__version__}")
    course_times, classroom_times = [], []
    for seed in range(arguments.repeats):
        course_time, course_weights, course_losses = course_recipe(arguments.epochs, seed)
        classroom_time, classroom_weights, classroom_losses = classroom_loop(arguments.epochs, seed)
        difference = max(float(numpy.max(numpy.abs(ours - theirs)))
                         for ours, theirs in zip(classroom_weights, course_weights))
        course_times.append(course_time)
        classroom_times.append(classroom_time)
        print(f"seed {seed}: model.fit {course_time:7.3f} s | classroom {classroom_time:6.3f} s"
              f" | ratio {course_time / classroom_time:6.1f}x | max weight difference "
              f"{difference:.2e} | losses kept {len(classroom_losses)}/{len(course_losses)}")
    ratio = statistics.median(course_times) / statistics.median(classroom_times)
    print(f"median: model.fit {statistics.median(course_times):.3f} s, classroom "
          f"{statistics.median(classroom_times):.3f} s, ratio {ratio:.1f}x (target 50x)")


if __name__ == "__main__":
    main()
