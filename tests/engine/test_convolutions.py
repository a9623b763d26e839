"""The course's convnet on a slice of the real Fashion-MNIST data."""

import numpy
import pytest

from engine import activations
from engine import convolutions
from engine import datasets
from engine import fashion_mnist


@pytest.fixture(scope="module")
def data(classroom_data_dir):
    return datasets.load_fashion_mnist()


@pytest.fixture(scope="module")
def small_run(data):
    settings = convolutions.CnnSettings(training_images=2000, epochs=2, filters=16,
                                        batch_size=128)
    return settings, convolutions.train_fashion_cnn(data, settings)


def test_summary_shows_the_picture_shrinking_as_the_course_says():
    rows = convolutions.summary_rows(convolutions.CnnSettings(filters=64, conv_blocks=2))
    shapes = [row["output shape"] for row in rows]
    assert shapes[:4] == ["(None, 26, 26, 64)", "(None, 13, 13, 64)", "(None, 11, 11, 64)",
                          "(None, 5, 5, 64)"]
    assert rows[0]["parameters"] == 64 * (3 * 3 * 1 + 1)
    dense = next(row for row in rows if row["type"] == "Dense")
    assert dense["parameters"] == (5 * 5 * 64 + 1) * 128  # where the parameters are
    one_block = convolutions.summary_rows(convolutions.CnnSettings(conv_blocks=1))
    assert [row["type"] for row in one_block][:3] == ["Conv2D", "MaxPooling2D", "Flatten"]


def test_a_small_run_learns(small_run):
    settings, result = small_run
    assert result.complete and len(result.history["loss"]) == 2
    assert result.extras["test_accuracy"] > 0.6
    assert result.arrays["test_probabilities"].shape == (10000, 10)


def test_activation_maps_and_kernels_have_the_course_shapes(small_run, data):
    settings, result = small_run
    test_images = data[1][0]
    maps = activations.activation_maps(result.model, convolutions.model_inputs(
        test_images[list(convolutions.COURSE_PICTURES)]))
    assert [array.shape for array in maps.values()] == [(3, 26, 26, 16), (3, 13, 13, 16),
                                                        (3, 11, 11, 16), (3, 5, 5, 16)]
    assert all(numpy.all(array >= 0) for array in maps.values())  # after ReLU and max
    kernels = convolutions.first_layer_kernels(result.model)
    assert kernels.shape == (16, 3, 3)
    first_conv = result.model.layers[0].get_weights()[0]
    numpy.testing.assert_array_equal(kernels[5], first_conv[:, :, 0, 5])


def test_course_pictures_are_three_of_one_class(data):
    labels = data[1][1][list(convolutions.COURSE_PICTURES)]
    assert len(set(labels.tolist())) == 1


def test_the_reported_test_accuracy_is_the_models(small_run, data):
    settings, result = small_run
    (_, _), (test_images, test_labels) = data
    test_images = fashion_mnist.prepare_images(test_images.reshape(-1, 28, 28, 1), True)
    _, accuracy = result.model.evaluate(test_images, test_labels, verbose=0)
    assert accuracy == pytest.approx(result.extras["test_accuracy"], abs=1e-4)


def test_default_convnet_reaches_the_quality_bar_on_the_real_test_set(data):
    result = convolutions.train_fashion_cnn(data, convolutions.CnnSettings())
    assert result.extras["test_accuracy"] >= 0.89
