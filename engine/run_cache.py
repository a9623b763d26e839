"""A disk cache of finished training runs, shared by the whole class.

Training the same model with the same settings twice gives the learner nothing new, so a
finished run is kept on disk under a key made from its settings. Anyone who asks for those
settings again (the same learner, a classmate, or anyone after a server restart) gets the
stored run at once.

Layout, under `hosting.data_dir()`:

    runs/<kind>/<key>/model.keras    the trained model (`model.save`), or model-<n>.keras for
                                     each of several (a dictionary of models, as lesson 7's
                                     pair), their names in history.json
    runs/<kind>/<key>/history.json   losses per epoch, the settings, small extras
    runs/<kind>/<key>/arrays.npz     optional named numpy arrays, e.g. test predictions
    runs/<kind>/<key>.lock           held while someone trains these settings; kept forever
    stopped/<kind>/<key>/            the last run of these settings that a learner stopped,
                                     in the same layout (engine/jobs.py keeps it there)

A run folder is built under a temporary name and renamed into place in one step, so it exists
completely or not at all. A folder that fails to load anyway (a power cut before the disk
caught up, a hand edit) is treated as missing and removed, so the next request trains again;
that is also why nothing here pays for fsync.

    def train():  # the slow part, skipped whenever these settings were trained before
        model = recipes.hello_neuron_model(0.01)
        history = model.fit(xs, ys, epochs=500, verbose=0)
        return run_cache.RunResult(model, history.history, extras={"seconds": 1.2})

    run = run_cache.train_once("hello-neuron", {"learning_rate": 0.01, "epochs": 500},
                               version=1, train=train, on_wait=show_waiting_message)
"""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import pathlib
import re
import shutil
import tempfile
import threading
import time
import typing
import weakref

import keras
import numpy

from engine import hosting

FILE_FORMAT = 1  # of history.json; bump if its layout changes
FINISHED_SHELF = "runs"  # runs trained to the end
STOPPED_SHELF = "stopped"  # the last stopped run of each settings
MODEL_FILE = "model.keras"
HISTORY_FILE = "history.json"
ARRAYS_FILE = "arrays.npz"
PARTIAL_PREFIX = ".partial-"
# Only a crashed writer leaves a partial folder this old: writing one takes seconds.
STALE_PARTIAL_SECONDS = 60 * 60

KIND_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
KEY_PATTERN = re.compile(r"[0-9a-f]{64}")

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class RunResult:
    """What a `train` function given to `train_once` returns.

    model: the trained model, or a dictionary name -> model for a run that trains several.
    history: metric name -> one number per epoch, e.g. `model.fit(...).history`.
    extras: small JSON-able facts about the run, e.g. {"test_accuracy": 0.91, "seconds": 12.5}.
    arrays: name -> numpy array to keep with the run, e.g. {"test_predictions": ...}.
    complete: False when the learner stopped training early; such a run is handed back to
        the caller but never stored, since the same settings trained to the end differ.
    """

    model: keras.Model
    history: dict
    extras: dict = dataclasses.field(default_factory=dict)
    arrays: dict = dataclasses.field(default_factory=dict)
    complete: bool = True


@dataclasses.dataclass
class Run:
    """A finished (or, from `train_once`, stopped) run, read-only for whoever receives it."""

    model: keras.Model
    history: dict
    extras: dict
    arrays: dict
    settings: dict
    key: str
    from_cache: bool  # True when loaded from disk rather than trained by this call
    complete: bool = True


def canonical_settings(kind: str, settings: dict, version: int) -> str:
    """One JSON text per (kind, settings, version), whatever order the dictionaries are in."""
    kind_folder(kind)  # checks the kind
    if not isinstance(settings, dict):
        raise ValueError(f"Training settings must be a dictionary, not {type(settings).__name__}.")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"The recipe version must be a whole number, not {version!r}.")
    try:
        return json.dumps({"kind": kind, "settings": settings, "version": version},
                          sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "These training settings cannot be remembered: every setting must be plain text, "
            f"a number, True/False, None, or a list or dictionary of those ({error})."
        ) from error


def run_key(kind: str, settings: dict, version: int) -> str:
    """The name a run is stored under. `version` is the recipe's version number: raise it when
    the recipe changes, so that runs trained the old way are no longer found.

    Note that 1 and 1.0 are different settings here; pass each setting with one type."""
    return hashlib.sha256(canonical_settings(kind, settings, version).encode("utf-8")).hexdigest()


