"""Fashion-MNIST on the real data (a copy of ../shared/data through the data directory)."""

import csv
import io

import keras
import numpy
import pytest

from engine import datasets
from engine import fashion_mnist
from engine import jobs
from engine import recipes
from engine import take_home
from engine import training


@pytest.fixture(scope="module")
def data(classroom_data_dir):
    return datasets.load_fashion_mnist()


SMALL = fashion_mnist.FashionSettings(training_images=6000, epochs=3, batch_size=128)


def test_a_small_run_learns_and_reports_everything(data):
    result = fashion_mnist.train_fashion_mnist(data, SMALL)
    assert result.complete
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(result.history["loss"]) == 3
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.extras["test_accuracy"] > 0.75  # chance is 0.10
    probabilities = result.arrays["test_probabilities"]
    assert probabilities.shape == (10000, 10)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    predicted_accuracy = (probabilities.argmax(axis=1) == data[1][1]).mean()
    assert predicted_accuracy == pytest.approx(result.extras["test_accuracy"], abs=1e-4)


def test_same_seed_same_curve(data):
    settings = fashion_mnist.FashionSettings(training_images=2000, epochs=2, batch_size=256)
    first = fashion_mnist.train_fashion_mnist(data, settings)
    again = fashion_mnist.train_fashion_mnist(data, settings)
    assert first.history["loss"] == pytest.approx(again.history["loss"], rel=1e-6)


def test_the_course_callback_stops_at_the_target_and_shows_real_log_names(data):
    settings = fashion_mnist.FashionSettings(training_images=6000, epochs=20, batch_size=128,
                                             target_accuracy=0.80)
    result = fashion_mnist.train_fashion_mnist(data, settings)
    stopped_at = result.extras["stopped_by_callback_at_epoch"]
    assert stopped_at is not None and stopped_at < 20
    assert len(result.history["accuracy"]) == stopped_at
    assert result.history["accuracy"][-1] > 0.80  # the course's comparison
    assert all(accuracy <= 0.80 for accuracy in result.history["accuracy"][:-1])
    assert "accuracy" in result.extras["last_logs"] and "acc" not in result.extras["last_logs"]


class StopAfterBatches(jobs.QuietReporter):
    def __init__(self, batches: int):
        self.batches, self.asked = batches, 0

    def should_stop(self) -> bool:
        self.asked += 1
        return self.asked >= self.batches


def test_stop_request_halts_within_one_compiled_step_and_keeps_the_model(data):
    settings = fashion_mnist.FashionSettings(training_images=60000, epochs=5, batch_size=128)
    reporter = StopAfterBatches(30)
    result = fashion_mnist.train_fashion_mnist(data, settings, reporter)
    assert not result.complete
    step = training.batches_per_step(128)  # 4 batches of 128 in each compiled call
    assert reporter.asked == 30  # asked after every call, and no call after the stop
    assert result.extras["partial_epoch"] == {"epoch": 1, "batches": 30 * step, "of": 469}
    assert len(result.history["loss"]) == 1  # the unfinished epoch, marked as such
    assert result.extras["test_accuracy"] > 0.5  # 120 batches already taught it something


def test_several_batches_per_compiled_step_learn_exactly_what_fit_learns(data):
    """The lesson runs 16 batches of 32 in each compiled call (training.batches_per_step):
    the weights must be those of the course's plain `model.fit`, batch by batch, including
    the epoch's last, shorter call (2,000 pictures: 63 batches, not a multiple of 16)."""
    settings = fashion_mnist.FashionSettings(training_images=2000, epochs=2, batch_size=32,
                                             target_accuracy=None)  # plain fit has none
    assert training.batches_per_step(settings.batch_size) == 16
    ours = fashion_mnist.train_fashion_mnist(data, settings).model

    (training_images, training_labels), _ = data
    keras.utils.set_random_seed(settings.seed)
    course = recipes.fashion_mnist_model(settings.hidden_units, settings.extra_hidden_layer,
                                         settings.learning_rate)
    course.fit(fashion_mnist.prepare_images(training_images[:2000], True),
               training_labels[:2000], epochs=2, batch_size=32, verbose=0)
    assert course.steps_per_execution == 1
    for mine, theirs in zip(ours.get_weights(), course.get_weights()):
        numpy.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-6)


def test_default_settings_stop_by_the_callback_and_reach_the_quality_bar(data):
    """The default run (seed 0) is what a learner sees on pressing Train: the course's
    callback, on by default, must visibly stop it before its last epoch."""
    settings = fashion_mnist.FashionSettings()
    result = fashion_mnist.train_fashion_mnist(data, settings)
    stopped_at = result.extras["stopped_by_callback_at_epoch"]
    assert stopped_at is not None and stopped_at < settings.epochs
    assert result.history["accuracy"][-1] > settings.target_accuracy
    assert len(result.history["accuracy"]) == stopped_at
    assert result.extras["test_accuracy"] >= 0.87


def test_confusion_matrix_per_class_and_exports():
    matrix = fashion_mnist.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    numpy.testing.assert_allclose(fashion_mnist.per_class_accuracy(matrix), [0.5, 1.0, 2 / 3])
    rows = list(csv.reader(io.StringIO(training.history_csv(
        {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}))))
    assert rows == [["epoch", "loss", "val_loss"], ["1", "0.5", "0.6"], ["2", "0.4", "0.5"]]


def test_model_file_round_trips(tmp_path):
    model = recipes.fashion_mnist_model()
    path = tmp_path / "model.keras"
    path.write_bytes(take_home.model_file_bytes(model))
    loaded = keras.saving.load_model(path, safe_mode=True)
    for ours, theirs in zip(model.get_weights(), loaded.get_weights()):
        numpy.testing.assert_array_equal(ours, theirs)


def test_class_names_are_the_documented_ten():
    assert len(datasets.FASHION_MNIST_CLASS_NAMES) == 10
    assert datasets.FASHION_MNIST_CLASS_NAMES[0] == "T-shirt/top"
    assert datasets.FASHION_MNIST_CLASS_NAMES[9] == "Ankle boot"


def test_tensorboard_option_writes_logs_into_the_data_directory(data, classroom_data_dir):
    settings = fashion_mnist.FashionSettings(training_images=1000, epochs=1, tensorboard=True,
                                             seed=5)
    fashion_mnist.train_fashion_mnist(data, settings)
    folder = training.tensorboard_folder(settings)
    assert folder.is_relative_to(classroom_data_dir)
    assert list(folder.rglob("events.out.tfevents.*"))
    assert training.tensorboard_command().startswith("tensorboard --logdir ")
