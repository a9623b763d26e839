"""A teacher's locked link and projector mode, in the real app and a real browser.

The projector test walks through the seven lessons at a projector's 1280 x 720 as a teacher
would, through the sidebar, and saves a screenshot of each (projector-<lesson>.png) for a
person to look at."""

import importlib.util

import pytest

from engine import hello_neuron
from tests.browser.test_pages import (MAIN, RUN_TIMEOUT_MS, TITLE, assert_no_exception,
                                      metric_value, wait_for_app_idle)
from ui.lesson_list import LESSONS

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))

PROJECTOR = {"width": 1280, "height": 720}


def test_a_locked_link_shows_the_control_disabled_and_the_run_it_names(browser_page,
                                                                       streamlit_server):
    page = browser_page
    page.goto(f"{streamlit_server}/hello-neuron?seed=2&lock=epochs:60"
              "&hide=learning_rate:0.03")
    wait_for_app_idle(page)
    weight = page.locator('[data-testid="stMetric"]').filter(has_text="weight w")
    weight.wait_for(timeout=RUN_TIMEOUT_MS)
    assert_no_exception(page)

    epochs = page.locator('input[type="range"][aria-label="epochs"]')
    assert epochs.is_disabled() and epochs.input_value() == "60"
    assert page.get_by_text("epochs: set by your teacher").is_visible()
    assert not page.locator('[aria-label="learning rate (SGD)"]').count()  # hidden
    expected = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                               epochs=60, learning_rate=0.03, seed=2)
    assert metric_value(page, "weight w") == f"{expected.weight:.4f}"


def test_projector_mode_shows_every_lesson_within_the_width(chromium_browser, streamlit_server,
                                                           screenshot_dir):
    context = chromium_browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        page.goto(f"{streamlit_server}/{LESSONS[0].url_path}?projector=true")
        for lesson in LESSONS:
            if lesson is not LESSONS[0]:  # as a teacher moves on: through the sidebar
                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text=lesson.title).click()
                page.wait_for_url(f"**/{lesson.url_path}**")
            wait_for_app_idle(page)
            page.locator(TITLE).first.wait_for(timeout=RUN_TIMEOUT_MS)
            assert_no_exception(page)
            assert "projector=true" in page.url, f"{lesson.title} lost projector mode"
            # The style comes with the page's run; on a loaded machine the run after a
            # navigation can still be drawing when the app first looks idle.
            page.wait_for_function(
                "getComputedStyle(document.documentElement).fontSize === '20px'",
                timeout=30_000)
            assert page.get_by_text("The lesson's text").first.is_visible()
            overflow = page.evaluate(f"""() => {{
                const main = document.querySelector('{MAIN}');
                const charts = Array.from(document.querySelectorAll('.js-plotly-plot'));
                return {{wider: main.scrollWidth - main.clientWidth,
                         beyond: charts.filter(c => c.getBoundingClientRect().right
                                                    > window.innerWidth).length}};
            }}""")
            assert overflow == {"wider": 0, "beyond": 0}, (
                f"{lesson.title} scrolls sideways at 1280 x 720: {overflow}")
            page.screenshot(path=str(screenshot_dir / f"projector-{lesson.url_path}.png"))
    finally:
        context.close()


def test_a_projector_value_that_is_not_true_or_false_is_named(browser_page, streamlit_server):
    page = browser_page
    page.goto(f"{streamlit_server}/{LESSONS[0].url_path}?projector=maybe")
    wait_for_app_idle(page)
    note = page.get_by_text("The link's projector=maybe is neither true nor false")
    note.wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") != "20px"
