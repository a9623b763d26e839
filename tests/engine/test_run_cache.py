"""The run cache stores real Keras models in real files, and trains each setting once even
when threads or processes ask for it at the same moment."""

import fcntl
import gc
import multiprocessing
import os
import pathlib
import sys
import threading
import time
import types

import keras
import numpy
import pytest

from engine import hosting
from engine import run_cache

KIND = "tiny-dense"
SETTINGS = {"learning_rate": 0.1, "epochs": 3, "layers": {"units": 2, "activation": None}}
VERSION = 1


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return tmp_path / "data"


def tiny_result(seed=0, complete=True) -> run_cache.RunResult:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    inputs = numpy.random.default_rng(seed).normal(size=(8, 3)).astype("float32")
    history = model.fit(inputs, numpy.zeros((8, 2), "float32"), epochs=3, verbose=0)
    return run_cache.RunResult(
        model=model, history=history.history, extras={"test_accuracy": 0.5, "seconds": 0.1},
        arrays={"predictions": model.predict(inputs, verbose=0)}, complete=complete)


def assert_same_weights(first: keras.Model, second: keras.Model):
    for ours, theirs in zip(first.get_weights(), second.get_weights(), strict=True):
        numpy.testing.assert_array_equal(ours, theirs)


class CountingTrainer:
    """A slow `train` that counts its calls, so overlapping callers really overlap."""

    def __init__(self, seconds=0.0, complete=True, error=None):
        self.calls = 0
        self.seconds, self.complete, self.error = seconds, complete, error
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        if self.error is not None:
            raise self.error
        return tiny_result(complete=self.complete)


def test_round_trip_keeps_weights_history_extras_and_arrays(data_dir):
    result = tiny_result()
    key = run_cache.save_run(KIND, SETTINGS, VERSION, result)
    assert (data_dir / "runs" / KIND / key / "model.keras").is_file()
    run = run_cache.load_run(KIND, key)
    assert run.from_cache and run.complete and run.key == key
    assert_same_weights(run.model, result.model)
    assert run.history == result.history
    assert run.extras == result.extras and run.settings == SETTINGS
    numpy.testing.assert_array_equal(run.arrays["predictions"], result.arrays["predictions"])


def test_nothing_stored_means_none(data_dir):
    assert run_cache.load_run(KIND, run_cache.run_key(KIND, SETTINGS, VERSION)) is None


def test_key_ignores_dict_order_and_follows_settings_kind_and_version():
    reordered = {"layers": {"activation": None, "units": 2}, "epochs": 3, "learning_rate": 0.1}
    key = run_cache.run_key(KIND, SETTINGS, VERSION)
    assert len(key) == 64
    assert run_cache.run_key(KIND, reordered, VERSION) == key
    assert run_cache.run_key(KIND, {**SETTINGS, "epochs": 4}, VERSION) != key
    assert run_cache.run_key(KIND, SETTINGS, VERSION + 1) != key
    assert run_cache.run_key("other-kind", SETTINGS, VERSION) != key


@pytest.mark.parametrize("settings", [{"callback": object()}, {"sizes": {1, 2}},
                                      {"rate": numpy.float32(0.1)}, {"rate": float("nan")}])
def test_settings_that_are_not_json_are_refused(settings):
    with pytest.raises(ValueError, match="cannot be remembered"):
        run_cache.run_key(KIND, settings, VERSION)


@pytest.mark.parametrize("kind", ["../escape", "", "Has Space"])
def test_kinds_that_are_not_folder_names_are_refused(kind):
    with pytest.raises(ValueError, match="run kind"):
        run_cache.run_key(kind, SETTINGS, VERSION)


@pytest.mark.parametrize("damage", ["remove model", "truncate model", "truncate history",
                                    "remove arrays"])
def test_a_damaged_run_counts_as_missing_and_is_trained_again(data_dir, damage):
    key = run_cache.save_run(KIND, SETTINGS, VERSION, tiny_result())
    folder = data_dir / "runs" / KIND / key
    if damage == "remove model":
        (folder / "model.keras").unlink()
    elif damage == "remove arrays":
        (folder / "arrays.npz").unlink()
    else:
        path = folder / ("model.keras" if damage == "truncate model" else "history.json")
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    assert run_cache.load_run(KIND, key) is None
    assert not folder.exists()
    trainer = CountingTrainer()
    run = run_cache.train_once(KIND, SETTINGS, VERSION, trainer)
    assert trainer.calls == 1 and not run.from_cache
    assert run_cache.load_run(KIND, key) is not None


def test_partial_folders_are_ignored_and_removed_once_old(data_dir):
    folder = data_dir / "runs" / KIND
    old, fresh = folder / ".partial-old", folder / ".partial-fresh"
    for partial in (old, fresh):
        partial.mkdir(parents=True)
        (partial / "history.json").write_text("{")
    hours_ago = time.time() - 2 * 60 * 60
    os.utime(old, (hours_ago, hours_ago))
    key = run_cache.save_run(KIND, SETTINGS, VERSION, tiny_result())
    assert not old.exists() and fresh.exists()
    assert run_cache.load_run(KIND, key) is not None


