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
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

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
SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 10.0

# The tests import ui.lessons; make that work however pytest was started.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: end-to-end tests that start the Streamlit server and drive Chromium",
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return ""


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server and everything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, SERVER_STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


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
    `extra_environment` (a dict) on top of this process's; yields its base URL."""
    port = _free_port()
    stdout_path, stderr_path = logs / "stdout.log", logs / "stderr.log"
    environment = dict(os.environ)
    environment[DATA_DIR_VARIABLE] = str(classroom_data_dir)
    environment.update(extra_environment or {})
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    # Log files, not pipes: nobody reads a pipe while the tests run, and a full pipe
    # would block the server.
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment,
                                   stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"

    def server_output() -> str:
        return (f"--- stderr ---\n{stderr_path.read_text(errors='replace')[-8000:]}\n"
                f"--- stdout ---\n{stdout_path.read_text(errors='replace')[-4000:]}")

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health(f"{base_url}/_stcore/health") != "ok":
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode} before it "
                            f"was healthy:\n{server_output()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {base_url}/_stcore/health with 'ok' "
                            f"within {SERVER_START_TIMEOUT_S:.0f} s:\n{server_output()}",
                            pytrace=False)
            time.sleep(0.25)
        yield base_url
    finally:
        _stop(process)


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
