import pytest

from engine import hello_neuron
from tests.app import helpers

PAGE = "lessons/hello_neuron.py"


def test_default_run_shows_the_course_result_and_three_charts():
    app = helpers.run_page(PAGE)
    metrics = helpers.metric_values(app)
    assert abs(float(metrics["weight w"]) - 2.0) < 0.01
    assert 18.9 < float(metrics["prediction for x = 10"]) < 19.0
    loss = helpers.chart_figure(app, "loss")
    assert len(loss["data"][0]["y"]) == 500  # a loss value for every epoch
    weights = helpers.chart_figure(app, "weights")
    assert [trace["name"] for trace in weights["data"]] == ["weight w", "bias b"]
    assert "Why not exactly 19?" in [header.value for header in app.subheader]
    shown_code = "\n".join(block.value for block in app.code)
    assert "def hello_neuron_model" in shown_code and "loss=\"mean_squared_error\"" in shown_code


def test_new_data_and_epochs_drive_the_result():
    app = helpers.run_page(PAGE)
    app.text_input(key="ys").set_value("2, 3, 4, 5, 6, 7").run()  # y = x + 3
    app.slider(key="epochs").set_value(1500).run()
    helpers.assert_no_exception(app)
    metrics = helpers.metric_values(app)
    assert abs(float(metrics["weight w"]) - 1.0) < 0.01
    assert abs(float(metrics["bias b"]) - 3.0) < 0.02
    assert len(helpers.chart_figure(app, "loss")["data"][0]["y"]) == 1500
    # The page's sentences speak of the learner's epochs, not the course's 500.
    assert any("one per epoch (1500 here)" in text.value for text in app.markdown)


def test_bad_cells_and_short_tables_get_a_message_not_a_crash():
    app = helpers.run_page(PAGE)
    for ys, message in [("1, 2, abc, 4, 5, 6", "'abc', is not a number"),
                        ("nan, 1, 2, 3, 4, 5", "not a finite number"),
                        ("", "ys is empty")]:
        app.text_input(key="ys").set_value(ys).run()
        helpers.assert_no_exception(app)
        assert message in app.error[0].value
    app.text_input(key="xs").set_value("3").run()
    app.text_input(key="ys").set_value("5").run()
    assert "One example is not enough" in app.error[0].value


def test_a_learning_rate_too_high_explains_the_blow_up():
    app = helpers.run_page(PAGE)
    app.select_slider(key="learning_rate").set_value(0.2).run()
    helpers.assert_no_exception(app)
    assert "Training blew up at epoch" in app.error[0].value
    assert "over-corrected" in app.error[0].value
    assert "any rate above 0.18" in app.error[0].value  # the bound for the course's xs
    assert "lower the learning rate" in app.error[0].value


def test_empty_items_count_so_errors_name_the_item_the_learner_sees():
    app = helpers.run_page(PAGE)
    app.text_input(key="ys").set_value("-3, -1, 1, , nan, inf").run()
    helpers.assert_no_exception(app)
    assert "ys: item 4 is empty" in app.error[0].value
    app.text_input(key="ys").set_value("-3, -1, 1, 3, nan, inf").run()
    assert "ys: item 5 is 'nan'" in app.error[0].value


@pytest.mark.parametrize("xs", ["1e308, 0, 1, 2, 3, 4", "100, 200, 300, 400, 500, 600"])
def test_a_blow_up_from_the_data_s_scale_blames_the_scale_not_the_learning_rate(xs):
    app = helpers.run_page(PAGE)
    app.text_input(key="xs").set_value(xs).run()
    helpers.assert_no_exception(app)
    advice = app.error[0].value
    assert "Training blew up at epoch" in advice and "because of the data's scale" in advice
    assert "divide your xs and ys by a power of ten" in advice
    assert "lower the learning rate" not in advice


def test_the_smallest_learning_rate_the_advice_assumes_is_the_slider_s():
    app = helpers.run_page(PAGE)
    options = [float(option) for option in app.select_slider(key="learning_rate").options]
    assert min(options) == hello_neuron.SMALLEST_LEARNING_RATE