def test_second_call_loads_instead_of_training(data_dir):
    trainer = CountingTrainer()
    first = run_cache.train_once(KIND, SETTINGS, VERSION, trainer)
    second = run_cache.train_once(KIND, dict(reversed(SETTINGS.items())), VERSION, trainer)
    assert trainer.calls == 1
    assert not first.from_cache and second.from_cache
    assert_same_weights(first.model, second.model)


def test_two_threads_train_once_and_share_the_run(data_dir):
    trainer = CountingTrainer(seconds=0.5)
    waits, runs = [], [None, None]
    start = threading.Barrier(2)

    def ask(slot):
        start.wait()
        runs[slot] = run_cache.train_once(KIND, SETTINGS, VERSION, trainer,
                                          on_wait=lambda: waits.append(slot))

    threads = [threading.Thread(target=ask, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert trainer.calls == 1
    assert len(waits) == 1
    assert sorted(run.from_cache for run in runs) == [False, True]
    assert_same_weights(runs[0].model, runs[1].model)


def train_in_another_process(data_dir, out_dir, slot, start):
    """Runs in a spawned process: ask for the run, record what happened in files."""
    os.environ[hosting.DATA_DIR_VARIABLE] = data_dir
    out = pathlib.Path(out_dir)

    def train():
        with open(out / "train-calls", "a") as calls:
            calls.write(f"{slot}\n")
        time.sleep(1.0)
        return tiny_result()

    start.wait(timeout=120)
    run = run_cache.train_once(KIND, SETTINGS, VERSION, train,
                               on_wait=lambda: (out / f"waited-{slot}").touch())
    numpy.savez(out / f"weights-{slot}.npz", *run.model.get_weights())


def test_two_processes_train_once_and_share_the_run(data_dir, tmp_path, monkeypatch):
    # A spawned child re-runs the parent's __main__ file. After an AppTest in the same
    # session, __main__ is the last lesson page, so give the children an empty one.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    processes = [
        context.Process(target=train_in_another_process,
                        args=(str(data_dir), str(tmp_path), slot, start))
        for slot in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0]
    assert len((tmp_path / "train-calls").read_text().split()) == 1
    assert len(list(tmp_path.glob("waited-*"))) == 1
    with numpy.load(tmp_path / "weights-0.npz") as first, \
            numpy.load(tmp_path / "weights-1.npz") as second:
        for name in first.files:
            numpy.testing.assert_array_equal(first[name], second[name])


def test_a_stopped_run_is_returned_but_not_stored(data_dir):
    trainer = CountingTrainer(complete=False)
    run = run_cache.train_once(KIND, SETTINGS, VERSION, trainer)
    assert not run.complete and not run.from_cache
    assert run_cache.load_run(KIND, run.key) is None
    assert not (data_dir / "runs" / KIND / run.key).exists()
    run_cache.train_once(KIND, SETTINGS, VERSION, trainer)
    assert trainer.calls == 2
    with pytest.raises(ValueError, match="stopped"):
        run_cache.save_run(KIND, SETTINGS, VERSION, tiny_result(complete=False))


def test_an_error_in_training_is_raised_and_frees_the_lock(data_dir):
    with pytest.raises(RuntimeError, match="out of memory"):
        run_cache.train_once(KIND, SETTINGS, VERSION,
                             CountingTrainer(error=RuntimeError("out of memory")))
    key = run_cache.run_key(KIND, SETTINGS, VERSION)
    assert run_cache.load_run(KIND, key) is None
    with open(data_dir / "runs" / KIND / f"{key}.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held
        fcntl.flock(lock_file, fcntl.LOCK_UN)

    # The in-process lock must be free too: a second caller trains instead of hanging.
    trainer, runs = CountingTrainer(), []
    retry = threading.Thread(
        target=lambda: runs.append(run_cache.train_once(KIND, SETTINGS, VERSION, trainer)))
    retry.start()
    retry.join(timeout=30)
    assert trainer.calls == 1 and runs and not runs[0].from_cache


def test_train_must_return_a_run_result(data_dir):
    with pytest.raises(ValueError, match="RunResult"):
        run_cache.train_once(KIND, SETTINGS, VERSION, lambda: {"model": None})


def test_a_lock_is_kept_only_while_a_thread_needs_it(tmp_path):
    # Two threads on one lock file share one threading.Lock while either holds or waits for
    # it; when both are done the entry is gone, so a long-lived server keeps no lock per
    # settings ever trained.
    lock_path = tmp_path / "a.lock"
    inside, release, waited = threading.Event(), threading.Event(), threading.Event()

    def hold_until_released():
        with run_cache.exclusive_lock(lock_path):
            inside.set()
            release.wait(timeout=60)

    def wait_then_enter():
        with run_cache.exclusive_lock(lock_path, on_wait=waited.set):
            pass

    holder = threading.Thread(target=hold_until_released)
    holder.start()
    assert inside.wait(timeout=60)
    assert str(lock_path) in run_cache.thread_locks
    waiter = threading.Thread(target=wait_then_enter)
    waiter.start()
    assert waited.wait(timeout=60)  # it found the lock held
    release.set()
    holder.join(timeout=60)
    waiter.join(timeout=60)
    assert not holder.is_alive() and not waiter.is_alive()
    gc.collect()
    assert str(lock_path) not in run_cache.thread_locks
