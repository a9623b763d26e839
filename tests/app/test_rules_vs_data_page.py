from engine import rules
from tests.app import helpers

PAGE = "lessons/rules_vs_data.py"


def test_default_rule_is_found_from_examples():
    app = helpers.run_page(PAGE)
    found = [markdown.value for markdown in app.markdown if markdown.value.startswith("### y =")]
    assert found[0].startswith("### y = 1.8000 · x + 32.00")  # learned, not copied
    assert found[1] == "### y = 1.8 * x + 32"
    assert "recovered your rule" in app.success[0].value
    figure = helpers.chart_figure(app, "line")
    assert figure["data"][1]["name"].startswith("learned: y = 1.8000 x + 32.00")
    assert "where-the-numbers-come-from" in helpers.asked_questions(app, "rules-vs-data")


def test_own_rule_drives_table_and_model():
    app = helpers.run_page(PAGE)
    app.selectbox(key="preset").set_value("Write my own").run()
    app.text_input(key="rule").set_value("-3 * x + 7").run()
    helpers.assert_no_exception(app)
    table = app.dataframe[0].value
    assert list(table["y (answer from your rule)"]) == [10, 7, 4, 1, -2, -5]
    found = [markdown.value for markdown in app.markdown if markdown.value.startswith("### y =")]
    assert found[0].startswith("### y = -3.000") and "+ 7.00" in found[0]


def test_a_curved_rule_gets_the_best_straight_line_and_an_explanation():
    app = helpers.run_page(PAGE)
    app.selectbox(key="preset").set_value("Square it (not a straight line)").run()
    helpers.assert_no_exception(app)
    assert "not a straight line" in app.info[0].value


def test_a_broken_rule_gets_a_sentence():
    app = helpers.run_page(PAGE)
    app.selectbox(key="preset").set_value("Write my own").run()
    app.text_input(key="rule").set_value("open('/etc/passwd')").run()
    helpers.assert_no_exception(app)
    assert "only numbers, x" in app.error[0].value


def write_own_rule(rule: str, epochs: int):
    app = helpers.run_page(PAGE)
    app.selectbox(key="preset").set_value("Write my own").run()
    app.slider(key="epochs").set_value(epochs).run()
    app.text_input(key="rule").set_value(rule).run()
    helpers.assert_no_exception(app)
    return app


def test_a_rule_not_yet_learned_is_no_success_and_asks_for_more_epochs():
    app = write_own_rule("100*x + 300", 50)
    assert not app.success
    advice = app.warning[0].value
    assert "weight is off by 75.5 and the bias by 275" in advice
    assert "has not found your rule yet" in advice and "more epochs" in advice


def test_a_rule_too_large_to_reach_is_no_success_and_asks_to_scale_it():
    app = write_own_rule("10**10 * x", 50)
    assert not app.success
    advice = app.warning[0].value
    assert "off by 1e+10" in advice and "has not found your rule yet" in advice
    assert "scale your rule and xs by a power of ten" in advice


def test_the_advice_asks_for_no_more_epochs_than_the_slider_offers():
    app = helpers.run_page(PAGE)
    assert app.slider(key="epochs").max == rules.MOST_EPOCHS
