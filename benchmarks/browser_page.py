"""What a browser script needs to read a Streamlit page of the classroom in Chromium: the
elements' selectors, waiting for a script run to end, and a screenshot of the whole page.
Pytest-free, so one copy serves the browser tests (tests/browser/) and the benchmarks that
drive a browser (app_memory)."""

import contextlib

APP = '[data-testid="stApp"]'
MAIN = '[data-testid="stMainBlockContainer"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
PLOTLY = ".js-plotly-plot"
RUN_TIMEOUT_MS = 90_000  # one script run, training excluded, on a busy 2-core machine


def wait_for_app_idle(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait (up to `timeout_ms` milliseconds for each step) until the page is connected, its
    script run is over, and the running-man status widget is gone."""
    page.wait_for_selector(MAIN, timeout=timeout_ms)
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout_ms)
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_selector(STATUS_WIDGET, state="detached", timeout=timeout_ms)


def full_page_screenshot(page, path, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """A PNG of the whole page at `path`. Streamlit scrolls inside its own container, not the
    document, so a plain full_page screenshot stops at the viewport: grow the viewport to the
    content (at most 12,000 px), let Plotly resize and the pictures arrive, then restore it."""
    viewport = page.viewport_size
    height = page.evaluate("""() => Math.max(
        document.documentElement.scrollHeight,
        ...Array.from(document.querySelectorAll('[data-testid="stMain"], section, div'))
            .filter(e => e.scrollHeight > e.clientHeight + 1
                         && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
            .map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": viewport["width"],
                            "height": max(viewport["height"], min(int(height), 12000))})
    page.wait_for_timeout(1000)  # let Plotly resize to the new viewport
    wait_for_app_idle(page, timeout_ms)
    with contextlib.suppress(Exception):  # pictures arrive from the server's media endpoint
        page.wait_for_function("() => Array.from(document.images).every("
                               "image => image.complete && image.naturalWidth > 0)",
                               timeout=10_000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
