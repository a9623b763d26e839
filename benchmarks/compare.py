"""What every benchmark prints: the machine, and one line per comparison in one form a script
can read (issue 11):

    like-for-like: course 12.1 s, classroom 0.10 s, ratio 124x (median of 3, spread 74-136x)
    default: course 45.1 s, classroom 9.6 s, ratio 4.7x (median of 3, spread 4.1-5.2x),
        accuracy 0.8707 vs 0.8755; differs in batch 512, learning rate 0.004

(the second on one line). Times are medians over the repeats; the ratio is the median of the
repeats' own ratios (each repeat runs both sides back to back, so a slow spell of a shared
machine falls on both), and the spread is their lowest and highest. Accuracies, when given,
are medians too, course first, as the times are.
"""

import dataclasses
import os
import platform
import statistics
import time

import keras
import tensorflow


def machine_line() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, TensorFlow {tensorflow.__version__}, Keras "
            f"{keras.__version__}; load average {load}; {time.strftime('%Y-%m-%d %H:%M')}")


def timed_course_recipe(data, seed: int, prepare, build_model) -> tuple:
    """(seconds, test accuracy) of the course's own Fashion-MNIST code, on `data` as
    engine.datasets.load_fashion_mnist() gives it: the seed set, then timed from
    `prepare(training_images, test_images)` (the course's division by 255.0, and its reshape
    for a convnet; returns both) through `build_model()`,
    `model.fit(training_images, training_labels, epochs=5)` (batch 32) to the end of
    `model.evaluate(test_images, test_labels)`."""
    (training_images, training_labels), (test_images, test_labels) = data
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    training_images, test_images = prepare(training_images, test_images)
    model = build_model()
    model.fit(training_images, training_labels, epochs=5, verbose=0)
    _, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    return time.perf_counter() - started, test_accuracy


def timed_classroom(train, data, settings) -> tuple:
    """(seconds, test accuracy, the run) of a lesson's routine, `train(data, settings)`."""
    started = time.perf_counter()
    result = train(data, settings)
    return time.perf_counter() - started, result.extras["test_accuracy"], result


def ratio_text(ratio: float) -> str:
    """3.84 -> '3.8x', 124.2 -> '124x': two significant figures are what the noise allows."""
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def seconds_text(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def comparison_line(label: str, course_seconds: list, classroom_seconds: list,
                    accuracies: tuple = None, differs: str = None) -> str:
    """One comparison: `label` is "like-for-like" (the course's network, optimiser, batch and
    epochs on both sides) or "default" (the classroom's own settings); `course_seconds` and
    `classroom_seconds` hold one time per repeat, in seconds, paired by position;
    `accuracies` is (course accuracies, classroom accuracies), one per repeat; `differs`
    names what the classroom's settings change. Raises ValueError for unpaired lists."""
    if len(course_seconds) != len(classroom_seconds) or not course_seconds:
        raise ValueError(f"{len(course_seconds)} course and {len(classroom_seconds)} classroom "
                         "times: a comparison needs one pair per repeat.")
    ratios = [course / classroom for course, classroom in zip(course_seconds, classroom_seconds)]
    line = (f"{label}: course {seconds_text(statistics.median(course_seconds))}, classroom "
            f"{seconds_text(statistics.median(classroom_seconds))}, ratio "
            f"{ratio_text(statistics.median(ratios))} (median of {len(ratios)}, spread "
            f"{ratio_text(min(ratios))[:-1]}-{ratio_text(max(ratios))})")
    if accuracies is not None:
        course_accuracy, classroom_accuracy = (statistics.median(values) for values in accuracies)
        line += f", accuracy {course_accuracy:.4f} vs {classroom_accuracy:.4f}"
    if differs:
        line += f"; differs in {differs}"
    return line


def in_turn(repeat: int, course, classroom) -> tuple:
    """Run both sides of one repeat, the course first in even repeats and the classroom first
    in odd ones, so neither always gets the warmer (or the busier) slot. Returns
    (course's result, classroom's result)."""
    if repeat % 2 == 0:
        first = course()
        return first, classroom()
    second = classroom()
    return course(), second


def differences(classroom_settings, course_settings) -> str:
    """What the classroom's settings change from the course's, in words:
    'epochs 10, batch size 512, learning rate 0.004' (dataclasses of the same type; the seed
    is not a difference of recipe)."""
    changed = [f"{field.name.replace('_', ' ')} {getattr(classroom_settings, field.name)}"
               for field in dataclasses.fields(classroom_settings)
               if field.name != "seed" and getattr(classroom_settings, field.name)
               != getattr(course_settings, field.name)]
    return ", ".join(changed) or "nothing"
