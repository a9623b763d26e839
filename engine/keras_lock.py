"""One lock for building Keras models in the server process, where every learner's page runs
in a thread of its own.

Keras numbers layer names ("dense", "dense_1") through state that
`keras.backend.clear_session()` replaces for every thread at once, and Streamlit calls
`clear_session()` after every script run (streamlit/runtime/scriptrunner/script_runner.py,
`_clean_problem_modules`). So while one learner's page builds a model, another learner's page
ending its run could reset the counter half way, and the model would get two layers named
"dense": `ValueError: All layers added to a Sequential model should have unique names`.

`building()` holds the lock while a page-side routine makes layers (a summary's model, a
loaded run, the course's full model); `guard_clear_session()` makes `clear_session` wait for
that lock too. Training never needs it: jobs train in worker processes (engine/jobs.py).

The guarded `clear_session` also skips the full garbage collection Keras runs by default
(`free_memory=True`): Streamlit's call after every page view made one each time, which took
about 0.2 s of CPU holding Python's global lock, 17% of the server's CPU with six learners
going through the lessons (py-spy, BENCHMARKS.md "A class on one server"). Python's own
collector still frees cycles as it always does.
"""

import contextlib
import threading

import keras

LOCK = threading.RLock()


@contextlib.contextmanager
def building(fresh_names: bool = False):
    """Hold while making Keras layers or models in a thread that pages share. With
    `fresh_names`, layer names start again from "dense", "conv2d", as in a training job,
    so a page's summary names the layers as the trained model does."""
    guard_clear_session()
    with LOCK:
        if fresh_names:
            keras.backend.clear_session()
        yield


def guard_clear_session() -> None:
    """Make `keras.backend.clear_session` wait for models being built, and skip its full
    garbage collection unless asked with `free_memory=True` (idempotent)."""
    original = keras.backend.clear_session
    if getattr(original, "waits_for_models_being_built", False):
        return

    def clear_session(free_memory: bool = False):
        with LOCK:
            return original(free_memory=free_memory)

    clear_session.waits_for_models_being_built = True
    clear_session.__wrapped_original__ = original
    clear_session.__doc__ = original.__doc__
    keras.backend.clear_session = clear_session
