"""Hello-world training: the course's model.fit against the classroom's loop, one process.

    python -m benchmarks.hello_neuron [--epochs 500] [--repeats 3]

Both start from the same seed (so the same initial weight), one seed per repeat, and take
turns going first. Prints each repeat's times, ratio, largest weight difference and whether
the classroom kept a loss for every epoch, then the `like-for-like:` line
(benchmarks/compare.py). Target from the foundation issue: at least 50x faster, weights
equal within 1e-4.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy  # noqa: E402

from benchmarks import compare  # noqa: E402
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
    print(compare.machine_line())
    course_times, classroom_times = [], []
    for seed in range(arguments.repeats):
        (course_time, course_weights, course_losses), (classroom_time, classroom_weights,
                                                       classroom_losses) = compare.in_turn(
            seed, lambda: course_recipe(arguments.epochs, seed),
            lambda: classroom_loop(arguments.epochs, seed))
        difference = max(float(numpy.max(numpy.abs(ours - theirs)))
                         for ours, theirs in zip(classroom_weights, course_weights))
        course_times.append(course_time)
        classroom_times.append(classroom_time)
        print(f"seed {seed}: model.fit {course_time:7.3f} s | classroom {classroom_time:6.3f} s"
              f" | ratio {course_time / classroom_time:6.1f}x | max weight difference "
              f"{difference:.2e} | losses kept {len(classroom_losses)}/{len(course_losses)}")
    # Same network, optimiser, full batch and epochs: only the loop differs (target 50x).
    print(compare.comparison_line("like-for-like", course_times, classroom_times))


if __name__ == "__main__":
    main()
