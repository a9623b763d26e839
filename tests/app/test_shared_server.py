"""Hosting for strangers: with KERAS_CLASSROOM_SHARED_SERVER=1 no input reads a server path
and no page names one; every control states its cap; the server's store of runs is one for
all sessions and keeps to its size."""

import pytest
from streamlit.testing.v1 import AppTest

from engine import caps
from engine import dropout_pair
from engine import hosting
from engine import real_world
from tests.app import helpers
from ui import picture_choice
from ui import transfer_learning_choices


@pytest.fixture
def shared(classroom_data_dir, monkeypatch):
    monkeypatch.setenv(hosting.SHARED_SERVER_VARIABLE, "1")
    return classroom_data_dir


def page_text(app: AppTest) -> str:
    """Everything the page sent to the browser (main area and sidebar), as text: a path in
    any caption, message, table or widget label shows up here."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(parts)


def open_the_app() -> AppTest:
    """The whole app (navigation, sidebar, home page) as a new visitor sees it."""
    app = AppTest.from_file(str(helpers.REPOSITORY / "streamlit_app.py"), default_timeout=120)
    app.run()
    helpers.assert_no_exception(app)
    return app


def test_the_app_names_the_data_directory_only_when_the_server_is_not_shared(
        classroom_data_dir, monkeypatch):
    import streamlit.config

    from engine import runner as job_runner

    # The home page trains nothing: no training workers for this short test to leave behind.
    monkeypatch.setattr(job_runner, "start_in_background", lambda: None)
    monkeypatch.delenv(hosting.SHARED_SERVER_VARIABLE, raising=False)
    own_laptop = open_the_app()
    assert str(classroom_data_dir) in page_text(own_laptop)  # so the check below can fail
    assert any(hosting.SHARED_SERVER_VARIABLE in caption.value
               for caption in own_laptop.caption)

    monkeypatch.setenv(hosting.SHARED_SERVER_VARIABLE, "1")
    error_details = streamlit.config.get_option("client.showErrorDetails")
    try:
        hosted = open_the_app()
        # An unexpected error would show its type only, never a message naming a path.
        assert streamlit.config.get_option("client.showErrorDetails") == "type"
    finally:
        streamlit.config.set_option("client.showErrorDetails", error_details)
    assert str(classroom_data_dir) not in page_text(hosted)
    assert "Data directory:" not in page_text(hosted)
    assert any(hosting.SHARED_SERVER_VARIABLE in info.value for info in hosted.info)


def test_lesson_5_offers_no_folder_of_the_server(shared):
    app = helpers.run_page("lessons/real_world_images.py", timeout=300)
    assert picture_choice.LOCAL not in app.selectbox(key="real-dataset").options
    assert picture_choice.OWN in app.selectbox(key="real-dataset").options
    assert str(shared) not in page_text(app)
    app.selectbox(key="real-dataset").set_value(picture_choice.OWN).run()
    helpers.assert_no_exception(app)
    assert not app.text_input  # no path to type anywhere
    assert str(shared) not in page_text(app)
    assert f"at most {caps.UPLOAD_MEGABYTES} MB" in page_text(app)


def test_lesson_5_states_its_caps_beside_its_controls(classroom_data_dir):
    app = helpers.run_page("lessons/real_world_images.py", timeout=300)
    assert app.slider(key="real-epochs").max == caps.most(real_world.RUN_KIND, "epochs")
    assert caps.sentence(real_world.RUN_KIND) in [caption.value for caption in app.caption]


def ask_for_too_many_epochs():
    """A page asking for a run over its cap. Streamlit itself keeps a slider's value within
    its range (41 sent to a 1..40 slider comes back as its default), so the settings of such
    a run come another way: a link, another page, a hand-made request."""
    from engine import hello_neuron
    from ui import job_view

    job_view.train_or_show(hello_neuron.job(hello_neuron.HelloNeuronSettings(epochs=2001)),
                           lambda history: None)


def test_a_run_over_a_cap_is_refused_on_the_page_with_the_cap(empty_data_dir):
    app = AppTest.from_function(ask_for_too_many_epochs, default_timeout=60).run()
    helpers.assert_no_exception(app)
    assert [error.value for error in app.error] == [
        "2,001 epochs is more than this server allows: at most 2,000 epochs per run; choose "
        "2,000 or fewer."]
    assert not app.button  # no Train button to press


def test_lesson_7_offers_no_weights_path_nor_folder(shared):
    app = helpers.run_page("lessons/transfer_learning.py", timeout=600)
    sources = app.radio(key="transfer-weights-source").options
    assert transfer_learning_choices.FROM_PATH not in sources
    assert transfer_learning_choices.FROM_UPLOAD in sources
    assert picture_choice.LOCAL not in app.selectbox(key="transfer-dataset").options
    assert not app.text_input
    assert app.slider(key="transfer-epochs").max == caps.most(dropout_pair.RUN_KIND, "epochs")
    assert caps.sentence(dropout_pair.RUN_KIND) in [caption.value for caption in app.caption]
    assert str(shared) not in page_text(app)


def put_a_run(name: str, size_bytes: int):
    """One learner's session: keep a run of `size_bytes` in the server's store, then show the
    store's keys as this session sees them."""
    import numpy
    import streamlit as st

    from ui import shared_caches
    from engine import run_cache

    run = run_cache.Run(model=None, history={}, extras={},
                        arrays={"weights": numpy.zeros(size_bytes, numpy.uint8)}, settings={},
                        key=name, from_cache=True)
    shared_caches.result_store().put(("test-kind", name), run)
    st.write(" ".join(key[1] for key in shared_caches.result_store().keys()))


