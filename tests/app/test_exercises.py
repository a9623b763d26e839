"""Lesson 3's exploration exercises, through the page: each broken model's button shows the
real Keras error (the fragments below are Keras' own words, as observed) and what it means;
the overfitting button sets the lesson's epochs to 30 (nothing is trained here)."""

import pytest

from tests.app import helpers

PAGE = "lessons/fashion_mnist.py"


@pytest.fixture
def page(classroom_data_dir):
    return helpers.run_page(PAGE)


def shown_error(app) -> str:
    """The code block that holds Keras' message: the one that is not a function's source."""
    messages = [block.value for block in app.code if block.value.strip()
                and not block.value.startswith(("def ", "class ")) and "import" not in block.value]
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.parametrize("exercise, keras_words, explained", [
    ("without-flatten",
     ["must have rank (ndim) `target.ndim - 1`", "output.shape=(32, 28, 10)"],
     "Flatten turns the picture into one row of 784 numbers"),
    ("five-outputs",
     ["Received a label value of 9 which is outside the valid range of [0, 5)"],
     "the last layer needs as many neurons as there are classes"),
])
def test_a_broken_model_shows_keras_own_error_and_what_it_means(page, exercise, keras_words,
                                                                  explained):
    page.button(key=f"exercise-{exercise}").click().run()
    helpers.assert_no_exception(page)
    message = shown_error(page)
    for words in keras_words:
        assert words in message
    # One line of Keras' words: no traceback, no file of the server.
    assert "\n" not in message and "Traceback" not in message and "File " not in message
    assert ".py" not in message and "site-packages" not in message
    assert any(explained in block.value for block in page.markdown)


def test_the_overfitting_exercise_sets_thirty_epochs(page):
    assert page.slider(key="setting-epochs").value != 30
    page.button(key="exercise-overfitting").click().run()
    helpers.assert_no_exception(page)
    assert page.slider(key="setting-epochs").value == 30
    assert dict(page.query_params)["epochs"] in ("30", ["30"])
    assert any("validation (test set) loss stops falling" in caption.value
               for caption in page.caption)
