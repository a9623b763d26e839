"""The CI skip policy of tests/skip_policy.py, checked on a tiny suite run by a real pytest."""

import os
import pathlib
import subprocess
import sys
import textwrap

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

TINY_SUITE = '''
import pytest

def test_runs():
    assert True

def test_skips_for_a_missing_package():
    pytest.skip("somepackage is not installed")

def test_skips_with_permission():
    pytest.skip("allowed for the policy test")
'''

# The policy's own module, with one test of the tiny suite put on its allow-list.
TINY_CONFTEST = '''
from tests import skip_policy
skip_policy.ALLOWED_SKIPS = {"test_tiny.py::test_skips_with_permission": "the test says so"}
'''


def run_tiny_suite(folder: pathlib.Path, ci: str, suite: str = TINY_SUITE):
    """Run pytest on `suite` in `folder` with CI set to `ci`; return (exit code, output)."""
    (folder / "pytest.ini").write_text("[pytest]\n")  # keeps the repository's settings out
    (folder / "conftest.py").write_text(TINY_CONFTEST)
    (folder / "test_tiny.py").write_text(textwrap.dedent(suite))
    environment = dict(os.environ, CI=ci, PYTHONPATH=str(REPO_ROOT))
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.skip_policy", "-p", "no:cacheprovider",
         "-rA", str(folder)],
        cwd=folder, env=environment, capture_output=True, text=True, timeout=300)
    return finished.returncode, finished.stdout + finished.stderr


def closing_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_under_ci_a_skip_fails_and_an_allowed_skip_stays_a_skip(tmp_path):
    exit_code, output = run_tiny_suite(tmp_path, ci="true")
    assert exit_code == 1, output
    assert "1 failed, 1 passed, 1 skipped" in closing_line(output), output
    assert "test_skips_for_a_missing_package was skipped under CI=true" in output
    assert "somepackage is not installed" in output  # the skip's own reason is kept


def test_outside_ci_skips_are_only_skips(tmp_path):
    exit_code, output = run_tiny_suite(tmp_path, ci="false")
    assert exit_code == 0, output
    assert "1 passed, 2 skipped" in closing_line(output), output


def test_under_ci_a_module_that_skips_itself_is_an_error(tmp_path):
    module_skip = 'import pytest\npytest.importorskip("no_such_package_here")\n'
    exit_code, output = run_tiny_suite(tmp_path, ci="true", suite=module_skip)
    assert exit_code != 0, output
    assert "error" in closing_line(output), output
    assert "no_such_package_here" in output