def test_the_run_store_is_one_for_all_sessions_and_drops_the_oldest(monkeypatch):
    from ui import shared_caches

    monkeypatch.setattr(shared_caches, "RUN_STORE_BYTES", 3000)
    shared_caches.result_store.clear()
    try:
        seen = []
        for name in ("ada", "grace", "alan", "edsger"):  # four learners, four sessions
            session = AppTest.from_function(put_a_run, args=(name, 1000)).run()
            helpers.assert_no_exception(session)
            seen.append(session.markdown[0].value)
        assert seen[:3] == ["ada", "ada grace", "ada grace alan"]
        assert seen[3] == "grace alan edsger"  # full at 3,000 bytes: ada's run made room
        # A run heavier than the whole store is not kept, and keeps the others.
        too_big = AppTest.from_function(put_a_run, args=("barbara", 4000)).run()
        assert too_big.markdown[0].value == "grace alan edsger"
    finally:
        shared_caches.result_store.clear()  # the next test gets a store of the real size


def test_the_live_view_polls_less_often_as_a_class_watches_one_run(empty_data_dir):
    from engine import hello_neuron
    from engine import jobs
    from ui import job_view

    job = hello_neuron.job(hello_neuron.HelloNeuronSettings())
    jobs.watch(job, "me")
    assert job_view.poll_seconds_for(job, "me") == job_view.POLL_SECONDS  # a lone learner
    for classmate in range(11):
        jobs.watch(job, f"classmate-{classmate}")
    assert job_view.poll_seconds_for(job, "me") == pytest.approx(1.2)  # 12 watchers
    for classmate in range(11, 40):
        jobs.watch(job, f"classmate-{classmate}")
    assert job_view.poll_seconds_for(job, "me") == job_view.SLOWEST_POLL_SECONDS


def two_tables():
    import streamlit as st

    from ui import tables

    rows = [{"layer": "conv2d", "output": "26 x 26 x 32", "parameters": 320},
            {"layer": "dense", "output": "10", "parameters": 1290.0}]
    tables.show(rows, hide_index=True)
    st.dataframe(rows, hide_index=True)


def test_a_table_is_turned_into_arrow_once_and_shows_what_streamlit_shows(empty_data_dir):
    from ui import tables

    app = AppTest.from_function(two_tables, default_timeout=60).run()
    helpers.assert_no_exception(app)
    kept, plain = app.dataframe
    assert kept.value.equals(plain.value)  # the same columns, types and values
    rows = [{"a": 1}]
    assert tables.arrow_table(rows) is tables.arrow_table([{"a": 1}])  # kept for everyone
    assert tables.arrow_table([{"a": 1.0}]) is not tables.arrow_table(rows)  # 1.0 shows as 1.0
