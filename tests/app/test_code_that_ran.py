""""The code you read is the code that ran", checked per lesson: a profiler records every
engine function that runs while a lesson's default run trains (the job, in this process,
exactly as a worker runs it) and while the page shows it; every function the page shows as
code must be among them, and every function that ran and builds or fits a model must be shown.
(Epochs are cut to one: the same code runs, in less time.)"""

import ast
import dataclasses
import inspect
import shutil
import sys
import textwrap
import threading

import pytest
import streamlit as st

from engine import augment
from engine import convolutions
from engine import dropout_pair
from engine import fashion_mnist
from engine import fine_tuning
from engine import hello_neuron
from engine import hosting
from engine import job_records
from engine import jobs
from engine import real_world
from engine import rules
from engine import run_cache
from engine import transfer
from engine import weights_files
from tests.app import helpers
from ui import code

# Calls that mark a function as one that builds or fits a model: x.fit(...), keras.Model(...),
# keras.Sequential(...) (anything.Model or anything.Sequential).
FITS = {"fit"}
BUILDS = {"Model", "Sequential"}


class CallRecorder:
    """Every engine function called, as module.qualified_name, in every thread."""

    def __init__(self):
        self.called = set()

    def __call__(self, frame, event, argument):
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if module.startswith("engine."):
                self.called.add(f"{module}.{frame.f_code.co_qualname}")

    def __enter__(self):
        sys.setprofile(self)
        threading.setprofile(self)
        return self

    def __exit__(self, *exception):
        sys.setprofile(None)
        threading.setprofile(None)


def shown_functions(app) -> set:
    return set(app.session_state[code.SHOWN_KEY]) if code.SHOWN_KEY in app.session_state else set()


def ran(name: str, called: set) -> bool:
    """A function ran; a class shown as code ran when any of its methods did."""
    return name in called or any(call.startswith(name + ".") for call in called)


def builds_or_fits(name: str) -> bool:
    module_name, _, qualified = name.partition(".")[2].partition(".")
    module = sys.modules[f"engine.{module_name}"]
    target = module
    for part in qualified.split("."):
        target = getattr(target, part, None)
        if target is None:
            return False
    if "<locals>" in name or not callable(target):
        return False
    if module_name == "recipes":
        return True
    tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr in FITS | BUILDS for node in ast.walk(tree))


def check(app, recorder, jobs_run) -> None:
    shown = shown_functions(app)
    assert shown, "the page shows no code"
    not_run = sorted(name for name in shown if not ran(name, recorder.called))
    assert not not_run, f"shown as the code that runs, but did not run: {not_run}"
    hidden = sorted(name for name in recorder.called if builds_or_fits(name)
                    and not any(name == each or name.startswith(each + ".") for each in shown))
    assert not hidden, f"built or fitted a model without being shown: {hidden}"
    assert jobs_run


def run_job_here(job) -> str:
    """The job as a worker runs it (engine.jobs.execute), in this process, training afresh
    even when an earlier test stored a run of these settings, or lesson 7's features (which
    would spare the feature extractor: the test then passed or failed by the tests' order)."""
    jobs.forget(job)
    for shelf in (run_cache.FINISHED_SHELF, run_cache.STOPPED_SHELF):
        run_cache.discard(run_cache.run_folder(job.kind, job.key, shelf))
    shutil.rmtree(hosting.data_dir() / "features", ignore_errors=True)
    return jobs.execute(job, str(hosting.data_dir()))


def page_after(path: str, set_up) -> object:
    # What the server keeps for every learner (ui/shared_caches.py, the layer viewer's maps) was
    # made by the same code for the first learner who asked; earlier tests in this process may
    # have asked. Forgotten here, so that this page's run makes it, as a new server's first
    # learner's does, and the recorder sees that code run.
    st.cache_data.clear()
    st.cache_resource.clear()
    app = helpers.run_page(path, timeout=600)
    set_up(app)
    helpers.assert_no_exception(app)
    return app


LESSON_3 = fashion_mnist.FashionSettings(epochs=1)
LESSON_4 = convolutions.CnnSettings(epochs=1)
LESSON_5 = real_world.RealWorldSettings(epochs=1)
LESSON_6_PLAIN = dataclasses.replace(
    real_world.RealWorldSettings(dataset="cats_and_dogs_filtered", image_size=100,
                                 conv_blocks=4, batch_size=32), epochs=2)
LESSON_6_AUGMENTED = dataclasses.replace(LESSON_6_PLAIN, augmentation=tuple(
    dataclasses.asdict(augment.COURSE_SETTINGS).items()))


def lesson_7_pair():
    weights = weights_files.resolve_weights("MobileNet 0.25")
    return dropout_pair.PairSettings(
        base_name="MobileNet 0.25", weights_identity=weights.identity,
        weights_path=str(weights.path),
        pixel_scaling=transfer.base_choice("MobileNet 0.25").default_scaling,
        cut_layer_name="conv_pw_13_relu", epochs=1)


LESSONS = {
    "rules_vs_data": (lambda: [rules.job(rules.RuleSettings(
        (-40.0, -20.0, 0.0, 20.0, 40.0, 60.0, 80.0, 100.0),
        (-40.0, -4.0, 32.0, 68.0, 104.0, 140.0, 176.0, 212.0)))], lambda app: None),
    "hello_neuron": (lambda: [hello_neuron.job(hello_neuron.HelloNeuronSettings())],
                     lambda app: None),
    "fashion_mnist": (lambda: [fashion_mnist.job(LESSON_3)],
                      lambda app: app.slider(key="setting-epochs").set_value(1).run()),
    "convolutions": (lambda: [convolutions.job(LESSON_4)],
                     lambda app: app.slider(key="cnn-epochs").set_value(1).run()),
    "real_world_images": (lambda: [real_world.job(LESSON_5)],
                          lambda app: app.slider(key="real-epochs").set_value(1).run()),
    "augmentation": (lambda: [real_world.job(LESSON_6_PLAIN),
                              real_world.job(LESSON_6_AUGMENTED)],
                     lambda app: app.slider(key="augment-epochs").set_value(2).run()),
    "transfer_learning": (lambda: [dropout_pair.job(lesson_7_pair()), fine_tuning.job(
        fine_tuning.FineTuneSettings(lesson_7_pair(), dropout_pair.WITHOUT_DROPOUT,
                                     "conv_pw_11_relu", epochs=1))], lambda app: (
        app.slider(key="transfer-epochs").set_value(1).run(),
        app.slider(key="transfer-fine-tune-epochs").set_value(1).run())),
}


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_code_shown_is_the_code_that_ran(lesson, classroom_data_dir):
    make_jobs, set_up = LESSONS[lesson]
    with CallRecorder() as recorder:
        states = [run_job_here(job) for job in make_jobs()]
        app = page_after(f"lessons/{lesson}.py", set_up)
    assert states == [job_records.FINISHED] * len(states)
    check(app, recorder, states)
