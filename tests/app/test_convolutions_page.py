import pytest

from tests.app import helpers

PAGE = "lessons/convolutions.py"


@pytest.fixture
def page(classroom_data_dir):
    return helpers.set_controls(helpers.run_page(PAGE), {
        "cnn-training_images": 1000, "cnn-epochs": 1, "cnn-filters": 16, "cnn-batch_size": 128})


def stage_titles(app):
    return [helpers.chart_figure(app, f"filter-stage-{name}")["layout"]["title"]["text"]
            for name in ("input", "convolved", "after", "2x2")]


def test_filter_lab_shows_every_step_with_its_size(page):
    assert stage_titles(page) == ["input 128 x 128", "convolved 126 x 126",
                                  "after ReLU 126 x 126", "2x2 max pooling 63 x 63"]
    page.radio(key="filter-source").set_value("a Fashion-MNIST picture").run()
    assert stage_titles(page) == ["input 28 x 28", "convolved 26 x 26", "after ReLU 26 x 26",
                                  "2x2 max pooling 13 x 13"]


def test_an_overflowing_weight_is_a_message_not_a_broken_plot(page):
    page.number_input(key="filter-weight").set_value(1e308).run()
    helpers.assert_no_exception(page)
    assert "overflow" in page.error[0].value


def test_summary_table_shows_the_shrinking_picture(page):
    table = next(frame.value for frame in page.dataframe if "output shape" in frame.value)
    assert list(table["output shape"])[:4] == ["(None, 26, 26, 16)", "(None, 13, 13, 16)",
                                               "(None, 11, 11, 16)", "(None, 5, 5, 16)"]
    # The summary is kept for the whole server, per settings: it follows them.
    page.select_slider(key="cnn-filters").set_value(32).run()
    table = next(frame.value for frame in page.dataframe if "output shape" in frame.value)
    assert list(table["output shape"])[:2] == ["(None, 26, 26, 32)", "(None, 13, 13, 32)"]


def test_training_then_looking_inside(page):
    helpers.train(page)
    assert float(helpers.metric_values(page)["test accuracy"]) > 0.3
    asked = helpers.asked_questions(page, "convolutions")  # one epoch: no best epoch to ask
    assert "size-into-flatten" in asked and "validation-loss-lowest" not in asked
    grid = helpers.chart_figure(page, "activations")
    assert len(grid["data"]) == 3 * 4  # three pictures, four conv and pooling layers
    kernels = helpers.chart_figure(page, "kernels")
    assert len(kernels["data"]) == 16
    page.number_input(key="inside-filter").set_value(15).run()
    helpers.assert_no_exception(page)
