"""Under CI (CI=true) a skipped test is a failure, unless it is on ALLOWED_SKIPS.

A skip hides a test that never ran, and CI judges a run by pytest's closing line: a missing
package or data folder would otherwise pass as "443 passed, 4 skipped". tests/conftest.py
imports these hooks, so they apply to the whole suite; a test can also load this module
with `pytest -p tests.skip_policy`.
"""

import os

import pytest

# Tests that may skip under CI, by pytest node id, each with the reason it is allowed.
# Keep it short: every entry is a test that CI does not run.
ALLOWED_SKIPS = {
    # (none today: the data, chromium and scipy are all present in CI)
}


def under_ci() -> bool:
    """True when the run is a CI run (CI=true, as .ci/run sets it)."""
    return os.environ.get("CI") == "true"


def skip_reason(report) -> str:
    """The reason pytest recorded for a skip ("(path, line, reason)" or plain text)."""
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[-1])
    return str(report.longrepr)


def failure_text(node_id: str, reason: str) -> str:
    """What a learner of the test suite reads when CI refuses a skip."""
    return (f"{node_id} was skipped under CI=true ({reason}). CI must run every test: "
            "install what it needs, or add it with a reason to ALLOWED_SKIPS in "
            "tests/skip_policy.py.")


def refused(report, node_id: str) -> bool:
    """True for a skip that CI must not accept."""
    # An expected failure (xfail) is reported as skipped too; it ran, so it is left alone.
    return (report.skipped and not hasattr(report, "wasxfail") and under_ci()
            and node_id not in ALLOWED_SKIPS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a test's skip (in setup or in its body) into a failure under CI."""
    report = yield
    if refused(report, item.nodeid):
        report.longrepr = failure_text(item.nodeid, skip_reason(report))
        report.outcome = "failed"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """Turn a whole module's skip (e.g. a module-level importorskip) into an error under CI."""
    report = yield
    if refused(report, collector.nodeid):
        report.longrepr = failure_text(collector.nodeid, skip_reason(report))
        report.outcome = "failed"
    return report