# Kinds and keys become folder names, so neither may be able to point anywhere else.
def kind_folder(kind: str, shelf: str = FINISHED_SHELF) -> pathlib.Path:
    if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
        raise ValueError(f"A run kind is a short name of lowercase letters, digits, - and _, "
                         f"not {kind!r}.")
    if shelf not in (FINISHED_SHELF, STOPPED_SHELF):
        raise ValueError(f"Runs are kept on the {FINISHED_SHELF!r} or {STOPPED_SHELF!r} shelf, "
                         f"not {shelf!r}.")
    return hosting.data_dir() / shelf / kind


def run_folder(kind: str, key: str, shelf: str = FINISHED_SHELF) -> pathlib.Path:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"{key!r} is not a run key; make one with run_key().")
    return kind_folder(kind, shelf) / key


def save_run(kind: str, settings: dict, version: int, result: RunResult,
             shelf: str = FINISHED_SHELF) -> str:
    """Store a run and return its key. A finished run (the default shelf) that is already
    stored (someone else finished first) is kept: same settings, same recipe, same run. A
    stopped run (`shelf=STOPPED_SHELF`) replaces the one stopped before it."""
    if not isinstance(result, RunResult):
        raise ValueError(f"A run to store must be a RunResult, not {type(result).__name__}.")
    if result.complete != (shelf == FINISHED_SHELF):
        raise ValueError("A run trained to the end is kept on the finished shelf, and a "
                         "stopped one on the stopped shelf.")
    key = run_key(kind, settings, version)
    record = {"format": FILE_FORMAT, "kind": kind, "key": key, "version": version,
              "settings": settings, "history": plain_history(result.history),
              "extras": plain_extras(result.extras),
              "array_names": sorted(checked_arrays(result.arrays)), "model_names": None}
    folder = kind_folder(kind, shelf)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(folder)
    if shelf == STOPPED_SHELF and (folder / key).exists():
        discard(folder / key)  # the newer stop wins

    partial = pathlib.Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=folder))
    try:
        save_models(result.model, partial, record)
        # NaN losses are kept as NaN (a diverging run is a lesson too); Python reads them back.
        (partial / HISTORY_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")
        if result.arrays:
            numpy.savez(partial / ARRAYS_FILE, **checked_arrays(result.arrays))
        try:
            os.rename(partial, folder / key)
        except OSError:
            if not (folder / key).exists():
                raise
            shutil.rmtree(partial, ignore_errors=True)  # someone else stored it first
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return key


def load_run(kind: str, key: str, shelf: str = FINISHED_SHELF) -> typing.Optional[Run]:
    """The stored run, or None if there is none. A folder that cannot be read completely is
    removed and reported as None, so that the caller trains again instead of failing."""
    folder = run_folder(kind, key, shelf)
    if not folder.is_dir():
        return None
    try:
        record = json.loads((folder / HISTORY_FILE).read_text(encoding="utf-8"))
        if record.get("format") != FILE_FORMAT or record.get("kind") != kind:
            raise ValueError("history.json is from another kind or an older format")
        if run_key(kind, record["settings"], record["version"]) != key:
            raise ValueError("history.json does not belong to this key")
        arrays = {}
        if record["array_names"]:
            with numpy.load(folder / ARRAYS_FILE, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        if sorted(arrays) != record["array_names"]:
            raise ValueError("arrays.npz does not hold the arrays history.json lists")
        model = load_models(folder, record.get("model_names"))
    # Anything can go wrong reading a damaged folder (zip, HDF5, JSON errors...); whatever it
    # is, the cure is the same: forget the folder and train again.
    except Exception as error:  # noqa: BLE001
        logger.warning("Removing unreadable training run %s: %s", folder, error)
        discard(folder)
        return None
    return Run(model=model, history=record["history"], extras=record["extras"], arrays=arrays,
               settings=record["settings"], key=key, from_cache=True,
               complete=shelf == FINISHED_SHELF)


def save_models(model, folder: pathlib.Path, record: dict) -> None:
    """One model as model.keras; several (a dictionary) as model-<n>.keras, named in
    `record` (history.json), which is written after this."""
    if not isinstance(model, dict):
        model.save(folder / MODEL_FILE)
        return
    record["model_names"] = list(model)
    for index, each in enumerate(model.values()):
        each.save(folder / f"model-{index}.keras")


def load_models(folder: pathlib.Path, names):
    """The run's model, or its models by name. Keras' safe mode (said here, though it is the
    default) refuses a file that would run code of its own when loaded, such as a Lambda
    layer's: a shared data directory may hold files someone else wrote."""
    if names is None:
        return keras.saving.load_model(folder / MODEL_FILE, safe_mode=True)
    return {name: keras.saving.load_model(folder / f"model-{index}.keras", safe_mode=True)
            for index, name in enumerate(names)}


def train_once(kind: str, settings: dict, version: int, train: typing.Callable[[], RunResult],
               on_wait: typing.Optional[typing.Callable[[], None]] = None) -> Run:
    """The stored run for these settings, or train one with `train()` and store it.

    If someone else (a thread in this server or another process) is already training the same
    settings, wait for them, calling `on_wait()` once so the page can say so, then take their
    run. If their training fails or is stopped early, the next in line trains instead.
    Exceptions from `train()` reach the caller; nothing is stored then."""
    key = run_key(kind, settings, version)
    stored = load_run(kind, key)
    if stored is not None:
        return stored
    folder = kind_folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(folder / f"{key}.lock", on_wait):
        # Whoever held the lock before us may have stored the run while we waited.
        stored = load_run(kind, key)
        if stored is not None:
            return stored
        result = train()
        if not isinstance(result, RunResult):
            raise ValueError(f"The train function must return a RunResult, "
                             f"not {type(result).__name__}.")
        if result.complete:
            try:
                save_run(kind, settings, version, result)
            except OSError as error:
                # A full or read-only disk must not cost the learner the run they waited for.
                logger.warning("Could not store training run %s/%s: %s", kind, key, error)
    return Run(model=result.model, history=plain_history(result.history),
               extras=plain_extras(result.extras), arrays=checked_arrays(result.arrays),
               settings=json.loads(canonical_settings(kind, settings, version))["settings"],
               key=key, from_cache=False, complete=result.complete)


# One threading.Lock per lock file, for the threads of this server process. The file lock
# alone would also separate them (each call opens its own file description), but this keeps
# waiting threads out of a blocking system call. Held weakly: a lock lives while a thread
# holds or waits for it, and its entry goes with the last thread, so a server that trains
# many settings over weeks keeps no lock per settings ever trained.
thread_locks = weakref.WeakValueDictionary()
thread_locks_guard = threading.Lock()


@contextlib.contextmanager
def exclusive_lock(lock_path: pathlib.Path, on_wait=None):
    """Hold `lock_path` against every other thread and process; call `on_wait()` at most once,
    and only if we have to wait for someone."""
    waited = False

    def note_wait():
        nonlocal waited
        if not waited and on_wait is not None:
            waited = True
            on_wait()

    with thread_locks_guard:
        thread_lock = thread_locks.setdefault(str(lock_path), threading.Lock())
    if not thread_lock.acquire(blocking=False):
        note_wait()
        thread_lock.acquire()
    try:
        # "a" creates the file if needed and never truncates it. The file is never deleted:
        # deleting it while another process waits on it would let two holders in at once.
        with open(lock_path, "a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                note_wait()
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    finally:
        thread_lock.release()


def plain_history(history) -> dict:
    """metric name -> list of floats, from a dict or a keras History."""
    history = getattr(history, "history", history)  # a keras History holds the dict
    if not isinstance(history, dict):
        raise ValueError(f"A run's history must be a dictionary of per-epoch numbers, "
                         f"not {type(history).__name__}.")
    try:
        return {str(name): [float(value) for value in values]
                for name, values in history.items()}
    except (TypeError, ValueError) as error:
        raise ValueError(f"A run's history must hold one number per epoch ({error}).") from error


def plain_extras(extras: dict) -> dict:
    try:
        return json.loads(json.dumps(extras))
    except (TypeError, ValueError) as error:
        raise ValueError(f"A run's extras must be plain numbers, text, lists or dictionaries "
                         f"({error}).") from error


def checked_arrays(arrays: dict) -> dict:
    checked = {}
    for name, array in (arrays or {}).items():
        array = numpy.asarray(array)
        if not isinstance(name, str) or not name or array.dtype == object:
            raise ValueError(f"A stored array needs a name and numbers in it; {name!r} has not.")
        checked[name] = array
    return checked


def discard(folder: pathlib.Path):
    # Rename first, so that the run's name is free at once even if removal is slow or fails.
    doomed = folder.with_name(f"{PARTIAL_PREFIX}discarded-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(folder, doomed)
    except OSError:
        return  # already gone: another reader discarded it first
    shutil.rmtree(doomed, ignore_errors=True)


def remove_stale_partials(folder: pathlib.Path):
    """Remove what crashed writers left behind; recent partial folders may still be in use."""
    now = time.time()
    for path in folder.glob(PARTIAL_PREFIX + "*"):
        with contextlib.suppress(OSError):  # removed by someone else meanwhile
            if now - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
