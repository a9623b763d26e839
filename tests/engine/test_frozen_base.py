"""Lesson 7's frozen base (engine/frozen_base.py): the course's InceptionV3 structure, frozen
and cut, the course's full model on it, and the network unfrozen for fine-tuning.

InceptionV3 runs with weights=None here (its 88 MB ImageNet file is not in the offline data);
the graph, layer names and shapes are the same as with the real weights.
"""

import keras
import numpy
import pytest

from engine import frozen_base
from engine import recipes
from engine import transfer

MOBILENET = "MobileNet 0.25"


@pytest.fixture(scope="module")
def inception():
    """The course's network with no pretrained knowledge: it needs no data at all."""
    return frozen_base.build_frozen_network("InceptionV3", weights=None)


# The course's network and head ----------------------------------------------------------------


def test_inception_is_built_frozen_and_cut_as_in_the_course(inception):
    assert inception.model.get_layer("mixed7").output.shape == (None, 7, 7, 768)
    assert inception.before_freezing == frozen_base.ParameterCounts(21_768_352, 34_432)
    assert inception.after_freezing == frozen_base.ParameterCounts(0, 21_802_784)
    assert all(not layer.trainable for layer in inception.model.layers)
    points = {point.layer_name: point for point in frozen_base.cut_points(inception)}
    assert list(points) == [f"mixed{index}" for index in range(11)]
    assert points["mixed7"].output_shape == (7, 7, 768)
    assert points["mixed7"].feature_count == 7 * 7 * 768 == 37_632
    # Flatten -> Dense(1024): 37632 * 1024 + 1024; Dense(1): 1024 + 1.
    assert points["mixed7"].head_parameters == 38_537_217

    model = recipes.transfer_head_model(inception.model, "mixed7", dropout_rate=0.2)
    assert frozen_base.parameter_counts(model).trainable == 38_537_217
    # Only the layers up to mixed7 are part of the model: 8,975,264 of the 21,802,784.
    assert frozen_base.parameter_counts(model).non_trainable == 8_975_264
    assert [type(layer).__name__ for layer in model.layers[-4:]] == [
        "Flatten", "Dense", "Dropout", "Dense"]
    assert model.output.shape == (None, 1) and model.loss == "binary_crossentropy"
    without_dropout = recipes.transfer_head_model(inception.model, "mixed7", dropout_rate=None)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in without_dropout.layers)
    three_classes = recipes.transfer_head_model(inception.model, "mixed7", classes=3)
    assert three_classes.output.shape == (None, 3)
    assert three_classes.loss == "categorical_crossentropy"


def test_the_course_metric_name_acc_is_logged_as_acc_in_keras_3():
    """Why the recipe writes metrics=['accuracy'] where the course wrote ['acc']."""
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(numpy.zeros((4, 2)), numpy.zeros((4, 1)), epochs=1, verbose=0)
    assert "acc" in history.history and "accuracy" not in history.history


def test_unknown_networks_cuts_and_sizes_are_refused_plainly(inception):
    with pytest.raises(ValueError, match="no pretrained network called 'ResNet'"):
        frozen_base.build_frozen_network("ResNet", weights=None)
    with pytest.raises(ValueError, match="no layer called 'mixed11'.*mixed0, mixed1"):
        frozen_base.cut_layer(inception.model, "InceptionV3", "mixed11")
    with pytest.raises(ValueError, match="at least 75x75 pixels"):
        frozen_base.build_frozen_network("InceptionV3", weights=None, image_size=60)


def test_the_course_model_on_inception_takes_the_heads_weights(inception):
    head = recipes.feature_head_model((7, 7, 768), dropout_rate=None)
    model = frozen_base.full_model(inception, "mixed7", head)
    pictures = numpy.random.default_rng(0).uniform(0, 255, (4, 150, 150, 3)).astype("float32")
    prepared_pictures = transfer.prepare_pictures("InceptionV3", pictures, "course")
    extractor = keras.Model(inception.model.input, inception.model.get_layer("mixed7").output)
    features = extractor.predict(prepared_pictures, verbose=0)
    numpy.testing.assert_allclose(head.predict(features, verbose=0),
                                  model.predict(prepared_pictures, verbose=0), atol=1e-4)
    with pytest.raises(ValueError, match="features of another shape"):
        frozen_base.full_model(inception, "mixed8", head)


# Fine-tuning ----------------------------------------------------------------------------------


def test_fine_tuning_unfreezes_the_top_but_keeps_batch_normalization_frozen(classroom_data_dir):
    frozen = frozen_base.build_frozen_network(MOBILENET)
    head = recipes.feature_head_model((4, 4, 256))
    model = frozen_base.fine_tuning_model(frozen, "conv_pw_13_relu", head, "conv_pw_12_relu")
    trainable = [layer.name for layer in frozen.model.layers if layer.trainable]
    assert trainable == ["conv_dw_13", "conv_dw_13_relu", "conv_pw_13", "conv_pw_13_relu"]
    batch_normalization = frozen.model.get_layer("conv_pw_13_bn")
    statistics = [variable.numpy().copy() for variable in batch_normalization.weights]
    kernel = frozen.model.get_layer("conv_pw_13").kernel.numpy().copy()
    pictures = numpy.random.default_rng(0).uniform(-1, 1, (8, 150, 150, 3)).astype("float32")
    model.fit(pictures, numpy.ones((8, 1)), epochs=1, verbose=0)
    for before, variable in zip(statistics, batch_normalization.weights):
        numpy.testing.assert_array_equal(before, variable.numpy())
    assert not numpy.array_equal(kernel, frozen.model.get_layer("conv_pw_13").kernel.numpy())
    with pytest.raises(ValueError, match="comes before the cut"):
        frozen_base.fine_tuning_model(frozen, "conv_pw_11_relu", head, "conv_pw_12_relu")


def test_fine_tuning_a_head_built_in_another_thread(classroom_data_dir):
    """Streamlit reruns a page in a new thread, and Keras numbers automatic names per thread:
    a head from an earlier run must still fit into a model made now."""
    import threading

    heads = []
    thread = threading.Thread(target=lambda: heads.append(
        recipes.feature_head_model((4, 4, 256))))
    thread.start()
    thread.join()
    frozen = frozen_base.build_frozen_network(MOBILENET)
    model = frozen_base.fine_tuning_model(frozen, "conv_pw_13_relu", heads[0], "conv_pw_12_relu")
    assert model.output.shape == (None, 1)
