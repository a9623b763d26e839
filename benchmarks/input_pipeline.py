"""Reading horses-or-humans: the course's ImageDataGenerator against the classroom's pipeline.

    KERAS_CLASSROOM_DATA_DIR=<data dir> python -m benchmarks.input_pipeline [--image-size 150]

One process, same pictures (500 training), same convnet (the course's five blocks), same
batch size. The course: `ImageDataGenerator(rescale=1/255).flow_from_directory(...,
class_mode='binary')` feeding a model without a Rescaling layer. The classroom:
`image_folders.load_dataset` (decoded once by engine.images, kept on disk, memory-mapped)
feeding `recipes.real_world_model`, whose first layer rescales. Prints each epoch's time;
the target from the issue is at least 2x faster per epoch after the first. It also times
one pass over the pictures alone, without a model.
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow  # noqa: E402

from engine import image_folders  # noqa: E402
from engine import recipes  # noqa: E402
from engine import registry  # noqa: E402


class EpochClock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = getattr(self, "seconds", []) + [time.perf_counter() - self.started]


def course_model(image_size):
    """The same convnet, rescaling left to the generator as in the course."""
    model = recipes.real_world_model(image_size)
    without_rescaling = keras.Sequential(
        [keras.Input((image_size, image_size, 3))]
        + [layer for layer in model.layers if not isinstance(layer, keras.layers.Rescaling)])
    without_rescaling.compile(loss="binary_crossentropy", metrics=["accuracy"],
                              optimizer=keras.optimizers.RMSprop(learning_rate=0.001))
    return without_rescaling


def time_fit(model, batches, epochs, steps):
    clock = EpochClock()
    model.fit(batches, epochs=epochs, steps_per_epoch=steps, callbacks=[clock], verbose=0)
    return clock.seconds


def time_reading(batches, steps):
    started = time.perf_counter()
    for step, _ in zip(range(steps), batches):
        pass
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    arguments = parser.parse_args()
    size, batch = arguments.image_size, arguments.batch_size
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, TensorFlow {tensorflow.__version__}; "
          f"{size}x{size}, batch {batch}")
    folder = registry.image_folder("horse-or-human", "train")

    generator = tensorflow.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
    flow = generator.flow_from_directory(str(folder), target_size=(size, size),
                                         batch_size=batch, class_mode="binary", seed=0)
    steps = len(flow)
    keras.utils.set_random_seed(0)
    course_epochs = time_fit(course_model(size), flow, arguments.epochs, steps)
    course_reading = time_reading(flow, steps)

    data = image_folders.load_dataset("horse-or-human", (size, size), batch, 0)
    keras.utils.set_random_seed(0)
    classroom_epochs = time_fit(recipes.real_world_model(size), data.training.repeat(),
                                arguments.epochs, steps)
    classroom_reading = time_reading(data.training, steps)

    for name, seconds in (("course", course_epochs), ("classroom", classroom_epochs)):
        print(f"{name:9} epochs: " + ", ".join(f"{value:.2f} s" for value in seconds))
    course_later = statistics.median(course_epochs[1:])
    classroom_later = statistics.median(classroom_epochs[1:])
    print(f"per epoch after the first (median): course {course_later:.2f} s, classroom "
          f"{classroom_later:.2f} s, ratio {course_later / classroom_later:.1f}x (target 2x)")
    print(f"reading the {steps} batches alone: course {course_reading:.2f} s, classroom "
          f"{classroom_reading:.2f} s, ratio {course_reading / classroom_reading:.0f}x")


if __name__ == "__main__":
    main()
