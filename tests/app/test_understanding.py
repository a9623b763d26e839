""""Check your understanding" as a learner meets it: answering on a lesson page, the
explanations that follow, and the progress the home page shows."""

import types

from streamlit.testing.v1 import AppTest

from tests.app import helpers
from ui import understanding

PAGE = "lessons/hello_neuron.py"


def question_key(url_path: str, question_id: str) -> str:
    return f"understanding-{url_path}-{question_id}"


def answer(app: AppTest, url_path: str, question_id: str, option_text: str | None) -> AppTest:
    """Pick the choice that reads `option_text` (None: pick nothing) and press Check."""
    key = question_key(url_path, question_id)
    if option_text is not None:
        radio = app.radio(key=key)
        radio.set_value(radio.options.index(option_text))
    app.button(key=f"{key}-check").click().run()
    helpers.assert_no_exception(app)
    return app


def shown_text(app: AppTest) -> str:
    return "\n".join(element.value for kind in ("markdown", "success", "warning", "caption")
                     for element in app.get(kind))


def test_a_right_and_a_wrong_answer_are_explained_and_kept_for_the_session():
    app = helpers.run_page(PAGE)
    assert "Check your understanding" in [header.value for header in app.header]
    steps = app.radio(key=question_key("hello-neuron", "how-many-steps"))
    # The default run: the course's six examples, 500 full-batch epochs.
    assert "Your neuron trained for 500 epochs on 6 examples" in steps.label
    assert sorted(steps.options) == sorted(["once", "6 times", "500 times", "3000 times"])

    answer(app, "hello-neuron", "how-many-steps", "500 times")
    assert [message.value for message in app.success] == ["Right: 500 times"]
    text = shown_text(app)
    assert "each epoch is one step" in text  # the right choice's explanation
    assert "batches of one" in text  # and a wrong one's, shown too

    answer(app, "hello-neuron", "learning-rate-too-high", "There are not enough epochs for "
                                                          "such a high rate.")
    (warning,) = app.warning
    assert "Your answer: There are not enough epochs" in warning.value
    assert "The right answer: Each step over-corrects" in warning.value
    assert "A smaller learning rate is the cure." in shown_text(app)

    answer(app, "hello-neuron", "loss-and-optimizer", None)
    assert "Pick one of the answers first" in shown_text(app)

    kept = app.session_state[understanding.ANSWERS_KEY]["hello-neuron"]
    assert {question: record["correct"] for question, record in kept.items()} == {
        "how-many-steps": True, "learning-rate-too-high": False}


def home_progress():
    # The home page's own part; its page links need the app's navigation, which the
    # browser test (tests/browser/test_understanding.py) drives whole.
    from ui import understanding

    understanding.show_progress()


def test_the_home_page_shows_progress_per_lesson_and_offers_the_csv():
    app = AppTest.from_function(home_progress)
    app.run()
    assert app.get("download_button")[0].proto.disabled  # nothing answered yet
    app.session_state[understanding.ANSWERS_KEY] = {"hello-neuron": {
        "how-many-steps": {"question": "q1", "answer": "500 times",
                           "right answer": "500 times", "correct": True},
        "learning-rate-too-high": {"question": "q2", "answer": "a", "right answer": "b",
                                   "correct": False}}}
    app.run()
    helpers.assert_no_exception(app)
    bars = {bar.proto.text: bar.proto.value for bar in app.get("progress")}
    assert bars["2. Hello, neuron: 2 of 4 answered, 1 right"] == 50
    assert bars["1. Rules vs data: 0 of 4 answered, 0 right"] == 0
    assert len(bars) == 7
    assert not app.get("download_button")[0].proto.disabled
    assert "Score so far: 1 right of 2 answered." in shown_text(app)


def lesson_section(url_path, runs):
    from ui import understanding

    understanding.section(url_path, runs)


def test_a_page_without_both_runs_asks_the_course_questions_and_says_why_not_the_rest():
    app = AppTest.from_function(lesson_section, args=(
        "augmentation", {"without": None, "with augmentation": None}))
    app.run()
    helpers.assert_no_exception(app)
    assert len(app.radio) == 4
    assert "This question compares your two runs: it appears once both have trained above." \
        in shown_text(app)


def test_a_new_run_asks_its_question_afresh():
    convnet = types.SimpleNamespace(history={"val_loss": [0.5, 0.4]}, extras={},
                                    settings={"conv_blocks": 1})
    app = AppTest.from_function(lesson_section, args=("convolutions", convnet))
    app.session_state[understanding.ANSWERS_KEY] = {"convolutions": {"size-into-flatten": {
        "question": "Your convnet has 2 convolution + pooling block(s). How large is each "
                    "feature map that reaches Flatten?",
        "answer": "5 x 5", "right answer": "5 x 5", "correct": True}}}
    app.run()
    helpers.assert_no_exception(app)
    radio = app.radio(key=question_key("convolutions", "size-into-flatten"))
    assert radio.label.endswith("Your convnet has 1 convolution + pooling block(s). How large "
                                "is each feature map that reaches Flatten?")
    assert "You answered this question about an earlier run" in shown_text(app)
    answer(app, "convolutions", "size-into-flatten", "13 x 13")
    assert [message.value for message in app.success] == ["Right: 13 x 13"]
