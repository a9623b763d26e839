import pytest

from engine import datasets
from engine import fashion_mnist
from engine import run_cache
from tests.app import helpers

PAGE = "lessons/fashion_mnist.py"


@pytest.fixture
def page(classroom_data_dir):
    app = helpers.run_page(PAGE)
    app.select_slider(key="setting-training_images").set_value(1000).run()
    app.slider(key="setting-epochs").set_value(2).run()
    app.number_input(key="setting-seed").set_value(11).run()
    return app


def train(app):
    """Press Train, unless an earlier test already trained these settings (runs are
    shared by every session of the process, as on a real classroom server)."""
    if "train" in [button.key for button in app.button]:
        app.button(key="train").click().run()
    helpers.assert_no_exception(app)


def test_data_browser_and_pixels_render(page):
    grid = helpers.chart_figure(page, "browse-grid")
    assert len(grid["data"]) == 24
    page.selectbox(key="browse-class").set_value("Bag").run()
    titles = [annotation["text"] for annotation in
              helpers.chart_figure(page, "browse-grid")["layout"]["annotations"]]
    assert titles and all(title.endswith("Bag") for title in titles)
    heatmap = helpers.chart_figure(page, "pixel-heatmap")
    assert helpers.plotly_array(heatmap["data"][0]["z"]).shape == (28, 28)
    assert "Press **Train**" in page.info[0].value


def test_training_shows_curves_matrix_and_results_then_reuses_them(page):
    page.number_input(key="setting-seed").set_value(12).run()  # settings no other test uses
    page.button(key="train").click().run()
    helpers.assert_no_exception(page)
    loss = helpers.chart_figure(page, "final-loss")
    assert [len(helpers.plotly_array(trace["y"])) for trace in loss["data"]] == [2, 2]  # training and validation
    matrix = helpers.chart_figure(page, "fashion-matrix")
    assert helpers.plotly_array(matrix["data"][0]["z"]).sum() == 10000
    assert float(helpers.metric_values(page)["test accuracy"]) > 0.5
    bars = helpers.chart_figure(page, "fashion-bars")
    assert helpers.plotly_array(bars["data"][0]["y"]).sum() == pytest.approx(1.0, abs=1e-3)

    # A new session asking for the same settings gets the stored run without training.
    again = helpers.run_page(PAGE)
    again.select_slider(key="setting-training_images").set_value(1000).run()
    again.slider(key="setting-epochs").set_value(2).run()
    again.number_input(key="setting-seed").set_value(12).run()
    assert "train" not in [button.key for button in again.button]
    assert any("straight from the cache" in caption.value for caption in again.caption)
    assert helpers.metric_values(again)["test accuracy"] == helpers.metric_values(page)[
        "test accuracy"]


def test_confusion_cell_shows_its_pictures(page):
    train(page)
    page.selectbox(key="fashion-true").set_value(9).run()
    page.selectbox(key="fashion-predicted").set_value(7).run()
    caption = next(caption.value for caption in page.caption if "were called" in caption.value)
    assert caption.startswith(tuple(str(number) for number in range(10)))
    assert "Ankle boot and were called Sneaker" in caption


def test_course_recipe_button_sets_the_course_settings(page):
    page.button[1].click().run()
    assert page.select_slider(key="setting-batch_size").value == 32
    assert page.select_slider(key="setting-learning_rate").value == 0.001
    assert page.slider(key="setting-epochs").value == 5


def test_a_stopped_run_is_shown_as_stopped(page, classroom_data_dir):
    settings = fashion_mnist.FashionSettings(training_images=1000, epochs=2, seed=13,
                                             batch_size=512, learning_rate=0.004)
    data = datasets.load_fashion_mnist()
    stopped = fashion_mnist.train_fashion_mnist(data, settings, should_stop=lambda: True)
    key = run_cache.run_key(fashion_mnist.RUN_KIND, settings.as_dict(),
                            fashion_mnist.RECIPE_VERSION)
    fresh = helpers.run_page(PAGE)
    fresh.session_state[f"stopped-run-{key}"] = ({"loss": [1.0], "accuracy": [0.5]},
                                                 stopped.model)
    fresh.select_slider(key="setting-training_images").set_value(1000).run()
    fresh.slider(key="setting-epochs").set_value(2).run()
    fresh.number_input(key="setting-seed").set_value(13).run()
    helpers.assert_no_exception(fresh)
    assert "You stopped training after 1 of 2 epochs" in fresh.warning[0].value
    assert "test accuracy" in helpers.metric_values(fresh)


def test_without_data_the_page_says_how_to_get_it(empty_data_dir):
    from engine import cached

    cached.fashion_mnist_data.clear()
    app = helpers.run_page(PAGE)
    message = app.error[0].value
    assert "python -m engine.downloads" in message and "KERAS_CLASSROOM_DATA_DIR" in message
    cached.fashion_mnist_data.clear()


def test_a_shared_link_sets_the_lesson_up_and_bad_values_are_ignored(classroom_data_dir):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(helpers.REPOSITORY / PAGE), default_timeout=120)
    app.query_params["epochs"] = "3"
    app.query_params["batch_size"] = "128"
    app.query_params["hidden_units"] = "999"  # not a value the lesson offers
    app.run()
    helpers.assert_no_exception(app)
    assert app.slider(key="setting-epochs").value == 3
    assert app.select_slider(key="setting-batch_size").value == 128
    assert app.select_slider(key="setting-hidden_units").value == 128  # the default
    assert "hidden_units=999" in app.warning[0].value
    app.slider(key="setting-epochs").set_value(4).run()
    assert dict(app.query_params)["epochs"] in ("4", ["4"])
