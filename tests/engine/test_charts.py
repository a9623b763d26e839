"""Chart titles that name a count follow the model's real outputs; figures are built one at a
time (plotly's validator cache is not thread-safe)."""

import keras
import numpy
import plotly.graph_objects as go
import plotly.io
import pytest

from engine import charts
from engine import picture_charts
from engine import recipes
from engine import training_charts


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


def every_figure() -> list:
    """One small figure from every builder in engine/charts.py, engine/training_charts.py and
    engine/picture_charts.py; the two that draw two kinds of chart, each kind."""
    history = {"accuracy": [0.5, 0.7], "val_accuracy": [0.5, 0.6], "loss": [1.0, 0.6],
               "val_loss": [1.0, 0.8]}
    grey, colour = numpy.zeros((4, 4)), numpy.zeros((4, 4, 3))
    return [
        training_charts.loss_curve([1.0, 0.5]),
        training_charts.weight_and_bias_curve([(0.1, 0.2), (0.3, 0.4)], 2.0, -1.0),
        training_charts.examples_and_line([0, 1], [1, 3], 2.0, 1.0, 5.0, 11.0),
        training_charts.history_curves(history, "accuracy", "accuracy"),
        picture_charts.picture_grid([grey] * 24, [str(index) for index in range(24)]),
        picture_charts.pixel_heatmap(grey, "a picture"),
        charts.confusion_matrix(numpy.eye(2), ["a", "b"]),
        charts.probability_bars([0.3, 0.7], ["a", "b"]),
        charts.per_class_bars([0.9, 0.8], ["a", "b"]),
        picture_charts.filter_stage(grey, "a filter", signed=True),
        picture_charts.activation_grid({"conv2d": numpy.zeros((2, 4, 4, 3))}, ["a", "b"], 0),
        training_charts.comparison_curves({"one": history, "two": history}, "accuracy", "runs"),
        picture_charts.picture_grid([colour] * 3, ["a", "b", "c"], colour=True),
        training_charts.comparison_curves({"one": history, "two": history}, "accuracy",
                                          training_charts.GAP_SHADED_TITLE, gap_shaded=True),
        charts.head_size_by_cut(["mixed6", "mixed7"], [10, 20], "mixed7"),
    ]


def test_every_builder_fills_plotly_s_validator_cache_holding_the_lock(monkeypatch):
    # Plotly's validator cache is not safe to fill from two threads at once (see
    # charts.BUILDING): every fill must happen while a builder holds the lock. The cache is
    # emptied first, so that every builder fills it.
    from plotly import validator_cache

    fills = []
    fill = validator_cache.ValidatorCache.get_validator

    def checked(parent_path, prop_name):
        fills.append((f"{parent_path}.{prop_name}", charts.BUILDING.locked()))
        return fill(parent_path, prop_name)

    monkeypatch.setattr(validator_cache.ValidatorCache, "_cache", {})
    charts.SHARED_FIGURES.clear()  # figures kept by earlier tests
    charts.SHARED_CURVES.clear()
    monkeypatch.setattr(validator_cache.ValidatorCache, "get_validator", staticmethod(checked))
    figures = every_figure()
    assert len(figures) == len(BUILDERS) + 2  # picture_grid and comparison_curves twice
    assert any(name == "layout.xaxis24" for name, _ in fills)  # the 24-picture grid's axes
    unlocked = sorted({name for name, locked in fills if not locked})
    assert not unlocked, f"built outside charts.BUILDING: {unlocked[:10]}"


BUILDERS = {"loss_curve", "weight_and_bias_curve", "examples_and_line", "history_curves",
            "picture_grid", "pixel_heatmap", "confusion_matrix", "probability_bars",
            "per_class_bars", "filter_stage", "activation_grid", "comparison_curves",
            "head_size_by_cut"}
CHART_MODULES = (charts, training_charts, picture_charts)


