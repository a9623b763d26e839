"""The class load script (benchmarks/class_load.py) counts what happened: exceptions on the page,
Train presses that reach the server's runner once, trainings in the data directory, and a last
line a script can parse. Its sessions speak Streamlit's websocket protocol, not Chromium, but
they need the real server, so they live with the browser tests.
"""

import asyncio
import importlib.util
import random
import re

import pytest
from streamlit.proto import ForwardMsg_pb2

from benchmarks import class_load
from benchmarks import streamlit_session
from engine import fashion_mnist
from engine import hosting
from engine import job_records
from tests.app import helpers

TIMEOUT_S = 240.0
LAST_LINE = re.compile(
    r"sessions (?P<sessions>\d+) exceptions (?P<exceptions>\d+) trainings (?P<trainings>\d+) "
    r"distinct (?P<distinct>\d+) peak_mib (?P<peak_mib>\d+) p95_s (?P<p95_s>[\d.]+) "
    r"cpu_per_view_s (?P<cpu_per_view_s>[\d.]+) asked (?P<asked>\d+) "
    r"page_cpu_per_view_s (?P<page_cpu_per_view_s>[\d.]+) problems (?P<problems>\d+)$")


def server_test(test):
    """A test that starts the real server: marked `browser`, with a timeout when
    pytest-timeout is installed."""
    test = pytest.mark.browser(test)
    if importlib.util.find_spec("pytest_timeout") is not None:
        test = pytest.mark.timeout(300)(test)
    return test


def exception_message(path: tuple, text: str):
    message = ForwardMsg_pb2.ForwardMsg()
    message.metadata.delta_path.extend(path)
    message.delta.new_element.exception.type = "ValueError"
    message.delta.new_element.exception.message = text
    return message


def test_an_exception_on_the_page_is_counted_with_its_text():
    session = streamlit_session.Session("http://127.0.0.1:1")
    chart = ForwardMsg_pb2.ForwardMsg()
    chart.metadata.delta_path.extend((0, 1))
    chart.delta.new_element.plotly_chart.id = "$$ID-0123abcd-final-loss"

    async def read():
        await session.handle(chart)
        await session.handle(exception_message((0, 2), "the page broke"))

    asyncio.run(read())
    assert session.exceptions == ["ValueError: the page broke"]
    assert session.has_key("final-loss") and not session.has_key("loss")


@server_test
def test_two_learners_press_train_and_the_server_trains_once(streamlit_server):
    helpers.wait_for_jobs()  # runs left by earlier tests train first
    seed = random.Random().randrange(10_000, 2**31 - 1)  # settings no earlier run had
    link = f"training_images=1000&epochs=1&seed={seed}"
    job = fashion_mnist.job(fashion_mnist.FashionSettings(training_images=1000, epochs=1,
                                                          seed=seed))

    async def two_learners():
        sessions = [streamlit_session.Session(streamlit_server) for _ in range(2)]
        for session in sessions:
            await session.connect()
        try:
            return await asyncio.gather(*(class_load.visit(session, "fashion-mnist", TIMEOUT_S,
                                                           link) for session in sessions))
        finally:
            for session in sessions:
                await session.close()

    visits = asyncio.run(two_learners())
    for visit in visits:
        assert visit.problem == "" and visit.exceptions == []
        assert visit.open_s > 0 and visit.result_s >= visit.open_s
        assert len(visit.press_s) <= 1  # each pressed Train at most once
    assert sum(len(visit.press_s) for visit in visits) >= 1  # the run came from a press
    assert [record["key"] for record in job_records.trainings()].count(job.key) == 1


@server_test
def test_the_script_counts_a_cold_class_and_its_last_line_parses(classroom_data_dir, capsys,
                                                                 monkeypatch):
    # --cold points the data directory variable at a fresh folder; put it back afterwards.
    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(classroom_data_dir))
    class_load.main(["--sessions", "2", "--pattern", "together", "--cold", "--no-warm-up",
                     "--lessons", "hello-neuron", "--result-timeout", str(TIMEOUT_S)])
    printed = capsys.readouterr().out.strip().splitlines()
    counted = LAST_LINE.match(printed[-1])
    assert counted, printed[-1]
    assert {name: counted[name] for name in ("sessions", "exceptions", "trainings", "distinct",
                                             "asked", "problems")} == {
        "sessions": "2", "exceptions": "0", "trainings": "1", "distinct": "1", "asked": "1",
        "problems": "0"}  # a fresh data directory: the neuron's default run trains once
    assert int(counted["peak_mib"]) > 0 and float(counted["cpu_per_view_s"]) > 0
    assert any(line.startswith("hello-neuron ") and line.split()[1] == "2" for line in printed)

