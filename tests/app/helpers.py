"""Shared AppTest helpers: run a page file headless and read what it drew."""

import json
import pathlib

from streamlit.testing.v1 import AppTest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


def run_page(relative_path: str, timeout: float = 120) -> AppTest:
    """Open the page as a new learner, and let the server finish any training the page
    started by itself (lessons 1 and 2 train on opening), then show the page again."""
    app = AppTest.from_file(str(REPOSITORY / relative_path), default_timeout=timeout)
    app.run()
    assert_no_exception(app)
    if jobs_are_running():
        wait_for_jobs()
        app.run()
        assert_no_exception(app)
    return app


def jobs_are_running() -> bool:
    from engine import job_records
    from engine import hosting

    return any(json.loads(path.read_text()).get("state") in job_records.ACTIVE
               for path in (hosting.data_dir() / "jobs").glob("*/*/progress.json"))


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [exception.value for exception in app.exception]


def chart_figure(app: AppTest, key: str) -> dict:
    """The Plotly figure (as JSON) of the chart drawn with this widget key."""
    for chart in app.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart with key {key!r} on the page")


def metric_values(app: AppTest) -> dict:
    return {metric.label: metric.value for metric in app.metric}


def plotly_array(value):
    """A Plotly JSON array as numpy: plain lists, or Plotly 6+'s base64 typed arrays."""
    import base64

    import numpy

    if isinstance(value, dict) and "bdata" in value:
        array = numpy.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(size) for size in str(value.get("shape", len(array))).split(",")]
        return array.reshape(shape)
    return numpy.asarray(value)


def wait_for_jobs(timeout: float = 300) -> None:
    """Wait until no training job in the data directory is waiting or training: the page
    hands training to the server's runner, and the test then reruns the page to see it."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not jobs_are_running():
            return
        time.sleep(0.1)
    raise AssertionError(f"training jobs still running after {timeout} s")


def train(app: AppTest, key: str = "train") -> AppTest:
    """Press the page's Train button (unless an earlier test trained these settings: runs are
    shared by every session, as on a classroom server), wait for the job, show its run."""
    if key in [button.key for button in app.button]:
        app.button(key=key).click().run()
        assert_no_exception(app)
    wait_for_jobs()
    app.run()
    assert_no_exception(app)
    return app


# The kinds of control a lesson draws, as AppTest names them.
CONTROL_KINDS = ("slider", "select_slider", "text_input", "selectbox", "number_input",
                 "checkbox", "radio")


def controls(app: AppTest) -> list:
    """Every control the page drew, of every kind in CONTROL_KINDS."""
    return [control for kind in CONTROL_KINDS for control in getattr(app, kind)]


def set_controls(app: AppTest, values: dict) -> AppTest:
    """Set each control (widget key -> value) in turn, each followed by a rerun, as a learner's
    clicks are; returns the app."""
    for key, value in values.items():
        next(control for control in controls(app) if control.key == key).set_value(value).run()
    return app


def asked_questions(app: AppTest, url_path: str) -> set:
    """The ids of the "Check your understanding" questions the page asks now (one radio each,
    ui/understanding.py); the section's header must be there."""
    assert "Check your understanding" in [header.value for header in app.header]
    prefix = f"understanding-{url_path}-"
    return {radio.key[len(prefix):] for radio in app.radio
            if radio.key and radio.key.startswith(prefix)}
