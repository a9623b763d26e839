"""Shared AppTest helpers: run a page file headless and read what it drew."""

import json
import pathlib

from streamlit.testing.v1 import AppTest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


def run_page(relative_path: str, timeout: float = 120) -> AppTest:
    app = AppTest.from_file(str(REPOSITORY / relative_path), default_timeout=timeout)
    app.run()
    assert_no_exception(app)
    return app


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
