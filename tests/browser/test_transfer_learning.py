"""Transfer learning in a real browser: the dropout pair trained on a learner's own zip."""

import importlib.util

import pytest

from tests.browser import test_pages as pages
from tests.browser.test_real_world_images import four_class_zip

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))


def test_the_dropout_pair_trains_on_an_uploaded_zip(browser_page, streamlit_server,
                                                    classroom_data_dir, screenshot_dir):
    page = browser_page
    page.goto(f"{streamlit_server}/transfer-learning")
    # The whole page is drawn once its last button is.
    page.get_by_role("button", name="Compute features and train both").wait_for(
        timeout=pages.RUN_TIMEOUT_MS)
    pages.choose_option(page, "pictures", "My own pictures")
    zip_uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="a .zip with one folder per class")
    zip_uploader.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    zip_uploader.locator('input[type="file"]').set_input_files(
        files=[{"name": "animals.zip", "mimeType": "application/zip",
                "buffer": four_class_zip()}])
    train = page.get_by_role("button", name="Compute features and train both")
    train.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    train.click()
    # (The results table is drawn on a canvas, so its words are not on the page.)
    page.get_by_role("button", name="comparison (.csv)").wait_for(
        timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    # Four classes: the course's sigmoid became a softmax, and the learner is told so.
    assert page.get_by_text("Dense(4, activation='softmax')").count() == 1
    assert page.get_by_text("Skipped 2 files").count() == 1
    # The sentence on the two gaps, drawn from the run (its wording: tests/engine).
    assert page.get_by_text("points without dropout").count() == 1
    assert page.locator(f"{pages.PLOTLY} .scatterlayer .trace").count() >= 4
    pages.full_page_screenshot(page, screenshot_dir / "transfer-own-zip.png")
