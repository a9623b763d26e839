"""Fashion-MNIST in a real browser: train with live curves, and stop a run half way."""

import importlib.util

import pytest

from tests.browser import test_pages as pages

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))


def open_lesson(page, server, query=""):
    page.goto(f"{server}/fashion-mnist{query}")
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)


def test_train_draws_curves_and_the_confusion_matrix(browser_page, streamlit_server,
                                                     screenshot_dir):
    page = browser_page
    # A shared link sets the lesson up: 1,000 pictures, 2 epochs.
    open_lesson(page, streamlit_server, "?training_images=1000&epochs=2")
    assert page.get_by_role("slider", name="training pictures").get_attribute(
        "aria-valuetext") == "1000"
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Confusion matrix (test set)").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    accuracy = float(pages.metric_value(page, "test accuracy"))
    assert 0.3 < accuracy <= 1.0
    assert all(count > 0 for count in pages.drawn_traces_per_chart(page))
    pages.full_page_screenshot(page, screenshot_dir / "fashion-mnist-trained.png")


def test_stop_keeps_the_model_learned_so_far(browser_page, streamlit_server, screenshot_dir):
    page = browser_page
    open_lesson(page, streamlit_server)
    page.get_by_role("button", name="Train").click()  # defaults: 60,000 pictures, 10 epochs
    page.get_by_text("Epoch 2 of 10").first.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    page.get_by_role("button", name="Stop training").click()
    page.get_by_text("You stopped training after").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    assert float(pages.metric_value(page, "test accuracy")) > 0.5
    pages.full_page_screenshot(page, screenshot_dir / "fashion-mnist-stopped.png")


def dark_shirt_on_white_png() -> bytes:
    """A T-shirt-like shape drawn dark on a light background, like a phone photo."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (300, 300), "white")
    draw = ImageDraw.Draw(picture)
    draw.polygon([(90, 60), (210, 60), (270, 120), (235, 150), (215, 130), (215, 260),
                  (85, 260), (85, 130), (65, 150), (30, 120)], fill=(40, 40, 60))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_own_picture_is_converted_and_bad_files_get_a_message(browser_page, streamlit_server):
    page = browser_page
    open_lesson(page, streamlit_server, "?training_images=1000&epochs=2")
    if page.get_by_role("button", name="Train").count():
        page.get_by_role("button", name="Train").click()
    page.get_by_text("Confusion matrix (test set)").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')

    upload.set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain",
                                   "buffer": b"my shopping list: milk, eggs"}])
    page.get_by_text("looks like a text file").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)

    upload.set_input_files(files=[{"name": "shirt.png", "mimeType": "image/png",
                                   "buffer": dark_shirt_on_white_png()}])
    page.get_by_text("The model says").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    assert page.get_by_text("inverted: light on black").count() == 1