def test_every_function_that_returns_a_figure_is_a_builder_under_the_lock():
    import inspect

    returning_figures = {}
    for module in CHART_MODULES:
        returning_figures.update(
            (name, function) for name, function in inspect.getmembers(module, inspect.isfunction)
            if function.__module__ == module.__name__
            and "Figure" in str(inspect.signature(function).return_annotation)
            and name != "base_layout")
    assert set(returning_figures) == BUILDERS
    for function in returning_figures.values():
        assert function.__wrapped__  # wrapped by one_at_a_time


def test_a_grid_is_built_once_per_content_and_follows_changed_pictures():
    """Learners on the same run share one grid figure (charts.shared); a picture changed in
    place, or equal pictures in another array, are told apart by content, not by object."""
    charts.SHARED_FIGURES.clear()
    pictures = numpy.zeros((3, 4, 4))
    first = picture_charts.picture_grid(list(pictures), ["a", "b", "c"])
    assert picture_charts.picture_grid(list(pictures.copy()), ["a", "b", "c"]) is first
    assert picture_charts.picture_grid(list(pictures), ["a", "b", "x"]) is not first
    pictures[1, 0, 0] = 7.0
    changed = picture_charts.picture_grid(list(pictures), ["a", "b", "c"])
    assert changed is not first
    assert numpy.asarray(changed.data[1].z)[::-1][0, 0] == 7.0
    maps = {"conv2d": numpy.zeros((2, 4, 4, 3))}
    assert picture_charts.activation_grid(maps, ["a", "b"], 0) is not (
        picture_charts.activation_grid(maps, ["a", "b"], 1))


def test_a_grid_shared_as_a_name_is_kept_by_it_and_streamlit_gets_its_dict_once():
    """A caller that names what determines a grid (layer_viewer: the run and the pictures
    picked) gets the kept figure by that name; the dict Streamlit asks for on every view is
    the one plotly makes, made once."""
    charts.SHARED_FIGURES.clear()
    maps = {"conv2d": numpy.arange(2 * 4 * 4 * 3, dtype="float32").reshape((2, 4, 4, 3))}
    grid = picture_charts.activation_grid
    first = grid(maps, ["a", "b"], 0, shared_as=("run", 1))
    assert grid({}, [], 0, shared_as=("run", 1)) is first  # not looked at
    assert grid(maps, ["a", "b"], 0, shared_as=("run", 2)) is not first
    fresh = go.Figure(first)  # a plain figure of the same content
    assert first.to_dict() is first.to_dict()
    assert plotly.io.to_json(first.to_dict()) == plotly.io.to_json(fresh.to_dict())


def test_live_curves_are_shared_until_the_history_grows():
    """Every watcher's poll asks for the same curves; a new epoch gives new ones."""
    history = {"loss": [1.0, 0.6], "val_loss": [1.0, 0.8], "accuracy": [0.5, 0.7],
               "val_accuracy": [0.5, 0.6]}
    curves = training_charts.history_curves
    first = curves(history, "loss", "Loss")
    assert curves({name: list(values) for name, values in history.items()},
                  "loss", "Loss") is first
    longer = {name: values + [values[-1]] for name, values in history.items()}
    grown = curves(longer, "loss", "Loss")
    assert grown is not first and list(grown.data[0].y) == [1.0, 0.6, 0.6]


def test_a_colour_grid_shows_exactly_the_pictures_it_was_given():
    """The grid hands the browser PNGs (picture_charts.png_data_uri) instead of pixel arrays:
    each decodes to the very picture, in order, at its own size."""
    import base64
    import io

    import PIL.Image

    pictures = numpy.random.default_rng(0).integers(0, 256, (3, 5, 7, 3), dtype="uint8")
    figure = picture_charts.picture_grid(list(pictures), ["a", "b", "c"], colour=True)
    for trace, picture in zip(figure.data, pictures, strict=True):
        assert trace.z is None and trace.source.startswith("data:image/png;base64,")
        png = base64.b64decode(trace.source.split(",", 1)[1])
        numpy.testing.assert_array_equal(numpy.asarray(PIL.Image.open(io.BytesIO(png))),
                                         picture)
