"""End to end: a learner answers lesson 2's "Check your understanding" right and wrong in a
real browser, reads the explanations, and finds the progress, and the CSV, on the home page."""

import csv
import importlib.util
import io

import pytest

from tests.browser.test_pages import RUN_TIMEOUT_MS
from tests.browser.test_pages import assert_no_exception
from tests.browser.test_pages import full_page_screenshot
from tests.browser.test_pages import wait_for_app_idle

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))

FORM = '[data-testid="stForm"]'
ALERT = '[data-testid="stAlert"]'


def answer(page, question_text: str, option_text: str) -> None:
    """In the question that reads `question_text`, pick `option_text` and press Check."""
    form = page.locator(FORM).filter(has_text=question_text)
    form.get_by_text(option_text, exact=True).click()
    form.get_by_role("button", name="Check").click()
    page.locator(ALERT).filter(has_text=option_text).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_for_app_idle(page)
    assert_no_exception(page)


def test_answers_are_explained_and_counted_on_the_home_page(browser_page, streamlit_server,
                                                            screenshot_dir):
    page = browser_page
    page.goto(f"{streamlit_server}/hello-neuron")
    section = page.get_by_role("heading", name="Check your understanding")
    section.wait_for(timeout=RUN_TIMEOUT_MS)  # after the run, which trains by itself
    wait_for_app_idle(page)

    answer(page, "How many times did it change w and b?", "500 times")
    right = page.locator(ALERT).filter(has_text="Right: 500 times")
    assert right.is_visible()
    assert page.get_by_text("each epoch is one step", exact=False).is_visible()
    assert page.get_by_text("batches of one", exact=False).is_visible()  # a wrong choice's

    answer(page, "Set the learning rate to 0.2", "There are not enough epochs for such a "
                                                 "high rate.")
    wrong = page.locator(ALERT).filter(has_text="Your answer: There are not enough epochs")
    assert "The right answer: Each step over-corrects" in wrong.inner_text()
    assert page.get_by_text("A smaller learning rate is the cure.").is_visible()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "understanding-lesson.png"), full_page=False)
    full_page_screenshot(page, screenshot_dir / "understanding-lesson-full.png")

    # Home through the navigation, as a learner goes: the same session, so the answers stay.
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="Your answers").wait_for(timeout=RUN_TIMEOUT_MS)
    wait_for_app_idle(page)
    assert_no_exception(page)
    # The home page may still be drawing its progress when it first looks idle (CI's clean
    # run found the text in the page but not yet visible): wait for each line to show.
    page.get_by_text("2. Hello, neuron: 2 of 4 answered, 1 right").wait_for(timeout=30_000)
    page.get_by_text("1. Rules vs data: 0 of 4 answered, 0 right").wait_for(timeout=30_000)
    full_page_screenshot(page, screenshot_dir / "understanding-home.png")

    with page.expect_download() as download:
        page.get_by_role("button", name="your answers (.csv)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(row["lesson"], row["your answer"], row["correct"]) for row in rows] == [
        ("2. Hello, neuron", "500 times", "yes"),
        ("2. Hello, neuron", "There are not enough epochs for such a high rate.", "no")]
