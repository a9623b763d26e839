"""End to end: every page of the real app, served by `streamlit run` and drawn by Chromium.

Each page must finish its script without an exception box, show its title, and (for a
lesson) draw Plotly charts that contain data. A full-page screenshot of each lands in
tests/browser/screenshots/ for a person to look at.
"""

import importlib.util
import re

import pytest

# Also read by the other browser tests, as pages.APP, pages.RUN_TIMEOUT_MS and so on.
from benchmarks.browser_page import (APP, EXCEPTION, MAIN, PLOTLY, RUN_TIMEOUT_MS,  # noqa: F401
                                     full_page_screenshot, wait_for_app_idle)
from ui.lesson_list import LESSONS

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))

TITLE = f'{MAIN} h1'
METRIC = '[data-testid="stMetric"]'

PAGES = [pytest.param("", "home", id="home")] + [
    pytest.param(lesson.url_path, lesson.url_path, id=lesson.url_path) for lesson in LESSONS
]


def choose_option(page, selectbox_text: str, option_name: str, attempts: int = 5) -> None:
    """Open the select box that shows `selectbox_text` and pick `option_name`. A rerun that
    redraws the page can close an open list before the click lands (seen on a loaded CI
    machine), so wait for the page to settle and try again a few times."""
    selectbox = page.locator('[data-testid="stSelectbox"]').filter(has_text=selectbox_text)
    option = page.get_by_role("option", name=option_name)
    for attempt in range(attempts):
        wait_for_app_idle(page)
        selectbox.first.click()
        try:
            option.wait_for(timeout=5_000)
            option.click(timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout; the last attempt re-raises
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def assert_no_exception(page) -> None:
    """No exception box, and no dialog such as Streamlit's "Page not found"."""
    dialogs = page.locator('[role="dialog"]')
    if dialogs.count():
        pytest.fail(f"the page shows a dialog: {dialogs.first.inner_text()}", pytrace=False)
    boxes = page.locator(EXCEPTION)
    if boxes.count():
        texts = "\n---\n".join(boxes.all_inner_texts())
        pytest.fail(f"the page shows {boxes.count()} exception box(es):\n{texts}",
                    pytrace=False)


# Where Plotly draws data: lines and markers as SVG paths, heatmaps and pictures (image
# traces) as embedded images.
DRAWN_DATA = (f"{PLOTLY} .scatterlayer .trace, {PLOTLY} .heatmaplayer image, "
              f"{PLOTLY} .imagelayer image, {PLOTLY} .barlayer .trace")


def drawn_traces_per_chart(page, within: str = "") -> list:
    """For each Plotly chart on the page (or inside the elements `within` selects), how many
    traces have real geometry."""
    selector = f"{within} {PLOTLY}".strip()
    return page.eval_on_selector_all(selector, """charts => charts.map(chart =>
        Array.from(chart.querySelectorAll('.scatterlayer .trace path, g.trace path'))
             .filter(path => {
                 const d = path.getAttribute('d') || '';
                 return d.length > 2 && d !== 'M0,0Z';
             }).length
        + Array.from(chart.querySelectorAll('.heatmaplayer image, .imagelayer image'))
             .filter(image => (image.getAttribute('href') || '').startsWith('data:image')).length)""")


def metric_value(page, label: str) -> str:
    metric = page.locator(METRIC).filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(
            rf"^\s*{re.escape(label)}\s*$")))
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.parametrize(("url_path", "name"), PAGES)
def test_page_renders(browser_page, streamlit_server, screenshot_dir, url_path, name):
    page = browser_page
    page.goto(f"{streamlit_server}/{url_path}")
    wait_for_app_idle(page)

    assert_no_exception(page)
    title = page.locator(TITLE).first
    title.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
    assert title.inner_text().strip(), "the page's h1 title is empty"

    if url_path:  # a lesson: its charts must be drawn, with data in them
        page.wait_for_selector(DRAWN_DATA, timeout=RUN_TIMEOUT_MS)
        traces = drawn_traces_per_chart(page)
        assert traces, "no Plotly chart on the lesson page"
        assert all(count > 0 for count in traces), (
            f"a Plotly chart has no drawn trace (drawn traces per chart: {traces})")

    full_page_screenshot(page, screenshot_dir / f"{name}.png")
    assert_no_exception(page)


def test_hello_neuron_learns_new_ys(browser_page, streamlit_server, screenshot_dir):
    page = browser_page
    page.goto(f"{streamlit_server}/hello-neuron")
    wait_for_app_idle(page)
    assert_no_exception(page)
    before = metric_value(page, "weight w")
    assert abs(float(before) - 2.0) < 0.2, f"course data should give w near 2, got {before}"

    ys = page.get_by_role("textbox", name="ys", exact=True)
    ys.fill("2, 3, 4, 5, 6, 7")  # with the course xs -1 .. 4: y = x + 3
    ys.press("Enter")
    page.wait_for_function(
        """([selector, old]) => {
            const metric = Array.from(document.querySelectorAll(selector)).find(m =>
                (m.querySelector('[data-testid="stMetricLabel"]') || {}).innerText
                    ?.trim() === 'weight w');
            const value = metric?.querySelector('[data-testid="stMetricValue"]');
            return value && value.innerText.trim() !== old;
        }""",
        arg=[METRIC, before], timeout=RUN_TIMEOUT_MS)
    wait_for_app_idle(page)

    assert_no_exception(page)
    after = metric_value(page, "weight w")
    assert abs(float(after) - 1.0) < 0.1, f"y = x + 3 should give w near 1, got {after}"
    full_page_screenshot(page, screenshot_dir / "hello-neuron-new-ys.png")


def test_a_shared_lesson_link_works_as_the_first_visit(browser_page, fresh_streamlit_server):
    """The first script run of a new server is where a stray pages/ folder would make
    Streamlit announce "Page not found" over the right lesson."""
    page = browser_page
    page.goto(f"{fresh_streamlit_server}/hello-neuron")
    wait_for_app_idle(page)
    page.wait_for_timeout(1000)  # a dialog arrives with the first run's messages
    assert_no_exception(page)
    assert page.locator(TITLE).first.inner_text().strip() == "Hello, neuron"
