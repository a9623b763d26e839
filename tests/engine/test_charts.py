"""Chart titles that name a count follow the model's real outputs."""

import keras
import pytest

from engine import charts
from engine import recipes


@pytest.mark.parametrize("class_names, title", [
    (["horses", "humans"], "The one number the model outputs, p = P(humans); horses gets 1 - p"),
    (["rock", "paper", "scissors"], "The three numbers the model outputs"),
    ([f"class {index}" for index in range(10)], "The ten numbers the model outputs"),
    ([f"class {index}" for index in range(15)], "The 15 numbers the model outputs"),
])
def test_probability_bars_name_as_many_outputs_as_the_model_has(class_names, title):
    probabilities = [1 / len(class_names)] * len(class_names)
    figure = charts.probability_bars(probabilities, class_names)
    assert figure.layout.title.text == title


@pytest.mark.parametrize("classes", [2, 3])
def test_the_charts_output_count_is_the_real_world_model_s(classes):
    keras.backend.clear_session()
    model = recipes.real_world_model(image_size=32, conv_blocks=1, classes=classes)
    assert model.output_shape[-1] == charts.output_count_for(classes)
