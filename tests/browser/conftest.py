"""Fixtures for the browser tests: the real Streamlit server and a headless Chromium.

The server is started once per session from the repository root, exactly as a teacher
would start it, with the classroom data directory (the `classroom_data_dir` fixture of
tests/conftest.py) passed through the environment. The browser is Debian's
/usr/bin/chromium driven by Playwright's sync API (Playwright's own browser download is
not used).
"""

import contextlib
import os
import pathlib
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = pathlib.Path(__file__).resolve().parent / "screenshots"
DATA_DIR_VARIABLE = "KERAS_CLASSROOM_DATA_DIR"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The tests import ui.lesson_list; make that work however pytest was started.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import app_server  # noqa: E402  (needs the path above)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: end-to-end tests that start the Streamlit server and drive Chromium",
    )


# One place starts the server for the tests and the benchmarks (benchmarks/app_server.py);
# tests/browser/classroom_cluster.py uses these names.
_free_port = app_server.free_port
_health = app_server.health
_stop = app_server.stop


@pytest.fixture(scope="session")
def streamlit_server(classroom_data_dir, tmp_path_factory):
    """Base URL (no trailing slash) of a running `streamlit run streamlit_app.py`, its data
    directory the real offline data from tests/conftest.py's `classroom_data_dir` (which
    skips, or fails under CI, when that data is missing)."""
    with running_server(classroom_data_dir, tmp_path_factory.mktemp("streamlit-server")) as url:
        yield url


@pytest.fixture
def fresh_streamlit_server(classroom_data_dir, tmp_path):
    """A server of its own that nobody has visited yet, for first-visit behaviour."""
    with running_server(classroom_data_dir, tmp_path) as url:
        yield url


@pytest.fixture
def shared_streamlit_server(classroom_data_dir, tmp_path):
    """A server of its own started as a host for strangers (KERAS_CLASSROOM_SHARED_SERVER=1)."""
    with running_server(classroom_data_dir, tmp_path,
                        {"KERAS_CLASSROOM_SHARED_SERVER": "1"}) as url:
        yield url


@contextlib.contextmanager
def running_server(classroom_data_dir, logs, extra_environment=None):
    """Start `streamlit run streamlit_app.py` on a free port, its output in `logs`, with
    `extra_environment` (a dict) on top of this process's; yields its base URL. A server
    that does not start fails the test with its output."""
    with contextlib.ExitStack() as stack:
        try:
            _, base_url = stack.enter_context(
                app_server.running_server(classroom_data_dir, logs, extra_environment))
        except app_server.ServerDidNotStart as problem:
            pytest.fail(str(problem), pytrace=False)
        yield base_url


@pytest.fixture(scope="session")
def chromium_browser():
    """A headless Debian Chromium. Skipped locally when it is not installed; in CI
    (CI=true), which installs it, its absence is a failure."""
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} is not installed (apt-get install chromium); Playwright's "
                  "bundled browsers are not used by these tests")
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(chromium_browser, request):
    """A fresh browser context (own cookies and session) and page for each test. When the
    test fails, its page is saved as failed-<test>.png and its text is printed, so a CI log
    says what the learner would have seen."""
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            describe_failed_page(tab, request.node.name)
    finally:
        context.close()


def describe_failed_page(tab, test_name: str) -> None:
    try:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOT_DIR / f"failed-{test_name}.png"), full_page=True)
        text = tab.locator('[data-testid="stApp"]').inner_text(timeout=5_000)
        print(f"--- what the page showed when {test_name} failed ({tab.url}) ---\n"
              f"{text[-6000:]}")
    except Exception as problem:  # the page may be gone; the test's own failure matters more
        print(f"could not describe the failed page: {problem!r}")


@pytest.fixture(scope="session")
def screenshot_dir() -> pathlib.Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
