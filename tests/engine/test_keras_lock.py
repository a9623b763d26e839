"""Models built for pages while Streamlit resets Keras after other learners' runs: names stay
unique. Streamlit calls keras.backend.clear_session() after every script run, which restarts
Keras' layer-name counters for every thread at once."""

import gc
import threading

import keras

from engine import augment
from engine import convolutions
from engine import keras_lock
from engine import recipes

THREADS = 4
BUILDS_PER_THREAD = 6


def build_concurrently(build, reset) -> list:
    """Errors raised by `build` in THREADS threads while another thread calls `reset` in a
    loop, as Streamlit does each time a learner's page run ends."""
    errors, done = [], threading.Event()

    def keep_resetting():
        # Paced like a busy server, where runs end every few milliseconds, not back to back.
        while not done.wait(0.002):
            reset()

    def builder():
        try:
            for _ in range(BUILDS_PER_THREAD):
                build()
        except ValueError as error:
            errors.append(str(error))

    resetter = threading.Thread(target=keep_resetting)
    builders = [threading.Thread(target=builder) for _ in range(THREADS)]
    resetter.start()
    for thread in builders:
        thread.start()
    for thread in builders:
        thread.join()
    done.set()
    resetter.join()
    return errors


def the_dense_network():
    return recipes.fashion_mnist_model(128, extra_hidden_layer=True)


def test_without_the_lock_names_collide():
    """The failure the lock prevents is real: the same builds, unguarded, break."""
    unguarded = getattr(keras.backend.clear_session, "__wrapped_original__", None) or (
        keras.backend.clear_session)
    errors = []
    for _ in range(5):  # a race: give it a few chances
        errors += build_concurrently(the_dense_network, unguarded)
        if errors:
            break
    assert any("unique names" in error for error in errors)


def test_page_side_builds_hold_the_lock_and_keep_unique_names():
    keras_lock.guard_clear_session()

    def pages_build():
        convolutions.summary_rows(convolutions.CnnSettings())
        augment.preview_grid(numpy_picture(), augment.COURSE_SETTINGS, count=2)
        with keras_lock.building():
            the_dense_network()

    assert build_concurrently(pages_build, keras.backend.clear_session) == []


def test_a_summary_names_layers_as_a_training_job_does():
    rows = convolutions.summary_rows(convolutions.CnnSettings())
    assert [row["layer"] for row in rows][:4] == ["conv2d", "max_pooling2d", "conv2d_1",
                                                  "max_pooling2d_1"]
    again = convolutions.summary_rows(convolutions.CnnSettings())  # not conv2d_2 the 2nd time
    assert [row["layer"] for row in again] == [row["layer"] for row in rows]


def numpy_picture():
    import numpy

    return numpy.full((32, 32, 3), 128, dtype=numpy.uint8)


def test_streamlit_cleanup_after_a_page_view_resets_names_without_a_full_collection():
    """Streamlit ends every script run with keras.backend.clear_session(); the guarded one
    still restarts layer names but skips Keras' gc.collect(), 0.2 s of CPU per page view."""
    from streamlit.runtime.scriptrunner import script_runner

    keras_lock.guard_clear_session()
    full_collections = []

    def count(phase, info):
        if phase == "start" and info["generation"] == 2:
            full_collections.append(info)

    keras.layers.Dense(1)
    gc.callbacks.append(count)
    try:
        script_runner._clean_problem_modules()
    finally:
        gc.callbacks.remove(count)
    assert full_collections == []
    assert keras.layers.Dense(1).name == "dense"
