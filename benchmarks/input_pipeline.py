"""Reading horses-or-humans: the course's ImageDataGenerator against the classroom's pipeline.

    KERAS_CLASSROOM_DATA_DIR=<data dir> python -m benchmarks.input_pipeline [--repeats 3]

One process, same pictures, same convnet (the course's five blocks), same optimiser (RMSprop
0.001), same batch size (32): only how the pictures reach the model differs.
- Course: `ImageDataGenerator(rescale=1/255).flow_from_directory(..., class_mode='binary')`
  feeding the model without a Rescaling layer; the generator decodes and resizes every
  picture again in every epoch.
- Classroom: `image_folders.load_dataset` (every picture decoded once by engine.images, kept
  on disk, memory-mapped, prefetched by tf.data) feeding `recipes.real_world_model`, whose
  first layer rescales.
After one warm-up epoch each (tracing, the classroom's one-time decoding), the two models
train epoch by epoch in turn, `--repeats` epochs each, so a slow spell of a shared machine
falls on both; each pair of epochs gives one ratio. Then both are measured on the validation
pictures, and one pass over the training pictures without a model is timed per side.
Target (issues 10 and 11): at least 2x per epoch, like for like.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow  # noqa: E402

from benchmarks import compare  # noqa: E402
from engine import image_folders  # noqa: E402
from engine import recipes  # noqa: E402
from engine import registry  # noqa: E402


def course_model(image_size):
    """The same convnet, rescaling left to the generator as in the course."""
    model = recipes.real_world_model(image_size)
    without_rescaling = keras.Sequential(
        [keras.Input((image_size, image_size, 3))]
        + [layer for layer in model.layers if not isinstance(layer, keras.layers.Rescaling)])
    without_rescaling.compile(loss="binary_crossentropy", metrics=["accuracy"],
                              optimizer=keras.optimizers.RMSprop(learning_rate=0.001))
    return without_rescaling


CPU_SECONDS = {}  # model name -> CPU seconds of the process during each of its epochs


def one_epoch(model, batches, steps) -> float:
    """Wall-clock seconds of one epoch; its CPU seconds go to CPU_SECONDS. On this 2-core
    machine a CPU-bound epoch uses about twice its wall time in CPU; an epoch whose CPU time
    is close to its wall time ran on one core (said in BENCHMARKS.md)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0)
    CPU_SECONDS.setdefault(model.name, []).append(time.process_time() - cpu_started)
    return time.perf_counter() - started


def reading(batches, steps) -> float:
    started = time.perf_counter()
    for _ in zip(range(steps), batches):
        pass
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    size, batch = arguments.image_size, arguments.batch_size
    print(compare.machine_line())
    print(f"{size}x{size} pictures, batch {batch}, RMSprop 0.001, the course's five blocks")
    generator = tensorflow.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
    flow = generator.flow_from_directory(
        str(registry.image_folder("horse-or-human", "train")), target_size=(size, size),
        batch_size=batch, class_mode="binary", seed=0)
    validation_flow = generator.flow_from_directory(
        str(registry.image_folder("horse-or-human", "validation")), target_size=(size, size),
        batch_size=batch, class_mode="binary", shuffle=False)
    data = image_folders.load_dataset("horse-or-human", (size, size), batch, 0)
    steps = len(flow)
    keras.utils.set_random_seed(0)
    course, classroom = course_model(size), recipes.real_world_model(size)
    course_batches, classroom_batches = flow, data.training.repeat()

    warm_up = one_epoch(course, course_batches, steps), one_epoch(classroom, classroom_batches,
                                                                   steps)
    print(f"warm-up epoch: course {warm_up[0]:.2f} s, classroom {warm_up[1]:.2f} s")
    course_times, classroom_times = [], []
    for repeat in range(arguments.repeats):
        course_seconds, classroom_seconds = compare.in_turn(
            repeat, lambda: one_epoch(course, course_batches, steps),
            lambda: one_epoch(classroom, classroom_batches, steps))
        course_times.append(course_seconds)
        classroom_times.append(classroom_seconds)
        print(f"epoch {repeat + 2}: course {course_seconds:.2f} s (CPU "
              f"{CPU_SECONDS[course.name][-1]:.2f} s), classroom {classroom_seconds:.2f} s (CPU "
              f"{CPU_SECONDS[classroom.name][-1]:.2f} s)")
    accuracies = ([course.evaluate(validation_flow, verbose=0)[1]],
                  [classroom.evaluate(data.validation, verbose=0)[1]])
    print(f"after {arguments.repeats + 1} epochs of {steps} batches, validation accuracy: course "
          f"{accuracies[0][0]:.4f}, classroom {accuracies[1][0]:.4f}")
    print(compare.comparison_line("like-for-like", course_times, classroom_times, accuracies))
    reading_times = [compare.in_turn(repeat, lambda: reading(flow, steps),
                                     lambda: reading(data.training, steps))
                     for repeat in range(arguments.repeats)]
    print(compare.comparison_line("reading alone", *map(list, zip(*reading_times))))


if __name__ == "__main__":
    main()
